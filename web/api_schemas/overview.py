"""Output schemas of the dashboard, the calendar and one's own account settings, and
their part of the OpenAPI document."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import Schema, fields

from scheduler.calendar import CalendarQuerySchema
from scheduler.models import Hold
from web.api_schemas.posts import HoldSchema, PostSchema
from web.api_schemas.spec import doc

_DATE = doc(type="string", format="date")
_STRINGS = doc(type="array", items={"type": "string"})


class AccountSchema(Schema):
    """The signed-in user's own settings."""

    id = fields.Integer()
    name = fields.String()
    role = fields.String()
    timezone = fields.String(
        metadata=doc(type="string", description="the zone times are shown in (IANA)")
    )
    timezone_is_default = fields.Boolean(
        metadata=doc(type="boolean", description="true: no zone chosen, the default applies")
    )
    default_timezone = fields.String()


class EvidencedHoldSchema(HoldSchema):
    evidence = fields.Method("dump_evidence", metadata=_STRINGS)

    def dump_evidence(self, hold: Hold) -> list[str]:
        found: list[str] = self.context_evidence.get(hold.incident_id, [])
        return found

    def __init__(self, *, evidence: Mapping[int, list[str]] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.context_evidence = evidence or {}


class HeldPostSchema(PostSchema):
    """A post with its open holds, each with the evidence of its incident."""

    def __init__(
        self,
        *,
        holds: Mapping[int, Sequence[Hold]] | None = None,
        evidence: Mapping[int, list[str]] | None = None,
        **kwargs: Any,
    ):
        super().__init__(holds=holds, **kwargs)
        self.evidence = evidence or {}

    holds = fields.Method(
        "dump_holds",
        metadata=doc(type="array", items={"$ref": "#/components/schemas/EvidencedHold"}),
    )

    def dump_holds(self, post: Any) -> list[dict[str, Any]]:
        dumped: list[dict[str, Any]] = EvidencedHoldSchema(many=True, evidence=self.evidence).dump(
            self.holds_by_post.get(post.id, [])
        )
        return dumped


class DashboardIncidentSchema(Schema):
    id = fields.Integer(attribute="incident.id")
    title = fields.String(attribute="incident.title")
    kind = fields.String(attribute="incident.kind")
    severity = fields.Integer(attribute="incident.severity")
    status = fields.String(attribute="incident.status")
    regions = fields.List(fields.String(), attribute="incident.regions")
    needs_review = fields.Boolean(attribute="incident.needs_review")
    first_seen = fields.DateTime(attribute="incident.first_seen")
    held = fields.Integer(metadata=doc(type="integer", description="posts held, counted to 1000"))
    held_capped = fields.Boolean(
        attribute="capped", metadata=doc(type="boolean", description="true: at least `held`")
    )
    evidence = fields.List(fields.String())


class DashboardPromptSchema(Schema):
    id = fields.Integer(attribute="row.draft.id")
    incident_id = fields.Integer(attribute="row.incident.id")
    incident_title = fields.String(attribute="row.incident.title")
    status = fields.String(attribute="row.draft.status")
    prompted_at = fields.DateTime(attribute="row.draft.prompted_at")
    channels = fields.List(fields.String(), attribute="row.channels")
    step = fields.String(metadata=doc(type="string", description="what the viewer can do"))
    yours = fields.Boolean(metadata=doc(type="boolean", description="the viewer can act now"))


class FeedHealthSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String(allow_none=True)
    enabled = fields.Boolean()
    last_polled_at = fields.DateTime(allow_none=True)
    next_poll_at = fields.DateTime()
    error_count = fields.Integer()
    last_error = fields.String(allow_none=True)


class CalendarDaySchema(Schema):
    date = fields.Date(attribute="day", metadata=_DATE)
    start = fields.DateTime(metadata=doc(type="string", format="date-time", description="UTC"))
    end = fields.DateTime(metadata=doc(type="string", format="date-time", description="UTC"))
    total = fields.Integer(
        metadata=doc(
            type="integer",
            description="posts on the day, counted up to a cap (250 a day in a month, 1000 in a week or day)",
        )
    )
    capped = fields.Boolean(metadata=doc(type="boolean", description="true: at least `total`"))
    more = fields.Integer(metadata=doc(type="integer", description="posts not listed"))
    offset = fields.Integer()


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(name: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(name)}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


DASHBOARD_DOC = _object(
    {
        "timezone": {"type": "string"},
        "next_out": _array("Post"),
        "held": _array("HeldPost"),
        "incidents": _array("DashboardIncident"),
        "open_incidents": {"type": "integer"},
        "prompts": _array("DashboardPrompt"),
        "feeds": _object(
            {
                "total": {"type": "integer"},
                "failing": {"type": "integer"},
                "shown": _array("FeedHealth"),
            }
        ),
    }
)

CALENDAR_DOC = _object(
    {
        "view": {"type": "string", "enum": ["month", "week", "day"]},
        "date": {"type": "string", "format": "date"},
        "first": {"type": "string", "format": "date"},
        "last": {"type": "string", "format": "date"},
        "previous": {"type": ["string", "null"], "format": "date"},
        "next": {"type": ["string", "null"], "format": "date"},
        "timezone": {"type": "string"},
        "per_day": {"type": "integer"},
        "days": {"type": "array", "items": _ref("CalendarDay")},
    }
)

__all__ = [
    "CALENDAR_DOC",
    "DASHBOARD_DOC",
    "AccountSchema",
    "CalendarDaySchema",
    "CalendarQuerySchema",
    "DashboardIncidentSchema",
    "DashboardPromptSchema",
    "EvidencedHoldSchema",
    "FeedHealthSchema",
    "HeldPostSchema",
]
