"""Output schemas of incidents, the reports behind them and the holds an end
releases, and the incident list's query string."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import Schema, fields, validate

from scheduler.models import Incident, Report
from web.api_schemas.pages import PageQuerySchema
from web.api_schemas.spec import doc


class ReportSchema(Schema):
    """A feed entry behind a monitor incident, with why it was read as a tragedy."""

    id = fields.Integer()
    feed_id = fields.Integer()
    title = fields.String()
    link = fields.String(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    seen_at = fields.DateTime()
    kind = fields.String(allow_none=True)
    severity = fields.Integer()
    confidence = fields.Float()
    evidence = fields.List(fields.String())
    regions = fields.List(fields.String())


class IncidentSchema(Schema):
    """An incident, with how many posts it holds now (from ``incidents.held_counts``)
    and, for one incident, the reports behind it (from ``incidents.reports_for``)."""

    def __init__(
        self,
        *,
        held: Mapping[int, int] | None = None,
        reports: Mapping[int, Sequence[Report]] | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.held_counts = held or {}
        self.reports_by_incident = reports or {}

    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    severity = fields.Integer(validate=validate.Range(min=1, max=4))
    regions = fields.List(fields.String())
    status = fields.String()
    source = fields.String(validate=validate.OneOf(("manual", "monitor")))
    confidence = fields.Float(metadata=doc(type="number", minimum=0, maximum=1))
    needs_review = fields.Boolean(
        metadata=doc(type="boolean", description="built from an uncertain report: confirm it")
    )
    first_seen = fields.DateTime()
    last_seen = fields.DateTime()
    expires_at = fields.DateTime()
    held = fields.Method("dump_held", metadata=doc(type="integer", minimum=0))
    reports = fields.Method(
        "dump_reports",
        metadata=doc(
            type="array",
            items={"$ref": "#/components/schemas/Report"},
            description="only on GET /incidents/{incident_id}",
        ),
    )

    def dump_held(self, incident: Incident) -> int:
        return self.held_counts.get(incident.id, 0)

    def dump_reports(self, incident: Incident) -> list[dict[str, Any]]:
        dumped: list[dict[str, Any]] = ReportSchema(many=True).dump(
            self.reports_by_incident.get(incident.id, [])
        )
        return dumped


class ReleaseSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    released = fields.Integer(metadata=doc(type="integer", description="holds released"))
    requeued = fields.Integer(metadata=doc(type="integer", description="posts back in queue"))
    needs_review = fields.Integer(
        metadata=doc(type="integer", description="posts too late to send: a person decides")
    )


class IncidentQuerySchema(PageQuerySchema):
    """``GET /api/v1/incidents`` query string."""

    open = fields.Boolean(
        load_default=False, metadata=doc(description="only active and confirmed incidents")
    )
