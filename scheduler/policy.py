"""The hold policy in force: the configuration's ``[policy]`` table, with the lines an
admin changed in the app stored in the database on top.

An admin's change takes effect at once for the incidents already open: posts the
new line covers are held, posts it no longer covers are released (back to the
queue, or to review when their moment has passed), in the same transaction as the
change, which is audited with the old and new thresholds. Resetting a line goes
back to the configured value the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import RAISE, Schema, fields, validate, validates_schema
from marshmallow import ValidationError as MarshmallowError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rules.policy import CATEGORIES, HoldPolicy, Thresholds
from scheduler import audit, clock, holds, users
from scheduler.config import Settings
from scheduler.errors import NotFound, PermissionDenied
from scheduler.models import INCIDENT_OPEN, Incident, PolicyRule, User
from scheduler.schemas import load

MAX_SEVERITY = 4


def actor_name(user: User | None) -> str:
    return user.name if user is not None else audit.SYSTEM


@dataclass(frozen=True)
class Line:
    """One line of the policy table as the Rules page shows it."""

    category: str
    inside: int
    containing: int
    configured: Thresholds
    changed_by: str | None
    changed_at: datetime | None

    @property
    def overridden(self) -> bool:
        return self.changed_at is not None


@dataclass(frozen=True)
class Change:
    line: Line
    held: int
    released: int


class PolicyLineSchema(Schema):
    class Meta:
        unknown = RAISE

    inside = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(0, MAX_SEVERITY),
        metadata={
            "description": "lowest severity that holds a post aimed inside the area; 0 never"
        },
    )
    containing = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(0, MAX_SEVERITY),
        metadata={
            "description": "lowest severity that holds a post whose audience contains the area; "
            "0 never"
        },
    )
    reason = fields.String(load_default="", validate=validate.Length(max=500))

    @validates_schema
    def _broader_needs_more(self, data: dict[str, Any], **_: Any) -> None:
        inside, containing = data.get("inside"), data.get("containing")
        if inside is None or containing is None or containing == 0:
            return
        if inside == 0 or containing < inside:
            raise MarshmallowError(
                "a post aimed at a wider audience cannot be held at a lower severity than "
                "one aimed inside the area: use 0 (never) or a severity of at least "
                f"{inside or 1}",
                field_name="containing",
            )


def effective(session: Session, settings: Settings) -> HoldPolicy:
    """The policy in force now."""
    table = dict(settings.policy.table)
    for row in session.scalars(select(PolicyRule)):
        table[row.category] = Thresholds(row.inside, row.containing)
    return HoldPolicy(table)


def lines(session: Session, settings: Settings) -> list[Line]:
    stored = {row.category: row for row in session.scalars(select(PolicyRule))}
    out = []
    for category in CATEGORIES:
        configured = settings.policy.thresholds(category)
        row = stored.get(category)
        out.append(
            Line(
                category,
                row.inside if row else configured.inside,
                row.containing if row else configured.containing,
                configured,
                row.updated_by if row else None,
                row.updated_at if row else None,
            )
        )
    return out


def _line(session: Session, settings: Settings, category: str) -> Line:
    if category not in CATEGORIES:
        raise NotFound("post category", category)
    return next(line for line in lines(session, settings) if line.category == category)


def _admin(user: User | None) -> None:
    if user is not None and not users.has_role(user, "admin"):
        raise PermissionDenied("changing the hold policy needs the admin role")


def _reapply(
    session: Session, settings: Settings, policy: HoldPolicy, actor: str
) -> tuple[int, int]:
    """Hold and release what the open incidents cover under ``policy``."""
    held = released = 0
    for incident in session.scalars(
        select(Incident).where(Incident.status.in_(INCIDENT_OPEN)).order_by(Incident.id)
    ):
        facts = holds.incident_facts(incident)
        released += holds.release_incident(
            session,
            incident.id,
            "hold policy changed",
            actor,
            settings.late_grace_seconds,
            keep=holds.matching_posts(facts, policy),
        ).released
        held += holds.fan_out(session, incident, policy, actor).holds_created
    return held, released


def update(
    session: Session, settings: Settings, category: str, data: Any, user: User | None
) -> Change:
    """Set one line of the policy (admin only; ``None`` is the command line)."""
    _admin(user)
    before = _line(session, settings, category)
    fields_ = load(PolicyLineSchema(), data)
    actor = actor_name(user)
    row = session.get(PolicyRule, category)
    if row is None:
        row = PolicyRule(category=category)
        session.add(row)
    row.inside, row.containing = fields_["inside"], fields_["containing"]
    row.updated_by, row.updated_at = actor, clock.now()
    session.flush()
    return _changed(session, settings, before, actor, fields_["reason"] or None)


def reset(session: Session, settings: Settings, category: str, user: User | None) -> Change:
    """Go back to the configured line."""
    _admin(user)
    before = _line(session, settings, category)
    session.execute(delete(PolicyRule).where(PolicyRule.category == category))
    session.flush()
    return _changed(session, settings, before, actor_name(user), "back to the configuration")


def _changed(
    session: Session, settings: Settings, before: Line, actor: str, reason: str | None
) -> Change:
    after = _line(session, settings, before.category)
    if (before.inside, before.containing) == (after.inside, after.containing):
        return Change(after, 0, 0)
    held, released = _reapply(session, settings, effective(session, settings), actor)
    audit.record(
        session,
        actor,
        "policy.updated",
        "policy",
        None,
        reason,
        {
            "category": after.category,
            "inside": [before.inside, after.inside],
            "containing": [before.containing, after.containing],
            "holds_created": held,
            "holds_released": released,
        },
    )
    return Change(after, held, released)
