"""Correlation: which open incident a new tragedy report belongs to, if any.

Reports of the same event — the same kind of event (a "hurricane" report joins a
"storm" incident), overlapping areas, and seen within a time window of the
incident's last report — join one incident; anything else opens a new one. Pure:
the caller passes the open incidents and the time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rules.regions import lineage

# Kinds that describe the same sort of event in different words.
KIND_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"storm", "hurricane", "typhoon", "cyclone", "tornado"}),
    frozenset({"shooting", "stabbing", "terror", "bombing", "attack"}),
    frozenset({"explosion", "fire", "collapse", "bombing"}),
    frozenset({"earthquake", "tsunami"}),
    frozenset({"flood", "landslide"}),
    frozenset({"wildfire", "fire"}),
)


# A follow-up (a report that does not hold alone) joins only an event more likely
# than not a tragedy: one held on a doubtful score would pull its coverage with it,
# and one wrong hold would become many.
FOLLOW_UP_CONFIDENCE = 0.5

# What an assessment calls an event whose kind its words do not name.
UNNAMED_KIND = "incident"


def named_kind(kind: str | None) -> str | None:
    """The kind, or ``None`` when it names nothing (a follow-up then matches any)."""
    return None if kind in (None, "", UNNAMED_KIND) else kind


@dataclass(frozen=True, slots=True)
class OpenIncident:
    id: int
    kind: str
    severity: int
    regions: tuple[str, ...]
    last_seen: datetime
    # The best confidence of its reports (1.0 for one a person declared).
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Signal:
    """A tragedy report, as far as correlation cares."""

    kind: str
    severity: int
    regions: tuple[str, ...]
    seen_at: datetime


def same_kind(a: str, b: str) -> bool:
    if a == b:
        return True
    return any(a in family and b in family for family in KIND_FAMILIES)


def _most_specific(regions: Sequence[str]) -> str | None:
    known = []
    for code in regions:
        try:
            known.append((len(lineage(code)), code))
        except KeyError:
            continue
    return max(known)[1] if known else None


def areas_overlap(a: Sequence[str], b: Sequence[str]) -> bool:
    """True when one area lies within the other, judged by each side's most specific
    region (so a Texas report and a California report do not merge through "US")."""
    left, right = _most_specific(a), _most_specific(b)
    if left is None or right is None:
        return False
    return left in lineage(right) or right in lineage(left)


def match(
    signal: Signal,
    incidents: Iterable[OpenIncident],
    window: timedelta,
    *,
    any_kind: bool = False,
    backdrop: str | None = None,
    follow_up: bool = False,
) -> int | None:
    """The open incident this signal belongs to (the most recently seen one when
    several fit), or ``None`` for a new incident. With ``any_kind`` the kinds need
    not agree (a follow-up that names no kind: "vigil held in Uvalde").

    ``backdrop`` is for follow-ups: the publisher's own country. Most of a
    publisher's news happens somewhere in its own country, so a follow-up placed no
    more precisely than that country (named, or assumed because it names no place),
    or an incident placed no more precisely, shares nothing that makes them one event:
    a Kentucky crime is not news of a Minnesota shooting. Abroad the same test stays
    as it is: a country's news in another country's paper is rare enough that
    "Ukraine" after a strike on Kyiv is news of it.

    With ``follow_up`` (the signal does not hold alone), only an incident whose
    confidence reaches ``FOLLOW_UP_CONFIDENCE`` can take it."""
    if backdrop is not None and _most_specific(signal.regions) == backdrop:
        return None
    return latest(
        incident
        for incident in incidents
        if _fits(signal, incident, window, any_kind, follow_up)
        and areas_overlap(signal.regions, incident.regions)
        and not (backdrop is not None and _most_specific(incident.regions) == backdrop)
    )


def _fits(
    signal: Signal, incident: OpenIncident, window: timedelta, any_kind: bool, follow_up: bool
) -> bool:
    """What every way of joining an incident asks: a compatible kind (any, with
    ``any_kind``), the confidence a ``follow_up`` needs, and a last report within the
    window of the signal."""
    if not any_kind and not same_kind(signal.kind, incident.kind):
        return False
    if follow_up and incident.confidence < FOLLOW_UP_CONFIDENCE:
        return False
    return abs(signal.seen_at - incident.last_seen) <= window


def within(own: Sequence[str], area: Sequence[str]) -> bool:
    """Whether the area lies within every region of ``own`` (an empty ``own``, no
    place, contains any)."""
    return all(any(a in lineage(b) for b in area) for a in own)


def name_candidates(
    signal: Signal,
    incidents: Iterable[OpenIncident],
    window: timedelta,
    *,
    any_kind: bool = False,
    backdrop: str | None = None,
    follow_up: bool = False,
) -> list[OpenIncident]:
    """The open incidents a report placed no more precisely than ``backdrop``, its
    publisher's country (or placed nowhere), could be told of by a name it shares
    with them (``rules.story``): each placed more precisely than that country and
    within the report's own place, of a compatible kind (any, with ``any_kind``),
    last seen within the window of the report, and, for a ``follow_up``, confident
    enough to take one. Which of them shares a name is the caller's to say
    (``latest`` picks among those that do)."""
    return [
        incident
        for incident in incidents
        if not (backdrop is not None and tuple(incident.regions) == (backdrop,))
        and within(signal.regions, incident.regions)
        and _fits(signal, incident, window, any_kind, follow_up)
    ]


def latest(incidents: Iterable[OpenIncident]) -> int | None:
    """The most recently seen incident (the first of those seen at the same time)."""
    best: OpenIncident | None = None
    for incident in incidents:
        if best is None or incident.last_seen > best.last_seen:
            best = incident
    return best.id if best else None


def affected_area(regions: Sequence[str]) -> tuple[str, ...]:
    """The area itself from a "most specific first" list: ``("US-TX", "US")`` names
    Texas (the country is context), so every code that merely contains another listed
    code is dropped. Holding by the country too would treat all of it as struck."""
    known = [code for code in dict.fromkeys(regions) if _known(code)]
    return tuple(
        code
        for code in known
        if not any(other != code and code in lineage(other) for other in known)
    )


def _known(code: str) -> bool:
    try:
        lineage(code)
    except KeyError:
        return False
    return True


def merged_regions(current: Sequence[str], added: Sequence[str]) -> tuple[str, ...]:
    """The incident's area widened by a report's area."""
    return affected_area([*current, *added])


# ----------------------------------------------------------------- coverage
BROADLY_FELT = 3


@dataclass(frozen=True, slots=True)
class Coverage:
    """When an event dominates the news: its reports make up at least ``share`` of
    what one feed carried within a day, and number at least ``minimum`` (so that two
    entries of a small feed do not count). ``share`` 0 turns the rule off."""

    share: float
    minimum: int

    def dominates(self, event_reports: int, feed_reports: int) -> bool:
        if self.share <= 0 or feed_reports <= 0 or event_reports < self.minimum:
            return False
        return event_reports / feed_reports >= self.share


def coverage_severity(
    severity: int, event_reports: int, feed_reports: int, coverage: Coverage
) -> int:
    """The severity an event's coverage calls for: a regional tragedy (2) that
    dominates a feed's news is broadly felt (3). Coverage never raises a report
    below a tragedy, and never lowers anything."""
    if severity == BROADLY_FELT - 1 and coverage.dominates(event_reports, feed_reports):
        return BROADLY_FELT
    return severity
