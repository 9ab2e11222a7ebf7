"""Time rules: retry backoff, lateness and where a released post goes.

Every function takes ``now`` (and any randomness) as an argument.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal


def retry_delay(attempt: int, base: float, maximum: float, jitter: float) -> float:
    """Seconds before retry number ``attempt`` (1 for the first retry).

    Exponential backoff capped at ``maximum``, with "equal jitter": half the step is
    fixed and half is scaled by ``jitter`` in [0, 1), so retries from many workers
    spread out but never come back sooner than half the step.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if not 0.0 <= jitter < 1.0:
        raise ValueError("jitter must be in [0, 1)")
    step: float = min(maximum, base * 2.0 ** (attempt - 1))
    return step / 2 + (step / 2) * jitter


def is_too_late(due_at: datetime, now: datetime, grace_seconds: int) -> bool:
    """A post whose due time passed more than the grace period ago must not go out."""
    return now - due_at > timedelta(seconds=grace_seconds)


def release_cutoff(now: datetime, grace_seconds: int) -> datetime:
    """Released posts due at or after this instant go back to the queue; earlier ones
    need a person's review."""
    return now - timedelta(seconds=grace_seconds)


def release_status(
    publish_at: datetime, now: datetime, grace_seconds: int
) -> Literal["queued", "needs_review"]:
    return "queued" if publish_at >= release_cutoff(now, grace_seconds) else "needs_review"


class LocalTimeError(ValueError):
    """A wall-clock time that does not exist in its zone (skipped by a DST change)."""


def localize(wall: datetime, zone: tzinfo) -> datetime:
    """The instant a person means by the naive ``wall`` time in ``zone``.

    09:00 Europe/Paris is 09:00 local on either side of a DST change. A time skipped
    by spring-forward raises ``LocalTimeError``; a time repeated by fall-back means
    its first occurrence (fold 0), which is what calendars do.
    """
    if wall.tzinfo is not None:
        raise ValueError("localize takes a naive wall-clock time")
    aware = wall.replace(tzinfo=zone, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != wall:
        raise LocalTimeError(f"{wall:%Y-%m-%d %H:%M} does not exist in {zone} (clocks skip it)")
    return aware.astimezone(UTC)
