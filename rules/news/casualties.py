"""Casualty figures in news text: "kills 5", "73 dead", "death toll rises to 40".

The figures are features of the learned model and the evidence a person reads;
they decide nothing alone. Text is lower-cased by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "a hundred": 100, "a thousand": 1000,
    "a dozen": 12, "dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000,
    "tens of thousands": 20000, "hundreds of thousands": 200000, "several": 3,
    "multiple": 3, "many": 5, "numerous": 5,
}  # fmt: skip
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_NUM = (
    r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)? (?:million|thousand)|\d+|tens of thousands|"
    r"hundreds of thousands|a dozen|dozens|scores|hundreds|thousands|a hundred|a thousand|"
    r"several|multiple|many|numerous|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    rf"(?:[- ](?:{_UNITS}))?|{_UNITS}|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen)"
)
_QUAL = (
    r"(?:(?:at least|more than|over|nearly|almost|up to|some|about|around|as many as|"
    r"an estimated|a further|another) )?"
)
_DEATH = (
    r"(?P<death>dead|killed|deaths|died|die|bodies|fatalities|lives|perished|slain|murdered|"
    r"drowned|massacred|shot dead)"
)
_HURT = (
    r"(?P<hurt>injured|wounded|hurt|injuries|casualties|hospitali[sz]ed|missing|shot|"
    r"sickened|in hospital|to hospital)"
)
_NOT_AFTER_KILLED = r"(?! (?:it|off|time|the (?:bill|deal|plan|idea|proposal|game|match|clock)))"
_NOT_A_COUNT = (
    r"(?! (?:goals?|points?|runs?|wickets?|games?|matches|years?|months?|days?|hours?|"
    r"minutes?|percent|per cent|%|times|seconds|shots|strokes|laps|yards|seats|jobs))"
)
_PATTERNS = tuple(
    re.compile(p)
    for p in (
        # "73 dead", "five people were killed", "dozens dead and thousands injured"
        rf"\b{_QUAL}{_NUM} (?:[\w'-]+ ){{0,3}}?(?:(?:were|are|have been|had been|was|feared|"
        rf"confirmed|reported|said) )?(?:{_DEATH}|{_HURT})\b{_NOT_AFTER_KILLED}",
        # "kills 5", "killing at least 20 people", "injuring 100", "sends 19 to hospital"
        r"\b(?P<verb>kill(?:s|ed|ing)?|claim(?:s|ed|ing)? the lives of|injur(?:es|ed|ing)|"
        r"wound(?:s|ed|ing)|hurt(?:s|ing)?|shoot(?:s|ing)?|sen(?:ds|t|ding)) (?:all )?"
        rf"{_QUAL}{_NUM}\b{_NOT_A_COUNT}",
        rf"\b(?P<verb>leav(?:es|ing)|left) {_QUAL}{_NUM} (?:[\w'-]+ ){{0,2}}?(?:{_DEATH}|{_HURT})\b",
        # "the deaths of 12 hostages", "claimed the lives of 200"
        rf"\b(?P<death>deaths|bodies|lives|murders|killings) of {_QUAL}{_NUM}\b(?! (?:years?|days?))",
        # "death toll rises to 73"
        r"\bdeath toll (?:[\w'-]+ ){0,4}?(?:to|at|of|reaches|hits|passes|tops|is|stands at|"
        rf"exceeds|climbs to|rises to) {_QUAL}{_NUM}\b",
    )
)


# Words each pattern cannot match without, in the same order: a pattern whose words
# are all absent from a text is not run on it.
_NEEDLES = (
    # one of _DEATH or _HURT
    (
        "dead", "kill", "death", "die", "bodies", "fatalit", "lives", "perish", "slain",
        "murder", "drown", "massacr", "shot", "injur", "wound", "hurt", "casualt",
        "hospital", "missing", "sicken",
    ),
    ("kill", "claim", "injur", "wound", "hurt", "shoot", "sends", "sent", "sending"),
    ("leav", "left"),
    ("deaths of", "bodies of", "lives of", "murders of", "killings of"),
    ("death toll",),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Casualties:
    deaths: int
    injured: int
    # The phrases the figures came from, as written (lower case).
    phrases: tuple[str, ...]


NONE = Casualties(0, 0, ())


def to_int(words: str) -> int:
    """A figure written in digits or words ("1,200", "twenty-one", "dozens")."""
    words = words.lower().replace("-", " ").strip()
    if words in _NUMBER_WORDS:
        return _NUMBER_WORDS[words]
    parts = words.split()
    if len(parts) == 2 and parts[1] in ("million", "thousand"):
        return int(float(parts[0]) * (1_000_000 if parts[1] == "million" else 1000))
    if len(parts) == 2 and parts[0] in _NUMBER_WORDS and parts[1] in _NUMBER_WORDS:
        return _NUMBER_WORDS[parts[0]] + _NUMBER_WORDS[parts[1]]
    try:
        return int(float(words.replace(",", "")))
    except ValueError:
        return 0


def casualties(low: str) -> Casualties:
    """The largest death and injury figures in lower-cased ``low``."""
    if _DIGIT.search(low) is None and _CHEAP.search(low) is None:
        return NONE
    deaths = injured = 0
    phrases: list[str] = []
    for pattern, needles in zip(_PATTERNS, _NEEDLE_RES, strict=True):
        if needles.search(low) is None:
            continue
        for match in pattern.finditer(low):
            groups = match.groupdict()
            count = to_int(groups["num"])
            if count <= 0 or count > 5_000_000 or _is_year(groups["num"], match.group(0)):
                continue
            verb = (groups.get("verb") or "").lower()
            hurt = groups.get("hurt") or verb.startswith(("injur", "wound", "hurt", "shoot", "sen"))
            if hurt and not groups.get("death"):
                injured = max(injured, count)
            else:
                deaths = max(deaths, count)
            phrases.append(match.group(0))
    return Casualties(deaths, injured, tuple(dict.fromkeys(phrases)))


def _is_year(num: str, phrase: str) -> bool:
    """ "the 2015 church shooting that killed": a year, not a count."""
    if not (len(num) == 4 and num.isdigit() and 1900 <= int(num) <= 2099):
        return False
    after = phrase.split(num, 1)[1].split()
    return bool(after) and not after[0].startswith(("dead", "killed", "died", "injur", "wound"))


_Trie = dict[str, "_Trie"]


def _any_of(words: Iterable[str]) -> str:
    """A pattern that finds where one of ``words`` begins, shaped as a trie
    ("f(?:ive|our)"): the engine tries one branch per letter rather than every word in
    turn. A word that another begins with adds nothing to the search ("eight" finds
    "eighteen") and is left out; which word matched is not for reading off."""
    trie: _Trie = {}
    for word in sorted(set(words)):
        node = trie
        for char in word:
            if node.get("") is not None:
                break  # a shorter word already ends here
            node = node.setdefault(char, {})
        else:
            node.clear()
            node[""] = {}

    def branch(node: _Trie) -> str:
        if "" in node:
            return ""
        parts = [re.escape(char) + branch(rest) for char, rest in sorted(node.items())]
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    return branch(trie)


_NEEDLE_RES = tuple(re.compile(_any_of(needles)) for needles in _NEEDLES)

# A text with no digit and none of these words has no figure worth parsing.
_CHEAP_WORDS = sorted(
    {w for w in _NUMBER_WORDS if " " not in w} | {"dozen", "hundred", "thousand", "scores"}
)
_DIGIT = re.compile(r"\d")
_CHEAP = re.compile(r"\b" + _any_of(_CHEAP_WORDS))
