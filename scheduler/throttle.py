"""Login throttling per account and per client address, kept in the database.

Why the database and not Flask-Limiter: its in-memory storage is per process, so
four gunicorn workers would allow four times the guesses (and a restart forgets
them); its shared storages need Redis or Memcached, a service tactful does not
otherwise need. Every web process already shares the database, whose row locks
(``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) make the
counts exact across processes and machines.

A key (``account:NAME``, ``address:IP``) counts failed logins in a fixed window;
at the limit further attempts are refused until the window ends — even with the
right password, or a guesser could keep trying. The audit log gets one
``login.throttled`` event when a key reaches its limit, and one
``login.throttled_total`` with the number of refused attempts when its window ends,
never one row per guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scheduler import audit, clock
from scheduler.config import LoginLimits
from scheduler.models import LoginThrottle

KEY_LENGTH = 200


@dataclass(frozen=True)
class Limit:
    key: str
    allowed: int


def limits_for(limits: LoginLimits, name: str, address: str | None) -> list[Limit]:
    """The keys one login attempt counts against."""
    keys = [Limit(f"account:{name.strip().lower()}"[:KEY_LENGTH], limits.per_account)]
    if address:
        keys.append(Limit(f"address:{address}"[:KEY_LENGTH], limits.per_address))
    return keys


def _row(session: Session, key: str, now: datetime) -> LoginThrottle:
    """The key's row, created if missing, locked for this transaction."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(LoginThrottle)
        .values(key=key, failures=0, window_start=now, refused=0)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    row = session.scalar(
        select(LoginThrottle)
        .where(LoginThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


def _current(session: Session, row: LoginThrottle, now: datetime, window: timedelta) -> None:
    """Start a new window when the row's has ended, auditing what it refused."""
    if row.window_start + window > now:
        return
    if row.refused:
        audit.record(
            session,
            audit.SYSTEM,
            "login.throttled_total",
            "user",
            None,
            f"{row.refused} login attempts refused while throttled",
            {"key": row.key, "refused": row.refused, "since": row.window_start.isoformat()},
        )
    row.failures = 0
    row.refused = 0
    row.window_start = now


def retry_after(session: Session, limits: LoginLimits, keys: Sequence[Limit]) -> int | None:
    """Seconds until an attempt on ``keys`` may be made, or ``None`` when it may be
    made now. A refused attempt is counted (not audited one by one)."""
    now = clock.now()
    window = timedelta(seconds=limits.window_seconds)
    wait: float | None = None
    for limit in keys:
        row = _row(session, limit.key, now)
        _current(session, row, now, window)
        if row.failures >= limit.allowed:
            row.refused += 1
            left = (row.window_start + window - now).total_seconds()
            wait = max(wait or 0.0, left)
    return None if wait is None else max(1, int(wait + 0.999))


# Ended windows cleared per failed login: guesses at made-up names must not grow the
# table without bound.
PRUNE_BATCH = 100


def prune(session: Session, limits: LoginLimits, now: datetime) -> None:
    """Delete rows whose window has ended (auditing what they refused first): they
    no longer limit anything."""
    ended = now - timedelta(seconds=limits.window_seconds)
    session.flush()  # sessions do not autoflush: windows restarted just now must count
    stale = list(
        session.scalars(
            select(LoginThrottle)
            .where(LoginThrottle.window_start <= ended)
            .order_by(LoginThrottle.window_start)
            .limit(PRUNE_BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    for row in stale:
        _current(session, row, now, timedelta(seconds=limits.window_seconds))
        session.delete(row)


def failed(session: Session, limits: LoginLimits, keys: Sequence[Limit], name: str) -> None:
    """Count a failed login on every key; audit the key that reaches its limit."""
    now = clock.now()
    window = timedelta(seconds=limits.window_seconds)
    prune(session, limits, now)
    for limit in keys:
        row = _row(session, limit.key, now)
        _current(session, row, now, window)
        row.failures += 1
        if row.failures == limit.allowed:
            audit.record(
                session,
                name[:80] or "?",
                "login.throttled",
                "user",
                None,
                f"{row.failures} failed logins within {limits.window_seconds} s",
                {"key": limit.key, "until": (row.window_start + window).isoformat()},
            )


def succeeded(session: Session, limits: LoginLimits, keys: Sequence[Limit]) -> None:
    """A successful login clears its account's count (the address keeps its own)."""
    now = clock.now()
    for limit in keys:
        if limit.key.startswith("account:"):
            row = _row(session, limit.key, now)
            _current(session, row, now, timedelta(seconds=limits.window_seconds))
            row.failures = 0
