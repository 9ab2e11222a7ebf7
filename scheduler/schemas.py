"""marshmallow schemas for input at every door (web form, JSON API, CLI).

Schemas check shape and types and name the field in every error; the services then
check what needs the database (channels exist, text fits each channel, the time is
ahead). Unknown fields are rejected, so a typo never silently does nothing.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import RAISE, Schema, fields, pre_load, validate
from marshmallow import ValidationError as MarshmallowError

from scheduler import pagination
from scheduler.db import MAX_ID
from scheduler.errors import ValidationError
from scheduler.models import POST_CATEGORIES, POST_STATUSES

INCIDENT_KINDS = (
    "earthquake",
    "tsunami",
    "flood",
    "storm",
    "hurricane",
    "tornado",
    "wildfire",
    "volcano",
    "heatwave",
    "landslide",
    "shooting",
    "stabbing",
    "terror",
    "bombing",
    "explosion",
    "war",
    "crash",
    "collapse",
    "fire",
    "accident",
    "other",
)
# MAX_ID (from scheduler.db) bounds ids and offsets: a larger number must be a 4xx
# naming its field, never an overflow in SQL.
# Times outside these years cannot be a publish time, and near year 9999 adding an
# offset overflows Python's datetime.
MIN_YEAR, MAX_YEAR = 1970, 2999
NUL_MESSAGE = "Must not contain NUL (\\0) characters."
SURROGATE_MESSAGE = "Must be valid Unicode (a lone surrogate is not)."
_DATE_ONLY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
_LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text on every database, or ``None``:
    PostgreSQL refuses NUL, and no database driver encodes a lone surrogate."""
    if "\x00" in value:
        return NUL_MESSAGE
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def bad_text(data: Any) -> dict[str, list[str]]:
    """Every field of a decoded JSON object (or a form) holding text that cannot be
    stored, anywhere inside it (keys too): ``{top-level field: [message]}``; a bad
    top-level key, or a body that is itself bad text, is named ``_schema``."""
    errors: dict[str, list[str]] = {}

    def walk(value: Any, name: str) -> None:
        if isinstance(value, str):
            problem = text_problem(value)
            if problem and problem not in errors.get(name, []):
                errors.setdefault(name, []).append(problem)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key, name)
                walk(item, name)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item, name)

    if isinstance(data, dict):
        for key, value in data.items():
            name = str(key) if isinstance(key, str) and not text_problem(key) else "_schema"
            walk(key, "_schema")
            walk(value, name)
    else:
        walk(data, "_schema")
    return errors


def check_year(moment: datetime) -> datetime:
    """``moment``, or a marshmallow error when its year is out of range."""
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise MarshmallowError(f"Give a time between the years {MIN_YEAR} and {MAX_YEAR}.")
    return moment


class TimeZoneField(fields.String):
    """An IANA time zone name (``Europe/Paris``); loads as the name."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        name = super()._deserialize(value, attr, data, **kwargs)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise MarshmallowError(f"Unknown IANA time zone {name!r}.") from None
        return name


class WallTimeField(fields.Field[datetime]):
    """A publish time: ``YYYY-MM-DDTHH:MM[:SS]`` (wall-clock, in the post's zone) or a
    full ISO 8601 timestamp with an offset. A bare date is refused: midnight is never
    what someone scheduling a post meant."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        if not isinstance(value, str) or not value.strip():
            raise MarshmallowError("Give a date and time, e.g. 2026-12-01T09:00.")
        text = value.strip()
        if _DATE_ONLY.match(text):
            raise MarshmallowError("A date alone is not a publish time; add the time of day.")
        for fmt in _LOCAL_FORMATS:
            try:
                wall = datetime.strptime(text, fmt)  # noqa: DTZ007 - wall time, zone applied later
            except ValueError:
                continue
            return check_year(wall)
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise MarshmallowError(
                "Not a date and time; use YYYY-MM-DDTHH:MM or ISO 8601 with an offset."
            ) from None
        return check_year(parsed)


class StrictSchema(Schema):
    """Unknown fields are refused, and so is text no database can store (NUL, lone
    surrogates), naming the field."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _storable_text(self, data: Any, **kwargs: Any) -> Any:
        errors = bad_text(data) if isinstance(data, dict) else {}
        if errors:
            raise MarshmallowError(errors)
        return data


NETWORK_VARIANTS_DOC = {
    "openapi": {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": "text per network (x, mastodon, bluesky, …: the network an account "
        "is counted as), replacing `text` for the chosen accounts of that network",
        "examples": [{"x": "Short text for X"}],
    }
}


def not_blank(value: str) -> None:
    if not value.strip():
        raise MarshmallowError("Must not be empty.")


class PostCreateSchema(StrictSchema):
    text = fields.String(required=True, validate=not_blank)
    channels = fields.List(
        fields.String(),
        required=True,
        validate=validate.Length(min=1, max=50, error="Choose at least one channel account."),
    )
    publish_at = WallTimeField(required=True)
    timezone = TimeZoneField(load_default="UTC")
    category = fields.String(required=True, validate=validate.OneOf(POST_CATEGORIES))
    regions = fields.List(fields.String(), load_default=None)
    # Per-channel text that replaces ``text`` for that channel account.
    variants = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    # Per-network text (``{"x": "…"}``) for every chosen account counted as that
    # network; an account's own variant wins over its network's.
    network_variants = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        load_default=dict,
        metadata=NETWORK_VARIANTS_DOC,
    )
    draft = fields.Boolean(load_default=False)


class PostPreviewSchema(StrictSchema):
    """What the composer previews: the text, optional network variants, and the
    accounts (or networks) to preview it for; nothing is stored."""

    text = fields.String(load_default="", validate=validate.Length(max=100_000))
    channels = fields.List(fields.String(), load_default=list, validate=validate.Length(max=50))
    networks = fields.List(fields.String(), load_default=list, validate=validate.Length(max=50))
    network_variants = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        load_default=dict,
        metadata=NETWORK_VARIANTS_DOC,
    )


class PostUpdateSchema(StrictSchema):
    text = fields.String()
    publish_at = WallTimeField()
    timezone = TimeZoneField()
    category = fields.String(validate=validate.OneOf(POST_CATEGORIES))
    regions = fields.List(fields.String())
    # "queued" submits a draft or puts a post that needs review back in the queue.
    status = fields.String(validate=validate.OneOf(("queued", "draft")))


class PostQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(POST_STATUSES))
    channel = fields.String()
    category = fields.String(validate=validate.OneOf(POST_CATEGORIES))
    # A region code or name: posts whose audience includes it (a country: or one of
    # its subdivisions).
    region = fields.String(validate=validate.Length(min=1, max=100))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    # The next or previous page: a cursor from the page before (``scheduler.pagination``).
    cursor = fields.String(validate=validate.Length(min=1, max=pagination.MAX_LENGTH))
    # Skipping rows still works, but costs in proportion to the offset: use cursors.
    offset = fields.Integer(validate=validate.Range(min=0, max=MAX_ID))


class IncidentCreateSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(INCIDENT_KINDS))
    severity = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=4))
    regions = fields.List(
        fields.String(),
        required=True,
        validate=validate.Length(min=1, max=100, error="Name at least one region."),
    )
    title = fields.String(required=True, validate=[not_blank, validate.Length(max=500)])
    expires_in_hours = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(min=0.01, max=24 * 365)
    )


class IncidentAmendSchema(StrictSchema):
    title = fields.String(validate=[not_blank, validate.Length(max=500)])
    kind = fields.String(validate=validate.OneOf(INCIDENT_KINDS))
    severity = fields.Integer(strict=False, validate=validate.Range(min=1, max=4))
    regions = fields.List(fields.String(), validate=validate.Length(min=1, max=100))
    extend_hours = fields.Float(validate=validate.Range(min=0.01, max=24 * 365))
    reason = fields.String(validate=validate.Length(max=2000))


class IncidentEndSchema(StrictSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


def _flatten(messages: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, value in messages.items():
        if isinstance(value, dict):
            flat = [
                str(m) for sub in value.values() for m in (sub if isinstance(sub, list) else [sub])
            ]
        elif isinstance(value, list):
            flat = [str(m) for m in value]
        else:
            flat = [str(value)]
        errors[str(field)] = flat
    return errors


def load_collecting(schema: Schema, data: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Load what is valid and collect the errors of the rest, so a caller can go on
    checking the valid fields and report every bad field at once."""
    if not isinstance(data, dict):
        raise ValidationError.single("_schema", "Expected a JSON object.")
    try:
        return schema.load(data), {}
    except MarshmallowError as exc:
        messages: dict[str, Any] = exc.normalized_messages()  # type: ignore[no-untyped-call]
        valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        return valid, _flatten(messages)


def load(schema: Schema, data: Any, *, partial: bool = False) -> dict[str, Any]:
    """Load ``data`` with ``schema``; raise our ``ValidationError`` naming the fields."""
    if not isinstance(data, dict):
        raise ValidationError.single("_schema", "Expected a JSON object.")
    try:
        result: dict[str, Any] = schema.load(data, partial=partial)
    except MarshmallowError as exc:
        messages: dict[str, Any] = exc.normalized_messages()  # type: ignore[no-untyped-call]
        raise ValidationError(_flatten(messages)) from None
    return result
