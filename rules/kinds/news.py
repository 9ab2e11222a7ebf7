"""News feeds (RSS and Atom): the text read by the learned model of ``rules.news``.

The model's three heads give the probabilities that the entry is worth showing
(label >= 1 in the labelling guideline), should hold promotions in its region
(>= 2) and is broadly felt (3). Severity follows: 1 shown, never held; 2 serious;
3 major; 4 catastrophic when the figures say so (hundreds dead) or a country
declares mourning. Older news (more than a week) describes an event already
covered and holds nothing. Regions are named for every entry that names a place.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from rules.kinds.base import FeedKind, age, read_nothing, result
from rules.news import features as feats
from rules.news.model import Head, Model, model, probability
from rules.news.where import event_regions
from rules.reports import Assessment, Entry

RECENT_NEWS = timedelta(days=7)  # older news describes an event already covered
# The labelling guideline's line for "broadly felt": dozens or more dead.
BROAD_DEATHS = 20
# The guideline's "single ordinary crime or accident": the figures the entry gives
# count at most one dead and fewer people hit in all than a mass shooting's four.
SINGLE_VICTIM_DEATHS, MASS_CASUALTIES = 1, 4
# Only crimes: in a disaster one death is the start of a toll ("At least one dead as
# typhoon slams Vietnam"), in a war any deaths reported that day hold.
_CRIME_KINDS = frozenset({"shooting", "stabbing", "attack"})
_VAGUE = re.compile(r"\b(?:multiple|several|many|some|more)\b")
# Weather on its way: a storm's track, a flood or heat forecast. The guideline's
# "forecasts and watches" hold nothing until the entry says someone was hurt.
_WEATHER_KINDS = frozenset(
    {"hurricane", "typhoon", "cyclone", "storm", "tornado", "flood", "heatwave"}
)
CATASTROPHIC_DEATHS = 1000
# A follow-up told only in a war's words (or only in follow-up words: a suspect, a
# funeral) joins its event only when the model gives it this chance of holding on its
# own: in a war every day's news has its words, and most of it is no event ("Trump
# considering supplying Ukraine with missiles", a hostage's remains returned). One
# that names a discrete event's kind (an explosion, a shooting) is coverage of the
# open event of that kind however it scores ("Residents describe explosion"). Out of
# fold on the training days read together: docs/assessment.md § 3.
FOLLOW_UP_FLOOR = 0.10
EVIDENCE_TERMS = 5
_HASHTAG_RE = re.compile(r"#([A-Za-z][a-z]*(?:[A-Z][a-z]+)+)\b")
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _split_hashtag(match: re.Match[str]) -> str:
    """ "#ItalyEarthquake" -> "Italy Earthquake": tags hide the words that matter."""
    return _CAMEL_RE.sub(" ", match.group(1))


def _tags_split(text: str) -> str:
    """``text`` with each hashtag's words split (no tag without its "#")."""
    return _HASHTAG_RE.sub(_split_hashtag, text) if "#" in text else text


def _why(head: Head, found: feats.Features) -> list[str]:
    """The words that pushed the score up most, each with the summed weight of the
    features it produced ("'kills 2' +1.9")."""
    words_of = _WordSums(found.surface)
    weights = head.weights
    for name, value in found.values.items():
        weight = weights.get(name)
        if weight is not None:
            words_of.add(name, weight * value)
    return words_of.evidence()


class _WordSums:
    """The hold head's contributions summed by the words that produced them, as
    ``Head.contributions`` orders them (largest first) within each words' group. Most
    words have one feature: only those with more are sorted."""

    __slots__ = ("by_words", "first", "shared", "surface")

    def __init__(self, surface: dict[str, str]) -> None:
        self.surface = surface
        self.by_words: dict[str, float] = {}
        self.shared: dict[str, list[tuple[str, float]]] = {}
        self.first: dict[str, str] = {}

    def add(self, name: str, weight: float) -> None:
        words = self.surface.get(name, name)
        by_words = self.by_words
        if words in by_words:
            self.shared.setdefault(words, [(self.first[words], by_words[words])]).append(
                (name, weight)
            )
        else:
            by_words[words] = weight
            self.first[words] = name

    def evidence(self) -> list[str]:
        by_words = self.by_words
        for words, parts in self.shared.items():
            parts.sort(key=lambda pair: (-abs(pair[1]), pair[0]))
            total = 0.0
            for _, weight in parts:
                total += weight
            by_words[words] = total
        ranked = sorted(((w, words) for words, w in by_words.items() if w > 0.05), reverse=True)
        return [f"'{words}' {weight:+.1f}" for weight, words in ranked[:EVIDENCE_TERMS]]


def _scored(current: Model, found: feats.Features) -> tuple[float, float, float, list[str]]:
    """The three heads' raw scores and the hold head's evidence words, in one pass over
    the features (a feature no head weighs adds 0.0 to a words' sum: no change)."""
    joint = current.joint
    heads = current.heads
    if not joint:
        s_any, s_hold, s_broad = current.scores(found)
        return s_any, s_hold, s_broad, _why(heads["hold"], found)
    s_any, s_hold, s_broad = heads["any"].bias, heads["hold"].bias, heads["broad"].bias
    words_of = _WordSums(found.surface)
    # ``words_of.add``, written out: it runs for every feature a head knows.
    words_for = found.surface.get
    by_words, first, shared = words_of.by_words, words_of.first, words_of.shared
    for name, value in found.values.items():
        weights = joint.get(name)
        if weights is not None:
            hold = weights[1] * value
            s_any += weights[0] * value
            s_hold += hold
            s_broad += weights[2] * value
            words = words_for(name, name)
            if words in by_words:
                shared.setdefault(words, [(first[words], by_words[words])]).append((name, hold))
            else:
                by_words[words] = hold
                first[words] = name
    return s_any, s_hold, s_broad, words_of.evidence()


def _kind(found: feats.Features) -> str:
    order = feats.lexicon().kind_order
    named = [k for k in order if k in found.kinds]
    if named:
        return named[0]
    # A war named as such ("the war", "the invasion") is no event of its own, but
    # harm told in it is the war's.
    return "war" if "lex:ctx:war" in found.values else "incident"


def _may_follow(found: feats.Features, p_hold: float) -> bool:
    """Whether the model's score lets the entry follow an event: always when it names
    a discrete event's kind, else (war words only, or none) from ``FOLLOW_UP_FLOOR``."""
    if any(kind != "war" for kind in found.kinds):
        return True
    return p_hold >= FOLLOW_UP_FLOOR


def _single_victim(found: feats.Features, broad: bool) -> bool:
    """Whether the entry's own figures make a crime one victim's story ("one man
    killed, one seriously injured"): shown, never held. Not when a figure is vague
    ("multiple people shot"), not for disasters or war, and not when the broad head
    says the whole country is shaken (a lawmaker shot dead)."""
    hit = found.casualties
    if not hit.phrases or hit.deaths > SINGLE_VICTIM_DEATHS:
        return False
    if hit.deaths + hit.injured >= MASS_CASUALTIES or any(map(_VAGUE.search, hit.phrases)):
        return False
    if not found.kinds or not _CRIME_KINDS.issuperset(found.kinds):
        return False
    return not broad


def _forecast(found: feats.Features) -> str | None:
    """The words that make a weather entry a forecast ("Hurricane strengthens as it
    approaches the islands"): every event word a weather one, no harm word and no
    casualty figure. None when the entry is not one."""
    if not found.kinds or not _WEATHER_KINDS.issuperset(found.kinds):
        return None
    if found.casualties.phrases or "lex:harm" in found.values:
        return None
    return found.surface.get("lex:ctx:approach") or found.surface.get("lex:ctx:forecast")


def _told_like_news_of_an_event(found: feats.Features, title: str) -> bool:
    """Whether an entry that does not hold may be coverage of an event that does:
    it names an event's kind or a follow-up (a vigil, a suspect charged, victims
    named), and is not a reaction to it. A minor death told without either
    ("Stowaway found dead in a jet's landing gear") is its own story, not news of a
    shooting in the same state."""
    if not found.kinds and "lex:followup" not in found.values:
        return False
    return not _a_reaction(title)


_REACTION_RE = re.compile(r"\b(?:after|following|in (?:the )?wake of|amid|since)\b", re.I)


def _a_reaction(title: str) -> bool:
    """Whether the title tells what someone did about an event rather than news of
    it: the event comes only in its "after ..." clause, and nothing before names an
    event, harm, a casualty figure or a follow-up ("Australia announces a gun
    buyback after the Bondi attack"; not "Vigil held after the shooting")."""
    found = _REACTION_RE.search(title)
    if found is None:
        return False
    before = feats.extract(title[: found.start()])
    told = before.kinds or before.casualties.phrases
    return not told and "lex:harm" not in before.values and "lex:followup" not in before.values


def _illness(found: feats.Features) -> bool:
    """An outbreak's toll without an event word: at most minor."""
    return "lex:ctx:disease" in found.values and not found.kinds


def not_now(found: feats.Features) -> str | None:
    """Why the entry reports no harmful event happening now, whatever the model
    scores (the evidence line), or None. The guideline's anniversaries and long-past
    events, trials and sentencing (the event itself is long past), and forecasts."""
    surface = found.surface
    back = surface.get("time:years-back") or surface.get("time:earlier-year")
    back = back or surface.get("time:era")
    if back:
        return f"looks back: '{back}'"
    verdict = surface.get("lex:ctx:verdict")
    if verdict:
        return f"a court's verdict: '{verdict}'"
    forecast = _forecast(found)
    if forecast:
        return f"a forecast: '{forecast}'"
    return None


def never_held(found: feats.Features) -> bool:
    """Whether no score can make the entry hold: it reports nothing happening now,
    an outbreak's toll, or one victim's crime (unless the broad head says the whole
    country is shaken, which the trainer cannot know when choosing thresholds)."""
    return bool(not_now(found)) or _illness(found) or _single_victim(found, False)


def assess(entry: Entry, now: datetime) -> Assessment:
    """What the model concludes about a news entry at ``now``. Never raises."""
    title, summary = _tags_split(entry.title.strip()), _tags_split(entry.summary.strip())
    year = (entry.published or now).year
    found = feats.extract(title, summary, year)
    home = entry.home_country
    regions, where, named = event_regions(
        title, summary[: feats.SUMMARY_CHARS], entry.link, home, entry.home_region
    )
    current = model()
    heads = current.heads
    s_any, s_hold, s_broad, why = _scored(current, found)
    p_any, p_hold, p_broad = probability(s_any), probability(s_hold), probability(s_broad)
    evidence = [f"P(hold) {p_hold:.2f}", *why]
    if where:
        evidence.append(where)
    old = age(entry, now)
    if old is not None and old > RECENT_NEWS:
        return result(None, 0, 0, regions, [*evidence, f"published {old.days} days before"])
    why_not = not_now(found)
    if why_not:
        return result(None, 0, 0, regions, [*evidence, why_not])
    illness = _illness(found)
    broad = p_broad >= heads["broad"].threshold
    if p_hold >= heads["hold"].threshold and not illness and not _single_victim(found, broad):
        severity, confidence = 2, p_hold
        deaths = found.casualties.deaths
        if broad or deaths >= BROAD_DEATHS:
            severity = 3
            evidence.append(f"broadly felt: P(broad) {p_broad:.2f}, {deaths} dead")
        if deaths >= CATASTROPHIC_DEATHS or "lex:mourning" in found.values:
            severity = 4
            evidence.append(
                "catastrophic: " + (found.surface.get("lex:mourning") or f"{deaths} dead")
            )
    elif p_any >= heads["any"].threshold or (illness and p_hold >= heads["hold"].threshold):
        severity, confidence = 1, p_any
    else:
        kind = _kind(found) if found.kinds else None
        told_like = _may_follow(found, p_hold) and _told_like_news_of_an_event(found, title)
        return result(kind, 0, 0, regions, evidence, follow_up=told_like)
    if not named and home:
        # News of an event that names no place at all happened where its readers
        # are: the publisher's own country ("Suspect in lawmaker's killing charged").
        regions = (home,)
        evidence.append(f"no place named: the publisher's country {home}")
    follow_up = (
        severity < 2 and _may_follow(found, p_hold) and _told_like_news_of_an_event(found, title)
    )
    return result(_kind(found), severity, confidence, regions, evidence, follow_up)


KIND = FeedKind(
    name="news",
    description="News (RSS or Atom)",
    markers=(),
    read=read_nothing,
    assess=assess,
)
