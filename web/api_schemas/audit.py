"""The audit log: the event schema, the filters (page, CSV export and API) and the
CSV export."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from marshmallow import RAISE, Schema, fields, validate, validates_schema
from marshmallow import ValidationError as MarshmallowError

from scheduler.db import MAX_ID
from scheduler.models import AuditEvent
from scheduler.schemas import check_year
from web.api_schemas.pages import cursor_field
from web.api_schemas.spec import doc


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String(metadata=doc(type="string", description="user name or `system`"))
    action = fields.String(metadata=doc(type="string", examples=["condolence.approved"]))
    object_type = fields.String(metadata=doc(type="string", examples=["post", "incident"]))
    object_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict()


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The audit page and a JSON answer show this many events unless asked; an export more.
AUDIT_PAGE = 200
AUDIT_EXPORT = 10_000
# The deepest page the log is read to (an offset is a scan: a larger one is an export's job).
AUDIT_MAX_OFFSET = 1_000_000


class AuditTimeField(fields.Field[datetime]):
    """A moment for an audit filter, in UTC: ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM[:SS]``
    (as a ``datetime-local`` input sends it) or ISO 8601 with an offset. With
    ``end_of_day``, a date alone means the end of that day, so ``until=2026-06-01``
    includes the events of June 1st."""

    def __init__(self, *, end_of_day: bool = False, **kwargs: Any) -> None:
        description = "UTC unless an offset is given; " + (
            "a date alone includes that whole day" if end_of_day else "a date alone is midnight"
        )
        kwargs.setdefault(
            "metadata",
            doc(type="string", description=description, examples=["2026-06-01T09:00"]),
        )
        super().__init__(**kwargs)
        self.end_of_day = end_of_day

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        text = value.strip() if isinstance(value, str) else ""
        try:
            if _DATE_ONLY.match(text):
                moment = check_year(datetime.combine(date.fromisoformat(text), time(), UTC))
                return moment + timedelta(days=1) if self.end_of_day else moment
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is None or ("T" not in text and " " not in text):
            raise MarshmallowError(
                "Not a date or time; use YYYY-MM-DD, YYYY-MM-DDTHH:MM or ISO 8601."
            )
        check_year(parsed)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class AuditQuerySchema(Schema):
    """Filters of the audit log, for the page, its CSV export and the API."""

    class Meta:
        unknown = RAISE

    since = AuditTimeField()
    until = AuditTimeField(end_of_day=True)
    object_type = fields.String(validate=validate.Length(max=32))
    object_id = fields.Integer(validate=validate.Range(min=0, max=MAX_ID))
    actor = fields.String(validate=validate.Length(max=80))
    action = fields.String(
        validate=validate.Length(max=64),
        metadata=doc(
            type="string",
            maxLength=64,
            description="a prefix: `condolence.` for every condolence event",
        ),
    )
    limit = fields.Integer(
        validate=validate.Range(min=1, max=AUDIT_EXPORT),
        metadata=doc(
            type="integer",
            minimum=1,
            maximum=AUDIT_EXPORT,
            description=f"default {AUDIT_PAGE} ({AUDIT_EXPORT} for CSV)",
        ),
    )
    offset = fields.Integer(
        validate=validate.Range(min=0, max=AUDIT_MAX_OFFSET),
        metadata=doc(
            type="integer",
            minimum=0,
            maximum=AUDIT_MAX_OFFSET,
            description="skip this many of the newest (paging); default 0",
        ),
    )
    format = fields.String(validate=validate.OneOf(("json", "csv")))
    cursor = cursor_field()

    @validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        since, until = data.get("since"), data.get("until")
        if since and until and until <= since:
            raise MarshmallowError("Must be after the start of the period.", "until")


# ---------------------------------------------------------------- audit CSV
AUDIT_CSV_HEADER = ("at", "actor", "action", "object_type", "object_id", "reason", "details")
# A cell starting with one of these is a formula to a spreadsheet: a login name typed
# as "=HYPERLINK(…)" would run when an admin opens the export. Such a cell is
# exported with a leading apostrophe (the usual neutraliser), everything else as is.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str | None) -> str:
    # A NUL (which SQLite keeps) would end the cell early in many CSV readers.
    value = (text or "").replace("\x00", "")
    return "'" + value if value.startswith(_FORMULA_START) else value


def audit_csv(events: Iterable[AuditEvent]) -> str:
    """The events as CSV (RFC 4180 quoting, CRLF line ends, a header row);
    ``details`` is JSON with sorted keys."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_CSV_HEADER)
    for event in events:
        writer.writerow(
            [
                event.at.isoformat(),
                csv_cell(event.actor),
                csv_cell(event.action),
                csv_cell(event.object_type),
                "" if event.object_id is None else str(event.object_id),
                csv_cell(event.reason),
                json.dumps(event.details or {}, ensure_ascii=False, sort_keys=True, default=str),
            ]
        )
    return out.getvalue()
