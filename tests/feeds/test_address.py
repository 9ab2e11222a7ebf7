"""Feed addresses cannot reach inside: refused as written (add, update, config) and
when connecting (after DNS, on every redirect hop), unless the configuration allows
an internal network or host; errors say what failed without echoing the answer."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from scheduler import clock
from scheduler.config import load_settings
from scheduler.context import Tactful
from scheduler.errors import ConfigError, ValidationError
from scheduler.feeds import FeedError, manage
from scheduler.feeds.address import AddressPolicy, url_problem
from scheduler.feeds.fetch import NO_HTTP_ANSWER, fetch
from scheduler.feeds.poll import poll_feed
from scheduler.models import Feed
from tests.conftest import TEST_CHANNELS, make_settings
from tests.feeds.conftest import FAST_MONITOR, assess_by_words, own_bytes

NEWS = own_bytes("news.rss")
# FAST_MONITOR without the test servers' allowance: the shipped behaviour.
LOCKED = {k: v for k, v in FAST_MONITOR.items() if k != "allow_private"}

INSIDE = [
    pytest.param("http://127.0.0.1:5432/", id="postgres-port"),
    pytest.param("http://169.254.169.254/latest/meta-data/", id="link-local-metadata"),
    pytest.param("http://localhost/feed", id="localhost"),
    pytest.param("http://[::1]/feed", id="ipv6-loopback"),
    pytest.param("http://[::ffff:127.0.0.1]/feed", id="ipv4-mapped-loopback"),
    pytest.param("http://0.0.0.0:22/", id="unspecified"),
    pytest.param("http://2130706433/", id="decimal-host"),
    pytest.param("http://0x7f000001/", id="hex-host"),
    pytest.param("http://0177.0.0.1/", id="octal-host"),
    pytest.param("http://127.1/", id="short-host"),
    pytest.param("http://10.0.0.1/rss", id="private"),
    pytest.param("http://192.168.1.1/rss", id="private-192"),
    pytest.param("http://100.64.0.1/rss", id="shared-cgnat"),
    pytest.param("http://224.0.0.1/rss", id="multicast"),
    pytest.param("http://240.0.0.1/rss", id="reserved"),
    pytest.param("http://metadata.google.internal/computeMetadata/v1/", id="metadata-name"),
    pytest.param("http://intranet/rss", id="single-label-name"),
    pytest.param("http://printer.local/rss", id="mdns-name"),
    pytest.param("https://user:pass@feeds.example.com/rss", id="credentials"),
    pytest.param("https://token@feeds.example.com/rss", id="user-only"),
]


@pytest.mark.parametrize("url", INSIDE)
def test_an_inside_address_is_refused_as_written(url):
    assert url_problem(url, AddressPolicy()) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://feeds.bbci.co.uk/news/rss.xml",
        "http://93.184.216.34/rss",
        "https://[2606:4700::1]/",
    ],
)
def test_a_public_address_passes_as_written(url):
    assert url_problem(url, AddressPolicy()) is None


def test_credentials_are_refused_even_for_an_allowed_host():
    policy = AddressPolicy.parse(["feeds.intranet.example"])
    assert url_problem("http://feeds.intranet.example/rss", policy) is None
    assert "Credentials" in (url_problem("http://a:b@feeds.intranet.example/rss", policy) or "")


@pytest.mark.parametrize("url", INSIDE)
def test_adding_an_inside_feed_is_refused_naming_the_url(app, tmp_path, database_url, url):
    settings = make_settings(tmp_path, database_url, monitor=LOCKED, feeds=[])
    with app.db.session() as session, pytest.raises(ValidationError) as caught:
        manage.add_feed(session, settings, {"url": url, "kind": "news"}, None)
    assert list(caught.value.errors) == ["url"]
    with app.db.session() as session:
        assert manage.list_feeds(session) == []


def test_moving_a_feed_inside_is_refused(app, tmp_path, database_url):
    settings = make_settings(tmp_path, database_url, monitor=LOCKED, feeds=[])
    with app.db.session() as session:
        feed = manage.add_feed(
            session, settings, {"url": "https://feeds.example.com/rss", "kind": "news"}, None
        )
    with app.db.session() as session, pytest.raises(ValidationError) as caught:
        manage.update_feed(session, settings, feed.id, {"url": "http://10.1.2.3/rss"}, None)
    assert list(caught.value.errors) == ["url"]
    with app.db.session() as session:
        assert manage.get_feed(session, feed.id).url == "https://feeds.example.com/rss"


def test_a_configured_inside_feed_stops_start_up_naming_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"feeds\[0\]\.url: .*monitor\.allow_private"):
        make_settings(tmp_path, feeds=[{"url": "http://127.0.0.1:8080/rss", "kind": "news"}])
    allowed = make_settings(
        tmp_path,
        monitor={"allow_private": ["127.0.0.0/8"]},
        feeds=[{"url": "http://127.0.0.1:8080/rss", "kind": "news"}],
    )
    assert allowed.feeds[0].url == "http://127.0.0.1:8080/rss"


@pytest.mark.parametrize("entry", ["", "not a host!", "10.0.0.0/33", "2130706433"])
def test_a_bad_allow_list_entry_stops_start_up(tmp_path, entry):
    with pytest.raises(ConfigError, match=r"monitor\.allow_private"):
        make_settings(tmp_path, monitor={"allow_private": [entry]})


def test_the_test_servers_are_refused_without_the_allow_list(feed_server, tmp_path):
    url = feed_server.serve("/bbc", NEWS)
    settings = make_settings(tmp_path, monitor=LOCKED, feeds=[])
    with pytest.raises(FeedError, match="loopback address"):
        fetch(url, settings=settings)
    assert feed_server.requests_to("/bbc") == []


@pytest.fixture
def resolver(monkeypatch) -> Iterator[dict[str, str]]:
    """Names the test controls -> the address they resolve to (others: the real DNS)."""
    names: dict[str, str] = {}
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if isinstance(host, str) and host in names:
            return real(names[host], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    yield names


def test_a_public_name_that_resolves_inside_is_refused_when_connecting(
    feed_server, tmp_path, resolver
):
    """DNS rebinding: the name looked public when the feed was added."""
    url = feed_server.serve("/bbc", NEWS).replace("127.0.0.1", "news.rebind.example")
    settings = make_settings(tmp_path, monitor=LOCKED, feeds=[])
    assert url_problem(url, settings.monitor.allow_private) is None
    resolver["news.rebind.example"] = "127.0.0.1"
    with pytest.raises(FeedError, match=r"news\.rebind\.example is a loopback address"):
        fetch(url, settings=settings)
    assert feed_server.requests_to("/bbc") == []


def test_an_allowed_internal_host_is_fetched_from_the_address_checked(
    feed_server, tmp_path, resolver
):
    url = feed_server.serve("/bbc", NEWS).replace("127.0.0.1", "feeds.intranet.example")
    resolver["feeds.intranet.example"] = "127.0.0.1"
    monitor = LOCKED | {"allow_private": ["feeds.intranet.example"]}
    settings = make_settings(tmp_path, monitor=monitor, feeds=[])
    assert fetch(url, settings=settings).body == NEWS
    assert feed_server.requests_to("/bbc")[0].headers["Host"].startswith("feeds.intranet")


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("http://127.0.0.1:{port}/bbc", id="loopback-literal"),
        pytest.param("http://2130706433:{port}/bbc", id="decimal-host"),
        pytest.param("http://localhost:{port}/bbc", id="localhost"),
    ],
)
def test_a_redirect_inside_is_refused_on_that_hop(feed_server, tmp_path, resolver, target):
    feed_server.serve("/bbc", NEWS)
    port = feed_server.base.rsplit(":", 1)[1]
    start = feed_server.redirect("/go", target.format(port=port))
    start = start.replace("127.0.0.1", "feeds.intranet.example")
    resolver["feeds.intranet.example"] = "127.0.0.1"
    monitor = LOCKED | {"allow_private": ["feeds.intranet.example"]}
    settings = make_settings(tmp_path, monitor=monitor, feeds=[])
    with pytest.raises(FeedError, match="refused"):
        fetch(start, settings=settings)
    assert len(feed_server.requests_to("/go")) == 1
    assert feed_server.requests_to("/bbc") == []


@pytest.fixture
def not_http() -> Iterator[int]:
    """A port where something that is not a web server answers (like PostgreSQL)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    done = threading.Event()

    def serve() -> None:
        listener.settimeout(0.05)
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.recv(1024)
                conn.sendall(b"E\x00\x00\x00\x6aSFATAL\x00C0A000\x00Munsupported protocol\x00\x00")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        done.set()
        thread.join(5)
        listener.close()


def test_errors_do_not_tell_a_closed_port_from_another_service(not_http, net_settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    messages = []
    for port in (closed, not_http):
        with pytest.raises(FeedError) as caught:
            fetch(f"http://127.0.0.1:{port}/", settings=net_settings)
        messages.append(str(caught.value))
    assert messages == [NO_HTTP_ANSWER, NO_HTTP_ANSWER]


def test_an_error_answer_is_not_echoed(feed_server, net_settings):
    def answer(request):
        request.send_response(500, "db password is hunter2")
        body = b'{"error": "relation users does not exist"}'
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    feed_server.routes["/api"] = answer
    with pytest.raises(FeedError) as caught:
        fetch(feed_server.url("/api"), settings=net_settings)
    assert str(caught.value) == "HTTP 500 Internal Server Error"
    json_api = feed_server.serve("/json", b'{"rows": [{"secret": "x"}]}')
    with pytest.raises(FeedError) as parsed:
        from scheduler.feeds.parse import parse

        parse(fetch(json_api, settings=net_settings).body or b"", "news")
    assert "secret" not in str(parsed.value) and "rows" not in str(parsed.value)


def _token_app(tmp_path, database_url, url, environ):
    layered = {
        "paths": {"data_dir": str(tmp_path)},
        "database": {"url": database_url},
        "channels": TEST_CHANNELS,
        "monitor": FAST_MONITOR,
        "feeds": [{"url": url, "kind": "news", "token_env": "ALERTS_FEED_TOKEN"}],
    }
    settings = load_settings(None, environ=environ, overrides=layered)
    app = Tactful.from_settings(settings)
    with app.db.session() as session:
        (feed,) = manage.sync_feeds(session, settings)
        return app, feed.id


def test_an_authenticated_feed_takes_its_token_from_the_named_variable(
    feed_server, tmp_path, database_url, frozen
):
    url = feed_server.serve("/private", NEWS)
    app, feed_id = _token_app(tmp_path, database_url, url, {"ALERTS_FEED_TOKEN": "s3cret"})
    try:
        result = poll_feed(app, feed_id, assess=assess_by_words)
        assert result.status == "ok", result.error
        assert feed_server.requests_to("/private")[0].headers["Authorization"] == "Bearer s3cret"
        with app.db.session() as session:
            stored = session.get(Feed, feed_id)
            assert "s3cret" not in stored.url and not stored.last_error
    finally:
        app.close()


def test_an_authenticated_feed_without_its_variable_stores_the_reason(
    feed_server, tmp_path, database_url, frozen
):
    url = feed_server.serve("/private", NEWS)
    app, feed_id = _token_app(tmp_path, database_url, url, {})
    try:
        result = poll_feed(app, feed_id, assess=assess_by_words)
        assert result.status == "error"
        assert "ALERTS_FEED_TOKEN" in (result.error or "")
        assert feed_server.requests_to("/private") == []
        with app.db.session() as session:
            feed = session.get(Feed, feed_id)
            assert feed.error_count == 1 and feed.next_poll_at > clock.now()
    finally:
        app.close()
