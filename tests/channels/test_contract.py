"""The channel contract, run over every HTTP adapter against one local fake of the
networks; then what is particular to each adapter, the shared HTTP helpers, the
outbox channel and the registry."""

from __future__ import annotations

import email.utils
import errno
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from scheduler.channels import (
    REGISTRY,
    AccountSpec,
    Channel,
    ChannelRuntime,
    Delivery,
    OutgoingPost,
    PermanentError,
    TransientError,
    UnknownOutcome,
    build_channel,
)
from scheduler.channels.bluesky import BlueskyChannel, link_facets
from scheduler.channels.http import excerpt, parse_retry_after
from scheduler.channels.mastodon import MastodonChannel
from scheduler.channels.outbox import OutboxChannel
from scheduler.channels.webhook import WebhookChannel

from . import fake_networks as fakes
from .fake_networks import (
    BLUESKY_DID,
    BLUESKY_HANDLE,
    BLUESKY_PASSWORD,
    CREATE_RECORD_PATH,
    CREATE_SESSION_PATH,
    MASTODON_PATH,
    MASTODON_TOKEN,
    REFRESH_SESSION_PATH,
    WEBHOOK_PATH,
    Answer,
    Blackhole,
    FakeNetworks,
    closed_port_url,
)

# The fixtures, taken into this module so pytest finds them.
fake_networks = fakes.fake_networks
blackhole = fakes.blackhole

# Short timeouts keep the timeout cases fast; localhost answers in milliseconds.
CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 0.5
HOOK_KEY = "webhook-hmac-key"
SECRETS = {
    "HOOK_KEY": HOOK_KEY,
    "MASTODON_TOKEN": MASTODON_TOKEN,
    "BSKY_PASSWORD": BLUESKY_PASSWORD,
    "BSKY_WRONG_PASSWORD": "not-the-password",
}
UNSET_ENV = "TACTFUL_TEST_UNSET_SECRET"


@dataclass(frozen=True)
class Network:
    name: str
    cls: type[Channel]
    post_path: str  # the request that creates the post
    options: Callable[[str], dict[str, Any]]  # base URL -> account options
    required_option: str
    secret_option: str
    idempotent: bool

    def __str__(self) -> str:
        return self.name


NETWORKS = [
    Network(
        "webhook",
        WebhookChannel,
        WEBHOOK_PATH,
        lambda base: {"url": base + WEBHOOK_PATH, "secret_env": "HOOK_KEY"},
        required_option="url",
        secret_option="secret_env",
        idempotent=True,
    ),
    Network(
        "mastodon",
        MastodonChannel,
        MASTODON_PATH,
        lambda base: {"base_url": base, "token_env": "MASTODON_TOKEN"},
        required_option="base_url",
        secret_option="token_env",
        idempotent=True,
    ),
    Network(
        "bluesky",
        BlueskyChannel,
        CREATE_RECORD_PATH,
        lambda base: {"service": base, "handle": BLUESKY_HANDLE, "password_env": "BSKY_PASSWORD"},
        required_option="handle",
        secret_option="password_env",
        idempotent=False,
    ),
]
WEBHOOK, MASTODON, BLUESKY = NETWORKS

OpenChannel = Callable[..., Channel]


def make_post(post_id: int = 7, text: str = "Flood warning lifted for the valley.") -> OutgoingPost:
    return OutgoingPost(
        post_id=post_id,
        text=text,
        idempotency_key=f"post-{post_id}-key",
        category="news",
        regions=("TR-46", "TR-06"),
        publish_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    )


@pytest.fixture
def runtime(tmp_path: Path) -> ChannelRuntime:
    return ChannelRuntime(
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        data_dir=tmp_path,
        secret=SECRETS.get,
        user_agent="tactful-test/1",
    )


@pytest.fixture
def open_channel(runtime: ChannelRuntime) -> Iterator[OpenChannel]:
    """Build adapters for a network at a base URL; every one is closed at teardown.
    An option overridden with None is left out."""
    opened: list[Channel] = []

    def factory(network: Network, base_url: str, /, **overrides: Any) -> Channel:
        options = {**network.options(base_url), **overrides}
        account = AccountSpec(
            id=1,
            name=f"{network.name}-main",
            network=network.name,
            options={k: v for k, v in options.items() if v is not None},
        )
        channel = network.cls(account, runtime)
        opened.append(channel)
        return channel

    yield factory
    for channel in opened:
        channel.close()


@pytest.fixture(params=NETWORKS, ids=str)
def network(request: pytest.FixtureRequest) -> Network:
    param: Network = request.param
    return param


# -- the contract, over every HTTP adapter ------------------------------------------


def test_it_publishes_once_and_returns_the_id_the_network_gave(
    network: Network, fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(network, fake_networks.url)

    delivery = channel.publish(make_post())

    created = fake_networks.creations(network.name)
    assert len(created) == 1
    expected = {"webhook": "hook-1", "mastodon": "110001", "bluesky": created[0]}
    assert delivery.remote_id == expected[network.name]
    (sent,) = fake_networks.requests(network.post_path)
    assert sent.method == "POST"
    assert sent.headers["user-agent"] == "tactful-test/1"


def test_it_sends_the_idempotency_key_exactly_where_the_network_honours_it(
    network: Network, fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(network, fake_networks.url)

    channel.publish(make_post(post_id=31))

    assert channel.supports_idempotency is network.idempotent
    (sent,) = fake_networks.requests(network.post_path)
    assert sent.headers.get("idempotency-key") == ("post-31-key" if network.idempotent else None)


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_it_gives_up_permanently_on_a_client_error_and_says_why(
    network: Network, fake_networks: FakeNetworks, open_channel: OpenChannel, status: int
) -> None:
    reason = "Text is too long " + "x" * 2000
    fake_networks.script(
        network.post_path, Answer.of_json(status, {"error": "InvalidRequest", "message": reason})
    )
    channel = open_channel(network, fake_networks.url)

    with pytest.raises(PermanentError) as raised:
        channel.publish(make_post())

    message = str(raised.value)
    assert f"HTTP {status}" in message
    assert "Text is too long" in message
    assert len(message) < 400
    assert len(fake_networks.requests(network.post_path)) == 1


def test_it_passes_on_the_retry_after_seconds_of_a_429(
    network: Network, fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    fake_networks.script(
        network.post_path,
        Answer.of_json(429, {"error": "RateLimitExceeded"}, ("Retry-After", "120")),
    )
    channel = open_channel(network, fake_networks.url)

    with pytest.raises(TransientError) as raised:
        channel.publish(make_post())

    assert raised.value.retry_after == 120
    assert "429" in str(raised.value)


def test_it_reads_a_retry_after_date_on_a_503_against_the_servers_clock(
    network: Network, fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    later = datetime.now(UTC) + timedelta(seconds=90)
    fake_networks.script(
        network.post_path,
        Answer(
            503,
            b"down for maintenance",
            (("Retry-After", email.utils.format_datetime(later, usegmt=True)),),
        ),
    )
    channel = open_channel(network, fake_networks.url)

    with pytest.raises(TransientError) as raised:
        channel.publish(make_post())

    assert raised.value.retry_after is not None
    assert 80 <= raised.value.retry_after <= 90


@pytest.mark.parametrize("status", [408, 425, 500, 502, 503, 504])
def test_it_asks_for_a_retry_on_server_errors_and_request_timeouts(
    network: Network, fake_networks: FakeNetworks, open_channel: OpenChannel, status: int
) -> None:
    fake_networks.script(network.post_path, Answer(status, b"<html>oops</html>"))
    channel = open_channel(network, fake_networks.url)

    with pytest.raises(TransientError) as raised:
        channel.publish(make_post())

    assert type(raised.value) is TransientError
    assert raised.value.retry_after is None
    assert f"HTTP {status}" in str(raised.value)


def test_it_asks_for_a_retry_when_the_connection_is_refused_and_nothing_was_sent(
    network: Network, fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(network, closed_port_url())

    with pytest.raises(TransientError) as raised:
        channel.publish(make_post())

    assert isinstance(raised.value.__cause__, httpx.ConnectError)
    assert fake_networks.requests() == []


def test_it_asks_for_a_retry_when_connecting_times_out_and_nothing_was_sent(
    network: Network,
    fake_networks: FakeNetworks,
    blackhole: Blackhole,
    open_channel: OpenChannel,
) -> None:
    channel = open_channel(network, blackhole.url)

    with pytest.raises(TransientError) as raised:
        channel.publish(make_post())

    assert isinstance(raised.value.__cause__, httpx.ConnectTimeout)
    assert blackhole.bytes_received() == 0
    assert fake_networks.requests() == []


def test_it_reports_an_unknown_outcome_when_the_reply_times_out_after_sending(
    network: Network, fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    fake_networks.script(network.post_path, "hang")
    channel = open_channel(network, fake_networks.url)

    with pytest.raises(UnknownOutcome) as raised:
        channel.publish(make_post())

    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)
    received = fake_networks.wait_for_requests(network.post_path, 1)
    assert len(received) == 1
    assert b"Flood warning lifted" in received[0].body


def test_it_reports_an_unknown_outcome_when_the_connection_drops_before_a_reply(
    network: Network, fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    fake_networks.script(network.post_path, "drop")
    channel = open_channel(network, fake_networks.url)

    with pytest.raises(UnknownOutcome) as raised:
        channel.publish(make_post())

    assert isinstance(raised.value.__cause__, httpx.RemoteProtocolError)
    assert len(fake_networks.requests(network.post_path)) == 1


def test_it_can_publish_again_after_being_closed(
    network: Network, fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(network, fake_networks.url)

    first = channel.publish(make_post(post_id=1))
    channel.close()
    second = channel.publish(make_post(post_id=2))

    assert len(fake_networks.creations(network.name)) == 2
    assert first.remote_id != second.remote_id


def test_it_names_a_missing_required_option_without_calling_the_network(
    network: Network, fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(network, fake_networks.url, **{network.required_option: None})

    with pytest.raises(PermanentError, match=repr(network.required_option)):
        channel.publish(make_post())

    assert fake_networks.requests() == []


def test_it_names_the_environment_variable_of_a_missing_secret(
    network: Network, fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(network, fake_networks.url, **{network.secret_option: UNSET_ENV})

    with pytest.raises(PermanentError, match=UNSET_ENV):
        channel.publish(make_post())

    assert fake_networks.requests() == []


# -- webhook ------------------------------------------------------------------------


def test_it_signs_the_exact_webhook_body_so_the_receiver_can_verify_it(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(WEBHOOK, fake_networks.url)

    channel.publish(make_post(post_id=12, text="Ünïcode stays intact ☕"))

    (sent,) = fake_networks.requests(WEBHOOK_PATH)
    expected = "sha256=" + hmac.new(HOOK_KEY.encode(), sent.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(sent.headers["x-tactful-signature"], expected)
    assert sent.headers["content-type"] == "application/json"
    assert sent.json() == {
        "post_id": 12,
        "account": "webhook-main",
        "text": "Ünïcode stays intact ☕",
        "category": "news",
        "regions": ["TR-46", "TR-06"],
        "publish_at": "2026-03-01T09:30:00+00:00",
        "idempotency_key": "post-12-key",
    }


def test_it_sends_no_webhook_signature_when_no_secret_is_configured(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(WEBHOOK, fake_networks.url, secret_env=None)

    channel.publish(make_post())

    (sent,) = fake_networks.requests(WEBHOOK_PATH)
    assert "x-tactful-signature" not in sent.headers
    assert sent.json()["post_id"] == 7


def test_it_uses_the_idempotency_key_as_remote_id_when_the_receiver_returns_no_id(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    fake_networks.script(WEBHOOK_PATH, Answer(202, b"accepted"))
    channel = open_channel(WEBHOOK, fake_networks.url)

    assert channel.publish(make_post(post_id=5)) == Delivery(remote_id="post-5-key")


# -- mastodon -----------------------------------------------------------------------


def test_it_posts_a_mastodon_status_with_the_bearer_token_and_returns_its_url(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(MASTODON, fake_networks.url + "/")

    delivery = channel.publish(make_post())

    (sent,) = fake_networks.requests(MASTODON_PATH)
    assert sent.headers["authorization"] == f"Bearer {MASTODON_TOKEN}"
    assert sent.json() == {"status": "Flood warning lifted for the valley.", "visibility": "public"}
    assert delivery == Delivery(remote_id="110001", url=f"{fake_networks.url}/@alice/110001")


def test_it_posts_with_the_configured_mastodon_visibility(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(MASTODON, fake_networks.url, visibility="unlisted")

    channel.publish(make_post())

    assert fake_networks.requests(MASTODON_PATH)[0].json()["visibility"] == "unlisted"


def test_it_refuses_an_unknown_mastodon_visibility_without_calling_the_network(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(MASTODON, fake_networks.url, visibility="everyone")

    with pytest.raises(PermanentError, match="visibility"):
        channel.publish(make_post())

    assert fake_networks.requests() == []


def test_it_resends_under_the_same_key_so_mastodon_posts_only_once(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(MASTODON, fake_networks.url)

    first = channel.publish(make_post(post_id=3))
    again = channel.publish(make_post(post_id=3))

    assert first == again
    assert fake_networks.creations("mastodon") == ["post-3-key"]


# -- bluesky ------------------------------------------------------------------------


def test_it_marks_bluesky_links_with_utf8_byte_offsets(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    text = "Café ☕ https://example.com/x"
    channel = open_channel(BLUESKY, fake_networks.url)

    channel.publish(make_post(text=text))

    (sent,) = fake_networks.requests(CREATE_RECORD_PATH)
    (facet,) = sent.json()["record"]["facets"]
    # "Café ☕ " is 7 characters but 10 bytes: é is 2 bytes, ☕ is 3.
    assert facet["index"] == {"byteStart": 10, "byteEnd": 31}
    assert text.encode()[10:31] == b"https://example.com/x"
    assert facet["features"] == [
        {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/x"}
    ]


@pytest.mark.parametrize(
    ("text", "uris"),
    [
        ("Read https://example.com/a.", ["https://example.com/a"]),
        (
            "See https://example.com/a, then (https://example.org/b).",
            ["https://example.com/a", "https://example.org/b"],
        ),
        (
            "About https://en.wikipedia.org/wiki/Foo_(bar)!",
            ["https://en.wikipedia.org/wiki/Foo_(bar)"],
        ),
        ("Plain http://example.net/p?q=1 works", ["http://example.net/p?q=1"]),
        ("No links, only https:// and ftp://x.org", []),
    ],
    ids=["full-stop", "comma-and-parens", "balanced-parens", "http", "none"],
)
def test_it_leaves_trailing_punctuation_out_of_bluesky_links(text: str, uris: list[str]) -> None:
    facets = link_facets(text)

    assert [f["features"][0]["uri"] for f in facets] == uris
    for facet in facets:
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        assert text.encode()[start:end].decode() == facet["features"][0]["uri"]


def test_it_logs_in_to_bluesky_once_and_reuses_the_session(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(BLUESKY, fake_networks.url)

    first = channel.publish(make_post(post_id=1, text="no links here"))
    second = channel.publish(make_post(post_id=2))

    assert fake_networks.sessions_created == 1
    (login,) = fake_networks.requests(CREATE_SESSION_PATH)
    assert login.json() == {"identifier": BLUESKY_HANDLE, "password": BLUESKY_PASSWORD}
    access = {r.headers["authorization"] for r in fake_networks.requests(CREATE_RECORD_PATH)}
    assert len(access) == 1
    body = fake_networks.requests(CREATE_RECORD_PATH)[0].json()
    assert body["repo"] == BLUESKY_DID
    assert body["collection"] == "app.bsky.feed.post"
    assert body["record"]["$type"] == "app.bsky.feed.post"
    assert body["record"]["text"] == "no links here"
    assert "facets" not in body["record"]
    created_at = body["record"]["createdAt"]
    assert created_at.endswith("Z")
    assert datetime.fromisoformat(created_at).utcoffset() == timedelta(0)
    assert first.remote_id is not None
    assert first.remote_id.startswith(f"at://{BLUESKY_DID}/app.bsky.feed.post/")
    rkey = first.remote_id.rsplit("/", 1)[-1]
    assert first.url == f"https://bsky.app/profile/{BLUESKY_HANDLE}/post/{rkey}"
    assert second.remote_id != first.remote_id


def test_it_logs_in_to_bluesky_once_when_threads_post_at_the_same_time(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(BLUESKY, fake_networks.url)

    with ThreadPoolExecutor(max_workers=8) as pool:
        deliveries = list(pool.map(lambda n: channel.publish(make_post(post_id=n)), range(16)))

    assert fake_networks.sessions_created == 1
    assert len({d.remote_id for d in deliveries}) == 16


def test_it_refreshes_an_expired_bluesky_token_once_and_posts(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(BLUESKY, fake_networks.url)
    channel.publish(make_post(post_id=1))
    fake_networks.expire_access_tokens()

    delivery = channel.publish(make_post(post_id=2))

    assert delivery.remote_id == fake_networks.creations("bluesky")[-1]
    assert len(fake_networks.creations("bluesky")) == 2
    assert len(fake_networks.requests(REFRESH_SESSION_PATH)) == 1
    assert fake_networks.sessions_created == 1
    tokens = [r.headers["authorization"] for r in fake_networks.requests(CREATE_RECORD_PATH)]
    assert tokens[0] == tokens[1] != tokens[2]


def test_it_logs_in_to_bluesky_again_when_the_refresh_token_is_refused(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(BLUESKY, fake_networks.url)
    channel.publish(make_post(post_id=1))
    fake_networks.expire_access_tokens()
    fake_networks.revoke_refresh_tokens()

    channel.publish(make_post(post_id=2))

    assert len(fake_networks.requests(REFRESH_SESSION_PATH)) == 1
    assert fake_networks.sessions_created == 2
    assert len(fake_networks.creations("bluesky")) == 2


def test_it_retries_a_rejected_bluesky_token_only_once(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    rejected = Answer.of_json(401, {"error": "InvalidToken"})
    fake_networks.script(CREATE_RECORD_PATH, rejected, rejected, rejected)
    channel = open_channel(BLUESKY, fake_networks.url)

    with pytest.raises(PermanentError, match="401"):
        channel.publish(make_post())

    assert len(fake_networks.requests(CREATE_RECORD_PATH)) == 2
    assert fake_networks.creations("bluesky") == []


def test_it_gives_up_permanently_on_a_wrong_bluesky_password(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    channel = open_channel(BLUESKY, fake_networks.url, password_env="BSKY_WRONG_PASSWORD")

    with pytest.raises(PermanentError, match="createSession: HTTP 401"):
        channel.publish(make_post())

    assert fake_networks.requests(CREATE_RECORD_PATH) == []


def test_it_treats_a_bluesky_login_timeout_as_transient_since_nothing_was_posted(
    fake_networks: FakeNetworks, open_channel: OpenChannel
) -> None:
    fake_networks.script(CREATE_SESSION_PATH, "hang")
    channel = open_channel(BLUESKY, fake_networks.url)

    with pytest.raises(TransientError) as raised:
        channel.publish(make_post())

    assert isinstance(raised.value.__cause__, UnknownOutcome)
    assert fake_networks.requests(CREATE_RECORD_PATH) == []


# -- shared HTTP helpers ------------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        ("Sun, 01 Mar 2026 12:02:30 GMT", 150.0),
        ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),
        ("soon", None),
        ("nan", None),
        ("", None),
        (None, None),
    ],
    ids=[
        "delta",
        "zero",
        "fraction",
        "negative",
        "date",
        "past-date",
        "garbage",
        "nan",
        "empty",
        "absent",
    ],
)
def test_it_reads_retry_after_as_seconds_or_a_date(
    value: str | None, seconds: float | None
) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


def test_it_shortens_error_bodies_to_one_line_of_at_most_300_characters() -> None:
    shown = excerpt(b"<html>\n  <p>Bad\tthing</p>\n" + b"x" * 1000)

    assert shown.startswith("<html> <p>Bad thing</p> xxx")
    assert len(shown) == 300


# -- outbox -------------------------------------------------------------------------


def open_outbox(runtime: ChannelRuntime) -> OutboxChannel:
    account = AccountSpec(id=2, name="outbox-main", network="outbox", options={"path": "out.jsonl"})
    return OutboxChannel(account, runtime)


def test_it_appends_one_json_line_per_post_to_the_outbox(runtime: ChannelRuntime) -> None:
    channel = open_outbox(runtime)

    channel.publish(make_post(post_id=1, text="first"))
    delivery = channel.publish(make_post(post_id=2, text="second\nline"))

    lines = (Path(runtime.data_dir) / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["text"] for line in lines] == ["first", "second\nline"]
    assert json.loads(lines[0])["account"] == "outbox-main"
    assert delivery.remote_id == "outbox:post-2-key"


def test_it_keeps_outbox_lines_whole_when_threads_append_at_once(runtime: ChannelRuntime) -> None:
    channel = open_outbox(runtime)
    # Big lines make a torn or interleaved write likely if appends were not atomic.
    posts = [make_post(post_id=n, text=f"{n}:" + "é" * 40_000) for n in range(64)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(channel.publish, posts))

    lines = (Path(runtime.data_dir) / "out.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert sorted(r["post_id"] for r in records) == list(range(64))
    assert all(r["text"] == f"{r['post_id']}:" + "é" * 40_000 for r in records)


def test_a_batch_goes_to_the_outbox_in_order_in_one_piece(runtime: ChannelRuntime) -> None:
    channel = open_outbox(runtime)
    channel.publish(make_post(post_id=1, text="before"))

    results = channel.publish_many([make_post(post_id=n, text=f"batch {n}") for n in (2, 3, 4)])

    lines = (Path(runtime.data_dir) / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["text"] for line in lines] == [
        "before",
        "batch 2",
        "batch 3",
        "batch 4",
    ]
    assert [r.remote_id for r in results if isinstance(r, Delivery)] == [
        "outbox:post-2-key",
        "outbox:post-3-key",
        "outbox:post-4-key",
    ]


def test_a_batch_cut_short_by_a_full_disk_leaves_nothing_behind(
    runtime: ChannelRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = open_outbox(runtime)
    channel.publish(make_post(post_id=1, text="before"))
    path = Path(runtime.data_dir) / "out.jsonl"
    kept = path.read_bytes()
    real_write = os.write
    calls = []

    def short_then_full(fd: int, data: Any) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[:10]))  # a short write…
        raise OSError(errno.ENOSPC, "No space left on device")  # …then the disk is full

    monkeypatch.setattr("scheduler.channels.outbox.os.write", short_then_full)
    results = channel.publish_many([make_post(post_id=n) for n in (2, 3)])

    assert len(calls) == 2
    assert all(isinstance(r, TransientError) and "No space left" in str(r) for r in results)
    assert path.read_bytes() == kept  # the ten bytes that landed were cut off again


# -- registry -----------------------------------------------------------------------


def test_it_registers_every_adapter_under_its_network_name(runtime: ChannelRuntime) -> None:
    assert {
        "outbox": OutboxChannel,
        "webhook": WebhookChannel,
        "mastodon": MastodonChannel,
        "bluesky": BlueskyChannel,
    } == REGISTRY
    for name, cls in REGISTRY.items():
        channel = build_channel(AccountSpec(id=1, name="a", network=name), runtime)
        assert isinstance(channel, cls)
        assert channel.network == name
        channel.close()


def test_it_refuses_an_account_on_an_unknown_network(runtime: ChannelRuntime) -> None:
    with pytest.raises(PermanentError, match="'myspace'"):
        build_channel(AccountSpec(id=1, name="a", network="myspace"), runtime)
