"""Which of the places mentioned is where the event happened.

Set aside, in order of the evidence against them:

- the dateline (``LONDON (Reuters) -``, ``KYIV, Ukraine —``): where the story was filed;
- origins: a place after "from", "native of", "resident of", "-born" ... is someone's home
  (a country or region of origin is the event's place only when no other place is left:
  "a drug boat from Venezuela"), unless an event's word follows it ("recovers from N.H.
  crash"); so is the country of people abroad, named by its adjective or initials
  before "tourist", "immigrant", "nationals" ... ("U.S. tourist attacked in the Bahamas");
- a surname-like lone word (``Mention.weak``) that no locative places;
- a country only reacting: a country followed by a reaction verb ("condemned", "sent
  condolences") or named by its adjective alone ("Turkish officials");
- qualifiers: "Texas" in "Paris, Texas" is part of Paris.

Among the rest, a place just after a locative ("in", "at", "near", "hits"; "in the",
"in northern" too) or heading the text before a colon ("Nepal: ...") and near the
event's words scores highest, then a place in the first sentence, then more specific
places (a town over its country). A country mention whose country holds a more specific
chosen place yields to that place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import regex

from rules.geo.gazetteer import Entry, gazetteer, word_classes
from rules.geo.mentions import Mention, Token

_DATELINE_AFTER = regex.compile(r"^\s*(?:\([^)]{1,40}\)\s*)?(?:[-–—:]|,\s*\p{Lu})")
SPECIFIC = {
    "continent": -3.0,
    "water": -3.0,
    "area": -1.5,  # several countries: any one of them named is more specific
    "city": 1.0,
    "admin2": 0.8,
    "admin1": 0.6,
    "region": 0.6,
    "country": 0.0,
    "demonym": -0.8,
}
_DASH_AFTER = regex.compile(r"^\s*(?:\([^)]{1,40}\)\s*)?[-–—]\s")
_SENTENCE = regex.compile(r"[.!?]\s|\n")
_NOT_SPACE = re.compile(r"\S")


def is_dateline(text: str, m: Mention) -> bool:
    if m.first != 0 and _NOT_SPACE.search(text, 0, m.start):
        return False
    upper = m.text.isupper() and len(m.text) > 2
    after = text[m.end : m.end + 60]
    if upper and _DATELINE_AFTER.match(after):
        return True
    return _DASH_AFTER.match(after) is not None


_ATTRIBUTION = frozenset({"says", "said"})
_ARTICLES = frozenset({"the", "a", "an"})


def m_comma(toks: Sequence[Token], m: Mention) -> bool:
    """The mention follows a comma (or opens the text)."""
    return m.first == 0 or toks[m.first].comma_before


def _attacker(
    e: Entry,
    before: Sequence[str],
    after: Sequence[str],
    force_word: frozenset[str],
    force_verb: frozenset[str],
    locative: frozenset[str],
    direction: frozenset[str],
    verb_ends_clause: bool,
    targets: frozenset[str] = frozenset(),
) -> bool:
    """The country is the side that attacks ("Russian strikes on Kyiv", "Israel
    strikes Yemen"), so not where the event happened."""
    if e.kind == "demonym":
        # The object of an attack's verb that takes a place is its target ("Israel
        # strikes Houthi military sites"); one that "killed" is a person.
        if before and before[-1] in force_verb and before[-1] in locative:
            return False
        # "Russian strikes", "Russian overnight strikes" -- but not where the word
        # between names the target ("Nigerian school attack").
        if after and after[0] in force_word:
            return True
        return len(after) > 1 and after[1] in force_word and after[0] not in targets
    if e.kind == "country" and after and after[0] in force_verb:
        # Not after a locative, where the country is no subject ("tornado in Brazil
        # kills 6", "quake off southern Philippines kills 2"), nor when nothing follows
        # the verb in its clause: it is a noun ("Colombia attacks: 18 killed").
        words = [w for w in before if w not in direction]
        if words and words[-1] in locative:
            return False
        if verb_ends_clause:
            return False
        return not (len(after) > 1 and after[1] == "by")
    # A country's name before a word of armed force, as an adjective's would be ("US
    # strike on a boat", "U.S. military struck").
    return e.kind == "country" and bool(after) and after[0] in force_word


def _event_noun(word: str, event_words: frozenset[str]) -> bool:
    """An event's word that can name the event ("crash", "floods"), not a verb's past
    or present that says what a person from the place did ("died", "dies", "injures")."""
    if word not in event_words or word.endswith("ed"):
        return False
    return word.removesuffix("s") + "d" not in event_words


_Words = tuple[frozenset[str], frozenset[str], frozenset[str]]
_TARGETS: list[tuple[dict[str, frozenset[str]], _Words]] = []


def _targets(classes: dict[str, frozenset[str]]) -> _Words:
    """Words that name whom or what an attack hit (people and facilities), the verbs of
    an accusation and those of a reaction to an event elsewhere (made once for the word
    classes in use)."""
    if not _TARGETS or _TARGETS[0][0] is not classes:
        words = (
            classes["person_noun"] | classes["facility_suffix"],
            classes.get("accuse_verb", frozenset()),
            classes.get("abroad_verb", frozenset()),
        )
        _TARGETS[:] = [(classes, words)]
    return _TARGETS[0][1]


_BETWEEN_CUE = _ARTICLES | {"of", "in"}


def _after_origin_cue(
    before: Sequence[str], origin: frozenset[str], direction: frozenset[str]
) -> bool:
    """Whether an origin's word comes just before the place, or before "of", "in", an
    article or a word of direction ("native of", "born in", "from northern Syria"); not
    before another word, whose object it is ("from reaching Gazans")."""
    if before and before[-1] in origin:
        return True
    return (
        len(before) >= 2
        and before[-2] in origin
        and (before[-1] in _BETWEEN_CUE or before[-1] in direction)
    )


def _from_abroad(m: Mention, e: Entry, after: Sequence[str], nationals: frozenset[str]) -> bool:
    """The country of people abroad that the text tells of, by its adjective or its
    initials ("Honduran immigrant dies", "U.S. tourist attacked in the Bahamas"): their
    origin. A country's name before the same word says where ("Kenya tourist plane")."""
    return (
        bool(after)
        and after[0] in nationals
        and (e.kind == "demonym" or (e.kind == "country" and m.text.isupper()))
    )


def names_a_place(
    mentions: Sequence[Mention], entries: Sequence[Entry | None], toks: Sequence[Token]
) -> bool:
    """Whether a mention says where something is: not a surname-like lone word
    ("blasts Kennedy"), nor the country of people abroad ("Afghan nationals"), whose
    event is elsewhere."""
    nationals = word_classes().get("nationality_noun", frozenset())
    for m, e in zip(mentions, entries, strict=True):
        if e is None or m.weak:
            continue
        after = [t.key for t in toks[m.last + 1 : m.last + 2]]
        if not _from_abroad(m, e, after, nationals):
            return True
    return False


def _place_follows(mentions: Sequence[Mention], i: int) -> bool:
    """Whether a place mention starts at token ``i`` (or the one after: "the")."""
    return any(i <= m.first <= i + 1 for m in mentions)


def _only_country(entries: Sequence[Entry | None], k: int, sides: set[str]) -> bool:
    """Whether every place of the text with a country lies in entry ``k``'s, but for
    the attacking sides' ("Ukraine vows to retaliate after Russian attacks")."""
    own = entries[k]
    assert own is not None
    return all(
        e is None or not e.country or e.country == own.country or e.country in sides
        for e in entries
    )


def choose(
    text: str,
    mentions: Sequence[Mention],
    entries: Sequence[Entry | None],
    toks: Sequence[Token],
) -> int | None:
    """The index of the mention where the event happened, or None."""
    classes = word_classes()
    origin, reaction = classes["origin_cue"], classes["reaction_verb"]
    force_word, force_verb = classes["force_word"], classes["force_verb"]
    locative, event_words = classes["locative"], classes["event_word"]
    direction = classes["direction"]
    nationals = classes.get("nationality_noun", frozenset())
    sides_words = classes.get("side_word", frozenset())
    targets, accuse, abroad = _targets(classes)
    keys = [t.key for t in toks]
    found = _SENTENCE.search(text)
    first_break = found.start() if found else len(text)
    scores: dict[int, float] = {}
    origins: list[int] = []
    speakers: list[int] = []  # countries set aside only as the source ("Ukraine says")
    reacting: list[int] = []  # countries set aside as reacting ("Philippines warns")
    accused = False  # a country named as the one accused ("accuses Russia of")
    attackers = False
    sides: set[str] = set()  # the countries of the sides that attack
    unplaced: list[int] = []  # countries and demonyms scored without a locative
    for k, (m, e) in enumerate(zip(mentions, entries, strict=True)):
        # A body of water is never the place (it has no country to hold posts for).
        if (
            e is None
            or m.qualifies is not None
            or not (e.country or e.kind == "area")
            or e.kind == "water"
        ):
            continue
        if is_dateline(text, m):
            continue
        before = keys[max(0, m.first - 3) : m.first]
        after = keys[m.last + 1 : m.last + 4]
        # An event named right after the place is the place's, whatever came before
        # ("recovers from N.H. crash", "evacuated from Gaza shelling").
        # So is the place an event's word takes "from" ("displaced from Gaza City",
        # "rescued from Lisbon streetcar wreckage").
        named_event = (bool(after) and _event_noun(after[0], event_words)) or (
            len(before) >= 2 and before[-1] == "from" and before[-2] in event_words
        )
        if (
            (_after_origin_cue(before, origin, direction) and not named_event)
            or _from_abroad(m, e, after, nationals)
            or (m.last + 1 < len(toks) and toks[m.last + 1].text.lower().startswith("born"))
        ):
            if e.kind in ("country", "region"):
                origins.append(k)
            continue
        # "in the Bahamas", "in northern Gaza": the locative before its article or a
        # word of direction.
        near = [w for w in before if w not in direction and w not in _ARTICLES]
        located = bool(near) and near[-1] in locative
        # A surname-like lone word ("blasts Kennedy for ...") is the event's place only
        # where a locative puts it there.
        if m.weak and not located:
            continue
        # So is an area of several countries ("floods across Southeast Asia",
        # "Caribbean hurricane"), never one named as a qualifier ("Middle East envoy").
        if e.kind == "area" and not (located or named_event):
            continue
        # A place that heads the text before a colon is what it is about ("Nepal: French
        # climber among three killed").
        if m.first == 0 and text[m.end : m.end + 1] == ":":
            located = True
        s = SPECIFIC[e.kind] - (1.5 if m.weak else 0.0)
        # A reaction verb past a comma is another subject's ("strikes on Hezbollah
        # sites in south Lebanon, warns of more").
        if (
            e.kind in ("country", "demonym")
            and after
            and after[0] in reaction
            and not toks[m.last + 1].comma_before
        ):
            # A source named last ("…, Ukraine says") is often where it happened;
            # anywhere else the country is reacting to an event elsewhere.
            if not (after[0] in _ATTRIBUTION and m.last + 2 >= len(toks) and m_comma(toks, m)):
                if e.kind == "country":
                    if after[0] in _ATTRIBUTION or after[0] in accuse:
                        speakers.append(k)
                    if after[0] not in abroad:
                        reacting.append(k)
                continue
            s -= 1.0
        # The country an accusation names is the side accused of the attack ("Ukraine
        # accuses Russia of targeting its substations"), not where it happened.
        if (
            e.kind == "country"
            and before
            and before[-1] in accuse
            and after
            and after[0] in ("of", "for")
        ):
            accused = attackers = True
            sides.add(e.country)
            continue
        # A side joined to a word of backing or holding ("UAE-backed faction",
        # "Russian-occupied Crimea"): a backer is never the event's place, a holder not
        # when a place follows. A capital backs for its country ("Beijing-backed").
        if (
            (e.kind in ("country", "demonym") or (after and after[0] == "backed"))
            and after
            and after[0] in sides_words
            and text[m.end : toks[m.last + 1].start] == "-"
            and (after[0] == "backed" or _place_follows(mentions, m.last + 2))
        ):
            sides.add(e.country)
            continue
        ends = m.last + 2 >= len(toks) or toks[m.last + 2].initial
        if _attacker(e, before, after, force_word, force_verb, locative, direction, ends, targets):
            attackers = True
            sides.add(e.country)
            continue
        if located:
            s += 2.0
        elif e.kind in ("country", "demonym"):
            unplaced.append(k)
        if not event_words.isdisjoint(keys[max(0, m.first - 6) : m.last + 7]):
            s += 1.5
        if e.kind == "demonym" and not event_words.isdisjoint(after[:2]):
            s += 1.2  # "Turkish school shooting"
        elif named_event:
            s += 1.2  # "Sydney shooting suspects met ... in the Philippines"
        if m.start < first_break:
            s += 0.8
        s -= 0.01 * k
        scores[k] = s
    # The attacking side named again, by its country's name or adjective and not after
    # a locative, is still that side ("20 killed in Israeli strikes as Israel and Hamas
    # trade blame").
    if sides:
        for k in unplaced:
            if (e := entries[k]) is not None and e.country in sides:
                del scores[k]
    if not scores:
        # Every place is set aside: what the text tells of came from a country or region
        # it names as an origin ("Tales of horror emerge from Darfur", "a drug boat from
        # Venezuela"). A town or state of origin stays aside ("a man from Ohio"): its
        # region codes would stand for the event's before the rest of the text is read.
        # A country telling of another side's attack is where it landed ("Ukraine says
        # Russian missiles targeted its substations").
        # A country that reacts ("Philippines warns of storm surges as Typhoon X nears",
        # "... evacuates 100,000 people") is where the event is when it is the only
        # country the text names and the text tells of an event; one that condemns or
        # sends aid ("abroad_verb") reacts to an event elsewhere.
        if origins:
            return origins[0]
        if speakers and attackers:
            return speakers[0]
        if reacting and not accused and _only_country(entries, reacting[0], sides):
            if not event_words.isdisjoint(keys):
                return reacting[0]
        return None
    best = max(scores, key=scores.__getitem__)
    chosen = entries[best]
    assert chosen is not None
    # A place the text names inside the chosen one is where it places the event: a town
    # of the chosen country, a member of the chosen area ("Jamaica ... at least 75 dead
    # in Caribbean", "Ohio" beside "Midwest").
    within: set[str]
    broad: frozenset[str]
    if chosen.kind in ("country", "demonym"):
        within, broad = {chosen.country}, frozenset({"country", "demonym"})
    elif chosen.kind == "area":
        within, broad = set(gazetteer().members.get(chosen.index, ())), frozenset({"area"})
    else:
        return best
    inner = [
        k
        for k in scores
        if (e := entries[k]) is not None
        and e.kind not in broad
        and (e.country in within or e.admin1 in within)
        and scores[k] > scores[best] - 2.5
    ]
    if inner:
        best = max(inner, key=scores.__getitem__)
    return best
