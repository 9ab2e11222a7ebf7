"""The poll pipeline against real databases and a real local HTTP server: every
hostile or broken feed ends as a readable error stored on that feed, while the other
feeds are polled and earlier reports stay intact."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from rules.reports import Entry
from scheduler import clock
from scheduler.context import Tactful
from scheduler.errors import NotFound
from scheduler.feeds import manage
from scheduler.feeds.poll import (
    claim_due_feeds,
    monitor_job,
    poll_due_feeds,
    poll_feed,
)
from scheduler.models import AuditEvent, Feed, Report
from tests.conftest import make_settings
from tests.feeds.conftest import FAST_MONITOR, assess_by_words, fixture_bytes, own_bytes
from tests.feeds.test_parse import BILLION_LAUGHS, EXTERNAL_ENTITY

# Written for the tests: ten news entries (two of them floods or blasts) and five
# earthquakes (two of magnitude 6 or more).
NEWS = own_bytes("news.rss")
NEWS_ENTRIES = 10
USGS = own_bytes("usgs.atom")
USGS_ENTRIES = 5
HTML = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Hi</body></html>"
BROKEN = b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel><title>x</titl></channel></rss>'


def unreachable_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


def add(app: Tactful, url: str, kind: str = "news", interval: int = 60) -> int:
    with app.db.session() as session:
        data = {"url": url, "kind": kind, "interval_seconds": interval}
        return manage.add_feed(session, app.settings, data, None).id


def feed_row(app: Tactful, feed_id: int) -> Feed:
    with app.db.session() as session:
        feed = session.get(Feed, feed_id)
        assert feed is not None
        return feed


def reports(app: Tactful, feed_id: int) -> list[tuple[int, str, str]]:
    with app.db.session() as session:
        rows = session.execute(
            select(Report.id, Report.guid_hash, Report.title)
            .where(Report.feed_id == feed_id)
            .order_by(Report.id)
        )
        return [tuple(row) for row in rows]


def poll(app: Tactful, feed_id: int, **kwargs):
    return poll_feed(app, feed_id, assess=assess_by_words, **kwargs)


def loop(server) -> str:
    first = server.redirect("/loop-a", server.url("/loop-b"))
    server.redirect("/loop-b", first)
    return first


HOSTILE = {
    "billion-laughs": (lambda s: s.serve("/bad", BILLION_LAUGHS), "declares XML entities"),
    "external-entity": (lambda s: s.serve("/bad", EXTERNAL_ENTITY), "declares XML entities"),
    "larger-than-the-cap": (lambda s: s.endless("/bad"), "larger than the 1000000 byte limit"),
    "gzip-bomb": (lambda s: s.endless("/bad", gzipped=True), "larger than the 1000000 byte"),
    "html-instead-of-xml": (
        lambda s: s.serve("/bad", HTML, content_type="text/html"),
        "not a feed: the server sent an HTML page",
    ),
    "redirect-loop": (loop, "too many redirects (more than 3)"),
    "empty-200": (lambda s: s.serve("/bad", b""), "empty document"),
    "broken-xml": (lambda s: s.serve("/bad", BROKEN), "not valid XML: mismatched tag at line 3"),
    "never-finishes": (lambda s: s.stall("/bad"), "did not finish within the 1 s deadline"),
    "trickles-forever": (
        lambda s: s.stall("/bad", trickle=True),
        "did not finish within the 1 s deadline",
    ),
    "server-error": (lambda s: s.serve("/bad", b"oops", status=500), "HTTP 500"),
    "unreachable": (lambda s: unreachable_url(), "no HTTP answer"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_or_broken_feed_stores_an_error_and_harms_nothing_else(
    app, feed_server, frozen, case
):
    make, expected = HOSTILE[case]
    good = add(app, feed_server.serve("/good", NEWS))
    assert [r.status for r in poll_due_feeds(app, "w1", assess=assess_by_words)] == ["ok"]
    before = reports(app, good)
    assert len(before) == NEWS_ENTRIES
    bad = add(app, make(feed_server))
    frozen.advance(60)

    results = {r.feed_id: r for r in poll_due_feeds(app, "w1", assess=assess_by_words)}

    assert results[bad].status == "error"
    assert expected in (results[bad].error or "")
    feed = feed_row(app, bad)
    assert expected in (feed.last_error or "")
    assert feed.error_count == 1
    assert feed.last_polled_at == clock.now()
    assert feed.next_poll_at == clock.now() + timedelta(seconds=120)  # 60 s x 2^1
    assert feed.lease_until is None
    assert reports(app, bad) == []
    # The other feed was polled in the same round, and nothing it had was touched.
    assert results[good].status == "ok"
    ok = feed_row(app, good)
    assert ok.error_count == 0 and ok.last_error is None
    assert ok.last_polled_at == clock.now()
    assert reports(app, good) == before


def test_an_external_entity_is_never_resolved_anywhere(app, feed_server, frozen):
    bad = add(app, feed_server.serve("/xxe", EXTERNAL_ENTITY))
    result = poll(app, bad)
    assert result.status == "error"
    with app.db.session() as session:
        stored = [
            *session.scalars(select(Feed.last_error)),
            *session.scalars(select(Report.title)),
            *(str(e.details) + str(e.reason) for e in session.scalars(select(AuditEvent))),
        ]
    text = " ".join(s or "" for s in stored)
    assert "/etc/passwd" not in text and "root:" not in text


def test_polling_twice_stores_each_entry_once_even_after_a_restart(
    app, settings, feed_server, frozen
):
    feed_id = add(app, feed_server.serve("/news", NEWS))
    first = poll(app, feed_id)
    assert first.status == "ok" and first.entries == NEWS_ENTRIES and len(first.new) == NEWS_ENTRIES
    frozen.advance(60)
    again = poll(app, feed_id)
    assert again.status == "ok" and again.entries == NEWS_ENTRIES and again.new == []
    stored = reports(app, feed_id)
    # A restart: new application objects, new engine, nothing remembered in memory.
    restarted = Tactful.from_settings(settings)
    try:
        frozen.advance(60)
        after = poll_feed(restarted, feed_id, assess=assess_by_words)
        assert after.status == "ok" and after.new == []
    finally:
        restarted.close()
    assert reports(app, feed_id) == stored


def test_an_unchanged_feed_answers_304_and_keeps_its_etag(app, feed_server, frozen):
    feed_id = add(app, feed_server.serve("/etag", NEWS, etag='"abc"'))
    assert poll(app, feed_id).status == "ok"
    assert feed_row(app, feed_id).etag == '"abc"'
    count = len(reports(app, feed_id))
    frozen.advance(60)
    result = poll(app, feed_id)
    assert result.status == "not_modified"
    assert feed_server.requests_to("/etag")[1].headers["If-None-Match"] == '"abc"'
    feed = feed_row(app, feed_id)
    assert feed.etag == '"abc"' and feed.error_count == 0
    assert feed.next_poll_at == clock.now() + timedelta(seconds=60)
    assert len(reports(app, feed_id)) == count


def test_429_with_retry_after_pushes_the_next_poll(app, feed_server, frozen):
    url = feed_server.serve("/busy", b"", status=429, headers={"Retry-After": "600"})
    feed_id = add(app, url)
    result = poll(app, feed_id)
    assert result.status == "error"
    feed = feed_row(app, feed_id)
    assert feed.last_error == "HTTP 429 Too Many Requests; retry after 600 s"
    assert feed.next_poll_at == clock.now() + timedelta(seconds=600)
    assert feed.error_count == 1
    # Not due yet, so not claimed.
    assert claim_due_feeds(app, "w1") == []


def _status(code):
    def handle(request):
        request.send_response(code)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return handle


def _ok(body):
    def handle(request):
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handle


def test_errors_back_off_and_a_success_resets_the_count(app, feed_server, frozen):
    url = feed_server.sequence("/flaky", _status(500), _status(502), _ok(NEWS))
    feed_id = add(app, url)
    assert poll(app, feed_id).status == "error"
    assert feed_row(app, feed_id).next_poll_at == clock.now() + timedelta(seconds=120)
    frozen.advance(120)
    assert claim_due_feeds(app, "w1") == [feed_id]
    assert poll(app, feed_id).error == "HTTP 502 Bad Gateway"
    feed = feed_row(app, feed_id)
    assert feed.error_count == 2
    assert feed.next_poll_at == clock.now() + timedelta(seconds=240)
    frozen.advance(240)
    result = poll(app, feed_id)
    assert result.status == "ok" and len(result.new) == NEWS_ENTRIES
    feed = feed_row(app, feed_id)
    assert feed.error_count == 0 and feed.last_error is None
    assert feed.next_poll_at == clock.now() + timedelta(seconds=60)


def test_the_backoff_is_capped(app, frozen):
    feed_id = add(app, unreachable_url())
    with app.db.session() as session:
        session.execute(update(Feed).where(Feed.id == feed_id).values(error_count=12))
    poll(app, feed_id)
    feed = feed_row(app, feed_id)
    assert feed.error_count == 13
    assert feed.next_poll_at == clock.now() + timedelta(seconds=3600)


def test_cache_headers_delay_the_next_poll_within_a_cap(app, feed_server, frozen):
    cached = add(app, feed_server.serve("/c1", NEWS, headers={"Cache-Control": "max-age=900"}))
    poll(app, cached)
    assert feed_row(app, cached).next_poll_at == clock.now() + timedelta(seconds=900)
    greedy = add(app, feed_server.serve("/c2", NEWS, headers={"Cache-Control": "max-age=99999"}))
    poll(app, greedy)
    assert feed_row(app, greedy).next_poll_at == clock.now() + timedelta(seconds=3600)
    short = add(app, feed_server.serve("/c3", NEWS, headers={"Cache-Control": "max-age=5"}))
    poll(app, short)
    assert feed_row(app, short).next_poll_at == clock.now() + timedelta(seconds=60)


def test_a_wrong_charset_is_read_right_and_noted_on_the_feed(app, feed_server, frozen):
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>S\xe3o Paulo flood</title><guid>c1</guid></item></channel></rss>"
    ).encode("latin-1")
    feed_id = add(app, feed_server.serve("/charset", body))
    result = poll(app, feed_id)
    assert result.status == "ok"
    assert [f.title for f in result.new] == ["S\xe3o Paulo flood"]
    assert result.new[0].tragedy and result.new[0].kind == "flood"
    feed = feed_row(app, feed_id)
    assert feed.error_count == 0
    assert feed.last_error == (
        "warning: charset: the document says utf-8 but is not; read as windows-1252"
    )


def test_new_tragedies_go_to_on_reports_inside_the_transaction(app, feed_server, frozen):
    feed_id = add(app, feed_server.serve("/usgs", USGS), kind="usgs")
    handed = []

    def on_reports(session, new):
        for item in new:
            # Flushed in this transaction: the row is there, with an id.
            assert session.get(Report, item.report.id) is not None
            assert item.assessment.tragedy and item.entry.feed_kind == "usgs"
            handed.append((item.report.title, item.report.severity, tuple(item.report.regions)))

    result = poll(app, feed_id, on_reports=on_reports)
    assert result.entries == USGS_ENTRIES and len(result.new) == USGS_ENTRIES
    # The two quakes of magnitude 6 or more, and nothing else.
    assert len(handed) == 2
    assert ("M 6.4 - 180km SE of Gizo, Solomon Islands", 3, ("SB",)) in handed
    assert {t.title for t in result.tragedies} == {h[0] for h in handed}
    with app.db.session() as session:
        tragic = session.scalars(
            select(Report).where(Report.feed_id == feed_id, Report.tragedy.is_(True))
        ).all()
    assert {r.title for r in tragic} == {h[0] for h in handed}
    assert all(r.kind == "earthquake" and r.evidence for r in tragic)


def test_the_feeds_publishers_area_reaches_every_entry(app, feed_server, frozen):
    with app.db.session() as session:
        data = {"url": feed_server.serve("/local", NEWS), "kind": "news", "home": "US-LA"}
        feed_id = manage.add_feed(session, app.settings, data, None).id
    seen = []

    def assess(entry, now):
        seen.append((entry.home_country, entry.home_region))
        return assess_by_words(entry, now)

    poll_feed(app, feed_id, assess=assess)
    assert seen == [("US", "US-LA")] * NEWS_ENTRIES


def test_a_failing_on_reports_stores_nothing_and_the_entries_come_back(app, feed_server, frozen):
    feed_id = add(app, feed_server.serve("/news", NEWS))

    def broken(session, new):
        raise RuntimeError("correlator broke")

    result = poll(app, feed_id, on_reports=broken)
    assert result.status == "error"
    assert result.error == "internal error: RuntimeError: correlator broke"
    assert reports(app, feed_id) == []
    assert feed_row(app, feed_id).error_count == 1
    frozen.advance(120)
    seen = []
    result = poll(app, feed_id, on_reports=lambda session, new: seen.extend(new))
    assert result.status == "ok" and len(result.new) == NEWS_ENTRIES
    assert seen and all(n.assessment.tragedy for n in seen)


def test_a_revised_magnitude_is_stored_as_a_new_report(app, feed_server, frozen):
    entry = (
        "<entry><id>urn:earthquake-usgs-gov:us:1</id><title>M {m} - 10km N of Town, Chile</title>"
        "<updated>2026-06-01T11:00:00Z</updated>"
        "<georss:point>-33.4 -70.6</georss:point><georss:elev>-10000</georss:elev></entry>"
    )
    feed = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:georss="http://www.georss.org/georss"><title>USGS</title>{e}</feed>'
    )
    url = feed_server.sequence(
        "/quake",
        _ok(feed.format(e=entry.format(m="5.1")).encode()),
        _ok(feed.format(e=entry.format(m="6.4")).encode()),
    )
    feed_id = add(app, url, kind="usgs")
    assert [f.tragedy for f in poll(app, feed_id).new] == [False]
    frozen.advance(60)
    assert [f.tragedy for f in poll(app, feed_id).new] == [True]
    assert len(reports(app, feed_id)) == 2


def test_two_workers_claiming_at_once_never_get_the_same_feed(app, settings):
    ids = {add(app, f"https://example.org/feed/{n}.xml") for n in range(40)}
    other = Tactful.from_settings(settings)
    claimed: dict[str, list[int]] = {"a": [], "b": []}
    barrier = threading.Barrier(2)
    errors = []

    def run(name, tactful):
        try:
            barrier.wait(30)
            while batch := claim_due_feeds(tactful, name, 3):
                claimed[name].extend(batch)
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=("a", app)),
        threading.Thread(target=run, args=("b", other)),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        other.close()
    assert not errors
    together = claimed["a"] + claimed["b"]
    assert len(together) == len(set(together)) == 40
    assert set(together) == ids


def test_a_claim_is_a_lease_that_lapses(app, frozen):
    first = add(app, "https://example.org/a.xml")
    second = add(app, "https://example.org/b.xml")
    assert claim_due_feeds(app, "w1", 1) == [first]
    assert claim_due_feeds(app, "w2", 5) == [second]
    assert claim_due_feeds(app, "w3", 5) == []
    frozen.advance(FAST_MONITOR["lease_seconds"] + 1)
    assert claim_due_feeds(app, "w3", 5) == [first, second]


def test_disabled_and_not_yet_due_feeds_are_not_claimed(app, frozen):
    disabled = add(app, "https://example.org/off.xml")
    later = add(app, "https://example.org/later.xml")
    with app.db.session() as session:
        manage.disable_feed(session, disabled, None)
        session.execute(
            update(Feed)
            .where(Feed.id == later)
            .values(next_poll_at=clock.now() + timedelta(seconds=30))
        )
    assert claim_due_feeds(app, "w1") == []
    frozen.advance(30)
    assert claim_due_feeds(app, "w1") == [later]


def test_configured_feeds_fail_gracefully_without_a_network(tmp_path, database_url, frozen):
    config_feeds = [
        {"url": unreachable_url(), "kind": "usgs", "interval_seconds": 60},
        {"url": unreachable_url().replace("feed.xml", "gdacs.xml"), "kind": "gdacs"},
    ]
    settings = make_settings(tmp_path, database_url, monitor=FAST_MONITOR, feeds=config_feeds)
    app = Tactful.from_settings(settings)
    try:
        with app.db.session() as session:
            synced = [f.id for f in manage.sync_feeds(session, settings)]
        job = monitor_job(app, "w1", assess=assess_by_words)
        job()
        for feed_id in synced:
            feed = feed_row(app, feed_id)
            assert feed.error_count == 1
            assert (feed.last_error or "").startswith("no HTTP answer")
            assert feed.next_poll_at > clock.now()
        # The next tick finds nothing due: the failures are backed off, not retried hot.
        assert claim_due_feeds(app, "w1") == []
    finally:
        app.close()


def test_an_unknown_feed_is_not_found(app):
    with pytest.raises(NotFound):
        poll(app, 999)


def test_the_assessor_gets_entries_and_the_current_time(app, feed_server, frozen):
    feed_id = add(app, feed_server.serve("/gdacs", own_bytes("gdacs.xml")), "gdacs")
    calls: list[tuple[Entry, object]] = []

    def assess(entry, now):
        calls.append((entry, now))
        return assess_by_words(entry, now)

    poll_feed(app, feed_id, assess=assess)
    assert len(calls) == 2 and all(now == clock.now() for _, now in calls)
    assert calls[0][0].fields["gdacs_alertlevel"] == "Green"
    with app.db.session() as session:
        count = session.scalar(select(func.count()).select_from(Report))
    assert count == 2
    assert feed_row(app, feed_id).title == "Test disaster alerts"


# ------------------------------------------------------- the real captures at scale
@pytest.mark.corpus
def test_real_captures_are_polled_stored_once_and_handed_on(app, feed_server, frozen):
    bbc = add(app, feed_server.serve("/bbc", fixture_bytes("bbc_news_home_2020-08-04.xml")))
    first = poll(app, bbc)
    assert first.status == "ok" and first.entries == 48 and len(first.new) == 48
    frozen.advance(60)
    assert poll(app, bbc).new == []
    week = fixture_bytes("usgs_2.5_week_2015-08-12.atom")
    usgs = add(app, feed_server.serve("/usgs", week), kind="usgs")
    handed = []
    result = poll(app, usgs, on_reports=lambda session, new: handed.extend(new))
    assert result.entries == 309 and len(result.new) == 309
    # The two quakes of magnitude 6 or more that week, and nothing else.
    assert len(handed) == 2
    assert "M 6.4 - 180km SE of Gizo, Solomon Islands" in {n.report.title for n in handed}
