"""The audit log: who did what, when, to which object, and why.

Append-only: this module only inserts and reads. Set-based changes (a hold fan-out
over thousands of posts) record one event per post with ``INSERT … SELECT``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from scheduler import clock
from scheduler.models import AuditEvent

SYSTEM = "system"


def record(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: int | None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    session.add(
        AuditEvent(
            at=at or clock.now(),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            reason=reason,
            details=details or {},
        )
    )


def record_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many events at once; each row has the AuditEvent column names."""
    if rows:
        session.execute(insert(AuditEvent), list(rows))


def record_from_select(session: Session, query: Select[*tuple[Any, ...]]) -> None:
    """``INSERT INTO audit_events (at, actor, action, object_type, object_id, reason,
    details) SELECT …``: ``query`` must yield those seven columns in that order."""
    columns = ["at", "actor", "action", "object_type", "object_id", "reason", "details"]
    session.execute(insert(AuditEvent).from_select(columns, query))


def list_events(
    session: Session,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[AuditEvent]:
    query = select(AuditEvent)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return list(session.scalars(query))
