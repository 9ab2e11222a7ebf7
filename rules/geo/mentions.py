"""Finding place mentions in text by capitalisation and context.

A mention is the longest run of capitalised words (with the connectors place names use:
"Isle of Man", "Rio de Janeiro") that the gazetteer knows. General rules then set aside
runs that are something else:

- a longer proper noun: the name is followed by a capitalised word that is neither a
  place, nor an institution of the place ("Alexandria Police"), so the whole run is one
  name ("Paris Hilton"); an organisation suffix ("Manchester United", "Georgia Tech") or
  a facility ("Dublin Road") does the same; a capitalised word before it that is not at a
  sentence start does too ("John Paris"), as does a person's title ("Mayor London Breed");
  between two capitalised names the gazetteer does not know as places, even a big
  subdivision's name is a surname ("teen Camila Mendoza Olmos");
- a word inside a longer name: a capitalised name that ends with a word of its kind
  (a movement's, a park's, a body's) is no place in the words that do not open it
  ("Liberation" in "Sudan Liberation Movement", "National Park" in "Etosha National
  Park"), unless they are a country, a region, a demonym or a big town; the name of an
  event held at a place keeps the place ("Dubai Air Show");
- a person speaking: a name that is also a common personal name, followed by a speech
  verb ("Jordan said");
- a common word at the start of a sentence ("March", "Mobile").

The word classes come from ``rules/data/geo_words.tsv``; no phrase is listed.
Text in Title Case or upper case gives capitalisation no weight, so only the word
classes decide there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import regex

from rules.geo.gazetteer import (
    FLAG_BITS,
    WORD_CACHES,
    Gazetteer,
    NameMemo,
    gazetteer,
    name_key,
    word_classes,
)
from rules.places import AP_STATES, US_STATES

_TOKEN = regex.compile(
    r"(?:\p{Lu}\.){2,}|\p{Lu}\.(?:\p{Lu}\p{Ll}{1,3}\.)+|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*\.?",
    regex.VERSION1,
)
# The same words in ASCII text (most news), for the standard library's faster engine.
_TOKEN_ASCII = re.compile(
    r"(?:[A-Z]\.){2,}|[A-Z]\.(?:[A-Z][a-z]{1,3}\.)+|[A-Za-z0-9]+(?:'[A-Za-z]+)*\.?"
)
_INITIALS = regex.compile(r"(?:\p{Lu}\.)+")
_POSSESSIVE = regex.compile(r"['’]s?\.?$", regex.IGNORECASE)
_SENTENCE_END = regex.compile(r"[.!?:;\"“”|\n•·]|\s[-–—]+\s|[–—]|\(|\)")


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    key: str  # name_key of the word
    cap: bool  # starts with an upper-case letter
    initial: bool  # first word of a sentence or of the text
    comma_before: bool


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    text: str
    first: int  # token numbers
    last: int
    ids: tuple[int, ...]  # gazetteer entries the words may denote
    qualifier: int | None = None  # index of the mention that qualifies it ("Paris, Texas")
    qualifies: int | None = None  # index of the mention it qualifies
    weak: bool = False  # a surname-like lone word: kept, but no evidence for others
    listed: bool = False  # an item of a list of subdivisions ("Ohio, Washington, Utah")


@lru_cache(maxsize=65536)
def _word(match: str) -> tuple[str, str, bool, int, int, bool]:
    """What a matched word is as a token, remembered (text repeats its words): the word
    without a possessive or a sentence's full stop, its ``name_key``, whether it is
    capitalised, its length, where its possessive "s" is (-1 for none) and whether
    its full stop opens a sentence after it (not after "St.", "Ill.", "U.S.")."""
    word = match
    possessive_s = -1
    if "'" in word or "’" in word:
        possessive = _POSSESSIVE.search(word)
        if possessive and possessive.start() > 0:
            cut = possessive.start()
            if word[cut + 1 : cut + 2] in ("s", "S"):
                possessive_s = cut + 1
            word = word[:cut]
    # A trailing full stop belongs to the word only for abbreviations.
    if word[-1] == "." and len(word) > 4 and not _INITIALS.fullmatch(word):
        if name_key(word) not in AP_STATES:
            word = word[:-1]
    cap = word[0].isupper()
    # name_key, not its remembered word_key: this reading is remembered itself.
    return word, name_key(word), cap, len(word), possessive_s, word[-1] == "." and not cap


WORD_CACHES.append(_word.cache_clear)


def tokens(text: str, head: list[Token] | None = None) -> list[Token]:
    """Words with their offsets; possessives ("Russia's") and hyphens ("Egyptian-US")
    split off, abbreviations ("St.", "Ill.", "U.S.") keep their full stop.

    ``head``: the tokens of a text that ``text`` begins with (a title, read again with
    its summary). They are kept but for those after the head's last space, whose match
    may run on into what follows ("Iowa" and "Iowa.", "U.S" and "U.S."): only the rest
    of ``text`` is read again."""
    out: list[Token] = []
    prev_end = at = 0
    # The last word ends with a full stop and is not capitalised ("etc."): the next
    # word opens a sentence.
    stop = False
    if head:
        # No match runs across a space.
        keep = len(head) - 1
        while keep > 0 and not text[head[keep].start - 1].isspace():
            keep -= 1
        out = head[:keep]
        at = head[keep].start
        if out:
            prev_end = out[-1].end
            stop = out[-1].text[-1] == "." and not out[-1].cap
    append = out.append
    for m in (_TOKEN_ASCII if text.isascii() else _TOKEN).finditer(text, at):
        start = m.start()
        word, key, cap, size, possessive_s, stops = _word(m.group())
        end = start + size
        if start == prev_end + 1 and text[prev_end] == " ":
            append(Token(start, end, word, key, cap, stop or not out, False))
        else:
            gap = text[prev_end:start]
            initial = not out or stop or _SENTENCE_END.search(gap) is not None
            append(Token(start, end, word, key, cap, initial, "," in gap or "(" in gap))
        if possessive_s >= 0:
            # The possessive "s" as a word of its own, so that names holding one still
            # match ("People's Republic of China", "Martha's Vineyard").
            possessive_s += start
            append(Token(possessive_s, possessive_s + 1, "s", "s", False, False, False))
            prev_end = possessive_s + 1
            stop = False
        else:
            prev_end = end
            stop = stops
    return out


def _casing_uninformative(toks: list[Token], classes: dict[str, frozenset[str]]) -> bool:
    """Title Case or upper-case text: most content words capitalised."""
    function_words = classes["function_word"]
    content = [t.cap for t in toks if t.key not in function_words and t.text[0].isalpha()]
    if len(content) < 4:
        return False
    return sum(content) >= 0.85 * len(content)


def find(text: str, gaz: Gazetteer | None = None, toks: list[Token] | None = None) -> list[Mention]:
    """Place mentions in ``text``, in order, with the gazetteer entries each may denote."""
    gaz = gaz or gazetteer()
    classes = word_classes()
    toks = tokens(text) if toks is None else toks
    if not toks:
        return []
    titled: bool | None = None  # read when a run first needs it
    connectors = classes["connector"]
    out: list[Mention] = []
    people: set[str] = set()  # surnames of the persons named so far
    lookup = gaz.ids
    longest = gaz.longest
    i = 0
    n = len(toks)
    while i < n:
        tok = toks[i]
        # An Arabic article joined by a hyphen ("el-Fasher", "Al-Mawasi", "ash-Shati")
        # opens the name, whatever its case, and is no place by itself.
        article = tok.key in _ARTICLES and _hyphened(text, toks, i)
        if not tok.cap and not article:
            i += 1
            continue
        # Only a word with a full stop, or two letters after a comma, can be a state's
        # abbreviation (``_state_abbreviation`` checks the rest).
        if "." in tok.text or (tok.comma_before and len(tok.text) == 2):
            state = _state_abbreviation(toks, i, gaz)
            if state is not None:
                out.append(Mention(tok.start, tok.end, text[tok.start : tok.end], i, i, (state,)))
                i += 1
                continue
        ids = () if article else lookup(tok.key)
        best: tuple[int, tuple[int, ...]] | None = (i, ids) if ids else None
        words = tok.key
        for j in range(i + 1, min(n, i + longest)):
            t = toks[j]
            if t.initial or t.comma_before:
                break
            if not t.cap:
                if t.key not in connectors:
                    break
                words += " " + t.key
                continue
            words += " " + t.key
            ids = lookup(words)
            if not ids and article:
                ids = _article_ids(words.split(" "), gaz)
            if ids:
                best = (j, ids)
        if best is None:
            i += 1
            continue
        last, ids = best
        if titled is None:
            titled = _casing_uninformative(toks, classes)
        hyphen_next = _hyphened(text, toks, last)
        if last == i and hyphen_next and _hyphen_name(toks, i, ids, gaz):
            # "Wright-Patt", "Mercedes-Benz": a town's name joined by a hyphen to a
            # word that names no place is part of another name.
            i += 1
            continue
        if last == i and tok.key in people and not _surname_placed(toks, i, classes):
            # The surname of a person the text has named in full ("Darryl Warden ...
            # Warden's home"): one name keeps one sense through a text.
            i += 1
            continue
        after_place = bool(out) and out[-1].last == i - 1
        hyphen_prev = tok.start > 0 and text[tok.start - 1] == "-"
        verdict = _rejected(
            toks, i, last, ids, gaz, classes, titled, after_place, hyphen_next, hyphen_prev
        )
        if verdict == "word":
            i = last + 1
            continue
        if verdict in ("name", "person"):
            # Skip the whole capitalised run: its words are one other name.
            j = last + 1
            while j < n and toks[j].cap and not toks[j].initial and not toks[j].comma_before:
                j += 1
            if verdict == "person" and not titled:
                surname = _surname(toks, i, j - 1, gaz)
                if surname:
                    people.add(surname)
            i = j
            continue
        capital = _capital_named(toks, i, last, ids, gaz, classes, titled)
        if capital is not None:
            # "the Qatari capital", "Ukraine's capital": the capital, by those words.
            ids, last = (capital[0],), capital[1]
        first = i
        area = _area_before(toks, i, last, ids, gaz, classes)
        if area is not None:
            # "southern Europe", "south-east Asia": the area, by those words.
            first, ids = area
        out.append(
            Mention(
                start=toks[first].start,
                end=toks[last].end,
                text=text[toks[first].start : toks[last].end],
                first=first,
                last=last,
                ids=ids,
                weak=verdict == "weak",
            )
        )
        i = last + 1
    _link_qualifiers(out, toks, gaz)
    return out


def _area_before(
    toks: list[Token],
    i: int,
    last: int,
    ids: tuple[int, ...],
    gaz: Gazetteer,
    classes: dict[str, frozenset[str]],
) -> tuple[int, tuple[int, ...]] | None:
    """(first token, entries) of an area of several countries that a continent's name
    ends, its words of direction written in lower case ("southern Europe", "south-east
    Asia", "west Africa"); None when the words before name none."""
    if not any(gaz.kind_of(n) == "continent" for n in ids):
        return None
    direction = classes["direction"]
    name = " ".join(t.key for t in toks[i : last + 1])
    best = None
    for first in (i - 1, i - 2):  # the longer name wins: "south-east Asia", not "east Asia"
        if first < 0:
            break
        tok = toks[first]
        if tok.cap or tok.key not in direction or toks[first + 1].comma_before:
            break
        name = f"{tok.key} {name}"
        found = tuple(n for n in gaz.ids(name) if gaz.kind_of(n) == "area")
        if found:
            best = first, found
    return best


def _capital_named(
    toks: list[Token],
    first: int,
    last: int,
    ids: tuple[int, ...],
    gaz: Gazetteer,
    classes: dict[str, frozenset[str]],
    titled: bool,
) -> tuple[int, int] | None:
    """The capital that a country's adjective or name with "capital" after it denotes
    ("strike in the Qatari capital", "hits Ukraine's capital"), and the token the words
    end at; None when the capital is named after them ("the Ukrainian capital, Kyiv"),
    or when no article, locative or possessive says "capital" is a place and not money
    ("Chinese capital flows")."""
    at = last + 1
    possessive = at < len(toks) and toks[at].key == "s"
    if possessive:
        at += 1
    if at >= len(toks) or toks[at].key != "capital" or (toks[at].cap and not titled):
        return None
    before = toks[first - 1].key if first > 0 else ""
    if not possessive and before != "the" and before not in classes["locative"]:
        return None
    # Named after the words: "capital, Kyiv", "capital city Luanda", "capital of Hanoi";
    # or before them, as their apposition ("in Luanda, Angola's capital").
    named = at + 1
    while named < len(toks) and toks[named].key in ("city", "of") and not toks[named].cap:
        named += 1
    if named < len(toks) and toks[named].cap and not titled:
        return None
    if first > 0 and toks[first].comma_before and toks[first - 1].cap:
        return None
    countries = {gaz.country_ids[n] for n in ids if gaz.kind_of(n) in ("country", "demonym")}
    if len(countries) != 1:
        return None
    capital = gaz.capitals.get(gaz.codes[countries.pop()])
    return None if capital is None else (capital, at)


# Arabic articles, as written before a name with a hyphen: "al-", "el-" and the forms
# assimilated to the next letter ("ash-Shati", "ad-Dawayima", "as-Suwayda").
_ARTICLES = frozenset(
    {"al", "el", "ad", "adh", "an", "ar", "as", "ash", "at", "ath", "az", "ed", "en", "es", "et"}
)


def _hyphened(text: str, toks: list[Token], i: int) -> bool:
    """Whether token ``i`` is joined by a hyphen to a capitalised word after it."""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    return nxt is not None and nxt.cap and nxt.start == toks[i].end + 1 and text[toks[i].end] == "-"


def _article_ids(words: list[str], gaz: Gazetteer) -> tuple[int, ...]:
    """The entries of a name that opens with an Arabic article, the gazetteer spelling it
    with another article or without one: "al-Fasher" is "El Fasher", "as-Suwayda"
    "Suwayda", "al-Mawasi" "Al Mawasi"."""
    rest = " ".join(words[1:])
    for key in (f"al {rest}", f"el {rest}", rest):
        ids = gaz.ids(key)
        if ids:
            return ids
    return ()


_NEAR = frozenset({"in", "at", "near", "outside"})


def names_unknown_place(toks: list[Token]) -> bool:
    """Whether the text names a place the gazetteer may lack: after "in", "at", "near"
    or "outside", a capitalised name of two words or more inside a sentence whose last
    word is a place's ("in Ybor City", "at Crown Heights"). Title Case and upper-case
    text say nothing by their capitals."""
    classes = word_classes()
    suffix = classes.get("place_suffix", frozenset())
    n = len(toks)
    for i in range(n - 2):
        if toks[i].key not in _NEAR or not toks[i + 1].cap or toks[i + 1].initial:
            continue
        j = i + 1
        while (
            j + 1 < n
            and toks[j + 1].cap
            and not toks[j + 1].initial
            and not toks[j + 1].comma_before
        ):
            j += 1
        if j > i + 1 and toks[j].key in suffix and not _casing_uninformative(toks, classes):
            return True
    return False


def _state_abbreviation(toks: list[Token], i: int, gaz: Gazetteer) -> int | None:
    """A US state written as an AP abbreviation ("Springfield, Ill.", "D-S.C.") or a
    postal code after a comma ("Paris, TX"): the state's entry number."""
    tok = toks[i]
    word = tok.text
    # Only a word with a full stop, or two letters after a comma, can be one.
    if not tok.cap or ("." not in word and (len(word) != 2 or not tok.comma_before)):
        return None
    # Dotted initials ("S.C.", "W.Va.") are abbreviations anywhere; a single word
    # ("Ill.", "Pa.") after a comma or a party letter ("D-Ill."), or before a
    # lower-case word, where its full stop cannot end a sentence ("Mass. legislators",
    # "another Neb. jail").
    dotted = "." in tok.text[:-1]
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    gap_ok = (
        dotted
        or (
            i > 0
            and (
                tok.comma_before
                or (toks[i - 1].end == tok.start - 1 and toks[i - 1].text.isupper())
            )
        )
        or (
            tok.text.endswith(".")
            and nxt is not None
            and not nxt.cap
            and nxt.text[0].isalpha()
            and nxt.start == tok.end + 1
        )
    )
    if not gap_ok:
        return None
    code = None
    if word.endswith(".") or "." in word:
        code = AP_STATES.get(name_key(word))
    elif len(word) == 2 and word.isupper() and word in US_STATES and tok.comma_before:
        code = word
    if code is None:
        return None
    return gaz.by_code.get(f"US-{code}")


# People: a place this small is a town's size (a first-level subdivision too, for the
# common-word rules; a town named like a first name, for Title Case).
TOWN_SIZED = 100_000
BIG_CITY = 1_000_000
# Words after a town's name that leave it the town's: its officers, buildings,
# streets, its own name's last word, a holiday or an event held there.
_PLACE_CONTINUED = (
    "local_org",
    "facility_suffix",
    "street",
    "place_suffix",
    "holiday",
    "event_name",
    "org_suffix",
)


def _town_sized(n: int, gaz: Gazetteer) -> bool:
    """A town or county, or a subdivision with a town's population (where known)."""
    kind = gaz.kind_of(n)
    if kind in ("city", "admin2"):
        return True
    return kind == "admin1" and 0 < gaz.population[n] < TOWN_SIZED


def _is_place_word(key: str, gaz: Gazetteer) -> bool:
    return bool(gaz.ids(key))


def _names_a_place(key: str, gaz: Gazetteer) -> bool:
    """A place's own name, or another spelling of a big one: "Emmanuel" is only a
    spelling of a village (Immanuel, in the West Bank), so it is no place word before
    a surname."""
    return any(gaz.is_primary(n, key) or gaz.population[n] >= TOWN_SIZED for n in gaz.ids(key))


def _is_region_word(key: str, gaz: Gazetteer) -> bool:
    """A country or subdivision name: "Paris Texas" is Paris, qualified without a comma."""
    return any(chr(gaz.kinds[n]) in "NS" for n in gaz.ids(key))


class _Readings(NamedTuple):
    """What a name's gazetteer entries say of it, wherever it is read."""

    own: tuple[int, ...]  # the entries whose own name it is (all, when none is)
    personal: bool  # a personal name too
    # Only towns are "common words": a country or subdivision name is a place even at
    # the start of a sentence ("Canada reported ...", "China said ..."). A subdivision
    # of a town's size (a municipality: "Bar", Montenegro) counts as a town.
    word_like: bool
    biggest: int  # the entry with the most people
    town: bool  # the biggest is a town's size, and no reading a country


_READINGS: NameMemo[str, _Readings] = NameMemo()


def _readings(key: str, ids: tuple[int, ...], gaz: Gazetteer) -> _Readings:
    """The readings of the name ``key`` (its entries ``ids``), remembered."""
    memo = _READINGS.of(gaz)
    found = memo.get(key)
    if found is None:
        own = tuple(gaz.primary_of(ids, key)) or ids
        biggest = max(ids, key=gaz.population.__getitem__)
        flags = gaz.flag_bits
        found = memo[key] = _Readings(
            own,
            any(flags[n] & _PERSONAL for n in own),
            any(flags[n] & _COMMON_WORD and _town_sized(n, gaz) for n in own)
            and not any(not _town_sized(n, gaz) for n in own),
            biggest,
            _town_sized(biggest, gaz) and all(gaz.kinds[n] != _COUNTRY for n in ids),
        )
    return found


_COMMON_WORD, _PERSONAL = FLAG_BITS["w"], FLAG_BITS["p"]


def _rejected(
    toks: list[Token],
    first: int,
    last: int,
    ids: tuple[int, ...],
    gaz: Gazetteer,
    classes: dict[str, frozenset[str]],
    titled: bool,
    after_place: bool = False,
    hyphen_next: bool = False,
    hyphen_prev: bool = False,
) -> str | None:
    """Why the words are not a place mention: ``"word"`` (these words only), ``"name"``
    (they are part of a longer name: skip the run), ``"person"`` (a person's name:
    skip the run, and its last word is a surname), or None (a mention).
    ``after_place``: the word before them was read as a place mention; ``hyphen_next``:
    a hyphen joins them to the next word; ``hyphen_prev``: to the word before."""
    single = first == last
    nxt = toks[last + 1] if last + 1 < len(toks) else None
    joined_next = nxt is not None and nxt.cap and not nxt.initial and not nxt.comma_before
    # A word of a kind that surrounds place names is not one by itself ("Police",
    # "University", "South", "But"), but for a word of direction that names an area
    # when no name follows it ("the Northeast"; not "Southwest Side", "Northeast Ohio").
    if single and toks[first].key in _surrounding(classes):
        if (
            joined_next
            or toks[first].key not in classes["direction"]
            or not any(gaz.kind_of(n) == "area" for n in ids)
        ):
            return "word"
    # Words of direction only ("South West", "Middle East"): before another name they
    # say which part of it ("South West England"); alone, a hamlet's name is not what
    # they mean.
    if not single and all(t.key in classes["direction"] for t in toks[first : last + 1]):
        if joined_next or all(_town_sized(n, gaz) for n in ids):
            return "word"
    # A short upper-case word is an acronym ("EU", "NHS"), unless it names a country or
    # a subdivision ("US", "UAE").
    word = toks[first].text
    if single and word.isupper() and len(word.rstrip(".")) <= 3 and not titled:
        if not any(gaz.kind_of(n) in ("country", "admin1") or gaz.has_flag(n, "n") for n in ids):
            return "word"
    # A longer word in capitals, in text that is not in capitals, is an acronym too
    # ("MAGA", "NATO", "DACA"), when it reads only as a town and nothing but a space
    # comes after it (a dateline is followed by a comma or a dash: "MANSFIELD --").
    if single and word.isupper() and 4 <= len(word) <= 5 and _acronym(toks, first, ids, gaz):
        return "word"
    # A short form of a big place ("LA", "SF", ``nicknames.tsv``) is read only in
    # capitals: "La" is no Los Angeles.
    if single and len(word) <= 3 and not word.isupper():
        key = toks[first].key
        if all(gaz.has_flag(n, "n") and not gaz.is_primary(n, key) for n in ids):
            return "word"
    # Inside a longer name that ends with a word of its kind ("Sudan Liberation
    # Movement", "Etosha National Park"), a word that does not open the name is no place
    # by itself; the place that opens it is ("Sudan"), and so is a country, a region or
    # a big town further in ("Free Syrian Army").
    inner = (
        first > 0
        and _joined(toks, first - 1, first, classes, titled)
        and toks[first - 1].key not in classes["direction"]  # "North Annville Township"
        # A sentence's first word is capitalised whatever it is ("Youngest Bondi Beach
        # victim"): it opens the name only when it is a place's ("Sudan Liberation ...").
        and (not toks[first - 1].initial or _is_place_word(toks[first - 1].key, gaz))
    )
    if (
        inner
        and toks[_name_end(toks, last, classes, titled)].key in _name_ends(classes)
        and not _stands_alone(ids, gaz)
    ):
        return "word"
    # An organisation or a street named after the place: "Manchester United",
    # "Georgia Tech", "Dublin Road" -- but not an event held there ("Dubai Air Show").
    # A hyphen joins two names, not a name and its street ("Minneapolis-St. Paul").
    if (
        joined_next
        and not hyphen_next
        and nxt is not None
        and (nxt.key in classes["org_suffix"] or nxt.key in classes["street"])
        and toks[_name_end(toks, last, classes, titled)].key
        not in classes.get("event_name", frozenset())
    ):
        return "name"
    # A town's name before a settlement's word that the gazetteer does not know with it
    # ("Panorama City", "Granada Hills", "Jackson Heights") names another place, too
    # small or too new for the gazetteer; not a city of millions ("Beijing City"), nor
    # the town's own offices ("Boston City Hall", "the Berea Town Council").
    if (
        single
        and joined_next
        and not hyphen_next
        and nxt is not None
        and nxt.key in classes.get("settlement_suffix", frozenset())
        and nxt.start == toks[last].end + 1
        and not _office_after(toks, last + 2, classes)
        and all(_town_sized(n, gaz) and gaz.population[n] < BIG_CITY for n in ids)
    ):
        return "name"
    key = " ".join(t.key for t in toks[first : last + 1]) if not single else toks[first].key
    own, personal, word_like, biggest, town = _readings(key, ids, gaz)
    prev = toks[first - 1] if first > 0 else None
    mid = not toks[first].initial and not toks[first].comma_before
    # A word in capitals in text that is not all capitals is an abbreviation ("US"),
    # not the common word ("us") a town is named.
    if word_like and not titled and word.isupper() and 1 < len(word.rstrip(".")) <= 3:
        word_like = False
    # A storm's name: "Hurricane Melissa", "Typhoon Kajiki", "Tropical Storm Erin" --
    # neither the storm word ("Hurricane", Utah) nor the name after it is a place.
    storms = classes.get("storm_word", frozenset())
    if prev is not None and prev.cap and prev.key in storms and toks[first].start - prev.end == 1:
        return "word"
    if single and joined_next and toks[first].key in storms:
        return "word"
    # A person: "Mayor London Breed", "John Paris", "Paris Hilton", "Jordan Dyer".
    if prev is not None and mid and prev.cap:
        if prev.key.rstrip(".") in classes["person_title"]:
            return "person"
        if (
            (town or personal)
            and prev.key in classes["first_name"]
            and not _names_a_place(prev.key, gaz)
        ):
            return "person"
    # Right after a capitalised name the gazetteer does not know, inside a sentence,
    # a place's name is often a person's surname; the two rules below say when.
    unknown_before = (
        single
        and not titled
        and prev is not None
        and prev.cap
        and mid
        and not prev.initial
        and not prev.comma_before
        and toks[first].start - prev.end == 1
        and not gaz.ids(prev.key)
        and prev.key not in _surrounding(classes)
    )
    # Before another capitalised name, even a big subdivision's name is a surname
    # ("teen Camila Mendoza Olmos", "José Guerrero Pérez"); not a country's or its
    # people's ("Free Syrian Army"), nor before a word that is the place's own ("Royal
    # Victoria Hospital") or a region's.
    if (
        unknown_before
        and joined_next
        and nxt is not None
        and nxt.start == toks[last].end + 1
        and not _is_region_word(nxt.key, gaz)
        and not any(nxt.key in classes[c] for c in _PLACE_CONTINUED)
        and nxt.key not in _surrounding(classes)
        and all(gaz.kind_of(n) not in ("country", "demonym") for n in ids)
    ):
        return "person"
    # A small town's name there, ending the capitalised run, is a surname after a
    # first name the gazetteer does not know either ("influencer Mariame Cissé",
    # "Israeli Gefen Bitton").
    if (
        unknown_before
        and town
        and gaz.population[biggest] < TOWN_SIZED
        and not word.isupper()  # "Part III. HUME -- Principal ...": a dateline
        and not hyphen_prev  # "Chabad-Shadyside"
        and not joined_next  # "Taco Bell Canada": a longer name goes on
    ):
        return "person"
    # A first name and a surname stand a space apart: "Dallas-Fort Worth" is no person.
    spaced = nxt is not None and nxt.start == toks[last].end + 1 and not hyphen_next
    if joined_next and spaced and nxt is not None and (town or personal) and not titled:
        if nxt.key in classes["surname"] and not _is_region_word(nxt.key, gaz):
            # A town's police, its hospital, its Christmas parade; but "Mary Christmas"
            # is a first name and a surname.
            held = nxt.key in classes["holiday"] and key not in classes["first_name"]
            if nxt.key not in classes["local_org"] and nxt.key not in classes["facility_suffix"]:
                if not held:
                    return "person"
    # A person speaking: "Jordan said", "said Jones"; a country's name only when it is
    # a frequent personal name too ("Israel says" is the country).
    if personal and nxt is not None and nxt.key in classes["speech_verb"] and not nxt.cap:
        country = any(gaz.kind_of(n) == "country" for n in own)
        if not country or toks[first].key in classes["frequent_name"]:
            return "name"
    if (
        personal
        and town
        and prev is not None
        and prev.key in classes["speech_verb"]
        and not prev.cap
    ):
        return "name"
    # A common word opening a sentence ("March", "Mobile"), unless a qualifier follows
    # or it is another name of a city of millions ("Rio authorities identify ...").
    if single and toks[first].initial and word_like:
        qualified = nxt is not None and nxt.comma_before and nxt.cap
        big = (
            gaz.kind_of(biggest) == "city"
            and gaz.population[biggest] >= BIG_CITY
            and not gaz.flag_bits[biggest] & _COMMON_WORD
        )
        if not qualified and not big:
            return "word"
    # A lone first name or surname that is also a town ("Terry", "Jones"): a first name
    # needs a locative, a qualifier or a big town to be a place; a surname is kept as a
    # weak mention.
    placed = False
    if single and town and not titled:
        placed = (
            _located(toks, first, classes)
            or gaz.population[biggest] >= 100_000
            or (nxt is not None and nxt.key in classes["person_noun"] and not nxt.cap)
        )
        if not placed and key in classes["first_name"]:
            return "word"
    # A common word inside a run of capitals ("the Court House", "Squirrel Hill", "West
    # Side"), unless the word before it was read as a place itself. It comes before the
    # surname rule below: a common word that is also a surname ("Hill", "Grove") after
    # another capitalised word ends a longer name, not a weak place of its own.
    if single and town and prev is not None and prev.cap and mid and not titled:
        if word_like and not after_place:
            return "word"
    if single and town and not titled:
        if not placed and key in classes["surname"]:
            return "weak"
    # In Title Case a lone common word needs a locative before it, and so does a lone
    # first name that is a small town ("Rudy Giuliani Released From Hospital").
    if (
        single
        and titled
        and (
            word_like
            or (
                town
                and key in classes["first_name"]
                and gaz.population[biggest] < TOWN_SIZED
                and not (nxt is not None and nxt.comma_before and nxt.cap)
            )
        )
    ):
        if (prev.key if prev is not None else "") not in classes["locative"]:
            return "word"
        # After a locative, too, a town's name that is a common word is the word
        # ("Stabbing Rampage on Train", "Survivors Are in Limbo", "in Wake of", "in
        # Federal Custody"), unless qualified.
        if (
            word_like
            and gaz.population[biggest] < TOWN_SIZED
            and not (nxt is not None and nxt.comma_before and nxt.cap)
        ):
            return "word"
    # A common word that is a small town, opening a run of capitals the gazetteer does
    # not know as one name, opens another name ("a Bad Bunny concert", "Big Sur").
    if (
        single
        and town
        and word_like
        and not titled
        and joined_next
        and spaced
        and nxt is not None
        and gaz.population[biggest] < TOWN_SIZED
        and not any(nxt.key in classes[c] for c in _PLACE_CONTINUED)
        and not _is_place_word(nxt.key, gaz)
    ):
        return "name"
    # A lone common word that is also a small town ("Congress", "Commerce", "Market"),
    # capitalised inside a sentence, is as often a name of something else: kept, but
    # no evidence for the other places, unless a locative or a qualifier places it.
    if single and town and not titled and word_like and not placed:
        return "weak"
    return None


def _office_after(toks: list[Token], i: int, classes: dict[str, frozenset[str]]) -> bool:
    """Whether the word at ``i`` is a capitalised office, building or organisation word
    ("City Hall", "Town Council", "City Manager")."""
    if i >= len(toks) or not toks[i].cap or toks[i].comma_before:
        return False
    key = toks[i].key
    return any(
        key in classes.get(c, frozenset())
        for c in ("local_org", "facility_suffix", "org_suffix", "town_office", "city_office")
    )


def _acronym(toks: list[Token], i: int, ids: tuple[int, ...], gaz: Gazetteer) -> bool:
    """Whether the upper-case word ``i`` is an acronym rather than a town's name: it
    reads only as towns (no country, subdivision, region or short form), the next
    word, if any, is one space after it, and most of the text is not in capitals."""
    if any(gaz.kind_of(n) not in ("city", "admin2") or gaz.has_flag(n, "n") for n in ids):
        return False
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is not None and (nxt.start - toks[i].end != 1 or nxt.comma_before):
        return False
    words = [t.text for t in toks if len(t.text) > 3 and t.text[0].isalpha()]
    return sum(w.isupper() for w in words) * 2 < len(words)


# Words after a surname that are not one ("George Bush Jr.").
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def _surname(toks: list[Token], first: int, last: int, gaz: Gazetteer) -> str | None:
    """The surname that ends a person's name read from token ``first`` to ``last``:
    the word before a suffix ("George Bush Sr. But ...") or the name's last word,
    unless it opens a sentence or names a country, a region or a people (a run of
    capitals can go on past the name)."""
    for k in range(first + 1, last + 1):
        if toks[k].key.rstrip(".") in _SUFFIXES:
            last = k - 1
            break
    tok = toks[last]
    if tok.key.rstrip(".") in _SUFFIXES or (last > first and tok.initial) or len(tok.key) < 3:
        return None
    if any(gaz.kind_of(n) in ("country", "admin1", "demonym") for n in gaz.ids(tok.key)):
        return None
    return tok.key


def _hyphen_name(toks: list[Token], i: int, ids: tuple[int, ...], gaz: Gazetteer) -> bool:
    """Whether token ``i``, joined by a hyphen to the capitalised word after it, is a
    town's name (no country, region or people's) and that word opens no place's name
    ("Wright-Patt", "Mercedes-Benz"): two places joined so ("Dallas-Fort Worth",
    "Egyptian-US") and a country before another name ("Israel-Hamas") stay places.
    A word before the hyphen is not read so: "D-Winthrop" is a party and a town."""
    if any(gaz.kind_of(n) in ("country", "admin1", "demonym", "continent") for n in ids):
        return False
    words = toks[i + 1].key
    for t in toks[i + 1 : i + 1 + gaz.longest]:
        if t is not toks[i + 1]:
            if not t.cap or t.initial or t.comma_before:
                break
            words += " " + t.key
        if gaz.ids(words):
            return False  # "Fort Worth", "St. Paul"
    return True


def _surname_placed(toks: list[Token], i: int, classes: dict[str, frozenset[str]]) -> bool:
    """Whether the words around a known person's surname make it a place this time
    ("in Denver" after "John Denver"): as ``_located``, but never in the possessive
    ("went to Warden's home" is the person's)."""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    return not (nxt is not None and _is_possessive_s(nxt)) and _located(toks, i, classes)


def _located(toks: list[Token], i: int, classes: dict[str, frozenset[str]]) -> bool:
    """Whether the word before token ``i`` places it ("in Warden", "from Warden") or a
    qualifier follows it ("Warden, Wash.")."""
    before = toks[i - 1].key if i > 0 else ""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    return (
        before in classes["locative"]
        or before in ("of", "from", "to")
        or (nxt is not None and nxt.comma_before and nxt.cap)
    )


def _joined(
    toks: list[Token], a: int, b: int, classes: dict[str, frozenset[str]], titled: bool
) -> bool:
    """Whether token ``b`` continues the capitalised name that token ``a`` is in, one
    space apart; ``a`` may be a possessive "s" ("People's Liberation Army")."""
    t, prev = toks[b], toks[a]
    if _is_possessive_s(prev) and a > 0:
        prev = toks[a - 1]
    if not t.cap or not prev.cap or t.initial or t.comma_before:
        return False
    if t.start - toks[a].end != 1 or prev.key in classes["function_word"]:
        return False  # "Greenville- Spartanburg"; "The Edgar County Foundation"
    return not titled or t.key not in classes["function_word"]


def _is_possessive_s(tok: Token) -> bool:
    return tok.text == "s" and not tok.cap and tok.end - tok.start == 1


def _name_end(
    toks: list[Token], last: int, classes: dict[str, frozenset[str]], titled: bool
) -> int:
    """The last token of the capitalised name that runs on from token ``last``
    ("Sudan People's Liberation Movement": across the possessive)."""
    j = last
    while j + 1 < len(toks):
        k = j + 1
        if _is_possessive_s(toks[k]) and k + 1 < len(toks):
            k += 1  # past the possessive "s" token
        if not _joined(toks, k - 1, k, classes, titled):
            break
        j = k
    return j


_NAME_ENDS: list[tuple[dict[str, frozenset[str]], frozenset[str]]] = []


def _name_ends(classes: dict[str, frozenset[str]]) -> frozenset[str]:
    """The words that end a longer name of something other than a place."""
    if not _NAME_ENDS or _NAME_ENDS[0][0] is not classes:
        kinds = ("name_suffix", "org_suffix", "local_org", "street", "facility_suffix")
        _NAME_ENDS[:] = [
            (classes, frozenset().union(*(classes.get(c, frozenset()) for c in kinds)))
        ]
    return _NAME_ENDS[0][1]


def _stands_alone(ids: tuple[int, ...], gaz: Gazetteer) -> bool:
    """A reading that is a place by itself inside another name: a country, a subdivision,
    a region, a demonym, or a town of 100,000 people or more."""
    return any(
        gaz.kind_of(n) not in ("city", "admin2") or gaz.population[n] >= 100_000 for n in ids
    )


_CLASS_WORDS = (
    "armed_group",
    "function_word",
    "local_org",
    "org_suffix",
    "facility_suffix",
    "street",
    "direction",
    "person_title",
)
_SURROUNDING: list[tuple[dict[str, frozenset[str]], frozenset[str]]] = []


def _surrounding(classes: dict[str, frozenset[str]]) -> frozenset[str]:
    """Every word of the classes that surround place names, as one set (made once for
    the word classes in use)."""
    if not _SURROUNDING or _SURROUNDING[0][0] is not classes:
        _SURROUNDING[:] = [(classes, frozenset().union(*(classes[c] for c in _CLASS_WORDS)))]
    return _SURROUNDING[0][1]


def _link_qualifiers(found: list[Mention], toks: list[Token], gaz: Gazetteer) -> None:
    """'Paris, Texas': a mention right after another, past a comma, qualifies it when
    some reading of the first lies in a country or subdivision the second may be. In a
    list of regions ("California, Colorado, Georgia, Idaho") no name lies in the next,
    and none qualifies another; a subdivision's name inside such a list is one more
    item ("Virginia, Washington, West Virginia": the state, not the town in West
    Virginia), while alone it is a town that may be qualified ("Washington, Pa.")."""
    for k in range(1, len(found)):
        a, b = found[k - 1], found[k]
        if b.first != a.last + 1 or not toks[b.first].comma_before:
            continue
        listed = (
            k >= 2
            and a.first == found[k - 2].last + 1
            and toks[a.first].comma_before
            and found[k - 2].qualifier is None
            and found[k - 2].qualifies is None
            and any(gaz.kinds[n] == _ADMIN1 for n in a.ids)
            and any(gaz.kinds[n] == _ADMIN1 for n in found[k - 2].ids)
        )
        if listed:
            a.listed = True
        elif _lies_in(a.ids, b.ids, gaz):
            a.qualifier = k
            b.qualifies = k - 1
    # The last item of a list of subdivisions comes after "and" ("British Columbia,
    # Alberta, Ontario and New Brunswick": the province, not the town in New Jersey),
    # and the item before "and" is one too ("Utah, Washington and Wisconsin").
    for k in range(2, len(found)):
        a, b = found[k - 1], found[k]
        if (
            b.first == a.last + 2
            and toks[a.last + 1].key in ("and", "or")
            and a.qualifier is None
            and a.qualifies is None
            and (a.listed or (a.first == found[k - 2].last + 1 and toks[a.first].comma_before))
            and any(gaz.kinds[n] == _ADMIN1 for n in b.ids)
            and any(gaz.kinds[n] == _ADMIN1 for n in a.ids)
            and any(gaz.kinds[n] == _ADMIN1 for n in found[k - 2].ids)
        ):
            a.listed = b.listed = True


def _lies_in(inner: tuple[int, ...], outer: tuple[int, ...], gaz: Gazetteer) -> bool:
    """Whether an entry of ``inner`` lies in a country or subdivision of ``outer``. A
    country's name before another country's is a list ("Mexico, China, Japan": not the
    town of China in Japan)."""
    countries = {gaz.country_ids[n] for n in outer if gaz.kinds[n] == _COUNTRY}
    admin1s = {gaz.admin1_ids[n] for n in outer if gaz.kinds[n] == _ADMIN1}
    if countries and any(gaz.kinds[n] == _COUNTRY for n in inner):
        countries = set()
    return any(
        (gaz.country_ids[n] in countries and gaz.kinds[n] != _COUNTRY)
        or (gaz.admin1_ids[n] in admin1s and gaz.kinds[n] != _ADMIN1)
        for n in inner
    )


_COUNTRY, _ADMIN1 = ord("N"), ord("S")
