"""The event-place benchmark's counts over labelled headlines."""

from __future__ import annotations

from bench.event_places import tally
from rules import geo
from training.corpus import Headline
from training.labels import Labelled


def item(title: str, label: int, countries: tuple[str, ...], admin1: tuple[str, ...] = ()):
    headline = Headline("d.xml", 0, "id", title, "src", "2025-08-01")
    return Labelled(headline, "train", label, "fire", countries, admin1, "")


def test_each_positive_counts_once_as_right_wrong_or_unplaced():
    items = [
        item("Fire kills 3 in Spokane, Washington", 2, ("US",), ("US-WA",)),
        item("Fire kills 3 in Spokane, Washington", 2, ("US",), ("US-OR",)),
        item("Flood kills 9 in Lagos", 2, ("GH",)),
        item("Gunman kills five at a bar", 2, ("US",), ("US-MT",)),
        # Not a positive, or no country labelled: not counted.
        item("Markets rally in Tokyo", 0, ()),
        item("Storm at sea", 1, ()),
    ]
    found = tally(items, lambda title: geo.parse(title, home_country="US").event)
    assert (found.right, found.wrong, found.none) == (2, 1, 1)
    assert (found.admin1_right, found.admin1_labelled) == (1, 3)
    kinds = [line.split("\t")[0] for line in found.mistakes]
    assert kinds == ["admin1", "wrong", "no place"]


def test_an_area_counts_by_its_first_member_and_says_when_it_covers_the_labels():
    items = [
        # The most populous member, Indonesia, is labelled: right.
        item("Floods kill 500 across Southeast Asia", 2, ("ID", "TH")),
        # Cuba is not, but the area holds Jamaica and Haiti too: wrong, and covered.
        item("Hurricane kills 30 across the Caribbean", 2, ("JM", "HT")),
        # Venezuela is no Caribbean island state: wrong, not covered.
        item("Strike in the Caribbean kills 3", 2, ("VE",)),
    ]
    found = tally(items, lambda title: geo.parse(title, home_country="US").event)
    assert (found.right, found.wrong, found.none, found.area_covers) == (1, 2, 0, 1)
