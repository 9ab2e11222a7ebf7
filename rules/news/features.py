"""Named features of a news entry, for the learned model.

A feature is a string; its value is 1 (present) or a small float. Families:

- ``w:<stem>`` every word, stemmed (``kills``, ``killed`` and ``killing`` are
  ``w:kill``); numbers are ``w:<n>``;
- ``p:<stem> <stem>`` every pair of adjacent words;
- ``dead:1+``, ``dead:3+``, ``dead:10+``, ``dead:50+``, ``hurt:4+``, ``hurt:20+``:
  casualty figures read by ``rules.news.casualties``;
- ``lex:<group>``: a phrase of a vocabulary group in ``rules/data/news_lexicon.json``
  (event words per kind, sport, market and show-business contexts, idioms, court
  cases and verdicts, looking back, forecasts, a storm's approach, a war named as
  such: "the war" is a backdrop, its strikes are events);
- ``time:earlier-year``: a year before the entry's own is named; ``time:years-back``
  ("ten years since", "last month"); ``time:era``: an era long past ("the second
  world war").

Every feature keeps the words it came from, so the evidence can quote the text.
Pure: no I/O but the one lazy read of the vocabulary file, no clock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import islice

from rules.news.casualties import Casualties, casualties

# How much of a summary is read: the first sentences say what happened; later ones
# drift to background and reactions.
SUMMARY_CHARS = 300
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# "10 years since", "two decades after", "a year on": the event is in the past.
_YEARS_BACK = re.compile(
    r"\b(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|fifty|several|many) (?:years?|decades?)(?:-old)? (?:since|after|ago|on|"
    r"later|from)\b|\blast (?:month|year)\b|\bearlier this (?:month|year)\b"
)
# An era long past, named as one names an earlier year ("a veteran of the second
# world war"): the entry looks back, whatever else it says.
_ERA = re.compile(
    r"\b(?:(?:first|second) world war|world war (?:one|two|ii|i|1|2)|ww ?(?:ii|i|1|2))\b"
)
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_NO_STEM = frozenset({"this", "has", "was", "is", "his", "its", "us", "gas", "news", "bus"})


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer: enough to fold inflections of one verb or noun."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3 or word in _NO_STEM or word.isdigit():
        return word
    for suffix in ("ings", "ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # shooting -> shoot, but stopped -> stop
            return base[:-1] if len(base) > 4 and base.endswith("e") else base
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    # capsize/capsized, collapse/collapsed: one stem
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


@dataclass(frozen=True, slots=True)
class Lexicon:
    # group -> phrases as stem tuples
    phrases: dict[tuple[str, ...], tuple[str, ...]]
    # first stem -> longest phrase length starting with it
    longest: dict[str, int]
    # kinds, most specific first, for naming the event
    kind_order: tuple[str, ...]


def _read_lexicon() -> dict[str, object]:
    data = resources.files("rules.data").joinpath("news_lexicon.json").read_text("utf-8")
    loaded: dict[str, object] = json.loads(data)
    return loaded


@cache
def lexicon() -> Lexicon:
    """The vocabulary groups, read once from the package's data file."""
    raw = _read_lexicon()
    groups: dict[tuple[str, ...], list[str]] = {}
    entries = raw["entries"]
    assert isinstance(entries, list)
    for entry in entries:
        key = tuple(s for s, _ in _tokens(str(entry["phrase"]).lower()))
        if key:
            groups.setdefault(key, []).append(str(entry["group"]))
    longest: dict[str, int] = {}
    for key in groups:
        longest[key[0]] = max(longest.get(key[0], 0), len(key))
    order = raw["kind_order"]
    assert isinstance(order, list)
    return Lexicon(
        {k: tuple(dict.fromkeys(v)) for k, v in groups.items()},
        longest,
        tuple(str(k) for k in order),
    )


@dataclass(frozen=True, slots=True)
class Features:
    """The features of one text, with the words each came from."""

    values: dict[str, float]
    surface: dict[str, str]
    casualties: Casualties
    # Event kinds named, in text order (``lex:kind:shooting`` -> "shooting").
    kinds: tuple[str, ...]


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    for word in _TOKEN.findall(text):
        yield _token_stem(word), word


@lru_cache(maxsize=65536)
def _token_stem(word: str) -> str:
    """A token's stem; every number is one token, ``<n>``."""
    return "<n>" if word[0].isdigit() else stem(word)


# Kinds by how an event of that kind is told: a deadly disaster, an attack, a war
# strike, an accident. A class feature lets what is learned of one kind carry over
# to its rarer neighbours ("twister" learns from "tornado").
_KIND_CLASS = {
    "earthquake": "disaster", "tsunami": "disaster", "flood": "disaster",
    "storm": "disaster", "tornado": "disaster", "wildfire": "disaster",
    "volcano": "disaster", "landslide": "disaster", "hurricane": "disaster",
    "typhoon": "disaster", "cyclone": "disaster", "heatwave": "disaster",
    "stampede": "accident", "shooting": "violence",
    "stabbing": "violence", "terror": "violence", "bombing": "violence",
    "attack": "violence", "war": "war", "crash": "accident", "collapse": "accident",
    "explosion": "accident", "fire": "accident",
}  # fmt: skip


def _conjunctions(
    values: dict[str, float],
    surface: dict[str, str],
    kinds: list[str],
    found: Casualties,
    words_end: int = 0,
) -> None:
    """Features for an event and its harm told together ("flood" with "killed").
    ``words_end``: how many of ``values`` come first that are word and pair features
    (``w:``, ``p:``), which no context's name is, so that the search skips them."""
    harmed = "lex:harm" in values or found.deaths or found.injured
    for kind in dict.fromkeys(kinds):
        klass = _KIND_CLASS.get(kind, "other")
        words = surface.get(f"lex:kind:{kind}", kind)
        values.setdefault(f"class:{klass}", 1.0)
        surface.setdefault(f"class:{klass}", words)
        if harmed:
            harm = "; ".join(found.phrases) or surface.get("lex:harm", "")
            name = f"class:{klass}+harm"
            values.setdefault(name, 1.0)
            surface.setdefault(name, f"{words} + {harm}")
        if found.deaths >= 3:
            name = f"class:{klass}+dead:3+"
            values.setdefault(name, 1.0)
            surface.setdefault(name, f"{words} + {'; '.join(found.phrases)}")
    if kinds:
        # An event's word in a context that gives it another sense ("shot a 66").
        for name in [n for n in islice(values, words_end, None) if n.startswith("lex:ctx:")]:
            values.setdefault(f"{name}+event", 1.0)
            surface.setdefault(f"{name}+event", surface[name])
    if harmed:
        # A context that turns harm into something else: harm told in a court case,
        # a look back, a disease, a game. Learned apart from the context alone.
        later = islice(values, words_end, None)
        for name in [n for n in later if n.startswith(("lex:ctx:", "time:"))]:
            values.setdefault(f"{name}+harm", 1.0)
            surface.setdefault(f"{name}+harm", surface[name])


def text_of(title: str, summary: str) -> str:
    """The text the model reads: the title, then the start of the summary."""
    title = " ".join(title.split())
    # The start of a summary, its whitespace collapsed, is the start of the whole
    # summary collapsed: a long one is collapsed only as far as it is read.
    start = " ".join(summary[: 2 * SUMMARY_CHARS].split())
    if len(start) < SUMMARY_CHARS and len(summary) > 2 * SUMMARY_CHARS:
        start = " ".join(summary.split())
    summary = start[:SUMMARY_CHARS]
    return f"{title} . {summary}" if summary else title


def extract(title: str, summary: str = "", year: int | None = None) -> Features:
    """The features of an entry's ``title`` and ``summary`` published in ``year``."""
    text = text_of(title, summary)
    if not text.isascii():  # the curly quotes are not ASCII
        text = text.translate(_QUOTES)
    low = text.lower()
    values: dict[str, float] = {}
    surface: dict[str, str] = {}

    def add(name: str, words: str, value: float = 1.0) -> None:
        if name not in values:
            values[name] = value
            surface[name] = words

    written = _TOKEN.findall(low)
    stems = list(map(_token_stem, written))
    for s, word in zip(stems, written, strict=True):
        name = "w:" + s
        if name not in values:
            values[name] = 1.0
            surface[name] = word
    # Each word with the next (the shorter lists end the pairs).
    for a, b, word_a, word_b in zip(stems, stems[1:], written, written[1:], strict=False):
        name = f"p:{a} {b}"
        if name not in values:
            values[name] = 1.0
            surface[name] = f"{word_a} {word_b}"
    words_end = len(values)
    lex = lexicon()
    longest = lex.longest
    kinds: list[str] = []
    for i in [i for i, s in enumerate(stems) if s in longest]:
        span = longest[stems[i]]
        for length in range(min(span, len(stems) - i), 0, -1):
            key = tuple(stems[i : i + length])
            groups = lex.phrases.get(key)
            if groups is None:
                continue
            words = " ".join(written[i : i + length])
            for group in groups:
                add(f"lex:{group}", words)
                if group.startswith("kind:"):
                    kinds.append(group[5:])
            break
    found = casualties(low)
    quoted = "; ".join(found.phrases)
    for floor in (1, 3, 10, 50):
        if found.deaths >= floor:
            add(f"dead:{floor}+", quoted)
    for floor in (4, 20):
        if found.injured >= floor:
            add(f"hurt:{floor}+", quoted)
    back = _YEARS_BACK.search(low) if "year" in low or "decade" in low or "month" in low else None
    if back:
        add("time:years-back", back.group())
    era = _ERA.search(low) if "war" in low or "ww" in low else None
    if era:
        add("time:era", era.group())
    if year is not None and ("1" in text or "2" in text):  # a year's first digit
        for match in _YEAR.finditer(text):
            if int(match.group()) < year:
                add("time:earlier-year", match.group())
                break
    _conjunctions(values, surface, kinds, found, words_end)
    return Features(values, surface, found, tuple(dict.fromkeys(kinds)))
