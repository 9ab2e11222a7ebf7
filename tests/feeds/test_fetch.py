"""Fetching over real HTTP from a local server: limits, conditional GET, redirects,
and the server's caching and back-off headers."""

from __future__ import annotations

import gzip
import socket
import time
from datetime import timedelta
from email.utils import format_datetime

import pytest

from scheduler import clock
from scheduler.feeds import FeedError
from scheduler.feeds.fetch import fetch, new_client, user_agent
from tests.feeds.conftest import own_bytes

NEWS = own_bytes("news.rss")


def test_it_identifies_itself_and_asks_only_for_encodings_it_inflates(feed_server, net_settings):
    url = feed_server.serve("/news", NEWS, content_type="application/rss+xml; charset=utf-8")
    result = fetch(url, settings=net_settings)
    assert result.status == 200 and result.body == NEWS
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.final_url == url
    headers = feed_server.requests_to("/news")[0].headers
    assert headers["User-Agent"].startswith("tactful/")
    assert "https://example.org/tactful-test" in headers["User-Agent"]
    assert headers["Accept-Encoding"] == "gzip, deflate"
    assert user_agent("").startswith("tactful/")


def test_a_gzipped_feed_is_inflated(feed_server, net_settings):
    url = feed_server.serve("/gz", gzip.compress(NEWS), headers={"Content-Encoding": "gzip"})
    assert fetch(url, settings=net_settings).body == NEWS


def test_conditional_get_sends_the_validators_and_reads_304(feed_server, net_settings):
    url = feed_server.serve(
        "/etag", NEWS, etag='"v1"', headers={"Last-Modified": "Tue, 04 Aug 2020 22:42:00 GMT"}
    )
    first = fetch(url, settings=net_settings)
    assert first.etag == '"v1"' and first.last_modified == "Tue, 04 Aug 2020 22:42:00 GMT"
    second = fetch(url, etag=first.etag, last_modified=first.last_modified, settings=net_settings)
    assert second.status == 304 and second.body is None and second.etag == '"v1"'
    sent = feed_server.requests_to("/etag")[1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Tue, 04 Aug 2020 22:42:00 GMT"


def test_redirects_are_followed_to_a_limit(feed_server, net_settings):
    target = feed_server.serve("/final", NEWS)
    url = feed_server.redirect("/hop1", feed_server.redirect("/hop2", target, 301))
    result = fetch(url, settings=net_settings)
    assert result.body == NEWS and result.final_url == target
    loop = feed_server.redirect("/loop-a", feed_server.url("/loop-b"))
    feed_server.redirect("/loop-b", loop)
    with pytest.raises(FeedError, match="too many redirects"):
        fetch(loop, settings=net_settings)


def test_retry_after_in_seconds_or_as_a_date(feed_server, net_settings, frozen):
    url = feed_server.serve("/busy", b"slow down", status=429, headers={"Retry-After": "120"})
    with pytest.raises(FeedError, match="HTTP 429 Too Many Requests; retry after 120 s") as caught:
        fetch(url, settings=net_settings)
    assert caught.value.retry_after == 120
    when = format_datetime(clock.now() + timedelta(minutes=10), usegmt=True)
    url = feed_server.serve("/down", b"", status=503, headers={"Retry-After": when})
    with pytest.raises(FeedError, match="HTTP 503") as caught:
        fetch(url, settings=net_settings)
    assert caught.value.retry_after == 600
    # A hostile "come back in ten years" is capped.
    url = feed_server.serve("/never", b"", status=429, headers={"Retry-After": "315360000"})
    with pytest.raises(FeedError) as caught:
        fetch(url, settings=net_settings)
    assert caught.value.retry_after == net_settings.monitor.max_server_delay


def test_cache_control_and_expires_give_the_freshness(feed_server, net_settings, frozen):
    url = feed_server.serve(
        "/cc", NEWS, headers={"Cache-Control": "public, max-age=60", "Age": "15"}
    )
    assert fetch(url, settings=net_settings).cache_max_age == 45
    now = clock.now()
    url = feed_server.serve(
        "/exp",
        NEWS,
        headers={
            "Date": format_datetime(now, usegmt=True),
            "Expires": format_datetime(now + timedelta(seconds=300), usegmt=True),
        },
    )
    assert fetch(url, settings=net_settings).cache_max_age == 300
    url = feed_server.serve("/nc", NEWS, headers={"Cache-Control": "no-cache"})
    assert fetch(url, settings=net_settings).cache_max_age == 0
    url = feed_server.serve("/none", NEWS)
    assert fetch(url, settings=net_settings).cache_max_age is None


def test_a_declared_length_over_the_cap_is_refused_before_reading(feed_server, net_settings):
    big = b"<" * (net_settings.monitor.max_body_bytes + 1)
    url = feed_server.serve("/big", big)
    with pytest.raises(FeedError, match="larger than the 1000000 byte limit"):
        fetch(url, settings=net_settings)


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip-bomb"])
def test_an_endless_body_is_cut_at_the_decoded_size_cap(feed_server, net_settings, gzipped):
    url = feed_server.endless("/endless", gzipped=gzipped)
    with pytest.raises(FeedError, match="larger than the 1000000 byte limit"):
        fetch(url, settings=net_settings)
    feed_server.release.set()
    # The 1 GB was generated on the fly and abandoned early, never sent whole.
    with feed_server.lock:
        sent = feed_server.sent.get("/endless", 0)
    assert sent < 200_000_000


@pytest.mark.parametrize("trickle", [False, True], ids=["stalls", "trickles"])
def test_the_deadline_cuts_a_feed_that_never_finishes(feed_server, net_settings, trickle):
    url = feed_server.stall("/slow", trickle=trickle)
    started = time.monotonic()
    with pytest.raises(FeedError, match="did not finish within the 1 s deadline"):
        fetch(url, settings=net_settings)
    assert time.monotonic() - started < 5


def test_connection_refused_is_a_readable_error(net_settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FeedError, match="no HTTP answer"):
        fetch(f"http://127.0.0.1:{port}/feed", settings=net_settings)


def test_http_errors_and_odd_schemes_are_readable(feed_server, net_settings):
    with pytest.raises(FeedError, match="HTTP 404 Not Found"):
        fetch(feed_server.url("/missing"), settings=net_settings)
    with pytest.raises(FeedError, match="http:// or https://"):
        fetch("ftp://127.0.0.1/feed", settings=net_settings)


def test_a_shared_client_is_left_open_for_the_caller(feed_server, net_settings):
    url = feed_server.serve("/shared", NEWS)
    with new_client(net_settings) as client:
        assert fetch(url, settings=net_settings, client=client).status == 200
        assert fetch(url, settings=net_settings, client=client).status == 200
        assert not client.is_closed
