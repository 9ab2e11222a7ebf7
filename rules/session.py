"""Reading the entries of one feed together, as the monitor reads them over time:
each entry judged at its own publication time (or at one moment for all), and a
follow-up joined to the event it follows.

An entry that holds opens an event, or joins the open one of a compatible kind
whose area overlaps its own and whose last report is within the window. An entry
that does not hold alone but is told like news of such an event (its kind's words,
a vigil, victims named, a suspect charged: ``Assessment.follow_up``) joins a
matching open event (never through the publisher's own country alone, and only an
event more likely than not a tragedy: see ``rules.correlate.match``) and takes its
kind and severity, with a line of evidence naming the event; placed no more
precisely than the event, it takes the event's area too. An entry placed no more
precisely than its publisher's country (or not at all) that shares a name with a
held event placed more precisely, within the entry's own place ("Brown
University", ``rules.story``), is placed where that event is; if it holds, it joins
it. ``tactful assess`` shows this as ``"event"``, the id of the event's first
report. With a ``Coverage``, an event whose entries make up that share of the feed
within a day (``COVERAGE_WINDOW``) dominates the news and is broadly felt, as the
monitor's incidents are. Pure: the caller passes the assessor and the times.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from rules import story
from rules.correlate import (
    Coverage,
    OpenIncident,
    Signal,
    affected_area,
    coverage_severity,
    latest,
    match,
    name_candidates,
    named_kind,
    within,
)
from rules.reports import Assessment, Entry

# How long after its last report an event is still joined: the monitor's default
# quiet time (``incidents.quiet_hours``), after which its incident ends. An event
# told day after day stays open as long as the monitor's incident would.
WINDOW = timedelta(hours=24)
COVERAGE_WINDOW = timedelta(hours=24)
HOLD_SEVERITY = 2
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Judged:
    entry: Entry
    assessment: Assessment
    # The guid of the first report of the event this entry belongs to, if any.
    event: str | None = None


@dataclass(slots=True)
class _Event:
    first: str
    title: str
    kind: str
    severity: int
    area: tuple[str, ...]
    last_seen: datetime
    times: list[datetime] = field(default_factory=list)
    # Set when the event's coverage made it broadly felt: "N of M entries …".
    dominant: str | None = None
    # The best confidence of its reports: a follow-up joins only a confident event.
    confidence: float = 0.0
    # The names its held reports are told by (``rules.story``).
    names: set[str] = field(default_factory=set)


Source = TypeVar("Source")


def one_timeline(captures: Iterable[tuple[Source, Sequence[Entry]]]) -> list[tuple[Source, Entry]]:
    """Captures of one feed (daily snapshots, oldest first) as the one timeline a
    monitor polling it would have seen: each entry once, by guid, as first captured,
    with the capture that first had it."""
    first: dict[str, tuple[Source, Entry]] = {}
    for source, entries in captures:
        for entry in entries:
            first.setdefault(entry.guid, (source, entry))
    return list(first.values())


def _when(entry: Entry, fallback: datetime) -> datetime:
    stamp = entry.published
    if stamp is None or (stamp.tzinfo is None) != (fallback.tzinfo is None):
        return fallback
    return stamp


def _match(
    events: Sequence[_Event],
    kind: str | None,
    area: tuple[str, ...],
    at: datetime,
    backdrop: str | None = None,
    follow_up: bool = False,
    window: timedelta = WINDOW,
) -> _Event | None:
    """The open event this entry belongs to, by the monitor's own correlation. An
    event last reported more than a window after the entry is another one too (a
    feed read at one moment can hold an entry older than the event it is matched to:
    ``match`` takes the window both ways)."""
    signal = Signal(kind or "", 0, area, at)
    found = match(
        signal,
        _as_incidents(events),
        window,
        any_kind=kind is None,
        backdrop=backdrop,
        follow_up=follow_up,
    )
    return None if found is None else events[found]


def _as_incidents(events: Iterable[_Event]) -> list[OpenIncident]:
    """The events as correlation sees open incidents, each's id its index."""
    return [
        OpenIncident(i, e.kind, e.severity, e.area, e.last_seen, e.confidence)
        for i, e in enumerate(events)
    ]


def _placed_as(
    regions: tuple[str, ...], area: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A follow-up happened where its event did: placed no more precisely than the
    event's area ("Ukraine" after a strike on Kyiv), it takes that area first. The
    regions and the evidence line, if any."""
    own = affected_area(regions)
    if set(own) == set(area) or not within(own, area):
        return regions, ()  # already there, or somewhere the event is not
    return tuple(dict.fromkeys((*area, *regions))), (f"placed as its event: {', '.join(area)}",)


def _by_name(
    events: Sequence[_Event],
    names: frozenset[str],
    verdict: Assessment,
    at: datetime,
    home: str | None,
    window: timedelta = WINDOW,
) -> _Event | None:
    """The open event, placed more precisely than the publisher's country and within
    the entry's own place, whose reports are told by one of the entry's names (the
    most recently seen one), for an entry placed no more precisely than that country.
    A follow-up needs a confident one (``rules.correlate.name_candidates``)."""
    kind = named_kind(verdict.kind)
    signal = Signal(kind or "", 0, affected_area(verdict.regions), at)
    candidates = name_candidates(
        signal,
        [i for i in _as_incidents(events) if names & events[i.id].names],
        window,
        any_kind=kind is None,
        backdrop=home,
        follow_up=not (verdict.tragedy and verdict.severity >= HOLD_SEVERITY),
    )
    found = latest(candidates)
    return None if found is None else events[found]


def read_together(
    entries: Sequence[Entry],
    assess: Callable[[Entry, datetime], Assessment],
    *,
    as_of: datetime | None = None,
    together: bool = True,
    coverage: Coverage | None = None,
    window: timedelta = WINDOW,
) -> list[Judged]:
    """Every entry judged, in the feed's order.

    With ``as_of``, every entry is judged at that moment and entries published after
    it are left out; the feed is read as one poll reads it, so a follow-up joins an
    event whichever of the two was published first. Without it, each entry is judged
    at its own publication time (entries without one at the newest time seen) and
    the feed is replayed in time order: a follow-up joins only an event already
    reported. With ``coverage``, an event's severity also rises as its share of the
    feed's entries makes it broadly felt: over the day before ``as_of``, or, replayed,
    over the day before each entry (entries before that moment keep theirs). An event
    is joined until ``window`` after its last report (the monitor's quiet time)."""
    newest = max((e.published for e in entries if e.published is not None), default=None)
    fallback = as_of or newest or _EPOCH
    visible = [e for e in entries if as_of is None or _when(e, as_of) <= as_of]
    seen = [_when(e, fallback) for e in visible]
    verdicts = [assess(e, as_of or seen[i]) for i, e in enumerate(visible)]
    events: list[_Event] = []
    found: dict[int, _Event] = {}
    by_time = sorted(range(len(visible)), key=lambda i: seen[i])
    timeline = sorted(seen)
    at_severity: dict[int, int] = {}
    told_by: dict[int, str] = {}
    placed_by: dict[int, _Event] = {}

    def widen(event: _Event, at: datetime) -> None:
        if coverage is None:
            return
        since = at - COVERAGE_WINDOW
        feed = bisect_right(timeline, at) - bisect_left(timeline, since)
        ours = sum(since <= t <= at for t in event.times)
        raised = coverage_severity(event.severity, ours, feed, coverage)
        if raised != event.severity:
            event.severity = raised
            event.dominant = f"{ours} of {feed} entries within a day: dominates the news"

    def holds(i: int) -> bool:
        return verdicts[i].tragedy and verdicts[i].severity >= HOLD_SEVERITY

    # One poll sees every entry at once: events first, then what follows them.
    order = (
        by_time
        if as_of is None
        else [
            *(i for i in by_time if holds(i)),
            *(i for i in by_time if not holds(i)),
        ]
    )
    known = story.feed_names(e.title for e in visible) if together else frozenset()
    for i in order if together else ():
        verdict, area = verdicts[i], affected_area(verdicts[i].regions)
        home = visible[i].home_country
        names = story.named(visible[i].title, known)
        vague = not area or (home is not None and area == (home,))
        by_name = (
            _by_name(events, names, verdict, seen[i], home, window) if vague and names else None
        )
        if by_name is not None and not holds(i):
            placed_by[i] = by_name  # placed by the name; only a report that holds joins by it
        if holds(i) and (area or by_name is not None):
            event = by_name or _match(events, verdict.kind, area, seen[i], window=window)
            if by_name is not None:
                shared = sorted(names & by_name.names)[0]
                told_by[i] = f"told by the name '{shared}', as its event is"
            if event is None:
                first = visible[i]
                event = _Event(first.guid, first.title, verdict.kind or "other", 0, area, seen[i])
                events.append(event)
            event.severity = max(event.severity, verdict.severity)
            event.confidence = max(event.confidence, verdict.confidence)
            event.names |= names
            event.last_seen = max(event.last_seen, seen[i])
            found[i] = event
        elif not area:
            continue
        elif verdict.follow_up:
            kind = named_kind(verdict.kind)
            event = _match(
                events, kind, area, seen[i], backdrop=home, follow_up=True, window=window
            )
            if event is None:
                continue
            event.last_seen = max(event.last_seen, seen[i])
            found[i] = event
        else:
            continue
        event.times.append(seen[i])
        if as_of is None:
            widen(event, seen[i])
            at_severity[i] = event.severity
    if as_of is not None:
        for event in events:
            widen(event, as_of)
    out = []
    for i, entry in enumerate(visible):
        verdict, event = verdicts[i], found.get(i)
        if event is None:
            if i in placed_by:
                near = placed_by[i]
                regions, placed = _placed_as(verdict.regions, near.area)
                line = f"placed by the name it shares with '{near.title[:80]}'"
                verdict = replace(verdict, regions=regions, evidence=(*verdict.evidence, line))
            out.append(Judged(entry, verdict))
            continue
        severity = at_severity.get(i, event.severity)
        # Broadly felt by coverage: said once on each entry it raised.
        widened = event.dominant is not None and severity > max(verdict.severity, HOLD_SEVERITY)
        extra = (event.dominant,) if widened and event.dominant else ()
        regions, placed = _placed_as(verdict.regions, event.area)
        if i in told_by:
            placed = (told_by[i], *placed)
        if not holds(i):
            verdict = replace(
                verdict,
                tragedy=True,
                kind=event.kind,
                severity=severity,
                confidence=max(verdict.confidence, 0.5),
                regions=regions,
                evidence=(*verdict.evidence, f"follows '{event.title[:80]}'", *placed, *extra),
            )
        elif widened or placed:
            verdict = replace(
                verdict,
                severity=max(verdict.severity, severity) if widened else verdict.severity,
                regions=regions,
                evidence=(*verdict.evidence, *placed, *extra),
            )
        out.append(Judged(entry, verdict, event.first))
    return out
