"""Where a news entry's event happened, from its title and summary, read by the
geoparser; failing that, from the words of its link. Returns region codes most
specific first, for every entry that names a place, tragedy or not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rules import geo, places
from rules.geo import mentions


def _named(matches: Sequence[places.PlaceMatch], regions: tuple[str, ...]) -> str:
    """The words that named ``regions`` ("Uvalde, Texas"), for the evidence."""
    for match in matches:
        if match.regions and match.regions[0] == regions[0]:
            return match.text or match.name
    return next((m.text or m.name for m in matches if regions[0] in m.regions), "")


# A link path is lower case and terse: only words of four letters or more are read
# (codes and abbreviations are not places), and only countries, subdivisions and
# cities of half a million people or more are trusted in it.
_SLUG_WORD = re.compile(r"[a-z]{4,}")
_SLUG_CITY = 500_000


def _link_words(link: str | None) -> str:
    if not link:
        return ""
    path = link.split("//", 1)[-1].partition("/")[2].lower().split("?", 1)[0]
    return " ".join(w.capitalize() for w in _SLUG_WORD.findall(path))


def event_regions(
    title: str,
    summary: str,
    link: str | None = None,
    home_country: str | None = None,
    home_region: str | None = None,
) -> tuple[tuple[str, ...], str, bool]:
    """(regions, "'Uvalde, Texas' -> US-TX, US", named), or ((), "", named) when no
    event place is found; ``named`` says whether the text names any place at all.

    The geoparser (``rules.geo``) reads the title and picks the place the event
    happened in. The title and the start of the summary are read together when the
    title names no place, or only a country the summary may name a place inside
    ("US East Coast" and "North Carolina"); failing both, the link's path.
    ``home_country``, the publisher's, settles namesakes ("Paris" in a US paper), and
    ``home_region``, a local publisher's subdivision, more so ("Alexandria" in a
    Louisiana paper)."""
    words = mentions.tokens(title)
    where, named = geo.event_and_named(
        title, home_country=home_country, words=words, home_region=home_region
    )
    if summary and (where is None or len(where.regions) < 2):
        text = f"{title}. {summary}"
        # The title's words are read once: only the summary's are added.
        both, also = geo.event_and_named(
            text,
            home_country=home_country,
            words=mentions.tokens(text, words),
            home_region=home_region,
        )
        named = named or also
        if (
            both is not None
            and both.regions
            and (where is None or not where.regions or both.regions[-1] == where.regions[-1])
        ):
            where = both
    if where is not None and where.regions:
        codes = ", ".join(where.regions)
        if where.kind == "area":  # "'Caribbean' -> CU, HT, DO and 25 more"
            codes = ", ".join(where.regions[:3])
            if len(where.regions) > 3:
                codes += f" and {len(where.regions) - 3} more"
        return where.regions, f"'{where.text}' -> {codes}", True
    slug = _link_words(link)
    matches = [
        m
        for m in (places.resolve_text(slug) if slug else [])
        if m.kind in ("country", "subdivision") or m.population >= _SLUG_CITY
    ]
    found = places.best_regions(matches)
    if not found:
        return (), "", named
    return found, f"'{_named(matches, found)}' in link -> {', '.join(found)}", True
