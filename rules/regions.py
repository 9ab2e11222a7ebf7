"""Regions: stable codes in a hierarchy, and the containment test over ancestors.

A region code is ``WORLD`` (the root), an ISO 3166-1 alpha-2 country (``FR``) or an
ISO 3166-2 subdivision (``US-TX``, ``GB-KEN``). Every region has one parent, so "is
this audience inside that affected area?" is a walk up the ancestors, not a string
compare. Names come from the offline ``pycountry`` package, plus a small table of the
English names people actually type ("Turkey", "UK", "Ivory Coast") that pycountry
does not know. Loading reads package data once; nothing is fetched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pycountry

WORLD = "WORLD"

# Common English names and abbreviations pycountry cannot look up by itself.
COUNTRY_ALIASES = {
    "turkey": "TR",
    "uk": "GB",
    "u.k.": "GB",
    "britain": "GB",
    "great britain": "GB",
    "united kingdom": "GB",
    "england": "GB-ENG",
    "scotland": "GB-SCT",
    "wales": "GB-WLS",
    "northern ireland": "GB-NIR",
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "us": "US",
    "america": "US",
    "united states": "US",
    "ivory coast": "CI",
    "burma": "MM",
    "russia": "RU",
    "iran": "IR",
    "syria": "SY",
    "south korea": "KR",
    "north korea": "KP",
    "korea": "KR",
    "vietnam": "VN",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "taiwan": "TW",
    "czech republic": "CZ",
    "czechia": "CZ",
    "holland": "NL",
    "the netherlands": "NL",
    "palestine": "PS",
    "vatican": "VA",
    "brunei": "BN",
    "cape verde": "CV",
    "swaziland": "SZ",
    "macedonia": "MK",
    "drc": "CD",
    "dr congo": "CD",
    "democratic republic of the congo": "CD",
    # News writes "Congo" for the Democratic Republic (the AP's style), and names the
    # other one in full.
    "congo": "CD",
    "congo republic": "CG",
    "republic of congo": "CG",
    "east timor": "TL",
    "micronesia": "FM",
    "the gambia": "GM",
    "the bahamas": "BS",
    "uae": "AE",
    "united arab emirates": "AE",
    "new york city": "US-NY",
    "washington dc": "US-DC",
    "washington, d.c.": "US-DC",
}


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    kind: str  # "world" | "country" | "subdivision"
    parent: str | None
    # The town or county a search found the region by ("Spokane" finds US-WA).
    via: str | None = None

    @property
    def label(self) -> str:
        """A display label that tells subdivisions of different countries apart."""
        own = f"{self.name} ({self.code})" if self.kind == "subdivision" else self.name
        return f"{self.via} → {own}" if self.via else own


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


@dataclass(frozen=True)
class _Gazetteer:
    by_code: dict[str, Region]
    children: dict[str, tuple[str, ...]]
    by_name: dict[str, tuple[str, ...]]


@cache
def _gazetteer() -> _Gazetteer:
    regions: dict[str, Region] = {WORLD: Region(WORLD, "Worldwide", "world", None)}
    names: dict[str, list[str]] = {}

    def add_name(name: str | None, code: str) -> None:
        if name:
            names.setdefault(_fold(name), []).append(code)

    for country in pycountry.countries:
        code = country.alpha_2
        common = getattr(country, "common_name", None)
        regions[code] = Region(code, common or country.name, "country", WORLD)
        for name in (country.name, common, getattr(country, "official_name", None)):
            add_name(name, code)
    subdivisions = list(pycountry.subdivisions)
    known = {sub.code for sub in subdivisions}
    for sub in subdivisions:
        # A parent pycountry names but does not list falls back to the country.
        parent = sub.parent_code if sub.parent_code in known else sub.country_code
        regions[sub.code] = Region(sub.code, sub.name, "subdivision", parent)
        add_name(sub.name, sub.code)
    for alias, code in COUNTRY_ALIASES.items():
        names[_fold(alias)] = [code]
    children: dict[str, list[str]] = {}
    for region in regions.values():
        if region.parent is not None:
            children.setdefault(region.parent, []).append(region.code)
    return _Gazetteer(
        by_code=regions,
        children={k: tuple(v) for k, v in children.items()},
        by_name={k: tuple(v) for k, v in names.items()},
    )


# ISO 3166-2 subdivision types that are a city ("City", "Autonomous city",
# "Municipality", "Special city", "Capital district", "Metropolitan administration"),
# not a region ("Metropolitan region").
_CITY_TYPES = ("city", "municipal", "capital", "federal district", "metropolitan administration")


def is_city_type(iso_type: str | None) -> bool:
    """Whether an ISO 3166-2 subdivision type (pycountry's ``type``) is a city's."""
    kind = (iso_type or "").lower()
    return "region" not in kind and any(k in kind for k in _CITY_TYPES)


def normalize_code(code: str) -> str:
    return code.strip().upper()


def get_region(code: str) -> Region | None:
    return _gazetteer().by_code.get(normalize_code(code))


def is_known_region(code: object) -> bool:
    return isinstance(code, str) and normalize_code(code) in _gazetteer().by_code


@cache
def lineage(code: str) -> tuple[str, ...]:
    """The region and its ancestors, nearest first, ending with ``WORLD``.

    Raises ``KeyError`` for an unknown code.
    """
    regions = _gazetteer().by_code
    out = []
    current: str | None = normalize_code(code)
    if current not in regions:
        raise KeyError(code)
    while current is not None:
        out.append(current)
        current = regions[current].parent
    return tuple(out)


def is_inside(inner: str, outer: str) -> bool:
    """True when ``inner`` equals ``outer`` or lies within it."""
    return normalize_code(outer) in lineage(inner)


@cache
def descendants(code: str) -> frozenset[str]:
    """The region and every region below it."""
    children = _gazetteer().children
    out = {normalize_code(code)}
    stack = [normalize_code(code)]
    while stack:
        for child in children.get(stack.pop(), ()):
            out.add(child)
            stack.append(child)
    return frozenset(out)


def strict_ancestors(codes: Iterable[str]) -> frozenset[str]:
    """Regions that contain one of ``codes`` without being one of them."""
    out: set[str] = set()
    for code in codes:
        out.update(lineage(code)[1:])
    return frozenset(out) - {normalize_code(c) for c in codes}


def lookup_name(name: str) -> tuple[Region, ...]:
    """Regions whose name (or known alias) is exactly ``name``, ignoring case and accents."""
    gaz = _gazetteer()
    return tuple(gaz.by_code[c] for c in gaz.by_name.get(_fold(name), ()))


# "Florida (US-FL)": the label a picker offers (``Region.label``), typed or pasted back.
_LABEL = re.compile(r"^\s*(?P<name>.*?)\s*\((?P<code>[A-Za-z0-9-]+)\)\s*$")


@dataclass(frozen=True, slots=True)
class Lookup:
    """What a region token names: one region, or several candidates (ambiguous), or
    neither (unknown)."""

    token: str
    region: Region | None
    candidates: tuple[Region, ...] = ()

    def problem(self) -> str | None:
        """None when one region was found, else a message for a person: the
        candidates to choose from, or that nothing is known by that name."""
        if self.region is not None:
            return None
        name = self.token.strip()
        if not self.candidates:
            return f"Unknown region: {name}."
        options = [f"{r.code} ({_context(r)})" for r in self.candidates]
        listed = ", ".join(options[:-1]) + f" or {options[-1]}"
        return f"{name}: {listed}?"


def _context(region: Region) -> str:
    """``Florida, United States``: a subdivision's name and its country's."""
    if region.kind != "subdivision":
        return region.name
    country = get_region(region.code.split("-", 1)[0])
    return f"{region.name}, {country.name}" if country else region.name


def find(token: str) -> Lookup:
    """The one resolver of region tokens, for every door (forms, API, CLI): a code
    (``US-TX``), a picker label (``Florida (US-FL)``), or a name (``Texas``), ignoring
    case and accents. A name shared by one country and other places is the country;
    a name shared by several places with no country among them is ambiguous."""
    region = get_region(token)
    if region is not None:
        return Lookup(token, region)
    label = _LABEL.match(token)
    if label is not None:
        region = get_region(label.group("code"))
        # A town's label names the region after an arrow: "Spokane → Washington (US-WA)".
        name = label.group("name").rsplit("→", 1)[-1]
        if region is not None and (not name.strip() or _fold(name) == _fold(region.name)):
            return Lookup(token, region)
    if "→" in token:
        # A country found by a town or area: "Southeast Asia → Indonesia".
        inner = find(token.rsplit("→", 1)[-1])
        if inner.region is not None:
            return Lookup(token, inner.region)
    found = lookup_name(token)
    countries = [r for r in found if r.kind == "country"]
    if len(countries) == 1:
        return Lookup(token, countries[0])
    if len(found) == 1:
        return Lookup(token, found[0])
    return Lookup(token, None, tuple(sorted(found, key=lambda r: r.code)))


def resolve(token: str) -> Region | None:
    """A region from a code, a picker label or an unambiguous name (see ``find``)."""
    return find(token).region


def search(query: str, limit: int = 20) -> list[Region]:
    """Regions whose code or name starts with (then contains) ``query``; countries first."""
    folded = _fold(query)
    if not folded:
        return []
    gaz = _gazetteer()
    exact = get_region(query)
    starts: list[Region] = []
    contains: list[Region] = []
    for region in gaz.by_code.values():
        name = _fold(region.name)
        if name.startswith(folded):
            starts.append(region)
        elif folded in name:
            contains.append(region)
    rank = {"world": 0, "country": 1, "subdivision": 2}
    starts.sort(key=lambda r: (rank[r.kind], r.name))
    contains.sort(key=lambda r: (rank[r.kind], r.name))
    out = ([exact] if exact else []) + [r for r in starts + contains if r != exact]
    if len(folded) >= 3 and len(out) < limit:
        out += _places_named(query, limit - len(out), {r.code for r in out})
    return out[:limit]


def _places_named(query: str, limit: int, shown: set[str]) -> list[Region]:
    """Towns and counties named like ``query`` (the geoparser's gazetteer), each as the
    region it lies in: cities find regions, they are not regions themselves."""
    from rules.geo.gazetteer import gazetteer

    gaz = _gazetteer()
    out: list[Region] = []
    seen: set[tuple[str, str]] = set()
    # An area finds its members ("Midwest" offers Illinois, Ohio, ...; "Southeast Asia"
    # its countries), most populous first.
    for name, members in gazetteer().areas_named(query):
        for code in members:
            region = gaz.by_code.get(code)
            if region is not None and (name, code) not in seen and len(out) < limit:
                seen.add((name, code))
                out.append(Region(region.code, region.name, region.kind, region.parent, via=name))
    for e in gazetteer().search(query, limit=limit * 3):
        if e.kind in ("country", "admin1"):
            # A country or subdivision by another of its names ("Bavaria" is DE-BY).
            own = gaz.by_code.get((e.admin1 if e.kind == "admin1" else e.country) or "")
            if own is not None and own.code not in shown and ("", own.code) not in seen:
                seen.add(("", own.code))
                out.append(own)
            continue
        if e.kind not in ("city", "region", "admin2"):
            continue
        code = e.admin1 if e.admin1 in gaz.by_code else e.country
        region = gaz.by_code.get(code)
        if region is None or (e.name, code) in seen:
            continue
        seen.add((e.name, code))
        out.append(Region(region.code, region.name, region.kind, region.parent, via=e.name))
        if len(out) >= limit:
            break
    return out[:limit]
