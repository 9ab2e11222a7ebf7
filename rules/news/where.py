"""Where a news entry's event happened, from its title and summary: the place the
title names, refined by the summary when the summary names a place inside it, else
the summary's. Returns region codes most specific first, for every entry that names
a place, tragedy or not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rules import places
from rules.regions import lineage


def _named(matches: Sequence[places.PlaceMatch], regions: tuple[str, ...]) -> str:
    """The words that named ``regions`` ("Uvalde, Texas"), for the evidence."""
    for match in matches:
        if match.regions and match.regions[0] == regions[0]:
            return match.text or match.name
    return next((m.text or m.name for m in matches if regions[0] in m.regions), "")


def _refines(inner: tuple[str, ...], outer: tuple[str, ...]) -> bool:
    try:
        return inner[0] != outer[0] and outer[0] in lineage(inner[0])
    except KeyError:
        return False


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


def event_regions(title: str, summary: str, link: str | None = None) -> tuple[tuple[str, ...], str]:
    """(regions, "'Uvalde, Texas' -> US-TX, US"), or ((), "") when no place is named
    in the title, the summary, or failing both, the link's path."""
    title_matches = places.resolve_text(title) if title else []
    in_title = places.best_regions(title_matches)
    summary_matches = places.resolve_text(summary) if summary else []
    in_summary = places.best_regions(summary_matches)
    found, matches = in_title, title_matches
    if in_summary and (not in_title or _refines(in_summary, in_title)):
        found, matches = in_summary, summary_matches
    where = ""
    if not found:
        slug = _link_words(link)
        matches = [
            m
            for m in (places.resolve_text(slug) if slug else [])
            if m.kind in ("country", "subdivision") or m.population >= _SLUG_CITY
        ]
        found, where = places.best_regions(matches), " in link"
    if not found:
        return (), ""
    return found, f"'{_named(matches, found)}'{where} -> {', '.join(found)}"
