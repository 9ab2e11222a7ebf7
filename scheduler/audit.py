"""The audit log: who did what, when, to which object, and why.

Append-only: this module only inserts and reads. Set-based changes record their
events with ``INSERT … SELECT``, or once per incident and rule for a hold fan-out
and its release, whose per-post record is the hold rows (``post_hold_events``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from scheduler import clock, pages
from scheduler.models import AuditEvent, Hold

SYSTEM = "system"


@dataclass
class Pending:
    """Events recorded by work that reads none of them back (a poll's incident
    work), held to go in together when the work is done (``write``): one INSERT
    instead of one at each flush on the way. In the order recorded, so they get the
    ids that recording them one by one would give."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def write(self, session: Session) -> None:
        record_many(session, self.rows)
        self.rows.clear()


def record(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: int | None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
    into: Pending | None = None,
) -> None:
    """Record one event, in the session's next flush; with ``into``, when that
    ``Pending`` is written."""
    row = {
        "at": at or clock.now(),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "reason": reason,
        "details": details or {},
    }
    if into is not None:
        into.rows.append(row)
    else:
        session.add(AuditEvent(**row))


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
    after: tuple[datetime, int] | None = None,
    offset: int = 0,
) -> list[AuditEvent]:
    """Events, newest first, ``offset`` of them skipped (paging). For one post, its holds and releases recorded once per
    incident and rule (a fan-out) are listed as that post's ``post.held`` and
    ``post.released`` events too (see ``post_hold_events``). ``after``: the sort key
    (``event_key``) of the last event already seen."""
    query = pages.after(select(AuditEvent), (AuditEvent.at, AuditEvent.id), after, descending=True)
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
    if object_type != "post" or object_id is None:
        return list(session.scalars(query.offset(offset).limit(limit)))
    # The derived events are merged in order, so the page is cut after merging.
    events = list(session.scalars(query.limit(offset + limit)))
    derived = [
        e
        for e in post_hold_events(session, object_id)
        if (not actor or e.actor == actor)
        and (not action or e.action.startswith(action))
        and (not since or e.at >= since)
        and (not until or e.at < until)
        and (after is None or _order(e) < after)
    ]
    # Newest first; a derived event takes the place of the event it comes from.
    merged = sorted(events + derived, key=_order, reverse=True)
    return merged[offset : offset + limit]


def event_key(event: AuditEvent) -> tuple[datetime, int]:
    """An event's place in the log, newest first (a derived event: the place of the
    event it comes from)."""
    return _order(event)


def _order(event: AuditEvent) -> tuple[datetime, int]:
    return event.at, event.id if event.id is not None else int(event.details["recorded_as"])


def post_hold_events(session: Session, post_id: int) -> list[AuditEvent]:
    """The post's holds and releases that were recorded once per incident and rule,
    as events of the post (not stored: built from its hold rows and the incident's
    event, which gives the actor; ``details.recorded_as`` names that event)."""
    out: list[AuditEvent] = []
    for per_post, incident_action, when in (
        ("post.held", "incident.posts_held", Hold.created_at),
        ("post.released", "incident.posts_released", Hold.released_at),
    ):
        rows = session.execute(
            select(Hold, AuditEvent)
            .join(
                AuditEvent,
                (AuditEvent.object_type == "incident")
                & (AuditEvent.object_id == Hold.incident_id)
                & (AuditEvent.action == incident_action)
                & (AuditEvent.at == when)
                & (AuditEvent.reason == Hold.rule),
            )
            .where(Hold.post_id == post_id)
        )
        for hold, source in rows:
            details: dict[str, Any] = {"incident_id": hold.incident_id, "recorded_as": source.id}
            if per_post == "post.released" and hold.release_reason:
                details["why"] = hold.release_reason
            out.append(
                AuditEvent(
                    at=source.at,
                    actor=source.actor,
                    action=per_post,
                    object_type="post",
                    object_id=post_id,
                    reason=hold.rule,
                    details=details,
                )
            )
    return out
