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


def test_the_publishers_own_country_alone_joins_nothing():
    # A US paper: a follow-up placed only in the US (named, or assumed because it
    # names no place) says nothing of which US event it follows, and an event placed
    # only in the US is joined by nothing. Abroad, the country is enough.
    verdicts = {
        "shooting": VERDICTS["shooting"],
        "vague-event": Assessment(True, "shooting", 2, 0.9, ("US",), ("x",)),
        "us-vigil": Assessment(False, None, 0, 0.1, ("US",), (), follow_up=True),
        "texas-vigil": VERDICTS["vigil"],
        "strike": Assessment(True, "war", 2, 0.9, ("UA-30", "UA"), ("x",)),
        "ukraine-news": Assessment(False, "war", 0, 0.1, ("UA",), (), follow_up=True),
    }

    def us_paper(guid: str, hours: float) -> Entry:
        return Entry("news", guid, guid, published=T + timedelta(hours=hours), home_country="US")

    def judge(e: Entry, now: datetime) -> Assessment:
        return verdicts[e.guid]

    out = by_guid(
        read_together([us_paper("shooting", 0), us_paper("us-vigil", 1), us_paper("texas-vigil", 2),
                       us_paper("strike", 3), us_paper("ukraine-news", 4)], judge)
    )  # fmt: skip
    assert out["us-vigil"].event is None and not out["us-vigil"].assessment.tragedy
    assert out["texas-vigil"].event == "shooting"
    assert out["ukraine-news"].event == "strike"
    alone = by_guid(read_together([us_paper("vague-event", 0), us_paper("texas-vigil", 1)], judge))
    assert alone["texas-vigil"].event is None
    # Without a publisher's country the test is the plain overlap, as before.
    plain = by_guid(
        read_together([entry("shooting", 0), Entry("news", "us-vigil", "us-vigil",
                       published=T + timedelta(hours=1))], judge)
    )  # fmt: skip
    assert plain["us-vigil"].event == "shooting"


def test_a_follow_up_joins_only_an_event_more_likely_than_not_a_tragedy():
    # An event held on a doubtful score does not pull its coverage with it; a
    # second, confident report of the same event lets later follow-ups join.
    doubtful = Assessment(True, "shooting", 2, 0.3, ("US-TX", "US"), ("x",))
    verdicts = {**VERDICTS, "doubtful": doubtful, "vigil-2": VERDICTS["vigil"]}

    def judge(e: Entry, now: datetime) -> Assessment:
        return verdicts[e.guid]

    out = by_guid(
        read_together(
            [entry("doubtful", 0), entry("vigil", 1), entry("shooting", 2), entry("vigil-2", 3)],
            judge,
        )
    )
    assert out["vigil"].event is None and not out["vigil"].assessment.tragedy
    assert out["shooting"].event == "doubtful"  # a report that holds joins it as before
    assert out["vigil-2"].event == "doubtful" and out["vigil-2"].assessment.tragedy


def test_a_follow_up_placed_less_precisely_than_its_event_takes_its_area():
    verdicts = {
        "strike": Assessment(True, "war", 2, 0.9, ("UA-30", "UA"), ("x",)),
        "ukraine-news": Assessment(False, "war", 0, 0.1, ("UA",), (), follow_up=True),
        "kyiv-news": Assessment(False, "war", 0, 0.1, ("UA-30", "UA"), (), follow_up=True),
    }

    def judge(e: Entry, now: datetime) -> Assessment:
        return verdicts[e.guid]

    out = by_guid(
        read_together([entry("strike", 0), entry("ukraine-news", 1), entry("kyiv-news", 2)], judge)
    )
    joined = out["ukraine-news"].assessment
    assert out["ukraine-news"].event == "strike" and joined.regions == ("UA-30", "UA")
    assert "placed as its event: UA-30" in joined.evidence
    same = out["kyiv-news"].assessment
    assert same.regions == ("UA-30", "UA") and not any("placed as" in e for e in same.evidence)
    # An entry that holds alone keeps its own place; so does one that joins nothing.
    assert out["strike"].assessment.regions == ("UA-30", "UA")
    alone = by_guid(read_together([entry("ukraine-news", 0)], judge))["ukraine-news"]
    assert alone.assessment.regions == ("UA",)


def test_a_follow_up_beyond_the_window_stands_alone():
    out = by_guid(read_together([entry("shooting", 0), entry("vigil", 24 * 8)], fake))
    assert out["vigil"].event is None


def test_an_event_ends_a_quiet_time_after_its_last_report():
    # 30 hours after the shooting, with nothing between: the event (and the monitor's
    # incident) ended after its 24 quiet hours.
    late = [entry("shooting", 0), entry("vigil", 30)]
    assert by_guid(read_together(late, fake))["vigil"].event is None
    # A longer quiet time, as configured, keeps it open.
    longer = by_guid(read_together(late, fake, window=timedelta(hours=48)))
    assert longer["vigil"].event == "shooting"


def test_an_event_told_day_after_day_stays_open():
    # Each report extends the event: the last vigil is 60 hours after the shooting,
    # but within a day of the report before it.
    feed = [
        entry("shooting", 0),
        Entry("news", "vigil-1", "vigil", published=T + timedelta(hours=20)),
        Entry("news", "vigil-2", "vigil", published=T + timedelta(hours=40)),
        Entry("news", "vigil-3", "vigil", published=T + timedelta(hours=60)),
    ]
    out = by_guid(read_together(feed, lambda e, now: VERDICTS[e.title]))
    assert [out[g].event for g in ("vigil-1", "vigil-2", "vigil-3")] == ["shooting"] * 3


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


def test_an_event_that_dominates_the_feed_is_broadly_felt():
    from rules.correlate import Coverage

    others = [Entry("news", f"budget-{n}", "budget", published=T) for n in range(20)]
    local = dict(VERDICTS)

    def judge(e: Entry, now: datetime) -> Assessment:
        return local[e.guid.split("-")[0] if e.guid.startswith("budget") else e.guid]

    # Distinct guids for the vigils, so each is its own entry.
    event = [
        entry("shooting", 0),
        *(
            Entry("news", f"vigil{n}", "vigil", published=T + timedelta(hours=n))
            for n in range(1, 5)
        ),
    ]
    for n in range(1, 5):
        local[f"vigil{n}"] = VERDICTS["vigil"]
    coverage = Coverage(0.2, 5)
    out = read_together([*others, *event], judge, as_of=T + timedelta(hours=5), coverage=coverage)
    mine = [j for j in out if j.event == "shooting"]
    assert len(mine) == 5 and all(j.assessment.severity == 3 for j in mine)  # 5 of 25
    assert all("5 of 25 entries within a day" in j.assessment.evidence[-1] for j in mine)
    # Without coverage, or with more of the day's news elsewhere, it stays regional.
    plain = read_together([*others, *event], judge, as_of=T + timedelta(hours=5))
    assert {j.assessment.severity for j in plain if j.event} == {2}
    more = [Entry("news", f"budget-{n}", "budget", published=T) for n in range(40)]
    out = read_together([*more, *event], judge, as_of=T + timedelta(hours=5), coverage=coverage)
    assert {j.assessment.severity for j in out if j.event} == {2}


def test_replayed_the_entries_before_dominance_keep_their_severity():
    from rules.correlate import Coverage

    local = {"shooting": VERDICTS["shooting"], "budget": VERDICTS["budget"]}
    others = [Entry("news", f"budget-{n}", "budget", published=T) for n in range(15)]
    vigils = [
        Entry("news", f"vigil{n}", "vigil", published=T + timedelta(hours=n)) for n in range(1, 5)
    ]
    for n in range(1, 5):
        local[f"vigil{n}"] = VERDICTS["vigil"]

    def judge(e: Entry, now: datetime) -> Assessment:
        return local["budget" if e.guid.startswith("budget") else e.guid]

    out = by_guid(
        read_together([*others, entry("shooting", 0), *vigils], judge, coverage=Coverage(0.2, 5))
    )
    assert [out[g].assessment.severity for g in ("shooting", "vigil1", "vigil3", "vigil4")] == [
        2,
        2,
        2,
        3,
    ]


def test_coverage_raises_only_a_regional_tragedy_and_can_be_turned_off():
    from rules.correlate import Coverage, coverage_severity

    on, off = Coverage(0.1, 5), Coverage(0.0, 5)
    assert coverage_severity(2, 5, 50, on) == 3
    assert coverage_severity(2, 5, 51, on) == 2  # below the share
    assert coverage_severity(2, 4, 8, on) == 2  # below the minimum
    assert coverage_severity(1, 9, 10, on) == 1  # a minor event stays minor
    assert coverage_severity(3, 9, 10, on) == 3 and coverage_severity(4, 9, 10, on) == 4
    assert coverage_severity(2, 9, 10, off) == 2
