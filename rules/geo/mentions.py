"""Finding place mentions in text by capitalisation and context.

A mention is the longest run of capitalised words (with the connectors place names use:
"Isle of Man", "Rio de Janeiro") that the gazetteer knows. General rules then set aside
runs that are something else:

- a longer proper noun: the name is followed by a capitalised word that is neither a
  place, nor an institution of the place ("Alexandria Police"), so the whole run is one
  name ("Paris Hilton"); an organisation suffix ("Manchester United", "Georgia Tech") or
  a facility ("Dublin Road") does the same; a capitalised word before it that is not at a
  sentence start does too ("John Paris"), as does a person's title ("Mayor London Breed");
- a person speaking: a name that is also a common personal name, followed by a speech
  verb ("Jordan said");
- a common word at the start of a sentence ("March", "Mobile").

The word classes come from ``rules/data/geo_words.tsv``; no phrase is listed.
Text in Title Case or upper case gives capitalisation no weight, so only the word
classes decide there.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from rules.geo.gazetteer import Gazetteer, fold, gazetteer, name_key, word_classes
from rules.places import AP_STATES, US_STATES

_TOKEN = regex.compile(
    r"(?:\p{Lu}\.){2,}|[\p{L}\p{M}\p{N}]+(?:['’\-][\p{L}\p{M}\p{N}]+)*\.?", regex.VERSION1
)
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


def tokens(text: str) -> list[Token]:
    out: list[Token] = []
    prev_end = 0
    for m in _TOKEN.finditer(text):
        word = m.group()
        start, end = m.start(), m.end()
        # A trailing full stop belongs to the word only for abbreviations ("St.", "Ill.").
        if word.endswith(".") and len(word) > 4 and not regex.fullmatch(r"(?:\p{Lu}\.)+", word):
            word, end = word[:-1], end - 1
        gap = text[prev_end:start]
        prev_word = out[-1].text if out else ""
        initial = not out or bool(_SENTENCE_END.search(gap))
        if not initial and prev_word.endswith(".") and len(prev_word) > 4:
            initial = True
        if not initial and prev_word.endswith(".") and out and not out[-1].cap:
            initial = True
        out.append(
            Token(
                start=start,
                end=end,
                text=word,
                key=name_key(word),
                cap=word[:1].isupper(),
                initial=initial,
                comma_before="," in gap,
            )
        )
        prev_end = end
    return out


def _casing_uninformative(toks: list[Token], classes: dict[str, frozenset[str]]) -> bool:
    """Title Case or upper-case text: most content words capitalised."""
    content = [t for t in toks if t.key not in classes["function_word"] and t.text[:1].isalpha()]
    if len(content) < 4:
        return False
    caps = sum(t.cap for t in content)
    return caps >= 0.85 * len(content)


def find(text: str, gaz: Gazetteer | None = None, toks: list[Token] | None = None) -> list[Mention]:
    """Place mentions in ``text``, in order, with the gazetteer entries each may denote."""
    gaz = gaz or gazetteer()
    classes = word_classes()
    toks = tokens(text) if toks is None else toks
    if not toks:
        return []
    titled = _casing_uninformative(toks, classes)
    connectors = classes["connector"]
    out: list[Mention] = []
    i = 0
    n = len(toks)
    while i < n:
        tok = toks[i]
        if not tok.cap:
            i += 1
            continue
        best: tuple[int, tuple[int, ...]] | None = None
        words: list[str] = []
        for j in range(i, min(n, i + gaz.longest)):
            t = toks[j]
            if j > i and (t.initial or t.comma_before):
                break
            if j > i and not t.cap and t.key not in connectors:
                break
            words.append(t.key)
            if not t.cap:
                continue
            ids = gaz.ids(" ".join(words))
            if ids:
                best = (j, ids)
        if best is None:
            i += 1
            continue
        last, ids = best
        if _rejected(toks, i, last, ids, gaz, classes, titled):
            # Skip the whole capitalised run: its words are one other name.
            j = last + 1
            while j < n and toks[j].cap and not toks[j].initial and not toks[j].comma_before:
                j += 1
            i = j
            continue
        out.append(
            Mention(
                start=toks[i].start,
                end=toks[last].end,
                text=text[toks[i].start : toks[last].end],
                first=i,
                last=last,
                ids=ids,
            )
        )
        i = last + 1
        state = _state_abbreviation(toks, i, gaz)
        if state is not None:
            end = i + (1 if toks[i].key.count(" ") == 0 else 0)
            out.append(
                Mention(
                    toks[i].start, toks[i].end, text[toks[i].start : toks[i].end], i, i, (state,)
                )
            )
            i = end if end > i else i + 1
    _link_qualifiers(out, toks)
    return out


def _state_abbreviation(toks: list[Token], i: int, gaz: Gazetteer) -> int | None:
    """A US state written as an AP abbreviation or postal code after a comma
    ("Springfield, Ill.", "Paris, TX"): the state's entry number."""
    if i >= len(toks) or not toks[i].comma_before or not toks[i].cap:
        return None
    word = toks[i].text
    code = AP_STATES.get(name_key(word)) if word.endswith(".") or len(word) > 2 else None
    if code is None and len(word) == 2 and word.isupper() and word in US_STATES:
        code = word
    if code is None and regex.fullmatch(r"(?:\p{Lu}\.){2}", word):
        code = AP_STATES.get(name_key(word))
    if code is None:
        return None
    n = gaz.by_code.get(f"US-{code}")
    return n


def _is_place_word(key: str, gaz: Gazetteer) -> bool:
    return bool(gaz.ids(key))


def _is_region_word(key: str, gaz: Gazetteer) -> bool:
    """A country or subdivision name: "Paris Texas" is Paris, qualified without a comma."""
    return any(chr(gaz.kinds[n]) in "NS" for n in gaz.ids(key))


def _rejected(
    toks: list[Token],
    first: int,
    last: int,
    ids: tuple[int, ...],
    gaz: Gazetteer,
    classes: dict[str, frozenset[str]],
    titled: bool,
) -> bool:
    entries = [gaz.entry(n) for n in ids]
    nxt = toks[last + 1] if last + 1 < len(toks) else None
    prev = toks[first - 1] if first > 0 else None
    same_run_next = nxt is not None and not nxt.initial and not nxt.comma_before
    single = first == last
    # Organisation, facility: "Manchester United", "Georgia Tech", "Dublin Road".
    if same_run_next and nxt is not None and nxt.cap:  # noqa: SIM102 -- one test per reason
        if nxt.key in classes["org_suffix"] or nxt.key in classes["facility_suffix"]:
            return True
    # A longer proper noun: "Paris Hilton" (a capitalised word after the name that is no
    # place and no institution of the place).
    # Countries and subdivisions head institutions' names ("U.S. Army", "Florida
    # Department"); a town or a personal name followed by a name is a longer name.
    named_like_person = any(e.personal_name for e in entries)
    biggest = max(entries, key=lambda e: e.population)
    town = biggest.kind in ("city", "admin2") and all(e.kind != "country" for e in entries)
    if same_run_next and nxt is not None and nxt.cap and not titled and (town or named_like_person):  # noqa: SIM102 -- one test per reason
        if (
            nxt.key not in classes["local_org"]
            and nxt.key not in classes["function_word"]
            and not _is_region_word(nxt.key, gaz)
        ):
            return True
    # A person's title, or a capitalised first name, before it: "Mayor London Breed".
    if prev is not None and not toks[first].initial and not toks[first].comma_before:
        if prev.key.rstrip(".") in classes["person_title"] and prev.cap:
            return True
        if (
            prev.cap
            and not titled
            and (town or named_like_person)
            and prev.key not in classes["direction"]
            and prev.key not in classes["function_word"]
            and prev.key not in classes["connector"]
            and not _is_place_word(prev.key, gaz)
            and prev.key not in classes["local_org"]
        ):
            return True
    # A word of a kind that surrounds place names is not one by itself ("Police",
    # "University", "South", "But").
    if single and any(
        toks[first].key in classes[c]
        for c in (
            "function_word",
            "local_org",
            "org_suffix",
            "facility_suffix",
            "direction",
            "person_title",
        )
    ):
        return True
    if single and town and not titled:
        word_like = any(e.common_word for e in entries)
        before = prev.key if prev is not None else ""
        qualified = nxt is not None and nxt.comma_before
        # A common word or surname written inside a run of capitals ("the Court House")
        # or, for surnames, without a locative or a qualifier ("Jones", "Wilson").
        if word_like and prev is not None and prev.cap and not toks[first].initial:
            return True
        if (
            named_like_person
            and before not in classes["locative"]
            and before not in ("of", "from", "to")
            and not qualified
            and max(e.population for e in entries) < 200_000
        ):
            return True
    # A person speaking: "Jordan said".
    if nxt is not None and nxt.key in classes["speech_verb"] and not nxt.cap:  # noqa: SIM102 -- one test per reason
        if any(e.personal_name for e in entries):
            return True
    # A common word opening a sentence: "March", "Mobile", "Reading".
    if single and toks[first].initial and any(e.common_word for e in entries):  # noqa: SIM102 -- one test per reason
        if not (nxt is not None and nxt.comma_before):
            return True
    # A lone common word in running text still needs a capital it did not get from the
    # sentence: in Title Case it must have a place-like neighbour.
    if single and titled and all(e.common_word for e in entries):
        before = prev.key if prev is not None else ""
        if before not in classes["locative"]:
            return True
    return False


def _link_qualifiers(found: list[Mention], toks: list[Token]) -> None:
    """'Paris, Texas': a mention right after another, past a comma, may qualify it."""
    for k in range(1, len(found)):
        a, b = found[k - 1], found[k]
        if b.first == a.last + 1 and toks[b.first].comma_before:
            a.qualifier = k
            b.qualifies = k - 1


def folded(text: str) -> str:
    return fold(text)
