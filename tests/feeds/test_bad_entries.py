"""The monitor fails safe entry by entry: a NUL byte or an entry the assessor chokes
on costs that entry at most, never the poll, and the other entries are assessed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from rules.reports import Assessment, Entry
from scheduler.feeds.poll import poll_feed
from scheduler.models import Feed, Report
from tests.feeds.conftest import NUL_FEED, add_news_feed, assess_by_words


def _reports(app, feed_id: int) -> dict[str, tuple[str, bool, list]]:
    with app.db.session() as session:
        rows = session.scalars(select(Report).where(Report.feed_id == feed_id))
        return {r.guid.rsplit(":", 1)[-1]: (r.title, r.tragedy, list(r.evidence)) for r in rows}


def test_a_nul_byte_in_one_entry_does_not_fail_the_poll(app, feed_server):
    feed_id = add_news_feed(app, feed_server.serve("/wire", NUL_FEED))
    result = poll_feed(app, feed_id, assess=assess_by_words)
    assert result.status == "ok", result.error
    stored = _reports(app, feed_id)
    assert set(stored) == {"g1", "g2", "g3"}
    assert stored["g1"][0] == "Shooting in Uvalde, Texas"
    assert stored["g2"][1] and stored["g3"][1]  # the others were assessed
    assert len(result.tragedies) == 2


def test_an_entry_the_assessor_fails_on_is_stored_with_its_error(app, feed_server):
    feed_id = add_news_feed(app, feed_server.serve("/wire", NUL_FEED))

    def fragile(entry: Entry, now: datetime) -> Assessment:
        if entry.guid.endswith(":g2"):
            raise ValueError("no place found")
        return assess_by_words(entry, now)

    result = poll_feed(app, feed_id, assess=fragile)
    assert result.status == "ok", result.error
    stored = _reports(app, feed_id)
    assert stored["g2"][1] is False
    assert stored["g2"][2] == ["not assessed: ValueError: no place found"]
    assert stored["g3"][1] is True
    with app.db.session() as session:
        feed = session.get(Feed, feed_id)
        assert feed.error_count == 0
        assert "g2' could not be assessed" in (feed.last_error or "")
    # Stored with its error: the next poll does not choke on it again.
    again = poll_feed(app, feed_id, assess=fragile)
    assert again.status == "ok" and again.new == []


def test_a_row_the_database_refuses_is_kept_as_a_placeholder_with_the_others(
    app, backend, feed_server
):
    from scheduler import clock
    from scheduler.feeds.poll import _insert_reports

    feed_id = add_news_feed(app, feed_server.serve("/wire", NUL_FEED))
    good = Entry("news", "urn:wire:ok", "Explosion in Beirut port")
    bad = Entry("news", "urn:wire:bad", "Shooting\x00 in Uvalde")  # not made storable
    verdict = Assessment(True, "explosion", 2, 0.7, ("LB",), ("'explosion' in text",))
    notes: list[str] = []
    with app.db.session() as session:
        stored = _insert_reports(
            session, feed_id, [("h-ok", good, verdict), ("h-bad", bad, verdict)], clock.now(), notes
        )
        assert set(stored) == {"h-ok", "h-bad"}
    rows = _reports(app, feed_id)
    assert rows["ok"] == ("Explosion in Beirut port", True, ["'explosion' in text"])
    if backend == "postgres":  # PostgreSQL refuses NUL in text; SQLite keeps it
        assert rows["h-bad"][1] is False
        assert notes and "stored without its text" in notes[0]
