"""The headline benchmark's reading of a labelled day with the days before it."""

from __future__ import annotations

from bench.headlines import with_days_before
from rules.reports import Entry


def feeds() -> dict[str, list[Entry]]:
    return {
        "d1.xml": [Entry("news", "a", "Gunman kills five"), Entry("news", "b", "Markets")],
        "d2.xml": [Entry("news", "b", "Markets, updated"), Entry("news", "c", "Vigil held")],
        "d3.xml": [Entry("news", "c", "Vigil held"), Entry("news", "d", "Victims named")],
    }


def test_a_day_is_read_after_the_days_before_it_each_entry_once():
    by_file = feeds()
    files = sorted(by_file)
    read = with_days_before(by_file.__getitem__, files, "d3.xml", 2)
    assert [e.guid for e in read] == ["a", "b", "c", "d"]
    # A guid the day before carried is the entry as first seen.
    assert read[1].title == "Markets"
    assert [e.guid for e in with_days_before(by_file.__getitem__, files, "d3.xml", 1)] == [
        "b",
        "c",
        "d",
    ]


def test_no_days_before_is_the_day_alone_and_the_first_day_has_none():
    by_file = feeds()
    files = sorted(by_file)
    assert with_days_before(by_file.__getitem__, files, "d2.xml", 0) == by_file["d2.xml"]
    assert with_days_before(by_file.__getitem__, files, "d1.xml", 5) == by_file["d1.xml"]


def test_a_country_miss_whose_regions_hold_every_labelled_country_is_counted_covered():
    from bench.headlines import Score, score_one
    from rules.kinds.base import result
    from training.corpus import Headline
    from training.labels import Labelled

    def item(countries: tuple[str, ...]) -> Labelled:
        headline = Headline("d.xml", 0, "id", "Hurricane hits", "src", "2025-08-01")
        return Labelled(headline, "test", 2, "storm", countries, (), "")

    caribbean = result("storm", 2, 0.9, ("CU", "HT", "JM", "DO"), [])
    score = Score()
    score_one(score, item(("JM", "HT")), caribbean)  # wrong first region, covered
    score_one(score, item(("VE",)), caribbean)  # wrong and not covered
    score_one(score, item(("CU",)), caribbean)  # right
    score_one(score, item(("JM",)), result("storm", 2, 0.9, ("CU",), []))  # one region
    assert (score.country.right, score.country.total, score.covered) == (1, 4, 1)
