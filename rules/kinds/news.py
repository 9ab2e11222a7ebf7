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
from dataclasses import replace
from datetime import datetime, timedelta

from rules.kinds.base import FeedKind, age, read_nothing, result
from rules.news import features as feats
from rules.news.model import Head, model, probability
from rules.news.where import event_regions
from rules.reports import Assessment, Entry

RECENT_NEWS = timedelta(days=7)  # older news describes an event already covered
# The labelling guideline's line for "broadly felt": dozens or more dead.
BROAD_DEATHS = 20
CATASTROPHIC_DEATHS = 1000
EVIDENCE_TERMS = 5
_HASHTAG_RE = re.compile(r"#([A-Za-z][a-z]*(?:[A-Z][a-z]+)+)\b")
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _split_hashtag(match: re.Match[str]) -> str:
    """ "#ItalyEarthquake" -> "Italy Earthquake": tags hide the words that matter."""
    return _CAMEL_RE.sub(" ", match.group(1))


def _why(head: Head, found: feats.Features) -> list[str]:
    """The words that pushed the score up most, each with the summed weight of the
    features it produced ("'kills 2' +1.9")."""
    # The words' features as ``head.contributions`` gives them, largest first; a
    # words' weights are summed in that order. Most words have one feature: only
    # those with more are sorted.
    weights, surface = head.weights, found.surface
    by_words: dict[str, float] = {}
    shared: dict[str, list[tuple[str, float]]] = {}
    first: dict[str, str] = {}
    for name, value in found.values.items():
        weight = weights.get(name)
        if weight is None:
            continue
        words = surface.get(name, name)
        if words in by_words:
            shared.setdefault(words, [(first[words], by_words[words])]).append(
                (name, weight * value)
            )
        else:
            by_words[words] = weight * value
            first[words] = name
    for words, parts in shared.items():
        parts.sort(key=lambda pair: (-abs(pair[1]), pair[0]))
        total = 0.0
        for _, weight in parts:
            total += weight
        by_words[words] = total
    ranked = sorted(((w, words) for words, w in by_words.items() if w > 0.05), reverse=True)
    return [f"'{words}' {weight:+.1f}" for weight, words in ranked[:EVIDENCE_TERMS]]


def _kind(found: feats.Features) -> str:
    order = feats.lexicon().kind_order
    named = [k for k in order if k in found.kinds]
    return named[0] if named else "incident"


def assess(entry: Entry, now: datetime) -> Assessment:
    """What the model concludes about a news entry at ``now``. Never raises."""
    title = _HASHTAG_RE.sub(_split_hashtag, entry.title.strip())
    summary = _HASHTAG_RE.sub(_split_hashtag, entry.summary.strip())
    year = (entry.published or now).year
    found = feats.extract(title, summary, year)
    regions, where = event_regions(title, summary[: feats.SUMMARY_CHARS], entry.link)
    current = model()
    heads = current.heads
    s_any, s_hold, s_broad = current.scores(found)
    p_any, p_hold, p_broad = probability(s_any), probability(s_hold), probability(s_broad)
    evidence = [f"P(hold) {p_hold:.2f}", *_why(heads["hold"], found)]
    if where:
        evidence.append(where)
    old = age(entry, now)
    if old is not None and old > RECENT_NEWS:
        return result(None, 0, 0, regions, [*evidence, f"published {old.days} days before"])
    back = found.surface.get("time:years-back") or found.surface.get("time:earlier-year")
    if back:
        # The guideline's anniversaries, old crimes on trial, long-past events.
        return result(None, 0, 0, regions, [*evidence, f"looks back: '{back}'"])
    illness = "lex:ctx:disease" in found.values and not found.kinds
    if p_hold >= heads["hold"].threshold and not illness:
        severity, confidence = 2, p_hold
        deaths = found.casualties.deaths
        if p_broad >= heads["broad"].threshold or deaths >= BROAD_DEATHS:
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
        told_like = bool(found.kinds) or "lex:followup" in found.values
        kind = _kind(found) if found.kinds else None
        return replace(result(kind, 0, 0, regions, evidence), follow_up=told_like)
    verdict = result(_kind(found), severity, confidence, regions, evidence)
    return replace(verdict, follow_up=severity < 2)


KIND = FeedKind(
    name="news",
    description="News (RSS or Atom)",
    markers=(),
    read=read_nothing,
    assess=assess,
)
