"""Incidents: declare, resolve, dismiss and expire them, holding and releasing posts.

An incident declared by a person and one built by the monitor go through the same
``open_incident`` path, so holds behave the same whichever way an incident starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler import audit, clock, holds
from scheduler.config import Settings
from scheduler.errors import Conflict, NotFound
from scheduler.models import INCIDENT_OPEN, Incident, User
from scheduler.posts import actor_name, resolve_regions
from scheduler.schemas import IncidentCreateSchema, IncidentEndSchema, load


@dataclass(frozen=True)
class Declared:
    incident: Incident
    fan_out: holds.FanOut


def declare(session: Session, settings: Settings, data: Any, user: User | None) -> Declared:
    """Record an incident and hold the posts it matches, in one transaction."""
    fields = load(IncidentCreateSchema(), data)
    regions = resolve_regions(fields["regions"])
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
    result = holds.fan_out(session, incident, settings.policy, actor)
    return Declared(incident, result)


def get_incident(session: Session, incident_id: int, *, lock: bool = False) -> Incident:
    query = select(Incident).where(Incident.id == incident_id)
    if lock:
        query = query.with_for_update()
    incident = session.scalar(query)
    if incident is None:
        raise NotFound("incident", incident_id)
    return incident


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
        holds.release_incident(
            session, incident_id, "incident expired", audit.SYSTEM, settings.late_grace_seconds
        )
    return ids


def list_incidents(
    session: Session, *, open_only: bool = False, limit: int = 200
) -> list[Incident]:
    query = select(Incident).order_by(Incident.first_seen.desc(), Incident.id.desc()).limit(limit)
    if open_only:
        query = query.where(Incident.status.in_(INCIDENT_OPEN))
    return list(session.scalars(query))


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
