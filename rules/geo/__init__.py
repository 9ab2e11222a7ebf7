"""The geoparser: place mentions in text, the place each denotes, and the event's place.

``parse(text)`` finds every place mention (``mentions``), resolves each to a gazetteer
entry (``disambiguate``) and picks the one where the event happened (``event``).
Pure: the only data it reads is the packaged gazetteer, through
``rules.geo.gazetteer.LOADER``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache

from rules.geo import disambiguate, event, mentions
from rules.geo import gazetteer as gazetteer_module
from rules.geo.gazetteer import Entry


@dataclass(frozen=True, slots=True)
class Place:
    start: int
    end: int
    text: str
    name: str
    country: str | None  # None for a continent, a body of water or an area
    admin1: str | None
    lat: float | None
    lon: float | None
    kind: str  # continent | water | area | country | admin1 | region | admin2 | city | demonym
    geonameid: int | None
    # The countries the place lies in: its own, an area's (most populous first), none
    # for a continent or a body of water.
    countries: tuple[str, ...] = ()
    # An area's member regions, most populous first: countries ("Southeast Asia") or
    # one country's subdivisions ("Midwest"); empty for any other place.
    members: tuple[str, ...] = ()

    @property
    def regions(self) -> tuple[str, ...]:
        """Region codes, most specific first: ``("US-WA", "US")``; an area's members
        (``("ID", "PH", "VN", ...)`` for "Southeast Asia", ``("US-IL", "US-OH", ...)``
        for the Midwest)."""
        if self.members:
            return self.members
        if self.country is None:
            return ()
        return (self.admin1, self.country) if self.admin1 else (self.country,)

    def as_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Parse:
    places: tuple[Place, ...]
    event_place: int | None

    @property
    def event(self) -> Place | None:
        return None if self.event_place is None else self.places[self.event_place]

    def as_json(self) -> dict[str, object]:
        return {"places": [p.as_json() for p in self.places], "event_place": self.event_place}


def _place(m: mentions.Mention, e: Entry) -> Place:
    lat, lon = e.lat, e.lon
    countries: tuple[str, ...] = (e.country,) if e.country else ()
    members: tuple[str, ...] = ()
    if e.kind == "demonym":
        # A demonym stands for its region: "Turkish" is at Turkey's centre.
        region = gazetteer_module.gazetteer().region(e.admin1 or e.country)
        lat, lon = (region.lat, region.lon) if region is not None else (None, None)
    elif e.kind == "area":
        members = gazetteer_module.gazetteer().members.get(e.index, ())
        countries = tuple(dict.fromkeys(code.split("-")[0] for code in members))
    return Place(
        start=m.start,
        end=m.end,
        text=m.text,
        name=e.name,
        country=e.country or None,
        admin1=e.admin1,
        lat=lat,
        lon=lon,
        kind=e.kind,
        geonameid=e.geonameid,
        countries=countries,
        members=members,
    )


# A North American telephone number: "(952) 873-6325", "952-873-6325".
_PHONE = re.compile(r"(?:\(\d{3}\) ?|\b\d{3}[-.])\d{3}-\d{4}\b")


def _plain_dollars(text: str) -> int:
    """Dollar signs not written after letters: "US$", "A$", "CA$", "R$" name another
    country's currency ("US$" is written outside the US)."""
    count, at = 0, text.find("$")
    while at != -1:
        if not (at and text[at - 1].isalpha()):
            count += 1
        at = text.find("$", at + 1)
    return count


def written_in(text: str) -> str | None:
    """The country a text's conventions say it was written for, when they say so
    clearly: dollar amounts or North American telephone numbers without pounds
    (``US``), pounds sterling without either (``GB``); else None."""
    dollars = _plain_dollars(text)
    pounds = "£" in text
    if dollars > 0 and not pounds:
        return "US"
    phones = "-" in text and _PHONE.search(text) is not None
    if phones and not pounds:
        return "US"
    if pounds and dollars <= 0 and not phones:
        return "GB"
    return None


def _read(
    text: str,
    home_country: str | None,
    words: list[mentions.Token] | None = None,
    home_region: str | None = None,
) -> tuple[list[tuple[mentions.Mention, Entry]], int | None]:
    """The resolved mentions of ``text`` and the index of the event's among them.
    Without a publisher's country, the text's own conventions stand for it. ``words``:
    the text's tokens, when the caller has read them (``mentions.tokens(text)``)."""
    gaz = gazetteer_module.gazetteer()
    toks = mentions.tokens(text) if words is None else words
    found = mentions.find(text, gaz, toks)
    home = home_country or (written_in(text) if found else None)
    chosen = disambiguate.resolve(found, toks, gaz, home_country=home, home_region=home_region)
    kept = [(m, e) for m, e in zip(found, chosen, strict=True) if e is not None]
    where = event.choose(text, [m for m, _ in kept], [e for _, e in kept], toks)
    return kept, where


def parse(text: str, *, home_country: str | None = None, home_region: str | None = None) -> Parse:
    """Every place mention in ``text``, resolved, and the index of the event's place.

    ``home_country`` (ISO 3166-1 alpha-2) is the publisher's country, when known;
    ``home_region`` (ISO 3166-2) a local publisher's subdivision ("US-LA").
    """
    kept, where = _read(text, home_country, home_region=home_region)
    return Parse(tuple(_place(m, e) for m, e in kept), where)


def event_place(
    text: str, *, home_country: str | None = None, home_region: str | None = None
) -> Place | None:
    """``parse(text).event``, without building the other places."""
    kept, where = _read(text, home_country, home_region=home_region)
    return None if where is None else _place(*kept[where])


def event_and_named(
    text: str,
    *,
    home_country: str | None = None,
    words: list[mentions.Token] | None = None,
    home_region: str | None = None,
) -> tuple[Place | None, bool]:
    """``event_place(text)``, and whether the text names any place at all (one the
    gazetteer lacks too: "in Ybor City", ``mentions.names_unknown_place``). ``words``:
    the text's tokens, when the caller has read them (``mentions.tokens(text)``)."""
    toks = mentions.tokens(text) if words is None else words
    kept, where = _read(text, home_country, toks, home_region)
    named = (
        where is not None
        or event.names_a_place([m for m, _ in kept], [e for _, e in kept], toks)
        or mentions.names_unknown_place(toks)
    )
    return (None if where is None else _place(*kept[where])), named


AREAS_FILE = "areas.tsv"


@cache
def area_rows() -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    """``rules/data/areas.tsv``, the source of the gazetteer's areas: each area's name,
    other names and member region codes, in the file's order. Read without the
    gazetteer (pages name areas; they need not load 30 MB for it), and by its builder."""
    out = []
    for line in gazetteer_module.LOADER(AREAS_FILE).decode("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, alts, members = line.split("\t")[:3]
            out.append((name, tuple(a for a in alts.split("|") if a), tuple(members.split())))
    return tuple(out)


@cache
def _areas_by_members() -> dict[frozenset[str], str]:
    """Each area's name by its set of members (the first area of a set in the file)."""
    out: dict[frozenset[str], str] = {}
    for name, _, members in area_rows():
        out.setdefault(frozenset(members), name)
    return out


def area_named(codes: Sequence[str]) -> str | None:
    """The name of the area whose members are exactly ``codes`` ("Southeast Asia" for
    its eleven countries, "New England" for its six states, in any order), or None."""
    if len(codes) < 2:
        return None
    return _areas_by_members().get(frozenset(codes))


def event_regions(
    text: str, *, home_country: str | None = None, home_region: str | None = None
) -> tuple[str, ...]:
    """The region codes of the event's place, most specific first (``("US-WA", "US")``);
    empty when the text names no place."""
    where = event_place(text, home_country=home_country, home_region=home_region)
    return where.regions if where is not None else ()


__all__ = [
    "Parse",
    "Place",
    "area_named",
    "area_rows",
    "event_and_named",
    "event_place",
    "event_regions",
    "parse",
    "written_in",
]
