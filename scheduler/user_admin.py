"""An admin changes a user's role; the last active admin keeps theirs.

Roles are read afresh on every request (``web.auth``), so a change takes effect on
the user's next page or API call without ending their sessions.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.errors import Conflict
from scheduler.models import ROLES, User
from scheduler.schemas import StrictSchema, load
from scheduler.users import get_user


class RoleChangeSchema(StrictSchema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class UserCreateSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=254))


def active_admins(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == "admin", User.active.is_(True))
        )
        or 0
    )


def change_role(session: Session, user_id: int, data: Any, actor: User | None) -> User:
    """Give a user another role. Demoting the last active admin is refused
    (``Conflict``): nobody could manage users, feeds or channels afterwards."""
    role = load(RoleChangeSchema(), data)["role"]
    user = get_user(session, user_id)
    if user.role == role:
        return user
    if user.role == "admin" and user.active and active_admins(session) <= 1:
        raise Conflict(f"{user.name} is the last active admin: make another admin first")
    before, user.role = user.role, role
    session.flush()
    audit.record(
        session,
        actor.name if actor is not None else audit.SYSTEM,
        "user.role_changed",
        "user",
        user.id,
        details={"role": [before, role]},
    )
    return user
