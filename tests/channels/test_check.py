"""The connection test of the channel contract (``Channel.check``): the cheapest
authenticated call of each network against the local fake, nothing published, and a
readable reason when it fails."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from scheduler.channels import AccountSpec, ChannelRuntime, PermanentError, TransientError
from scheduler.channels.bluesky import BlueskyChannel
from scheduler.channels.mastodon import MastodonChannel
from scheduler.channels.outbox import OutboxChannel
from scheduler.channels.webhook import CHECK_HEADER, SIGNATURE_HEADER, WebhookChannel

from . import fake_networks as fakes
from .fake_networks import (
    BLUESKY_HANDLE,
    BLUESKY_PASSWORD,
    CREATE_SESSION_PATH,
    MASTODON_TOKEN,
    VERIFY_CREDENTIALS_PATH,
    WEBHOOK_PATH,
    Answer,
    FakeNetworks,
    closed_port_url,
)

fake_networks = fakes.fake_networks

SECRETS = {"HOOK": "hook-key", "TOKEN": MASTODON_TOKEN, "BAD": "nope", "PW": BLUESKY_PASSWORD}


@pytest.fixture
def runtime(tmp_path: Path) -> ChannelRuntime:
    return ChannelRuntime(
        connect_timeout=0.5, read_timeout=0.5, data_dir=tmp_path, secret=SECRETS.get
    )


def spec(network: str, **options: str) -> AccountSpec:
    return AccountSpec(id=1, name=f"{network}-main", network=network, options=options)


def test_webhook_check_sends_a_signed_ping_with_no_text(runtime, fake_networks: FakeNetworks):
    url = fake_networks.url + WEBHOOK_PATH
    channel = WebhookChannel(spec("webhook", url=url, secret_env="HOOK"), runtime)
    try:
        message = channel.check()
    finally:
        channel.close()
    assert "HTTP 200" in message and "signed" in message
    (request,) = fake_networks.requests(WEBHOOK_PATH)
    assert request.headers[CHECK_HEADER.lower()] == "1"
    assert request.json() == {"check": True, "account": "webhook-main"}
    expected = hmac.new(b"hook-key", request.body, hashlib.sha256).hexdigest()
    assert request.headers[SIGNATURE_HEADER.lower()] == f"sha256={expected}"


def test_webhook_check_reports_the_receivers_refusal(runtime, fake_networks: FakeNetworks):
    fake_networks.script(WEBHOOK_PATH, Answer.of_json(403, {"error": "bad signature"}))
    channel = WebhookChannel(spec("webhook", url=fake_networks.url + WEBHOOK_PATH), runtime)
    with pytest.raises(PermanentError, match=r"HTTP 403.*bad signature"):
        channel.check()
    channel.close()


def test_mastodon_check_verifies_the_token_and_names_the_account(
    runtime, fake_networks: FakeNetworks
):
    good = MastodonChannel(spec("mastodon", base_url=fake_networks.url, token_env="TOKEN"), runtime)
    bad = MastodonChannel(spec("mastodon", base_url=fake_networks.url, token_env="BAD"), runtime)
    try:
        assert good.check() == "signed in as @alice"
        with pytest.raises(PermanentError, match="HTTP 401"):
            bad.check()
    finally:
        good.close()
        bad.close()
    assert [r.method for r in fake_networks.requests(VERIFY_CREDENTIALS_PATH)] == ["GET", "GET"]
    assert fake_networks.creations("mastodon") == []


def test_mastodon_check_names_a_missing_secret(runtime):
    channel = MastodonChannel(
        spec("mastodon", base_url="https://m.example", token_env="NONE"), runtime
    )
    with pytest.raises(PermanentError, match="environment variable NONE"):
        channel.check()


def test_bluesky_check_signs_in(runtime, fake_networks: FakeNetworks):
    options = {"service": fake_networks.url, "handle": BLUESKY_HANDLE}
    good = BlueskyChannel(spec("bluesky", **options, password_env="PW"), runtime)
    bad = BlueskyChannel(spec("bluesky", **options, password_env="BAD"), runtime)
    try:
        assert good.check() == f"signed in as {BLUESKY_HANDLE}"
        with pytest.raises(PermanentError, match="HTTP 401"):
            bad.check()
    finally:
        good.close()
        bad.close()
    assert len(fake_networks.requests(CREATE_SESSION_PATH)) == 2
    assert fake_networks.creations("bluesky") == []


def test_a_server_that_is_not_there_is_a_transient_failure(runtime):
    channel = MastodonChannel(
        spec("mastodon", base_url=closed_port_url(), token_env="TOKEN"), runtime
    )
    with pytest.raises(TransientError, match="could not connect"):
        channel.check()
    channel.close()


def test_outbox_check_writes_nothing(runtime, tmp_path: Path):
    channel = OutboxChannel(spec("outbox", path="sub/out.jsonl"), runtime)
    assert "will be created" in channel.check()
    assert not (tmp_path / "sub").exists()
    (tmp_path / "out.jsonl").write_text("")
    assert "is writable" in OutboxChannel(spec("outbox", path="out.jsonl"), runtime).check()
    assert (tmp_path / "out.jsonl").read_text() == ""


def test_outbox_check_refuses_a_directory(runtime, tmp_path: Path):
    (tmp_path / "adir.jsonl").mkdir()
    with pytest.raises(PermanentError, match="not a regular file"):
        OutboxChannel(spec("outbox", path="adir.jsonl"), runtime).check()
