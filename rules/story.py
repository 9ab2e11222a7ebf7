"""The names a story is told by: "Brown University", "Charlie Kirk", "Tyler
Robinson". Two reports that share such a name tell of the same people and places,
so a follow-up placed no more precisely than its publisher's country ("Brown
University shooting suspect found dead", in a US paper) is news of the event whose
report placed it ("Gunman opens fire at Brown University in Providence, R.I.").

A name is a run of two or more capitalised words in a title written in sentence
case, where capitals mark names; in a title written in title case every word has
one, so such titles only contain names learned from the feed's other titles. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[^\W\d_][\w'\u2019.&-]*")
_POSSESSIVE = re.compile(r"['\u2019]s?$")
LONGEST = 4  # words in the longest name looked for
# Words written in lower case in a title-case headline.
_SMALL = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "is", "of",
     "off", "on", "or", "per", "the", "to", "vs", "via", "with"}
)  # fmt: skip


def _clean(word: str) -> str:
    """The word without a possessive or a final full stop ("Kirk's", "Inc.")."""
    return _POSSESSIVE.sub("", word).rstrip(".")


def _words(title: str) -> list[str]:
    return [_clean(w) for w in _WORD.findall(title)]


def sentence_case(title: str) -> bool:
    """Whether capitals in the title mark names: it has at least two words of four
    letters or more written in lower case."""
    low = 0
    for word in _words(title):
        if len(word) >= 4 and word[0].islower():
            low += 1
            if low >= 2:
                return True
    return False


def names_in(title: str) -> set[str]:
    """The names of a sentence-case title, lower-cased; none for a title-case one. A
    name's words stand next to each other: a comma or a colon ends it."""
    if not sentence_case(title):
        return set()
    out: set[str] = set()
    run: list[str] = []
    end = 0
    ended = False  # a possessive or a full stop ends a name: "Kirk's killer", "U.S. Army"
    for match in [*_WORD.finditer(title), None]:
        word = "" if match is None else _clean(match.group())
        joined = match is not None and not ended and title[end : match.start()] == " "
        capital = bool(word) and word[0].isupper() and word.lower() not in _SMALL
        if capital and (joined or not run):
            run.append(word.lower())
        else:
            if 2 <= len(run) <= LONGEST:
                out.add(" ".join(run))
            run = [word.lower()] if capital else []
        if match is not None:
            end, ended = match.end(), word != match.group()
    return out


def feed_names(titles: Iterable[str]) -> frozenset[str]:
    """Every name the feed's sentence-case titles give."""
    out: set[str] = set()
    for title in titles:
        out |= names_in(title)
    return frozenset(out)


def named(title: str, known: frozenset[str]) -> frozenset[str]:
    """Which of the ``known`` names the title contains, whatever its case."""
    words = [w.lower() for w in _words(title)]
    found = set()
    for size in range(2, LONGEST + 1):
        for start in range(len(words) - size + 1):
            name = " ".join(words[start : start + size])
            if name in known:
                found.add(name)
    return frozenset(found)


def shared(title: str, told: Iterable[str]) -> frozenset[str]:
    """The names ``title`` shares with the titles an event was ``told`` by, the
    names being those these titles give (``feed_names``): what the monitor, which
    keeps no feed's titles, knows of a report and an open incident."""
    told = list(told)
    known = feed_names([title, *told])
    ours = named(title, known)
    if not ours:
        return frozenset()
    theirs: set[str] = set()
    for other in told:
        theirs |= named(other, known)
    return ours & theirs
