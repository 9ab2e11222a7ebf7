"""Reading one feed's entries together: follow-ups join their event; as-of and replay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rules.reports import Assessment, Entry
from rules.session import read_together

T = datetime(2025, 8, 1, 12, tzinfo=UTC)


def entry(guid: str, hours: float) -> Entry:
    return Entry("news", guid, guid, published=T + timedelta(hours=hours))


# A fake assessor: the guid says what it is.
VERDICTS = {
    "shooting": Assessment(True, "shooting", 2, 0.9, ("US-TX", "US"), ("x",)),
    "vigil": Assessment(False, None, 0, 0.1, ("US-TX", "US"), (), follow_up=True),
    "vigil-elsewhere": Assessment(False, None, 0, 0.1, ("US-CA", "US"), (), follow_up=True),
    "budget": Assessment(False, None, 0, 0.0, ("US-TX", "US"), ()),
    "flood-news": Assessment(False, "flood", 0, 0.1, ("US-TX", "US"), (), follow_up=True),
}
SEEN: list[tuple[str, datetime]] = []


def fake(e: Entry, now: datetime) -> Assessment:
    SEEN.append((e.guid, now))
    return VERDICTS[e.guid]


def by_guid(judged):
    return {j.entry.guid: j for j in judged}


def test_a_follow_up_joins_the_event_it_follows():
    out = by_guid(read_together([entry("shooting", 0), entry("vigil", 5)], fake))
    assert out["vigil"].event == "shooting" and out["shooting"].event == "shooting"
    assert out["vigil"].assessment.tragedy and out["vigil"].assessment.severity == 2
    assert out["vigil"].assessment.kind == "shooting"
    assert any("follows" in line for line in out["vigil"].assessment.evidence)


def test_nothing_joins_across_places_kinds_or_without_a_follow_up_cue():
    out = by_guid(
        read_together(
            [entry("shooting", 0), entry("vigil-elsewhere", 1), entry("budget", 2),
             entry("flood-news", 3)],
            fake,
        )
    )  # fmt: skip
    for guid in ("vigil-elsewhere", "budget", "flood-news"):
        assert out[guid].event is None and not out[guid].assessment.tragedy, guid


def test_a_follow_up_beyond_the_window_stands_alone():
    out = by_guid(read_together([entry("shooting", 0), entry("vigil", 24 * 8)], fake))
    assert out["vigil"].event is None


def test_replay_judges_each_entry_at_its_own_time_and_keeps_feed_order():
    SEEN.clear()
    out = read_together([entry("vigil", -5), entry("shooting", 0)], fake)
    assert [j.entry.guid for j in out] == ["vigil", "shooting"]
    assert dict(SEEN) == {"vigil": T - timedelta(hours=5), "shooting": T}
    # Replayed in time order, the vigil came first: there was no event to join yet.
    assert out[0].event is None


def test_as_of_judges_all_at_one_moment_and_leaves_out_later_entries():
    SEEN.clear()
    at = T + timedelta(hours=6)
    feed = [entry("vigil", -5), entry("shooting", 0), entry("budget", 7)]
    out = read_together(feed, fake, as_of=at)
    assert [j.entry.guid for j in out] == ["vigil", "shooting"]
    assert {when for _, when in SEEN} == {at}
    # One poll sees both: the earlier follow-up joins the event all the same.
    assert out[0].event == "shooting"


def test_entries_alone_are_never_joined():
    out = read_together([entry("shooting", 0), entry("vigil", 5)], fake, together=False)
    assert all(j.event is None for j in out)
