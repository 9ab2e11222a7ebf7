"""Incidents: declare, resolve, dismiss and expire them, holding and releasing posts.

An incident declared by a person and one built by the monitor go through the same
``open_incident`` path, so holds behave the same whichever way an incident starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, func, select, union_all, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from rules import story
from rules.correlate import (
    BROADLY_FELT,
    OpenIncident,
    Signal,
    affected_area,
    coverage_severity,
    latest,
    match,
    merged_regions,
    name_candidates,
    named_kind,
)
from rules.policy import HoldPolicy, HoldTarget, hold_targets
from scheduler import audit, clock, condolences, holds, pages
from scheduler import policy as hold_policy
from scheduler.config import Settings
from scheduler.db import MAX_ID, get_or_raise
from scheduler.errors import Conflict, NotFound, ValidationError
from scheduler.models import INCIDENT_OPEN, Feed, Incident, Report, User
from scheduler.posts import actor_name, resolve_regions
from scheduler.schemas import (
    IncidentAmendSchema,
    IncidentCreateSchema,
    IncidentEndSchema,
    load,
    load_collecting,
)


@dataclass(frozen=True)
class Declared:
    incident: Incident
    fan_out: holds.FanOut


def declare(session: Session, settings: Settings, data: Any, user: User | None) -> Declared:
    """Record an incident and hold the posts it matches, in one transaction."""
    fields = load(IncidentCreateSchema(), data)
    regions = list(affected_area(resolve_regions(fields["regions"])))
    now = clock.now()
    hours = fields["expires_in_hours"] or settings.incident_ttl_hours
    actor = actor_name(user)
    incident = Incident(
        kind=fields["kind"],
        title=fields["title"].strip(),
        severity=fields["severity"],
        regions=regions,
        status="active",
        source="manual",
        confidence=1.0,
        needs_review=False,
        first_seen=now,
        last_seen=now,
        expires_at=now + timedelta(hours=hours),
        created_by=actor,
    )
    session.add(incident)
    session.flush()
    audit.record(
        session,
        actor,
        "incident.declared",
        "incident",
        incident.id,
        incident.title,
        {"kind": incident.kind, "severity": incident.severity, "regions": regions},
    )
    result = holds.fan_out(session, incident, hold_policy.effective(session, settings), actor)
    condolences.prompt_for(session, settings, incident)
    return Declared(incident, result)


def get_incident(session: Session, incident_id: int, *, lock: bool = False) -> Incident:
    return get_or_raise(session, Incident, incident_id, "incident", lock=lock)


def end(
    session: Session,
    settings: Settings,
    incident_id: int,
    status: str,
    data: Any,
    user: User | None,
) -> holds.Release:
    """Resolve or dismiss an open incident and release its holds."""
    if status not in ("resolved", "dismissed"):
        raise ValueError(status)
    fields = load(IncidentEndSchema(), data or {})
    if not 0 <= incident_id <= MAX_ID:
        raise NotFound("incident", incident_id)
    actor = actor_name(user)
    now = clock.now()
    changed = session.execute(
        update(Incident)
        .where(Incident.id == incident_id, Incident.status.in_(INCIDENT_OPEN))
        .values(status=status, ended_at=now, ended_by=actor, end_reason=fields["reason"] or None)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not changed:
        incident = get_incident(session, incident_id)
        raise Conflict(f"incident {incident.id} is already {incident.status}")
    verb = "resolved" if status == "resolved" else "dismissed"
    audit.record(
        session, actor, f"incident.{verb}", "incident", incident_id, fields["reason"] or None
    )
    condolences.incident_ended(session, incident_id, status)
    return holds.release_incident(
        session, incident_id, f"incident {verb}", actor, settings.late_grace_seconds
    )


def expire_due(session: Session, settings: Settings) -> list[int]:
    """End every open incident whose expiry has passed; returns their ids."""
    now = clock.now()
    ids = list(
        session.scalars(
            select(Incident.id)
            .where(Incident.status.in_(INCIDENT_OPEN), Incident.expires_at <= now)
            .with_for_update(skip_locked=True)
        )
    )
    for incident_id in ids:
        session.execute(
            update(Incident)
            .where(Incident.id == incident_id, Incident.status.in_(INCIDENT_OPEN))
            .values(status="expired", ended_at=now, ended_by=audit.SYSTEM, end_reason="expired")
            .execution_options(synchronize_session=False)
        )
        audit.record(
            session, audit.SYSTEM, "incident.expired", "incident", incident_id, "expiry passed"
        )
        condolences.incident_ended(session, incident_id, "expired")
        holds.release_incident(
            session, incident_id, "incident expired", audit.SYSTEM, settings.late_grace_seconds
        )
    return ids


# Newest first: the keyset of the incident list (``scheduler.pages``).
LIST_ORDER = (Incident.first_seen, Incident.id)


def list_incidents(
    session: Session,
    *,
    open_only: bool = False,
    limit: int = 200,
    after: tuple[Any, ...] | None = None,
) -> list[Incident]:
    """Incidents, newest first; ``after``: the sort key of the last one already seen."""
    query = pages.after(select(Incident), LIST_ORDER, after, descending=True).limit(limit)
    if open_only:
        query = query.where(Incident.status.in_(INCIDENT_OPEN))
    return list(session.scalars(query))


def list_key(incident: Incident) -> tuple[Any, ...]:
    return incident.first_seen, incident.id


def held_counts(session: Session, incident_ids: list[int]) -> dict[int, int]:
    from sqlalchemy import func

    from scheduler.models import Hold

    if not incident_ids:
        return {}
    rows = session.execute(
        select(Hold.incident_id, func.count())
        .where(Hold.incident_id.in_(incident_ids), Hold.released_at.is_(None))
        .group_by(Hold.incident_id)
    )
    return {i: n for i, n in rows}


# ------------------------------------------------------------ from the monitor
# One statement for a poll's reports joined to incidents (an executemany).
_LINK = (
    update(cast(Table, Report.__table__))
    .where(Report.__table__.c.id == bindparam("report_id"))
    .values(incident_id=bindparam("incident_id"))
)


@dataclass
class ReportBatch:
    """The incident work of one poll's reports, within the poll's transaction: what
    can wait for one statement at the end, and what the transaction has already.

    - The reports joined to incidents are written together by ``write`` (one
      statement instead of an UPDATE per report); each report object shows its
      incident at once. They are also written before anything counts an
      incident's reports (``widen_by_coverage``); the caller writes the rest when
      its incident work is done.
    - The incidents whose rows the transaction has inserted or locked: locking one
      again would take no new lock and read what the transaction last wrote, so
      it is not sent again (``_locked_incident``). Kept loaded.
    - The hold policy, read at the batch's first fan-out and used for the poll's
      others (nothing in the poll changes it; on PostgreSQL a change another
      transaction commits meanwhile applies from the next poll).
    - What its condolence prompts know (``condolences.Prompts``).
    - The hold targets each incident was last fanned out with (``_fan_out``).
    - The open incidents, as correlation sees them (``open_facts``): read at the
      batch's first correlation, in id order, and kept up to date with what the
      batch opens and changes (``note``), instead of read again for each report
      (on PostgreSQL an incident another transaction opens meanwhile is seen from
      the next poll, as two polls running at once would each have missed it).
    """

    links: dict[int, int] = field(default_factory=dict)
    locked: dict[int, Incident] = field(default_factory=dict)
    policy: HoldPolicy | None = None
    prompts: condolences.Prompts = field(default_factory=condolences.Prompts)
    facts: dict[int, OpenIncident] | None = None
    audits: audit.Pending = field(default_factory=audit.Pending)
    fanned: dict[int, list[HoldTarget]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.prompts.audits = self.audits

    def open_facts(self, session: Session) -> list[OpenIncident]:
        if self.facts is None:
            self.facts = {f.id: f for f in open_incident_facts(session)}
        return list(self.facts.values())

    def note(self, incident: Incident) -> None:
        """The batch opened or changed ``incident``: correlation sees it as it is."""
        if self.facts is None:
            return
        if incident.is_open:
            self.facts[incident.id] = _facts_of(incident)
        else:
            self.facts.pop(incident.id, None)

    def write(self, session: Session) -> None:
        """Write what waits: the joins and the audit events."""
        self.write_links(session)
        self.audits.write(session)

    def write_links(self, session: Session) -> None:
        if self.links:
            rows = [{"report_id": r, "incident_id": i} for r, i in self.links.items()]
            session.execute(_LINK, rows)
            self.links.clear()


@contextmanager
def _within(session: Session, batch: ReportBatch | None) -> Iterator[ReportBatch]:
    """The caller's batch, or, for a call made alone, one of the call's own that is
    written when the call is done: one path for a poll and a single report."""
    if batch is not None:
        yield batch
        return
    own = ReportBatch()
    yield own
    own.write(session)


def _link(session: Session, report: Report, incident: Incident, batch: ReportBatch) -> None:
    """Join ``report`` to ``incident`` and flush the incident's changes (the next
    report's correlation reads them)."""
    set_committed_value(report, "incident_id", incident.id)
    batch.links[report.id] = incident.id
    session.flush()


def _locked_incident(session: Session, incident_id: int, batch: ReportBatch) -> Incident:
    """``get_incident(lock=True)``, or the incident already locked or inserted by
    this transaction as it is: no other transaction can have changed its row since,
    and the lock statement would leave a loaded object unchanged."""
    if incident_id not in batch.locked:
        batch.locked[incident_id] = get_incident(session, incident_id, lock=True)
    return batch.locked[incident_id]


def _policy(session: Session, settings: Settings, batch: ReportBatch) -> HoldPolicy:
    if batch.policy is None:
        batch.policy = hold_policy.effective(session, settings)
    return batch.policy


def _fan_out(
    session: Session, settings: Settings, incident: Incident, batch: ReportBatch
) -> holds.FanOut:
    """``holds.fan_out`` for the monitor, skipped when this batch has fanned the
    incident out already with the same targets: the posts are as that fan-out left
    them (the poll changes none), so it would hold nothing more. A further report
    of a large event saves a pass over every post in its area. (A post another
    transaction queues in between, before the incident is committed, is now held
    when the publisher claims it, which judges every due post against the open
    incidents, as was already so for one queued after the last fan-out.)"""
    policy = _policy(session, settings, batch)
    targets = hold_targets(holds.incident_facts(incident), policy)
    if batch.fanned.get(incident.id) == targets:
        return holds.FanOut(0, 0)
    batch.fanned[incident.id] = targets
    return holds.fan_out(session, incident, policy, audit.SYSTEM, batch.audits)


def open_incident_facts(session: Session) -> list[OpenIncident]:
    """The open incidents as correlation reads them, in id order (the order decides
    between incidents seen at the same moment, ``rules.correlate.match``)."""
    rows = session.execute(
        select(
            Incident.id,
            Incident.kind,
            Incident.severity,
            Incident.regions,
            Incident.last_seen,
            Incident.confidence,
        )
        .where(Incident.status.in_(INCIDENT_OPEN))
        .order_by(Incident.id)
    )
    return [OpenIncident(i, k, s, tuple(r), seen, c) for i, k, s, r, seen, c in rows]


def _facts_of(incident: Incident) -> OpenIncident:
    return OpenIncident(
        incident.id,
        incident.kind,
        incident.severity,
        tuple(incident.regions),
        incident.last_seen,
        incident.confidence,
    )


def widen_by_coverage(
    session: Session,
    settings: Settings,
    incident: Incident,
    report: Report,
    batch: ReportBatch | None = None,
) -> dict[str, Any]:
    """Raise a regional tragedy to broadly felt when it dominates the news: its
    reports make up the configured share of what the report's news feed carried
    within the coverage window. Returns the changes made (none, or the severity and
    the counts that decided), for the audit record. The ``batch``'s reports not
    yet joined in the database are joined first, so that they are counted."""
    coverage = settings.broad_coverage
    if coverage.share <= 0 or incident.severity != BROADLY_FELT - 1:
        return {}
    if batch is not None:
        batch.write_links(session)
    since = clock.now() - timedelta(hours=settings.broad_coverage_hours)
    row = session.execute(
        select(func.count(), func.sum(case((Report.incident_id == incident.id, 1), else_=0)))
        .select_from(Report)
        .join(Feed, Feed.id == Report.feed_id)
        .where(Report.feed_id == report.feed_id, Report.seen_at >= since, Feed.kind == "news")
    ).one()
    feed_reports, event_reports = int(row[0] or 0), int(row[1] or 0)
    raised = coverage_severity(incident.severity, event_reports, feed_reports, coverage)
    if raised == incident.severity:
        return {}
    changes = {
        "severity": [incident.severity, raised],
        "coverage": f"{event_reports} of {feed_reports} reports of the feed within "
        f"{settings.broad_coverage_hours:g} h",
    }
    incident.severity = raised
    return changes


def record_report(
    session: Session,
    settings: Settings,
    report: Report,
    batch: ReportBatch | None = None,
    *,
    home_country: str | None = None,
) -> Incident | None:
    """Open an incident for a stored tragedy report, or widen the one it belongs to,
    and hold the posts it matches. Returns the incident, or ``None`` when the report
    is below the incident threshold or names no place to hold posts for.

    A report placed no more precisely than ``home_country``, its publisher's country,
    or placed nowhere, first joins an open incident placed more precisely, within the
    report's own place, that it shares a name with ("Brown University", ``rules.story``,
    ``_told_by``): "Brown University suspect found dead" in a US paper is news of the
    Providence shooting, not a tragedy of the whole country, and a report that names
    no place still keeps its event's posts held.

    A low-confidence report still opens an incident that holds (fail safe), marked
    for review; a person confirms or dismisses it. With a ``batch``, the report's
    row is joined to its incident when the caller writes the batch (``ReportBatch``);
    without one, before the call returns.
    """
    with _within(session, batch) as work:
        return _record_report(session, settings, report, work, home_country)


def _record_report(
    session: Session,
    settings: Settings,
    report: Report,
    batch: ReportBatch,
    home_country: str | None,
) -> Incident | None:
    area = affected_area(report.regions)
    if not report.tragedy or report.severity < settings.incident_min_severity:
        return None
    now = clock.now()
    quiet = timedelta(hours=settings.incident_quiet_hours)
    window = timedelta(hours=settings.correlation_window_hours)
    signal = Signal(report.kind or "other", report.severity, area, now)
    told: tuple[int, str] | None = None
    if not area or (home_country is not None and area == (home_country,)):
        told = _told_by(session, settings, report, signal, window, home_country, batch)
    if told is None and not area:
        return None
    found = told[0] if told else match(signal, batch.open_facts(session), window)
    evidence = {"report_id": report.id, "evidence": list(report.evidence)[:10], "link": report.link}
    if told is not None:
        evidence["told_by"] = told[1]
    if found is None:
        incident = Incident(
            kind=report.kind or "other",
            title=report.title[:500],
            severity=report.severity,
            regions=list(area),
            status="active",
            source="monitor",
            confidence=report.confidence,
            needs_review=report.confidence < settings.review_below_confidence,
            first_seen=now,
            last_seen=now,
            expires_at=now + quiet,
            created_by=audit.SYSTEM,
        )
        session.add(incident)
        session.flush()
        batch.locked[incident.id] = incident
        batch.prompts.drafts[incident.id] = None  # new: nobody has prompted for it
        audit.record(
            session,
            audit.SYSTEM,
            "incident.opened",
            "incident",
            incident.id,
            "; ".join(report.evidence[:3]) or report.title[:200],
            {
                **evidence,
                "severity": incident.severity,
                "regions": list(area),
                "needs_review": incident.needs_review,
            },
            into=batch.audits,
        )
    else:
        incident = _locked_incident(session, found, batch)
        widened = merged_regions(tuple(incident.regions), area)
        changes: dict[str, list[Any]] = {}
        if report.severity > incident.severity:
            changes["severity"] = [incident.severity, report.severity]
            incident.severity = report.severity
        if set(widened) != set(incident.regions):
            changes["regions"] = [list(incident.regions), list(widened)]
            incident.regions = list(widened)
        incident.last_seen = now
        incident.expires_at = max(incident.expires_at, now + quiet)
        incident.confidence = max(incident.confidence, report.confidence)
        audit.record(
            session,
            audit.SYSTEM,
            "incident.updated" if changes else "incident.reported",
            "incident",
            incident.id,
            "a further report of the same event"
            + (f", told by the name '{told[1]}'" if told else ""),
            {**evidence, **changes},
            into=batch.audits,
        )
    _link(session, report, incident, batch)
    _record_coverage(session, settings, incident, report, batch)
    batch.note(incident)
    _fan_out(session, settings, incident, batch)
    condolences.prompt_for(session, settings, incident, batch.prompts)
    return incident


def _told_by(
    session: Session,
    settings: Settings,
    report: Report,
    signal: Signal,
    window: timedelta,
    home_country: str | None,
    batch: ReportBatch,
) -> tuple[int, str] | None:
    """The open incident a vaguely placed tragedy report is told of by a name, and
    the name: among the incidents ``rules.correlate.name_candidates`` allows, the most
    recently seen one whose title or held reports' titles share a name with the
    report's. Reads the titles only when some incident is a candidate."""
    candidates = name_candidates(
        signal,
        batch.open_facts(session),
        window,
        any_kind=named_kind(report.kind) is None,
        backdrop=home_country,
    )
    if not candidates:
        return None
    titles = _told_titles(session, settings, [c.id for c in candidates], batch)
    names = {c.id: story.shared(report.title, titles.get(c.id, ())) for c in candidates}
    found = latest(c for c in candidates if names[c.id])
    return None if found is None else (found, sorted(names[found])[0])


def _told_titles(
    session: Session, settings: Settings, ids: list[int], batch: ReportBatch
) -> dict[int, list[str]]:
    """Each incident's title and the titles of the reports that held with it."""
    batch.write_links(session)  # the batch's joins count too
    own = select(Incident.id, Incident.title).where(Incident.id.in_(ids))
    held = select(Report.incident_id, Report.title).where(
        Report.incident_id.in_(ids),
        Report.tragedy.is_(True),
        Report.severity >= settings.incident_min_severity,
    )
    out: dict[int, list[str]] = {}
    rows: list[Any] = list(session.execute(union_all(own, held)))
    for row in rows:
        out.setdefault(int(row[0]), []).append(str(row[1]))
    return out


def _record_coverage(
    session: Session,
    settings: Settings,
    incident: Incident,
    report: Report,
    batch: ReportBatch,
) -> bool:
    """Widen by coverage after ``report`` joined ``incident``; audited. True when
    the severity rose (the caller then holds what the wider policy covers)."""
    changes = widen_by_coverage(session, settings, incident, report, batch)
    if changes:
        audit.record(
            session,
            audit.SYSTEM,
            "incident.updated",
            "incident",
            incident.id,
            "the event dominates the news: broadly felt",
            {"report_id": report.id, **changes},
            into=batch.audits,
        )
    return bool(changes)


def record_follow_up(
    session: Session,
    settings: Settings,
    report: Report,
    kind: str | None,
    home_country: str | None = None,
    batch: ReportBatch | None = None,
) -> Incident | None:
    """Join a report that does not open an incident alone, but is told like news of
    one (``Assessment.follow_up``: a vigil, victims named, a suspect charged), to the
    open incident of a compatible kind whose area overlaps its own and whose confidence
    reaches ``rules.correlate.FOLLOW_UP_CONFIDENCE``; never through
    ``home_country``, the publisher's, alone (``rules.correlate.match``). The incident's
    quiet time is extended; its area is left as it is, and its severity rises only
    when the event's coverage makes it broadly felt (``widen_by_coverage``). Returns
    the incident, or ``None`` when none matches (a follow-up never opens one).
    ``batch`` as for ``record_report``: the open incidents are the ones it knows."""
    with _within(session, batch) as work:
        return _record_follow_up(session, settings, report, kind, home_country, work)


def _record_follow_up(
    session: Session,
    settings: Settings,
    report: Report,
    kind: str | None,
    home_country: str | None,
    batch: ReportBatch,
) -> Incident | None:
    area = affected_area(report.regions)
    open_now = batch.open_facts(session)
    if not area or not open_now:
        return None
    now = clock.now()
    signal = Signal(kind or "", 0, area, now)
    found = match(
        signal,
        open_now,
        timedelta(hours=settings.correlation_window_hours),
        any_kind=kind is None,
        backdrop=home_country,
        follow_up=True,
    )
    if found is None:
        return None
    incident = _locked_incident(session, found, batch)
    incident.last_seen = now
    quiet = timedelta(hours=settings.incident_quiet_hours)
    incident.expires_at = max(incident.expires_at, now + quiet)
    audit.record(
        session,
        audit.SYSTEM,
        "incident.reported",
        "incident",
        incident.id,
        "a follow-up of the same event",
        {"report_id": report.id, "evidence": list(report.evidence)[:10], "link": report.link},
        into=batch.audits,
    )
    _link(session, report, incident, batch)
    raised = _record_coverage(session, settings, incident, report, batch)
    batch.note(incident)
    if raised:
        _fan_out(session, settings, incident, batch)
        condolences.prompt_for(session, settings, incident, batch.prompts)
    return incident


# ---------------------------------------------------------------- staff actions
def confirm(session: Session, incident_id: int, user: User | None) -> Incident:
    """A person confirms an incident the monitor marked for review."""
    incident = get_incident(session, incident_id, lock=True)
    if incident.status != "active":
        raise Conflict(f"incident {incident.id} is {incident.status}")
    incident.status = "confirmed"
    incident.needs_review = False
    audit.record(session, actor_name(user), "incident.confirmed", "incident", incident.id)
    return incident


def amend(
    session: Session, settings: Settings, incident_id: int, data: Any, user: User | None
) -> Incident:
    """Change an open incident's title, kind, severity, regions or expiry. Newly
    matching posts are held; posts the incident no longer matches are released."""
    # Every bad field is named at once, the regions too.
    fields, errors = load_collecting(IncidentAmendSchema(), data)
    regions: list[str] | None = None
    if "regions" in fields:
        try:
            regions = list(affected_area(resolve_regions(fields["regions"])))
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    if not fields:
        raise ValidationError.single("_schema", "Nothing to change.")
    incident = get_incident(session, incident_id, lock=True)
    if not incident.is_open:
        raise Conflict(f"incident {incident.id} is {incident.status}")
    actor = actor_name(user)
    changes: dict[str, Any] = {}
    if regions is not None and regions != list(incident.regions):
        changes["regions"] = [list(incident.regions), regions]
        incident.regions = regions
    if "title" in fields and fields["title"].strip() != incident.title:
        changes["title"] = [incident.title, fields["title"].strip()]
        incident.title = fields["title"].strip()
    if "kind" in fields and fields["kind"] != incident.kind:
        changes["kind"] = [incident.kind, fields["kind"]]
        incident.kind = fields["kind"]
    if "severity" in fields and fields["severity"] != incident.severity:
        changes["severity"] = [incident.severity, fields["severity"]]
        incident.severity = fields["severity"]
    if "extend_hours" in fields:
        before = incident.expires_at
        incident.expires_at = max(incident.expires_at, clock.now()) + timedelta(
            hours=fields["extend_hours"]
        )
        changes["expires_at"] = [before.isoformat(), incident.expires_at.isoformat()]
    if not changes:
        return incident
    session.flush()
    audit.record(
        session,
        actor,
        "incident.amended",
        "incident",
        incident.id,
        fields.get("reason") or None,
        changes,
    )
    facts = holds.incident_facts(incident)
    rules = hold_policy.effective(session, settings)
    holds.release_incident(
        session,
        incident.id,
        "incident narrowed",
        actor,
        settings.late_grace_seconds,
        keep=holds.matching_posts(facts, rules),
    )
    holds.fan_out(session, incident, rules, actor)
    condolences.prompt_for(session, settings, incident)
    return incident


def reports_for(session: Session, incident_id: int) -> list[Report]:
    return list(
        session.scalars(
            select(Report).where(Report.incident_id == incident_id).order_by(Report.seen_at)
        )
    )
