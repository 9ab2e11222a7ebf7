"""Choosing which place each mention denotes, by the evidence a reader uses.

Each candidate entry is scored (higher is likelier):

- prior: the population (log10) and the kind of feature: a country, then a first-level
  subdivision, a capital, a county, a populated place; a name the entry goes by
  (rather than one of its alternate spellings) counts more;
- the qualifier: "Paris, Texas", "Springfield, Ill." -- the entry inside the qualifying
  region wins outright; an entry outside it loses;
- the other places of the text: entries in a country or subdivision the text also names,
  or near another place's best reading, gain; this is iterated, so that one clear place
  pulls its ambiguous neighbours (the publisher's own country named is no more evidence
  than its home bias below);
- the publisher's home country (a parameter: from the feed's language, domain or
  configuration) gains a little, a home subdivision named like a foreign country
  ("Georgia" in a US feed) a little more, and a local publisher's subdivision
  (configured for the feed: "US-LA" for a Louisiana paper) more;
- the event's words: after "killed in", "fire at", "storm hits" a name is more often
  a town than a subdivision or county of the same name, so towns gain a little there;
- a town's officers after the name ("Berea police", "the Hanover mayor"): a country,
  subdivision or region of the name loses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from operator import itemgetter

from rules import regions
from rules.geo.gazetteer import FLAG_BITS, Entry, Gazetteer, NameMemo, km, word_classes
from rules.geo.mentions import Mention, Token

KIND_PRIOR = {
    "continent": 3.0,
    # A body of water has no people: its prior stands for a well-known name, above a
    # town named after it ("Pacific", Missouri) unless the text places the town.
    "water": 8.0,
    # Several countries ("Southeast Asia"): as well known, and no people. An area of one
    # country's subdivisions ("Midwest") has their people, and a subdivision's prior.
    "area": 8.0,
    "country": 3.0,
    "admin1": 1.3,
    "region": 1.3,  # a region that is no subdivision: "West Bank", "Darfur"
    "admin2": 0.3,
    "city": 0.0,
    "demonym": 2.0,
}
POPULATION = 1.0  # weight of log10(population)
CAPITAL = 1.0
CAPITAL_NAMESAKE = 1.5  # a capital over a subdivision of its country named like it
ALTERNATE = -1.2  # matched on an alternate spelling only
QUALIFIED_IN = 12.0
QUALIFIED_OUT = -6.0
SAME_COUNTRY = 3.0
COUNTRY_MORE = 0.4  # for each further place of the text in that country
SAME_ADMIN1 = 1.4
ADMIN1_MORE = 0.8  # for each further place of the text in that subdivision
NEAR = 1.5  # within NEAR_KM of another mention's best reading
NEAR_KM = 250.0
COUNTRY_NEAR_KM = 600.0  # from the centre of a country (or a demonym's) the text names
HOME = 1.2
HOME_REGION = 4.0  # and in the local publisher's subdivision, on top of HOME
COMPASS = 1.5  # a country, subdivision or region after "northern", "central", ...
HOME_NAMESAKE = 1.5  # a home subdivision over a foreign country of its name, on top of HOME
EVENT_TOWN = 0.5  # a town's reading after an event's words and a locative
AREA_HAZARD = 1.0  # a subdivision's or region's reading near a flood, wildfire, storm ...
TOWN_OFFICE = 3.0  # lost by a country's, subdivision's or region's reading before "police"
LISTED = 2.0  # a subdivision's reading of an item in a list of subdivisions
SUBDIVISION_WORDS = frozenset({"state", "province"})
PAIR = 1.5  # for each other name of the text with a plausible reading close by
PAIR_MAX = 3  # names counted for PAIR
PAIR_KM = 40.0
PAIR_GAP = 4.0  # a reading is plausible within this much of its name's best prior
ADMIN1_PAIR = 1.0  # for each other name with a plausible reading in the same subdivision
SAME_NAME_KM = 60.0  # a city and a subdivision of one name this close are one place
EXONYM_POPULATION = 1_000_000  # cities this large are known by their other names too


CANDIDATES = 40  # readings of a name kept for the context steps, by prior
ALONE = 3  # readings kept when the text names one place only


def quick_prior(gaz: Gazetteer, n: int, key: str) -> float:
    """A reading's prior: population (log10) and kind, a capital's bonus, and a loss
    when only an alternate spelling matched; from the gazetteer's arrays."""
    kind = gaz.kind_of(n)
    people = gaz.population[n]
    prior = KIND_PRIOR["region" if kind == "area" and people else kind]
    score = POPULATION * math.log10(max(people, 1000)) + prior
    if gaz.flag_bits[n] & _CAPITAL_BIT:
        score += CAPITAL
    if not gaz.is_primary(n, key):
        score += ALTERNATE
    return score


_CAPITAL_BIT = FLAG_BITS["c"]
_SCORE = itemgetter(0)

# A name's readings by prior, best first, for its words and entries.
_PRIORS: NameMemo[tuple[str, tuple[int, ...]], tuple[tuple[float, int], ...]] = NameMemo()


def inside(e: Entry, region: Entry) -> bool:
    if region.kind == "country" or region.kind == "demonym":
        return e.country == region.country and e.index != region.index
    if region.kind == "admin1":
        return e.admin1 == region.admin1 and e.index != region.index and e.kind != "admin1"
    return False


def resolve(
    mentions: Sequence[Mention],
    toks: Sequence[Token],
    gaz: Gazetteer,
    *,
    home_country: str | None = None,
    home_region: str | None = None,
) -> list[Entry | None]:
    """The entry each mention most likely denotes (None when no candidate is usable).

    ``home_region`` (ISO 3166-2) is a local publisher's subdivision; it implies its
    country as ``home_country``. An unknown code is ignored."""
    cands: list[list[Entry]] = []
    base: list[list[float]] = []
    ranked_all = []
    home, local = _home_areas(home_region) if home_region else (None, frozenset())
    home = home or (home_country.upper() if home_country else None)
    priors = _PRIORS.of(gaz)
    names = [
        toks[m.first].key
        if m.first == m.last
        else " ".join([t.key for t in toks[m.first : m.last + 1]])
        for m in mentions
    ]
    for m, key in zip(mentions, names, strict=True):
        by_prior = priors.get((key, m.ids))
        if by_prior is None:
            # Best first, equals in entry order (a stable sort, reversed).
            by_prior = priors[key, m.ids] = tuple(
                sorted([(quick_prior(gaz, n, key), n) for n in m.ids], key=_SCORE, reverse=True)
            )
        kept = list(by_prior[: CANDIDATES if len(mentions) > 1 else ALONE])
        if home and len(by_prior) > len(kept):
            # The home country's best reading stays, however far down the list: the
            # publisher's country is evidence the prior does not see.
            at_home = next(
                (p for p in by_prior[len(kept) :] if gaz.codes[gaz.country_ids[p[1]]] == home),
                None,
            )
            if at_home is not None:
                kept.append(at_home)
            if local:
                nearby = next(
                    (p for p in by_prior[len(kept) :] if gaz.codes[gaz.admin1_ids[p[1]]] in local),
                    None,
                )
                if nearby is not None and nearby not in kept:
                    kept.append(nearby)
        ranked_all.append(kept)
    # Readings beyond a name's first few are kept only in a country some other name of
    # the text may be in (Paris, Illinois, beside Edgar County).
    plausible = {gaz.country_ids[n] for ranked in ranked_all for _, n in ranked[:ALONE]}
    if home and home in gaz.by_code:
        plausible.add(gaz.country_ids[gaz.by_code[home]])  # and in the home country
    for ranked in ranked_all:
        ranked = ranked[:ALONE] + [p for p in ranked[ALONE:] if gaz.country_ids[p[1]] in plausible]
        entries = gaz.entries_of([n for _, n in ranked])
        keep = [i for i, e in enumerate(entries) if e.lat is not None or e.kind == "demonym"]
        cands.append([entries[i] for i in keep])
        base.append([ranked[i][0] for i in keep])

    # Qualifiers first: they settle both sides.
    for k, m in enumerate(mentions):
        if m.qualifier is None:
            continue
        q = mentions[m.qualifier]
        q_entries = [e for e in cands[m.qualifier] if e.kind in ("country", "admin1")]
        if not q_entries:
            continue
        for idx, e in enumerate(cands[k]):
            if any(inside(e, r) for r in q_entries):
                base[k][idx] += QUALIFIED_IN
            elif e.kind not in ("country",):
                base[k][idx] += QUALIFIED_OUT
        # The qualifier reads as the region that contains the best qualified entry.
        best_q = max(
            q_entries,
            key=lambda r: max(
                (base[k][i] for i, e in enumerate(cands[k]) if inside(e, r)), default=-99.0
            ),
        )
        for idx, r in enumerate(cands[m.qualifier]):
            if r.index == best_q.index:
                base[m.qualifier][idx] += QUALIFIED_IN
        del q

    # The event's words: right after "killed in", "fire at", "storm hits", a name is
    # more often the town than a subdivision or county of the same name.
    classes = word_classes()
    locative = classes["locative"]
    for k, m in enumerate(mentions):
        if m.first == 0 or toks[m.first - 1].key not in locative:
            continue
        window = [t.key for t in toks[max(0, m.first - 6) : m.last + 6]]
        if classes["event_word"].isdisjoint(window):
            continue
        for idx, e in enumerate(cands[k]):
            if e.kind == "city":
                base[k][idx] += EVENT_TOWN

    # A hazard that strikes a wide area near the name ("floods in Washington", "levee
    # breaches in Washington"): a subdivision or region of the name over a town of it.
    hazards = classes.get("area_hazard", frozenset())
    for k, m in enumerate(mentions):
        window = [t.key for t in toks[max(0, m.first - 6) : m.last + 7]]
        if hazards.isdisjoint(window):
            continue
        for idx, e in enumerate(cands[k]):
            if e.kind in ("admin1", "region"):
                base[k][idx] += AREA_HAZARD

    # A town's officers after the name ("Berea police", "the Hanover mayor"): a town or
    # a county of the name ("Kent police") rather than a country, subdivision or region
    # of it, at each mention of that name in the text. A large subdivision still wins
    # over a small namesake town ("Texas police"); "police" counts in lower case only,
    # as capitalised it may open a state force's name ("Victoria Police").
    offices = classes.get("town_office", frozenset())
    police = classes.get("town_police", frozenset())
    towns = {
        names[k]
        for k, m in enumerate(mentions)
        if m.last + 1 < len(toks)
        and (
            toks[m.last + 1].key in offices
            or (toks[m.last + 1].key in police and not toks[m.last + 1].cap)
        )
    }
    for k in range(len(mentions)) if towns else ():
        if names[k] in towns:
            for idx, e in enumerate(cands[k]):
                if e.kind in ("country", "admin1", "region"):
                    base[k][idx] -= TOWN_OFFICE

    # An item of a list of subdivisions ("Virginia, Washington, West Virginia") is one
    # more subdivision, not a town of its name; so is a name followed by the word for
    # one ("Washington state", "Punjab province", "in Washington State", "Washington
    # State University").
    for k, m in enumerate(mentions):
        if m.listed or (m.last + 1 < len(toks) and toks[m.last + 1].key in SUBDIVISION_WORDS):
            for idx, e in enumerate(cands[k]):
                if e.kind == "admin1":
                    base[k][idx] += LISTED

    # A compass word before a name and not part of it ("central Ontario", "eastern
    # Kentucky", "Western Washington") tells which part of a large place: a country,
    # subdivision or region of the name over a town of it (a city inside its namesake
    # subdivision is still the city: _pick, "central Kyiv").
    compass = _compass(classes["direction"])
    for k, m in enumerate(mentions):
        before = toks[m.first - 1] if m.first > 0 else None
        if before is None or before.key not in compass or toks[m.first].comma_before:
            continue
        for idx, e in enumerate(cands[k]):
            if e.kind in ("country", "admin1", "region"):
                base[k][idx] += COMPASS

    # A national capital named like a first-level subdivision of its own country far
    # from it ("Washington") is, in text, the capital, unless the text places the
    # subdivision. (A capital inside its namesake subdivision is one place: _pick.)
    for k in range(len(mentions)):
        capitals = [idx for idx, e in enumerate(cands[k]) if e.flags and e.capital]
        if not capitals:
            continue
        subs = [
            (e.country, e.lat, e.lon)
            for e in cands[k]
            if e.kind == "admin1" and e.lat is not None and e.lon is not None
        ]
        for idx in capitals:
            e = cands[k][idx]
            if e.kind == "city" and e.lat is not None and e.lon is not None:
                if any(
                    cc == e.country and km(e.lat, e.lon, la, lo) > SAME_NAME_KM
                    for cc, la, lo in subs
                ):
                    base[k][idx] += CAPITAL_NAMESAKE

    if home:
        for k in range(len(mentions)):
            # (Not a territory that is both: Puerto Rico, PR and US-PR.)
            foreign = {e.country for e in cands[k] if e.kind == "country" and e.country != home}
            for idx, e in enumerate(cands[k]):
                if e.country == home:
                    base[k][idx] += HOME
                    if e.admin1 in local:
                        base[k][idx] += HOME_REGION
                    # A subdivision of the publisher's country named like a foreign
                    # country is, in its news, the subdivision ("Georgia" in a US feed)
                    # unless the rest of the text places the country.
                    territory = (e.admin1 or "").partition("-")[2]  # "PR" of US-PR
                    if e.kind == "admin1" and foreign - {territory}:
                        base[k][idx] += HOME_NAMESAKE

    # One sense per text: unqualified mentions of one name are one place, and are no
    # evidence for each other.
    group: list[int] = []
    first_of: dict[str, int] = {}
    for k, m in enumerate(mentions):
        name = names[k] if m.qualifier is None else f"#{k}"
        group.append(first_of.setdefault(name, k))
    pairs = _pair_support(cands, base, group, mentions)
    for k, bonus in pairs.items():
        for idx, (n, a) in bonus.items():
            base[k][idx] += PAIR * min(n, PAIR_MAX) + ADMIN1_PAIR * min(a, PAIR_MAX)
    chosen: list[Entry | None] = [
        _pick(c, s) if c else None for s, c in zip(base, cands, strict=True)
    ]
    rounds = 2 if len(set(group)) > 1 else 0
    has_country = [any(e.kind == "country" for e in c) for c in cands] if rounds else []
    for _ in range(rounds):
        totals: list[list[float]] = []
        for k in range(len(mentions)):
            if group[k] != k:
                totals.append([])
                continue
            if len(cands[k]) == 1:
                totals.append(base[k])  # one reading: the context cannot change it
                continue
            # The publisher's own country named is no evidence beyond HOME: its news
            # names it in every role ("as US hosts an envoy": not Odessa, Missouri).
            others = [
                c
                for j, c in enumerate(chosen)
                if group[j] == j
                and j != k
                and c is not None
                and not mentions[j].weak
                and not (c.kind == "country" and c.country == home)
            ]
            countries: dict[str, int] = {}
            for c in others:
                countries[c.country] = countries.get(c.country, 0) + 1
            admin1s: dict[str, int] = {}
            for c in others:
                if c.admin1 and c.kind != "demonym":
                    admin1s[c.admin1] = admin1s.get(c.admin1, 0) + 1
            points = [
                (p.lat, p.lon, COUNTRY_NEAR_KM if p.kind in ("country", "admin1") else NEAR_KM)
                for p in [_point_of(c, gaz) for c in others]
                if p is not None and p.lat is not None and p.lon is not None
            ][:20]
            scored = []
            # A country's name ("Lebanon", "Palestine") is read as a town of another
            # country only when the text names the town's subdivision too (or a
            # qualifier, a town beside it): naming the town's country is not enough.
            a_country = has_country[k]
            for idx, e in enumerate(cands[k]):
                s = base[k][idx]
                if e.country in countries and not (
                    a_country and e.kind == "city" and e.admin1 not in admin1s
                ):
                    s += SAME_COUNTRY + COUNTRY_MORE * min(countries[e.country] - 1, 4)
                if e.admin1 and e.admin1 in admin1s:
                    s += SAME_ADMIN1 + ADMIN1_MORE * min(admin1s[e.admin1] - 1, 4)
                if points and e.lat is not None and e.lon is not None:
                    lat, lon = e.lat, e.lon
                    # A country only beside another country or subdivision of the text.
                    country = e.kind == "country"
                    for p_lat, p_lon, radius in points:
                        if (
                            (not country or radius == COUNTRY_NEAR_KM)
                            and abs(lat - p_lat) * 111.0 <= radius
                            and km(lat, lon, p_lat, p_lon) <= radius
                        ):
                            s += NEAR
                            break
                scored.append(s)
            totals.append(scored)
        chosen = [
            _pick(cands[k], totals[k]) if cands[k] and totals[k] else None
            for k in range(len(mentions))
        ]
        chosen = [chosen[group[k]] for k in range(len(mentions))]

    # A qualified mention settles the unqualified ones of its name ("Paris, Texas ...
    # Paris").
    qualified = {names[k]: chosen[k] for k, m in enumerate(mentions) if m.qualifier is not None}
    for k, m in enumerate(mentions):
        settled = qualified.get(names[k])
        if (
            m.qualifier is None
            and settled is not None
            and any(e.index == settled.index for e in cands[k])
        ):
            chosen[k] = settled
    locative, direction = classes["locative"], classes["direction"]
    for k, m in enumerate(mentions):
        if _unsupported_spelling(k, m, chosen, toks, gaz, locative) or _foreign_quarter(
            k, m, chosen, home, direction
        ):
            chosen[k] = None
    return chosen


def _foreign_quarter(
    k: int,
    m: Mention,
    chosen: Sequence[Entry | None],
    home: str | None,
    direction: frozenset[str],
) -> bool:
    """A lone word of direction read as an area of one country's subdivisions ("the
    Northeast": the US states) stands for it only in that country's news or beside
    another place of it: India's, Nigeria's and England's north-east are written the
    same, and their news would hold posts for New York."""
    e = chosen[k]
    if e is None or e.kind != "area" or not e.country or m.first != m.last:
        return False
    if m.text.lower() not in direction or home == e.country:
        return False
    return not any(
        c is not None and j != k and c.country == e.country for j, c in enumerate(chosen)
    )


@cache
def _compass(direction: frozenset[str]) -> frozenset[str]:
    """The words of direction that name a part of a region by its bearing ("northern",
    "central"), not by its kind of settlement ("downtown", "suburban")."""
    return frozenset(
        w for w in direction if w.startswith(("north", "south", "east", "west", "central"))
    )


def _home_areas(code: str) -> tuple[str | None, frozenset[str]]:
    """A local publisher's area: its country, and the subdivision codes it stands for,
    itself and the subdivisions above it ("GB-KEN": Kent and England, as GeoNames files
    English towns under England; none for a country). (None, empty) when unknown."""
    try:
        line = regions.lineage(code)
    except KeyError:
        return None, frozenset()
    return line[-2], frozenset(c for c in line if "-" in c)


def _pair_support(
    cands: Sequence[Sequence[Entry]],
    base: Sequence[Sequence[float]],
    group: Sequence[int],
    mentions: Sequence[Mention],
) -> dict[int, dict[int, tuple[float, float]]]:
    """For each name's readings, how many other names of the text have a plausible
    reading within ``PAIR_KM`` and how many one in the same subdivision ("Paris and
    Henry County": Paris, Tennessee lies in Henry County, Tennessee; neither Paris,
    France nor Henry County, Georgia has the other near). A reader takes the namesakes
    that sit together over each name's best-known reading; the other names' current
    choices alone cannot find such a pair when both start on another namesake.

    Each other name counts once, by its likeliest reading that qualifies, weighted from
    1 (its best prior) down to 0 (``PAIR_GAP`` below it), so that an obscure namesake
    vouches little. Towns and counties only: a country's or subdivision's point says
    little about what lies near it."""
    if sum([group[k] == k and not m.weak for k, m in enumerate(mentions)]) < 2:
        return {}
    cells: dict[tuple[int, int], list[tuple[int, float, float, float]]] = {}
    readings: list[tuple[int, int, float, float, str | None]] = []
    regions: dict[str, dict[int, float]] = {}
    for k, entries in enumerate(cands):
        if group[k] != k or not entries or mentions[k].weak:
            continue
        top = max(base[k])
        for idx, e in enumerate(entries):
            w = 1.0 - (top - base[k][idx]) / PAIR_GAP
            if e.kind not in ("city", "admin2") or e.lat is None or e.lon is None or w <= 0:
                continue
            readings.append((k, idx, e.lat, e.lon, e.admin1))
            if e.admin1:
                held = regions.setdefault(e.admin1, {})
                held[k] = max(held.get(k, 0.0), w)
            cell = (math.floor(e.lat), math.floor(e.lon))
            cells.setdefault(cell, []).append((k, e.lat, e.lon, w))
    if len({r[0] for r in readings}) < 2:
        return {}
    out: dict[int, dict[int, tuple[float, float]]] = {}
    for k, idx, lat, lon, admin1 in readings:
        if len(cands[k]) < 2:
            continue  # nothing to choose between: it only vouches for the others
        near: dict[int, float] = {}
        cy, cx = math.floor(lat), math.floor(lon)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for j, la, lo, w in cells.get((cy + dy, cx + dx), ()):
                    if (
                        j != k
                        and w > near.get(j, 0.0)
                        and abs(lat - la) * 111.0 <= PAIR_KM
                        and km(lat, lon, la, lo) <= PAIR_KM
                    ):
                        near[j] = w
        shared = regions[admin1] if admin1 else {}
        in_region = sum(w for j, w in shared.items() if j != k)
        if near or in_region:
            out.setdefault(k, {})[idx] = (sum(near.values()), in_region)
    return out


def _unsupported_spelling(
    k: int,
    m: Mention,
    chosen: Sequence[Entry | None],
    toks: Sequence[Token],
    gaz: Gazetteer,
    locative: frozenset[str],
) -> bool:
    """A lone word that is only an alternate spelling of a smaller town ("Hamas" for
    Hamm, "Drone" for Dronero) is not read as that town unless the text supports it:
    a locative before it ("in the" too), a qualifier, or another place of the same
    country. Large cities' exonyms ("Kiev", "Bombay") are well known and need no
    support, nor does a big town's short form in capitals ("OKC")."""
    e = chosen[k]
    if e is None or e.kind != "city" or m.first != m.last or m.qualifier is not None:
        return False
    if e.population >= EXONYM_POPULATION or gaz.is_primary(e.index, toks[m.first].key):
        return False
    # A big town's hand-kept short form in capitals ("OKC", ``nicknames.tsv``) is one.
    if gaz.has_flag(e.index, "n") and toks[m.first].text.isupper():
        return False
    # A locative before it, with or without the article ("in the Lowcountry").
    at = m.first - 1 if m.first > 1 and toks[m.first - 1].key == "the" else m.first
    if at > 0 and toks[at - 1].key in locative:
        return False
    return not any(
        c is not None and j != k and c.country == e.country for j, c in enumerate(chosen)
    )


def _point_of(e: Entry, gaz: Gazetteer) -> Entry | None:
    """The entry that gives ``e`` a position: a demonym's region, else itself."""
    return gaz.region(e.admin1 or e.country) if e.kind == "demonym" else e


def _pick(entries: list[Entry], scores: list[float]) -> Entry:
    """The best-scored entry (the first of equals), or a city it contains (below)."""
    top = max(scores)
    at = scores.index(top)
    best = entries[at]
    # A subdivision, region or county named like a city it contains is, in text, usually
    # the city ("Paris", "Kyiv") -- unless the subdivision is what wins by far. The
    # city's country may differ where a border is disputed ("Jerusalem").
    if (
        best.kind in ("admin1", "region", "admin2")
        and best.lat is not None
        and best.lon is not None
    ):
        # The best-scored such city, the first of equals.
        city: Entry | None = None
        city_score = top - 3.0
        for idx, e in enumerate(entries):
            score = scores[idx]
            if (
                score > city_score
                and idx != at
                and e.kind == "city"
                and e.lat is not None
                and e.lon is not None
                and km(e.lat, e.lon, best.lat, best.lon) <= SAME_NAME_KM
            ):
                city, city_score = e, score
        if city is not None:
            return city
    return best
