"""``python -m bench.geoparse [--split dev|test] [--corpus DIR] [--json FILE] [--mistakes FILE]``.

Measures the geoparser (``rules.geo``) and the older resolver
(``rules.places.resolve_text``) in one run on the two geoparsing corpora of the
development corpus, if present (``geoparsing/lgl.xml``, ``geoparsing/GeoVirus.xml``;
``TACTFUL_CORPUS`` overrides where the corpus is). Per gold toponym with coordinates:

- *found*: a predicted mention overlaps the gold span;
- *acc@161 (found)*: of those, the predicted point is within 161 km of the gold one;
- *acc@161 (all)*: the same over every gold toponym (a missed one counts as wrong);
- *acc@161 below country*: the same over found toponyms below country level (country
  points differ between gazetteers by hundreds of kilometres for large countries);
- *country*, *admin1*: of found toponyms, the predicted ISO country / first-level
  subdivision equals the gold one (admin1 only where the gold place is below country
  level; continents, seas and regions count for *found* and *acc@161* only: LGL's by
  their feature codes, GeoVirus' where the gazetteer has a continent or body of water of
  that name within 3,000 km of the gold point). Gold
  regions come from the corpus' own country and admin1 names (LGL; an admin1 name is
  taken when a subdivision of that name lies within 500 km of the gold point, else the
  nearest place's) or from the gazetteer place nearest to the gold point (GeoVirus).

A third row for LGL, *publisher's area*, runs the geoparser told each article's
publisher's subdivision, as a user configures it for a local paper's feed (``home`` of
``[[feeds]]``): the subdivision that at least half of the same publisher's other
articles of the half (three or more) are mostly about, by the geoparser's own reading
of them, not by the gold (``publisher_areas``; LGL names each article's web domain).

Documents are split in halves by a hash of their id: ``dev`` (default) is the half the
rules were developed on, ``test`` the half kept unseen. Speed: median microseconds per
headline (the first 100 characters of each document up to a word) and per
3,000-character article: three passes in order, each starting with the gazetteer's
remembered lookups dropped; per text the best pass.

``--mistakes FILE`` writes the geoparser's per-toponym mistakes of the half run, one
tab-separated line each (``corpus``, ``doc``, ``kind``, gold span and text, gold
country/admin1, predicted name, country/admin1, kilometres off, and the text around
it): ``missed``, ``far`` (beyond 161 km), ``country``, ``admin1`` and ``false`` (a
predicted mention no gold toponym overlaps). Precision is the share of predicted
mentions that overlap a gold toponym with coordinates; a mention overlapping only a
toponym the annotators marked without coordinates (LGL's "Mideast" in "Mideast envoy")
is left out of it, as it is neither. For the development half only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import statistics
import time
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry
from defusedxml import ElementTree

from rules import places
from rules.geo import parse
from rules.geo.gazetteer import Entry, gazetteer, km, name_key
from rules.regions import is_city_type
from training.corpus import corpus_dir

CORPORA = {"LGL": "lgl.xml", "GeoVirus": "GeoVirus.xml"}


@dataclass(slots=True)
class Gold:
    start: int
    end: int
    text: str
    lat: float
    lon: float
    country: str | None = None
    admin1: str | None = None
    country_level: bool = False


@dataclass(slots=True)
class Doc:
    id: str
    text: str
    gold: list[Gold] = field(default_factory=list)
    # Spans the annotators marked as toponyms but gave no coordinates: a mention of one
    # is neither a hit nor a false one, and precision leaves it out.
    unplaced: list[tuple[int, int]] = field(default_factory=list)
    # The publisher's web domain (LGL gives one per article), and the subdivision its
    # other articles point to (``publisher_areas``).
    domain: str | None = None
    area: str | None = None


@dataclass(slots=True)
class Guess:
    start: int
    end: int
    lat: float | None
    lon: float | None
    country: str | None
    admin1: str | None


def split_of(corpus: str, doc_id: str) -> str:
    digest = hashlib.sha256(f"{corpus}:{doc_id}".encode()).digest()
    return "dev" if digest[0] % 2 == 0 else "test"


class NearestPlace:
    """The gazetteer place nearest to a point, on a one-degree grid."""

    def __init__(self) -> None:
        gaz = gazetteer()
        self.cells: dict[tuple[int, int], list[int]] = {}
        for n in range(len(gaz)):
            if chr(gaz.kinds[n]) != "P":
                continue
            key = (math.floor(gaz.lat[n]), math.floor(gaz.lon[n]))
            self.cells.setdefault(key, []).append(n)

    def __call__(self, lat: float, lon: float) -> Entry | None:
        gaz = gazetteer()
        best: tuple[float, int] | None = None
        for radius in (1, 2):
            for di in range(-radius, radius + 1):
                for dj in range(-radius, radius + 1):
                    for n in self.cells.get((math.floor(lat) + di, math.floor(lon) + dj), ()):
                        d = km(lat, lon, gaz.lat[n], gaz.lon[n])
                        if best is None or d < best[0]:
                            best = (d, n)
            if best is not None:
                return gaz.entry(best[1])
        return None


def _country_code(name: str) -> str | None:
    for e in gazetteer().lookup(name):
        if e.kind == "country":
            return e.country
    return None


def _city_subdivision(place: str, admin1: str, country: str, lat: float, lon: float) -> str | None:
    """A gold city named as its own admin1 ("Moscow" in GeoNames' "Moscow") is the
    ISO subdivision of city type whose point lies within 30 km of it (RU-MOW, not
    Moscow Oblast, whose English name in ISO's data is "Moscow" too)."""
    if name_key(place) != name_key(admin1):
        return None
    found = []
    for sub in pycountry.subdivisions.get(country_code=country) or ():
        if sub.parent_code or not is_city_type(sub.type):
            continue
        e = gazetteer().region(sub.code)
        if e is not None and e.lat is not None and km(e.lat, e.lon or 0.0, lat, lon) <= 30:
            found.append(sub.code)
    return found[0] if len(found) == 1 else None


def _admin1_code(name: str, country: str, lat: float, lon: float) -> str | None:
    """The ISO subdivision a gold admin1 name denotes, if one of that name lies within
    500 km of the gold point (GeoNames names do not always match ISO ones)."""
    found = {
        e.admin1
        for e in gazetteer().lookup(name)
        if e.kind == "admin1"
        and e.country == country
        and e.lat is not None
        and km(e.lat, e.lon or 0.0, lat, lon) < 500
    }
    return found.pop() if len(found) == 1 else None


def _unplaced(doc: Doc, start: int, end: int) -> bool:
    """Whether a predicted span overlaps a toponym the gold gives no coordinates."""
    return any(start < b and a < end for a, b in doc.unplaced)


def load_lgl(path: Path, nearest: NearestPlace) -> list[Doc]:
    docs = []
    root = ElementTree.parse(path).getroot()
    for art in root.iter("article"):
        doc = Doc(art.get("docid") or "", art.findtext("text") or "")
        doc.domain = (art.findtext("domain") or "").strip().lower() or None
        for top in art.iter("toponym"):
            tag = top.find("gaztag")
            if tag is None or tag.findtext("lat") is None:
                doc.unplaced.append(
                    (int(top.findtext("start") or 0), int(top.findtext("end") or 0))
                )
                continue
            g = Gold(
                int(top.findtext("start") or 0),
                int(top.findtext("end") or 0),
                top.findtext("phrase") or "",
                float(tag.findtext("lat") or 0),
                float(tag.findtext("lon") or 0),
            )
            fcode = tag.findtext("fcode") or ""
            if fcode in ("CONT", "RGN", "OCN", "SEA", "GULF"):
                doc.gold.append(g)  # counted for found and acc@161 only
                continue
            g.country_level = fcode.startswith("PCL")
            g.country = _country_code(tag.findtext("country") or "")
            near = nearest(g.lat, g.lon)
            if g.country is None and near is not None:
                g.country = near.country
            if not g.country_level and g.country:
                a1 = tag.findtext("admin1")
                g.admin1 = (
                    _city_subdivision(g.text, a1, g.country, g.lat, g.lon)
                    or _admin1_code(a1, g.country, g.lat, g.lon)
                    if a1
                    else None
                )
                if g.admin1 is None and near is not None and near.country == g.country:
                    g.admin1 = near.admin1
            doc.gold.append(g)
        docs.append(doc)
    return docs


def load_geovirus(path: Path, nearest: NearestPlace) -> list[Doc]:
    docs = []
    root = ElementTree.parse(path).getroot()
    for art in root.iter("article"):
        doc = Doc(art.findtext("source") or "", art.findtext("text") or "")
        for loc in art.iter("location"):
            if loc.findtext("lat") is None:
                doc.unplaced.append(
                    (int(loc.findtext("start") or 0), int(loc.findtext("end") or 0))
                )
                continue
            g = Gold(
                int(loc.findtext("start") or 0),
                int(loc.findtext("end") or 0),
                loc.findtext("name") or "",
                float(loc.findtext("lat") or 0),
                float(loc.findtext("lon") or 0),
            )
            if any(
                e.kind in ("continent", "water")
                and e.lat is not None
                and km(e.lat, e.lon or 0, g.lat, g.lon) < 3000
                for e in gazetteer().lookup(g.text)
            ):
                # A continent or a sea: counted for found and acc@161 only (as LGL's
                # continents, oceans, seas and gulfs).
                doc.gold.append(g)
                continue
            named = [e for e in gazetteer().lookup(g.text) if e.kind == "country"]
            g.country_level = any(
                e.lat is not None and km(e.lat, e.lon or 0, g.lat, g.lon) < 800 for e in named
            )
            near = nearest(g.lat, g.lon)
            if g.country_level:
                g.country = named[0].country
            elif near is not None:
                g.country, g.admin1 = near.country, near.admin1
            doc.gold.append(g)
        docs.append(doc)
    return docs


def geo_guesses(doc: Doc) -> list[Guess]:
    return [
        Guess(p.start, p.end, p.lat, p.lon, p.country, p.admin1) for p in parse(doc.text).places
    ]


def area_guesses(doc: Doc) -> list[Guess]:
    """The geoparser told the publisher's area, as a local feed's configuration would."""
    return [
        Guess(p.start, p.end, p.lat, p.lon, p.country, p.admin1)
        for p in parse(doc.text, home_region=doc.area).places
    ]


AREA_DOCS = 3  # other articles of the publisher needed to name its area
AREA_SHARE = 0.5  # of which this share must be mostly about one subdivision


def publisher_areas(docs: list[Doc]) -> int:
    """Give each document the subdivision its publisher's other documents of the half
    are mostly about, by the geoparser's own reading (no gold): each of them votes for
    the subdivision most of its places lie in, and a subdivision with at least
    ``AREA_SHARE`` of ``AREA_DOCS`` or more votes is the area. It stands for what a user
    configures for a local paper's feed ("US-LA"). Returns how many documents got one."""
    votes: dict[str, str | None] = {}
    for doc in docs:
        counts: dict[str, int] = {}
        for p in parse(doc.text).places:
            if p.admin1 and p.kind in ("city", "admin2", "admin1"):
                counts[p.admin1] = counts.get(p.admin1, 0) + 1
        votes[doc.id] = max(counts, key=lambda c: (counts[c], c)) if counts else None
    by_domain: dict[str, list[Doc]] = {}
    for doc in docs:
        if doc.domain:
            by_domain.setdefault(doc.domain, []).append(doc)
    named = 0
    for doc in docs:
        tally: dict[str, int] = {}
        for other in by_domain.get(doc.domain or "", ()):
            vote = votes[other.id]
            if other.id != doc.id and vote is not None:
                tally[vote] = tally.get(vote, 0) + 1
        total = sum(tally.values())
        if total >= AREA_DOCS:
            top = max(tally, key=lambda c: (tally[c], c))
            if tally[top] >= AREA_SHARE * total:
                doc.area = top
                named += 1
    return named


def _old_point(m: places.PlaceMatch) -> tuple[float | None, float | None]:
    if m.kind == "city":
        index = places._text_index()
        key = places.name_key(m.name)
        i = bisect_left(index.city_keys, key)
        while i < len(index.city_keys) and index.city_keys[i] == key:
            row = index.city_rows[i]
            if index.city(i).regions == m.regions:
                return float(row[6]), float(row[7])
            i += 1
    point = places.centroid(m.regions[0]) if m.regions else None
    return point if point else (None, None)


def old_guesses(doc: Doc) -> list[Guess]:
    out = []
    for m in places.resolve_text(doc.text):
        lat, lon = _old_point(m)
        country = m.regions[-1] if m.regions else None
        admin1 = next((r for r in m.regions if "-" in r), None)
        if admin1:
            admin1 = _first_level(admin1)
        out.append(Guess(m.span[0], m.span[1], lat, lon, country, admin1))
    return out


def _first_level(code: str) -> str:
    from rules.regions import lineage

    try:
        chain = [c for c in lineage(code) if "-" in c]
    except KeyError:
        return code
    return chain[-1] if chain else code


def mistakes(corpus: str, docs: list[Doc]) -> list[str]:
    """The geoparser's mistakes on ``docs``, one tab-separated line each."""
    lines = []
    for doc in docs:
        found = parse(doc.text).places

        def around(start: int, end: int, text: str = doc.text) -> str:
            return " ".join(text[max(0, start - 60) : end + 60].split())

        for t in doc.gold:
            hit = next((p for p in found if p.start < t.end and t.start < p.end), None)
            gold = f"{t.start}-{t.end}\t{t.text}\t{t.country}/{t.admin1}"
            if hit is None:
                lines.append(f"{corpus}\t{doc.id}\tmissed\t{gold}\t\t\t\t{around(t.start, t.end)}")
                continue
            off = (
                km(hit.lat, hit.lon, t.lat, t.lon)
                if hit.lat is not None and hit.lon is not None
                else math.inf
            )
            kinds = []
            if off > 161:
                kinds.append("far")
            if t.country and hit.country != t.country:
                kinds.append("country")
            if t.admin1 and not t.country_level and hit.admin1 != t.admin1:
                kinds.append("admin1")
            for kind in kinds:
                lines.append(
                    f"{corpus}\t{doc.id}\t{kind}\t{gold}\t{hit.name} ({hit.kind})\t"
                    f"{hit.country}/{hit.admin1}\t{off:.0f}\t{around(t.start, t.end)}"
                )
        for p in found:
            if not any(p.start < t.end and t.start < p.end for t in doc.gold) and not _unplaced(
                doc, p.start, p.end
            ):
                lines.append(
                    f"{corpus}\t{doc.id}\tfalse\t{p.start}-{p.end}\t{p.text}\t\t"
                    f"{p.name} ({p.kind})\t{p.country}/{p.admin1}\t\t{around(p.start, p.end)}"
                )
    return lines


def score(docs: list[Doc], guess: Callable[[Doc], list[Guess]]) -> dict[str, Any]:
    total = found = near = c_n = c_ok = a_n = a_ok = 0
    sub_found = sub_near = 0  # toponyms below country level
    predicted = predicted_hit = 0
    for doc in docs:
        guesses = guess(doc)
        for g in guesses:
            if any(g.start < t.end and t.start < g.end for t in doc.gold):
                predicted += 1
                predicted_hit += 1
            elif not _unplaced(doc, g.start, g.end):
                predicted += 1
        for t in doc.gold:
            total += 1
            hit = next((g for g in guesses if g.start < t.end and t.start < g.end), None)
            if hit is None:
                continue
            found += 1
            close = (
                hit.lat is not None
                and hit.lon is not None
                and km(hit.lat, hit.lon, t.lat, t.lon) <= 161
            )
            near += close
            if t.admin1 and not t.country_level:
                sub_found += 1
                sub_near += close
            if t.country:
                c_n += 1
                c_ok += hit.country == t.country
            if t.admin1 and not t.country_level:
                a_n += 1
                a_ok += hit.admin1 == t.admin1

    def share(a: int, b: int) -> float:
        return round(a / b, 3) if b else 0.0

    return {
        "toponyms": total,
        "found": share(found, total),
        "acc161_found": share(near, found),
        "acc161_all": share(near, total),
        "acc161_below_country": share(sub_near, sub_found),
        "country": share(c_ok, c_n),
        "admin1": share(a_ok, a_n),
        "precision": share(predicted_hit, predicted),
    }


def speed(docs: list[Doc]) -> dict[str, float]:
    heads, arts = [], []
    for doc in docs:
        text = doc.text
        cut = text[:100].rsplit(" ", 1)[0] if len(text) > 100 else text
        heads.append(cut)
        if len(text) >= 3000:
            arts.append(text[:3000])
    parse("warm up")

    def median_us(texts: list[str]) -> float:
        # Three passes over the texts in order; each pass starts with the gazetteer's
        # remembered lookups dropped, so a text is never timed against its own earlier
        # run (only against the texts before it, as in a feed). Per text, the best pass.
        best = [math.inf] * len(texts)
        for _ in range(3):
            gazetteer().forget_recent()
            for i, t in enumerate(texts):
                start = time.perf_counter()
                parse(t)
                best[i] = min(best[i], time.perf_counter() - start)
        return round(statistics.median(best) * 1e6, 1) if texts else 0.0

    return {
        "headline_us": median_us(heads),
        "article_3000_us": median_us(arts),
        "articles": len(arts),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.geoparse", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument(
        "--corpus",
        type=Path,
        help="the corpus folder (default: TACTFUL_CORPUS or ../shared/corpus)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--mistakes", type=Path, help="write the geoparser's mistakes on the half to this file"
    )
    args = parser.parse_args(argv)
    if args.mistakes and args.split == "test":
        parser.error("--mistakes is for the development half only")
    folder = args.corpus or corpus_dir()
    if folder is None or not (folder / "geoparsing").is_dir():
        parser.error("no geoparsing corpus found (set TACTFUL_CORPUS or pass --corpus)")
    started = time.perf_counter()
    gazetteer()
    load_s = time.perf_counter() - started
    nearest = NearestPlace()
    results: dict[str, Any] = {"split": args.split, "gazetteer_load_s": round(load_s, 2)}
    print(f"split: {args.split}; gazetteer loaded in {load_s:.2f} s\n")
    print(
        "| corpus | system | toponyms | found | acc@161 found | acc@161 all | country | admin1 "
        "| precision | acc@161 below country |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    all_docs = []
    wrong: list[str] = []
    for name, fname in CORPORA.items():
        loader = load_lgl if name == "LGL" else load_geovirus
        docs = [
            d
            for d in loader(folder / "geoparsing" / fname, nearest)
            if split_of(name, d.id) == args.split
        ]
        all_docs += docs
        if args.mistakes:
            wrong += mistakes(name, docs)
        # (key in the JSON, label in the table, guesser)
        systems: list[tuple[str, str, Callable[[Doc], list[Guess]]]] = [
            ("rules.geo", "rules.geo", geo_guesses)
        ]
        if any(d.domain for d in docs):
            areas = publisher_areas(docs)
            results[f"{name}/publisher_areas"] = areas
            label = f"rules.geo, publisher's area ({areas} docs)"
            systems.append(("rules.geo, publisher's area", label, area_guesses))
        systems.append(("rules.places", "rules.places", old_guesses))
        for key, system, fn in systems:
            r = score(docs, fn)
            results[f"{name}/{key}"] = r
            print(
                f"| {name} ({len(docs)} docs) | {system} | {r['toponyms']} | {r['found']:.3f} | "
                f"{r['acc161_found']:.3f} | {r['acc161_all']:.3f} | {r['country']:.3f} | "
                f"{r['admin1']:.3f} | {r['precision']:.3f} | {r['acc161_below_country']:.3f} |"
            )
    if args.mistakes:
        args.mistakes.write_text("".join(line + "\n" for line in wrong))
    sp = speed(all_docs)
    results["speed"] = sp
    print(
        f"\nmedian per headline: {sp['headline_us']} µs; per 3,000-character article: "
        f"{sp['article_3000_us'] / 1000:.2f} ms ({sp['articles']} articles)"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
