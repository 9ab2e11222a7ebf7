"""Where the geoparser puts the event of each labelled headline, title alone.

``python -m bench.event_places [--split train|dev] [--mistakes]``

Every entry of the split labelled 1-3 with a country has its title read by
``rules.geo.parse`` with the corpus feed's publisher's country (US), as the geoparser
alone would place it: no summary, no model, no feed read together (``bench.headlines``
measures all of that). Counts: the event's country (an area's first, most populous,
member) in a labelled country (*right*),
another country (*wrong*; of those, how many are areas whose members include every
labelled country, which a hold covers), no event place (*no place*); and, over entries whose label
names an admin1, the event's admin1 among the labelled ones. The training days are
what the geoparser's rules are developed on; the test days are not offered here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rules.geo import Place, parse
from training.labels import Labelled, labelled_set

HOME_COUNTRY = "US"


@dataclass
class Tally:
    right: int = 0
    wrong: int = 0
    none: int = 0
    admin1_right: int = 0
    admin1_labelled: int = 0
    # Wrong by the first member only: an area whose members include every labelled
    # country (a hold for the area covers them all).
    area_covers: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.none


def tally(items: Iterable[Labelled], place_of: Callable[[str], Place | None]) -> Tally:
    """Count the event places ``place_of`` gives the titles of labelled positives."""
    out = Tally()
    for item in items:
        if item.label < 1 or not item.countries:
            continue
        title = item.headline.title
        where = place_of(title)
        # An area counts by its first (most populous) member, as the assessment's first
        # region does (bench.headlines): a country, or a subdivision and its country.
        country = admin1 = None
        if where is not None:
            first = where.regions[0] if where.regions else None
            country = where.country or (first.split("-")[0] if first else None)
            admin1 = where.admin1 or (first if first and "-" in first else None)
        if where is None:
            out.none += 1
            out.mistakes.append(f"no place\t{','.join(item.countries)}\t\t{title}")
        elif country in item.countries:
            out.right += 1
        else:
            out.wrong += 1
            if where.kind == "area" and set(item.countries) <= set(where.regions):
                out.area_covers += 1
            out.mistakes.append(f"wrong\t{','.join(item.countries)}\t{country}\t{title}")
        if item.admin1:
            out.admin1_labelled += 1
            if admin1 is not None and admin1 in item.admin1:
                out.admin1_right += 1
            elif where is not None and country in item.countries:
                got = admin1 or ""
                out.mistakes.append(f"admin1\t{','.join(item.admin1)}\t{got}\t{title}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.event_places", description=__doc__)
    parser.add_argument("--split", choices=("train", "dev"), default="train")
    parser.add_argument("--mistakes", action="store_true", help="list each miss, tab-separated")
    args = parser.parse_args(argv)
    try:
        items = [item for item in labelled_set() if item.split == args.split]
    except (FileNotFoundError, ValueError) as exc:
        print(f"bench.event_places: {exc}", file=sys.stderr)
        return 2
    found = tally(items, lambda title: parse(title, home_country=HOME_COUNTRY).event)
    print(
        f"{args.split} days, {found.total} entries labelled 1-3 with a country: "
        f"right {found.right}, wrong {found.wrong} (of which an area holding every "
        f"labelled country {found.area_covers}), no place {found.none}; "
        f"admin1 {found.admin1_right} of {found.admin1_labelled}"
    )
    if args.mistakes:
        for line in found.mistakes:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
