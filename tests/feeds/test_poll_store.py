"""How a poll stores on PostgreSQL: few round trips in the common case, and the
guarantees kept when they are cut — a batch the database refuses still stores every
entry (row by row, in a fresh transaction), and a poll that waited for another
poll's lock on the feed sees what that poll stored."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.pool import NullPool

from rules.reports import Assessment, Entry
from scheduler.feeds import manage, poll
from scheduler.feeds.poll import poll_feed
from scheduler.models import Feed, Report
from tests.feeds.conftest import NUL_FEED, add_news_feed, assess_by_words, own_bytes

pytestmark = pytest.mark.parametrize("backend", ["postgres"])

NEWS = own_bytes("news.rss")
NEWS_ENTRIES = 10


def test_a_poll_without_incident_work_takes_four_statements_and_no_savepoint(app, feed_server):
    feed_id = add_news_feed(app, feed_server.serve("/news", NEWS))
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split())[:40])

    event.listen(app.db.engine, "before_cursor_execute", record)
    try:
        result = poll_feed(app, feed_id, assess=assess_by_words)
    finally:
        event.remove(app.db.engine, "before_cursor_execute", record)
    assert result.status == "ok" and len(result.new) == NEWS_ENTRIES
    # Read the feed; lock it and learn its known entries; insert; update the feed.
    assert [s.split()[0] for s in statements] == ["SELECT", "SELECT", "INSERT", "UPDATE"]
    assert "FOR UPDATE" not in statements[0]


def test_a_batch_the_database_refuses_is_stored_row_by_row_in_a_fresh_transaction(
    app, feed_server, monkeypatch
):
    # Entries not made storable: PostgreSQL refuses the NUL byte, and with it the batch.
    monkeypatch.setattr(poll, "storable", lambda entry: entry)
    feed_id = add_news_feed(app, feed_server.serve("/wire", NUL_FEED))
    handed: list[list[tuple[int, str]]] = []

    def on_reports(session, new):
        for item in new:
            assert session.get(Report, item.report.id) is not None
        handed.append([(item.report.id, item.report.title) for item in new])

    assessed: list[str] = []

    def assess(entry: Entry, now: datetime) -> Assessment:
        assessed.append(entry.guid)
        return assess_by_words(entry, now)

    result = poll_feed(app, feed_id, assess=assess, on_reports=on_reports)
    assert result.status == "ok", result.error
    assert sorted(assessed) == ["urn:wire:g1", "urn:wire:g2", "urn:wire:g3"]  # once each
    with app.db.session() as session:
        stored = session.scalars(select(Report).where(Report.feed_id == feed_id)).all()
        feed = session.get(Feed, feed_id)
        assert feed is not None and "stored without its text" in (feed.last_error or "")
        assert feed.error_count == 0
    assert len(stored) == 3
    rows = {r.guid.rsplit(":", 1)[-1]: r for r in stored if r.guid.startswith("urn:")}
    placeholder = [r for r in stored if r.title.startswith("(entry the database refused")]
    assert set(rows) == {"g2", "g3"}
    assert len(placeholder) == 1 and placeholder[0].tragedy is False
    assert placeholder[0].guid == placeholder[0].guid_hash  # kept by its key: not refetched
    assert rows["g2"].title == "Explosion in Beirut port" and rows["g2"].tragedy
    assert rows["g3"].tragedy
    # Handed on once, from the transaction that kept them.
    assert handed == [[(rows["g2"].id, rows["g2"].title), (rows["g3"].id, rows["g3"].title)]]
    assert {f.report_id for f in result.new} == {r.id for r in stored}


def _wait_for_a_lock_wait(url: str, deadline: float) -> None:
    """Until some session of this database waits for a lock (or the deadline)."""
    watcher = create_engine(url, poolclass=NullPool)
    try:
        with watcher.connect() as conn:
            query = text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            while not conn.scalar(query):
                if time.monotonic() > deadline:
                    raise AssertionError("the second poll never waited for the feed's lock")
    finally:
        watcher.dispose()


def test_a_poll_that_waited_for_the_feeds_lock_sees_what_the_other_poll_stored(app, feed_server):
    feed_id = add_news_feed(app, feed_server.serve("/news", NEWS))
    second: dict[str, object] = {}
    second_assessed: list[str] = []

    def assess_second(entry: Entry, now: datetime) -> Assessment:
        second_assessed.append(entry.guid)
        return assess_by_words(entry, now)

    def poll_second() -> None:
        try:
            second["result"] = poll_feed(app, feed_id, assess=assess_second)
        except Exception as exc:  # reported below, not lost in the thread
            second["error"] = exc

    thread = threading.Thread(target=poll_second)
    locking = threading.Event()

    def second_locks(conn, cursor, statement, parameters, context, executemany):
        if threading.current_thread() is thread and "FOR UPDATE" in statement:
            locking.set()

    event.listen(app.db.engine, "before_cursor_execute", second_locks)

    def hold_the_lock(session, new):
        # The first poll has inserted its reports and holds the feed's lock: the
        # second poll's lock statement starts (its snapshot without these reports)
        # and waits; then the first commits. Until the second poll sends that
        # statement this thread only waits (its fetch and parse may take a while on a
        # busy machine); then it watches the server for the lock wait.
        thread.start()
        assert locking.wait(120), "the second poll never sent its lock statement"
        _wait_for_a_lock_wait(app.settings.database_url, time.monotonic() + 30)

    first = poll_feed(app, feed_id, assess=assess_by_words, on_reports=hold_the_lock)
    thread.join(120)
    assert first.status == "ok" and len(first.new) == NEWS_ENTRIES, (first.error, second)
    assert "error" not in second
    result = second["result"]
    assert result.status == "ok" and result.new == []
    assert second_assessed == []  # every entry known: none assessed or handed on again
    with app.db.session() as session:
        count = len(session.scalars(select(Report.id).where(Report.feed_id == feed_id)).all())
    assert count == NEWS_ENTRIES


def test_text_of_every_kind_is_stored_as_sent_in_the_one_statement_batch(app):
    from scheduler import clock

    with app.db.session() as session:
        feed_id = manage.add_feed(
            session, app.settings, {"url": "https://example.org/w.xml", "kind": "news"}, None
        ).id
    title = 'Séisme à Izmir — "7,0" \\ back\tslash \u2028 line 😢 \x01'
    entry = Entry("news", "urn:wire:é", title, summary="", link="https://example.org/é?a=1&b=2")
    verdict = Assessment(True, "earthquake", 3, 0.1 + 0.2, ("TR-35",), ("'séisme' in text",))
    with app.db.session() as session:
        rows = poll._report_rows(feed_id, [("h", entry, verdict)], clock.now())
        stored = poll._insert_batch(session, rows)
    with app.db.session() as session:
        report = session.get(Report, stored["h"])
        assert report is not None
        assert (report.guid, report.title, report.link) == (entry.guid, title, entry.link)
        assert report.confidence == 0.1 + 0.2 and report.evidence == ["'séisme' in text"]
        assert report.regions == ["TR-35"] and report.published_at is None
        assert report.seen_at == clock.now()
