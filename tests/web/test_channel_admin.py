"""Adding channel accounts and testing their connection (admins), on the page and
through the API; how added accounts live beside the configured ones."""

from __future__ import annotations

import dataclasses
import re

import pytest
from sqlalchemy import func, select

from scheduler import accounts, cli
from scheduler.feeds.address import AddressPolicy
from scheduler.models import AuditEvent, ChannelAccount, Post
from tests.channels import fake_networks as fakes
from tests.channels.fake_networks import MASTODON_TOKEN, VERIFY_CREDENTIALS_PATH, FakeNetworks
from tests.helpers import at, queue
from tests.web import Api, token_for

fake_networks = fakes.fake_networks

MASTO_FORM = {
    "name": "brand-masto",
    "network": "mastodon",
    "display_name": "Brand on Mastodon",
    "regions": "France, US-TX",
    "max_length": "",
    "counts_as": "",
    "base_url": "https://mastodon.example",
    "token_env": "TACTFUL_CHANNEL_BRAND_TOKEN",
    "enabled": "yes",
}


def account(app, name: str) -> ChannelAccount:
    with app.db.session() as session:
        return accounts.account_by_name(session, name)


def row_of(page: str, channel_id: int) -> str:
    found = re.search(rf'<tr id="channel-{channel_id}">(.*?)</tr>', page, re.S)
    assert found, f"no row for channel {channel_id}"
    return found.group(1)


def allow_loopback(app) -> None:
    """Let the tests' local fake server (127.0.0.1) be a channel's address."""
    monitor = dataclasses.replace(
        app.settings.monitor, allow_private=AddressPolicy.parse(["127.0.0.1"])
    )
    app.settings = dataclasses.replace(app.settings, monitor=monitor)


@pytest.fixture
def carol_api(client, app, carol) -> Api:
    return Api(client, token_for(app, carol))


def test_an_admin_adds_an_account_on_the_page(app, browser, carol):
    person = browser(carol)
    response = person.submit("/channels", MASTO_FORM)
    assert response.status_code == 303
    added = account(app, "brand-masto")
    assert (added.network, added.display_name, added.origin) == (
        "mastodon",
        "Brand on Mastodon",
        "ui",
    )
    assert added.regions == ["FR", "US-TX"] and added.enabled
    assert added.options == {
        "base_url": "https://mastodon.example",
        "token_env": "TACTFUL_CHANNEL_BRAND_TOKEN",
    }
    row = row_of(person.page("/channels"), added.id)
    assert "added here" in row and "read-only" not in row
    configured = row_of(person.page("/channels"), account(app, "outbox").id)
    assert "configuration file" in configured and "read-only here" in configured
    with app.db.session() as session:
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "channel.created", AuditEvent.object_id == added.id
            )
        )
        assert event is not None and event.actor == "carol"


def test_a_secret_value_is_refused_and_the_form_comes_back(app, browser, carol):
    form = {**MASTO_FORM, "token_env": "s3cr3t-token-value", "regions": "Atlantis"}
    response = browser(carol).submit("/channels", form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="error-ch-token_env"' in page and "TACTFUL_CHANNEL_" in page
    assert 'id="error-ch-regions"' in page and "Unknown region: Atlantis" in page
    assert 'value="Brand on Mastodon"' in page  # what was typed stays
    with app.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ChannelAccount)) == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "outbox", "network": "outbox"}, "name"),  # a configured account's name
        ({"name": "x y", "network": "outbox"}, "name"),
        ({"name": "a", "network": "fax"}, "network"),
        ({"name": "a", "network": "mastodon", "token_env": "TACTFUL_CHANNEL_T"}, "base_url"),
        (
            {
                "name": "a",
                "network": "mastodon",
                "base_url": "http://10.0.0.5",
                "token_env": "TACTFUL_CHANNEL_T",
            },
            "base_url",
        ),
        (
            {"name": "a", "network": "webhook", "url": "https://user:pw@hooks.example/x"},
            "url",
        ),
        (
            {
                "name": "a",
                "network": "webhook",
                "url": "https://h.example",
                "secret_env": "DATABASE_URL",
            },
            "secret_env",
        ),
        ({"name": "a", "network": "outbox", "path": "../../etc/passwd"}, "path"),
        ({"name": "a", "network": "outbox", "url": "https://h.example"}, "url"),
        ({"name": "a", "network": "outbox", "token": "abc"}, "token"),
    ],
)
def test_the_api_names_the_bad_field(app, carol_api, body, field):
    response = carol_api.post("/channels", body)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["errors"]


def test_the_api_adds_lists_and_refuses_a_second_account_of_a_name(app, carol_api):
    body = {"name": "hook", "network": "webhook", "url": "https://hooks.example/tactful"}
    created = carol_api.post("/channels", body)
    assert created.status_code == 201
    shown = created.get_json()
    assert shown["origin"] == "ui" and shown["options"] == {"url": "https://hooks.example/tactful"}
    again = carol_api.post("/channels", body)
    assert again.status_code == 400 and "exists already" in again.get_json()["errors"]["name"][0]
    listed = {c["name"]: c for c in carol_api.get("/channels").get_json()["channels"]}
    assert listed["hook"]["origin"] == "ui" and listed["outbox"]["origin"] == "config"


def test_testing_an_outbox_account_on_the_page(app, browser, carol):
    outbox = account(app, "outbox")
    response = browser(carol).submit(f"/channels/{outbox.id}/test", {})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "connection works" in page and "outbox.jsonl" in page


def test_testing_a_mastodon_account_against_a_server(
    app, browser, carol, carol_api, fake_networks: FakeNetworks, monkeypatch
):
    allow_loopback(app)
    body = {
        "name": "masto-live",
        "network": "mastodon",
        "base_url": fake_networks.url,
        "token_env": "TACTFUL_CHANNEL_TEST_MASTO_TOKEN",
    }
    channel_id = carol_api.post("/channels", body).get_json()["id"]
    # The variable is unset: the test says so, naming it, without calling out.
    missing = carol_api.post(f"/channels/{channel_id}/test").get_json()
    assert missing["ok"] is False and "TACTFUL_CHANNEL_TEST_MASTO_TOKEN" in missing["message"]
    monkeypatch.setenv("TACTFUL_CHANNEL_TEST_MASTO_TOKEN", "wrong")
    refused = carol_api.post(f"/channels/{channel_id}/test").get_json()
    assert refused["ok"] is False and "HTTP 401" in refused["message"]
    monkeypatch.setenv("TACTFUL_CHANNEL_TEST_MASTO_TOKEN", MASTODON_TOKEN)
    page = browser(carol).submit(f"/channels/{channel_id}/test", {}).get_data(as_text=True)
    assert "connection works" in page and "signed in as @alice" in page
    assert len(fake_networks.requests(VERIFY_CREDENTIALS_PATH)) == 2
    assert fake_networks.creations("mastodon") == []
    with app.db.session() as session:
        outcomes = list(
            session.scalars(
                select(AuditEvent.details)
                .where(AuditEvent.action == "channel.checked", AuditEvent.object_id == channel_id)
                .order_by(AuditEvent.id)
            )
        )
    assert outcomes == [{"ok": False}, {"ok": False}, {"ok": True}]


def test_disabling_through_the_api_gives_the_count_then_needs_confirm(app, carol_api):
    queue(app)
    queue(app, publish_at=at(minutes=20))
    outbox = account(app, "outbox")
    refused = carol_api.post(f"/channels/{outbox.id}/disable", {"reason": "rebrand"})
    assert refused.status_code == 409
    assert "2 queued posts" in refused.get_json()["errors"]["confirm"][0]
    assert account(app, "outbox").enabled
    done = carol_api.post(f"/channels/{outbox.id}/disable", {"confirm": True})
    assert done.status_code == 200 and done.get_json()["enabled"] is False
    assert done.get_json()["waiting"] == 2
    again = carol_api.post(f"/channels/{outbox.id}/enable")
    assert again.status_code == 200 and again.get_json()["enabled"] is True


def test_a_sync_keeps_an_added_account_and_its_posts(app, carol_api):
    created = carol_api.post("/channels", {"name": "mine", "network": "outbox"})
    assert created.status_code == 201
    post = queue(app, channels=["mine"])
    # The configuration no longer names "us": the sync disables that one only.
    configured = tuple(c for c in app.settings.channels if c.name != "us")
    app.settings = dataclasses.replace(app.settings, channels=configured)
    assert cli.apply_configuration(app, confirm_disable=True) == []
    mine = account(app, "mine")
    assert mine.enabled and mine.origin == "ui"
    assert not account(app, "us").enabled
    with app.db.session() as session:
        kept = session.get(Post, post.id)
        assert kept is not None and kept.status == "queued" and kept.channel_id == mine.id


def test_the_configuration_takes_over_an_account_of_its_name(app, carol_api):
    carol_api.post("/channels", {"name": "later", "network": "outbox", "display_name": "Mine"})
    post = queue(app, channels=["later"])
    outbox = next(c for c in app.settings.channels if c.name == "outbox")
    later = dataclasses.replace(outbox, name="later", display_name="From the file")
    app.settings = dataclasses.replace(app.settings, channels=(*app.settings.channels, later))
    cli.apply_configuration(app)
    taken = account(app, "later")
    assert (taken.origin, taken.display_name) == ("config", "From the file")
    with app.db.session() as session:
        assert session.get(Post, post.id).channel_id == taken.id  # type: ignore[union-attr]
