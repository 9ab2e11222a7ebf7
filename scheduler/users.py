"""Users, passwords and API tokens, and their lifecycle: deactivate and reactivate
users, change and reset passwords, list and revoke tokens.

Passwords are hashed with werkzeug's scrypt; API tokens are random, shown once, and
stored as their SHA-256. Every change that must end a user's sessions (logout, a
password change or reset, deactivation) raises ``User.session_generation``, which
the web app checks on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from scheduler import audit, clock, pages
from scheduler.db import MAX_ID, get_or_raise
from scheduler.errors import Conflict, NotFound, PermissionDenied, ValidationError
from scheduler.models import ROLES, ApiToken, User

TOKEN_PREFIX = "tft_"  # noqa: S105 - a prefix, not a secret
MIN_PASSWORD = 10


@cache
def _dummy_hash() -> str:
    """Checked against when a name is unknown, so a login takes as long either way.
    Made on first use: workers never log anyone in and need not pay for it."""
    return generate_password_hash("not-a-real-password-0")


ROLE_RANK = {"manager": 1, "approver": 2, "admin": 3}


def has_role(user: User, needed: str) -> bool:
    """Roles are ordered: an admin can do what an approver can, who can do what a
    manager can."""
    return ROLE_RANK.get(user.role, 0) >= ROLE_RANK[needed]


def create_user(
    session: Session,
    name: str,
    password: str,
    role: str,
    actor: str = audit.SYSTEM,
    email: str | None = None,
) -> User:
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name or len(name) > 80 or not all(c.isalnum() or c in "._-@" for c in name):
        errors["name"] = ["Use 1-80 letters, digits, '.', '_', '-' or '@'."]
    if role not in ROLES:
        errors["role"] = [f"Must be one of: {', '.join(ROLES)}."]
    problem = password_problem(password)
    if problem:
        errors["password"] = [problem]
    if email is not None and (len(email) > 254 or "@" not in email.strip(" @")):
        errors["email"] = ["Not an email address."]
    if errors:
        raise ValidationError(errors)
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise ValidationError.single("name", f"A user named {name!r} already exists.")
    user = User(
        name=name,
        password_hash=generate_password_hash(password),
        email=email.strip() if email else None,
        role=role,
        active=True,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.created", "user", user.id, details={"role": role})
    return user


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"Must be at least {MIN_PASSWORD} characters."
    if len(password) > 1000:
        return "Must be at most 1000 characters."
    return None


def authenticate(session: Session, name: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        audit.record(session, name[:80] or "?", "login.failed", "user", None, "unknown user")
        return None
    if not user.active or not check_password_hash(user.password_hash, password):
        audit.record(session, user.name, "login.failed", "user", user.id, "wrong password")
        return None
    audit.record(session, user.name, "login.succeeded", "user", user.id)
    return user


def get_user(session: Session, user_id: int) -> User:
    return get_or_raise(session, User, user_id, "user")


def user_by_name(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound("user", name)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, name: str, actor: str = audit.SYSTEM) -> str:
    """Create an API token for ``user`` and return it; only its hash is stored."""
    if not name.strip():
        raise ValidationError.single("name", "A token needs a name.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, name=name.strip()[:80], token_hash=_digest(token), created_at=clock.now()
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "token.created", "user", user.id, details={"token": row.name})
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    row.last_used_at = clock.now()
    return row.user


def revoke_token(session: Session, token_id: int, actor: str) -> None:
    row = get_or_raise(session, ApiToken, token_id, "token")
    if row.revoked_at is not None:
        raise Conflict("token already revoked")
    row.revoked_at = clock.now()
    audit.record(session, actor, "token.revoked", "user", row.user_id, details={"token": row.name})


def list_users(
    session: Session,
    *,
    active: bool | None = None,
    role: str | None = None,
    limit: int | None = None,
    after: tuple[Any, ...] | None = None,
) -> list[User]:
    """Users by name; ``after``: the name (a 1-tuple) of the last user already seen."""
    query = pages.after(select(User), (User.name,), after, descending=False).limit(limit)
    if active is not None:
        query = query.where(User.active.is_(active))
    if role is not None:
        query = query.where(User.role == role)
    return list(session.scalars(query))


def end_sessions(session: Session, user: User) -> None:
    """End every session of ``user``, on every device (API tokens are not sessions)."""
    user.session_generation += 1
    session.flush()


def log_out(session: Session, user: User) -> None:
    end_sessions(session, user)
    audit.record(session, user.name, "logout", "user", user.id, "every session ended")


def set_active(session: Session, user_id: int, active: bool, actor: User | None) -> User:
    """Deactivate (ending every session; tokens stop working) or reactivate a user.
    An admin cannot deactivate themselves. Raises ``Conflict`` when nothing changes."""
    user = get_user(session, user_id)
    if actor is not None and actor.id == user.id and not active:
        raise PermissionDenied("you cannot deactivate yourself; ask another admin")
    if user.active == active:
        raise Conflict(f"user {user.name} is already {'active' if active else 'inactive'}")
    user.active = active
    if not active:
        end_sessions(session, user)
    action = "user.reactivated" if active else "user.deactivated"
    audit.record(session, actor.name if actor else audit.SYSTEM, action, "user", user.id)
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """A user changes their own password, giving the current one. Ends every
    session of theirs (the caller starts a fresh one for the person asking)."""
    if not check_password_hash(user.password_hash, current):
        raise ValidationError.single("current_password", "Wrong password.")
    problem = password_problem(new)
    if problem:
        raise ValidationError.single("new_password", problem)
    user.password_hash = generate_password_hash(new)
    end_sessions(session, user)
    audit.record(session, user.name, "user.password_changed", "user", user.id)


def reset_password(session: Session, user_id: int, new: str, actor: User | None) -> User:
    """An admin (or the operator at the command line) sets a user's password. Ends
    every session of that user."""
    problem = password_problem(new)
    if problem:
        raise ValidationError.single("password", problem)
    user = get_user(session, user_id)
    user.password_hash = generate_password_hash(new)
    end_sessions(session, user)
    audit.record(
        session, actor.name if actor else audit.SYSTEM, "user.password_reset", "user", user.id
    )
    return user


def list_tokens(
    session: Session,
    user_id: int | None = None,
    *,
    active: bool | None = None,
    limit: int | None = None,
    after: tuple[Any, ...] | None = None,
) -> list[ApiToken]:
    """API tokens, newest first (revoked ones too unless ``active``), of one user or
    of everyone; ``after``: the id (a 1-tuple) of the last token already seen."""
    query = pages.after(select(ApiToken), (ApiToken.id,), after, descending=True).limit(limit)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    if active is True:
        query = query.where(ApiToken.revoked_at.is_(None))
    elif active is False:
        query = query.where(ApiToken.revoked_at.is_not(None))
    return list(session.scalars(query))


def revoke_token_as(session: Session, token_id: int, actor: User) -> ApiToken:
    """Revoke a token: one's own, or anyone's for an admin (another user's token is
    "not found" to a non-admin, so ids cannot be probed)."""
    row = session.get(ApiToken, token_id) if 0 <= token_id <= MAX_ID else None
    if row is None or (row.user_id != actor.id and not has_role(actor, "admin")):
        raise NotFound("token", token_id)
    revoke_token(session, token_id, actor.name)
    return row
