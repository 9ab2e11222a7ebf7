"""Users, passwords and API tokens.

Passwords are hashed with werkzeug's scrypt; API tokens are random, shown once, and
stored as their SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from scheduler import audit, clock
from scheduler.db import get_or_raise
from scheduler.errors import Conflict, NotFound, ValidationError
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
    if len(password) < MIN_PASSWORD:
        errors["password"] = [f"Must be at least {MIN_PASSWORD} characters."]
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
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("token", token_id)
    if row.revoked_at is not None:
        raise Conflict("token already revoked")
    row.revoked_at = clock.now()
    audit.record(session, actor, "token.revoked", "user", row.user_id, details={"token": row.name})
