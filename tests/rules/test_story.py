"""The names a story is told by, and how a feed read together uses them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rules import story
from rules.reports import Assessment, Entry
from rules.session import read_together

T = datetime(2025, 8, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("title", "names"),
    [
        ("Gunman opens fire at Brown University in Providence", {"brown university"}),
        ("Suspect in Charlie Kirk\u2019s murder linked to scene by DNA, FBI says",
         {"charlie kirk"}),  # a possessive ends a name; a comma parts two
        ("Tyler Robinson, accused of killing Charlie Kirk, is charged",
         {"tyler robinson", "charlie kirk"}),
        ("Police say the suspect was arrested on Friday", set()),  # one capital at a time
        # Title case: every word has a capital, so capitals name nothing.
        ("Brown University Shooting Suspect Found Dead In New Hampshire", set()),
    ],
)  # fmt: skip
def test_names_are_runs_of_capitalised_words_in_sentence_case(title, names):
    assert story.names_in(title) == names


def test_a_title_case_title_contains_the_names_the_feed_gave():
    known = story.feed_names(
        ["Gunman opens fire at Brown University in Providence", "Markets rally on rate hopes"]
    )
    assert known == {"brown university"}
    assert story.named("Brown University Shooting Suspect Found Dead", known) == {
        "brown university"
    }
    assert story.named("Brown Bears Win At Home", known) == frozenset()


def us(guid: str, title: str, hours: float) -> Entry:
    return Entry("news", guid, title, published=T + timedelta(hours=hours), home_country="US")


def test_a_report_placed_only_in_the_publishers_country_is_placed_by_its_names():
    shooting = Assessment(True, "shooting", 2, 0.9, ("US-RI", "US"), ("x",))
    vague_hold = Assessment(True, "shooting", 2, 0.8, ("US",), ("y",))
    vague_news = Assessment(False, None, 0, 0.1, ("US",), ())
    verdicts = {"a": shooting, "b": vague_hold, "c": vague_news, "d": vague_news}
    entries = [
        us("a", "Gunman kills two at Brown University in Providence", 0),
        us("b", "Brown University Gunman Still At Large After Killing Two", 1),
        us("c", "Brown University cancels exams for the week", 2),
        us("d", "Senate passes the spending bill", 3),
    ]
    out = {j.entry.guid: j for j in read_together(entries, lambda e, now: verdicts[e.guid])}
    held = out["b"].assessment
    assert out["b"].event == "a" and held.regions == ("US-RI", "US")
    assert "told by the name 'brown university', as its event is" in held.evidence
    placed = out["c"].assessment
    assert placed.regions == ("US-RI", "US") and not placed.tragedy and out["c"].event is None
    assert out["d"].assessment.regions == ("US",)
    # Entries read alone keep their own place.
    alone = {j.entry.guid: j for j in read_together(entries, lambda e, now: verdicts[e.guid],
                                                     together=False)}  # fmt: skip
    assert alone["b"].assessment.regions == ("US",)


def test_a_name_does_not_place_a_report_by_a_doubtful_or_vague_event():
    doubtful = Assessment(True, "shooting", 2, 0.3, ("US-RI", "US"), ("x",))
    vague = Assessment(True, "shooting", 2, 0.9, ("US",), ("x",))
    news = Assessment(False, None, 0, 0.1, ("US",), ())
    for first in (doubtful, vague):
        verdicts = {"a": first, "c": news}
        entries = [
            us("a", "Gunman kills two at Brown University in Providence", 0),
            us("c", "Brown University cancels exams for the week", 2),
        ]
        judged = read_together(entries, lambda e, now, v=verdicts: v[e.guid])
        assert {j.entry.guid: j for j in judged}["c"].assessment.regions == ("US",)


def test_a_name_places_a_report_only_where_its_own_place_allows():
    # A US paper's report placed in the US shares a name with an event abroad: the
    # event is not within the report's place, so the name places nothing.
    strike = Assessment(True, "war", 2, 0.9, ("UA-30", "UA"), ("x",))
    news = Assessment(False, None, 0, 0.1, ("US",), ())
    held = Assessment(True, "war", 2, 0.8, ("US",), ("y",))
    verdicts = {"a": strike, "c": news, "d": held}
    entries = [
        us("a", "Missiles hit Kyiv Central Station, killing four", 0),
        us("c", "U.S. envoy visits Kyiv Central Station", 1),
        us("d", "Kyiv Central Station Strike Kills Four, U.S. Officials Say", 2),
    ]
    out = {j.entry.guid: j for j in read_together(entries, lambda e, now: verdicts[e.guid])}
    assert out["c"].assessment.regions == ("US",)
    assert not any("name" in line for line in out["c"].assessment.evidence)
    assert out["d"].event == "d"  # its own event, not the strike abroad
    assert not any("told by the name" in line for line in out["d"].assessment.evidence)


def test_the_names_a_report_shares_with_an_events_titles():
    told = ["Gunman opens fire at Brown University in Providence", "Vigil held on the campus"]
    # A title-case report contains the names the event's titles gave.
    assert story.shared("Brown University Suspect Found Dead", told) == {"brown university"}
    # A sentence-case report gives names of its own, which the event's titles may contain.
    assert story.shared("Police search near Brown University dorms", told) == {"brown university"}
    assert story.shared("Brown Bears Win At Home", told) == frozenset()
    assert story.shared("Mayor of Providence speaks at Roger Williams Park", told) == frozenset()
    assert story.shared("Brown University Suspect Found Dead", []) == frozenset()


def test_name_candidates_are_placed_more_precisely_than_the_publishers_country():
    from rules.correlate import OpenIncident, Signal, latest, name_candidates

    window = timedelta(days=7)
    ri = OpenIncident(1, "shooting", 2, ("US-RI",), T, confidence=0.9)
    national = OpenIncident(2, "shooting", 2, ("US",), T + timedelta(hours=1))
    abroad = OpenIncident(3, "shooting", 2, ("FR-75C",), T + timedelta(hours=2))
    flood = OpenIncident(4, "flood", 2, ("US-TX",), T + timedelta(hours=3))
    doubtful = OpenIncident(5, "shooting", 2, ("US-NY",), T + timedelta(hours=4), 0.3)
    old = OpenIncident(6, "shooting", 2, ("US-CA",), T - timedelta(days=8))
    all_six = [ri, national, abroad, flood, doubtful, old]
    report = Signal("shooting", 2, ("US",), T + timedelta(hours=5))
    found = name_candidates(report, all_six, window, backdrop="US")
    assert [i.id for i in found] == [1, 5]  # not the US, not abroad, not a flood, not old
    assert latest(found) == 5
    assert [i.id for i in name_candidates(report, all_six, window, any_kind=True,
                                          backdrop="US")] == [1, 4, 5]  # fmt: skip
    # A follow-up (it does not hold alone) needs a confident incident.
    follow = name_candidates(report, all_six, window, backdrop="US", follow_up=True)
    assert [i.id for i in follow] == [1]
    # Placed nowhere, a report may be told of an event anywhere.
    nowhere = Signal("shooting", 2, (), T + timedelta(hours=5))
    assert {i.id for i in name_candidates(nowhere, all_six, window, backdrop="US")} == {1, 3, 5}
    assert latest([]) is None
