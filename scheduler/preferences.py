"""A person's own settings: the time zone the dashboard and calendar show times in.

A user with no zone of their own follows the configuration's
``web.default_timezone``, so changing the default moves everyone who never chose.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from marshmallow import fields, validate
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.config import Settings
from scheduler.errors import ValidationError
from scheduler.models import User
from scheduler.schemas import StrictSchema, load

# Names the zone database answers to that name no place: the machine's own zone
# (different on every server) and tzdata's placeholder.
_NOT_PLACES = {"localtime", "Factory"}


@cache
def known_zones() -> tuple[str, ...]:
    """Every IANA zone name a person may choose, sorted."""
    return tuple(sorted(available_timezones() - _NOT_PLACES))


def is_known_zone(name: str) -> bool:
    return name in set(known_zones())


def zone_of(user: User | None, settings: Settings) -> str:
    """The zone ``user`` sees times in: their own, else the configured default."""
    if user is not None and user.timezone:
        return user.timezone
    return settings.default_timezone


def zone_info(user: User | None, settings: Settings) -> ZoneInfo:
    return ZoneInfo(zone_of(user, settings))


class PreferencesSchema(StrictSchema):
    """What a person may set for themselves. ``timezone`` null (or empty) goes back
    to the configured default."""

    timezone = fields.String(
        required=True,
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={
            "openapi": {
                "type": ["string", "null"],
                "maxLength": 64,
                "description": "IANA time zone; null follows the configured default",
                "examples": ["Europe/Paris"],
            }
        },
    )


def set_timezone(session: Session, user_id: int, data: Any) -> User:
    """Set the user's own zone from ``{"timezone": NAME | null | ""}``; an unknown
    name is refused naming ``timezone``. Audited when it changes."""
    values = load(PreferencesSchema(), data)
    raw = values["timezone"]
    zone = raw.strip() if isinstance(raw, str) else None
    if zone and not is_known_zone(zone):
        raise ValidationError.single(
            "timezone", f"Unknown time zone {zone!r}: use an IANA name such as 'Europe/Paris'."
        )
    user = session.get(User, user_id)
    if user is None:  # the signed-in user was just checked; only a race gets here
        raise ValidationError.single("timezone", "Your account no longer exists.")
    new = zone or None
    if user.timezone != new:
        audit.record(
            session,
            user.name,
            "user.timezone_changed",
            "user",
            user.id,
            details={"from": user.timezone, "to": new},
        )
        user.timezone = new
    return user
