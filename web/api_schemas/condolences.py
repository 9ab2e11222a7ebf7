"""Output schemas of condolence drafts and their revisions, and the draft list's
query string."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import Schema, fields, validate

from scheduler.queries import DRAFT_FILTERS, DraftRow, RevisionRow
from web.api_schemas.pages import PageQuerySchema
from web.api_schemas.spec import doc


class RevisionSchema(Schema):
    version = fields.Integer()
    editor = fields.String(allow_none=True)
    at = fields.DateTime()
    texts = fields.Dict(keys=fields.String(), values=fields.String())


class CondolenceSchema(Schema):
    """A condolence draft (a ``queries.DraftRow``); its revisions only when given."""

    def __init__(
        self, *, revisions: Mapping[int, Sequence[RevisionRow]] | None = None, **kwargs: Any
    ):
        super().__init__(**kwargs)
        self.revisions_by_draft = revisions or {}

    id = fields.Integer(attribute="draft.id")
    status = fields.String(attribute="draft.status")
    incident_id = fields.Integer(attribute="incident.id")
    incident_title = fields.String(attribute="incident.title")
    incident_status = fields.String(attribute="incident.status")
    version = fields.Integer(
        attribute="draft.version",
        metadata=doc(type="integer", description="send it back when approving"),
    )
    texts = fields.Dict(
        attribute="draft.texts",
        keys=fields.String(),
        values=fields.String(),
        metadata=doc(
            type="object",
            description="channel account name to text",
            additionalProperties={"type": "string"},
        ),
    )
    channels = fields.List(
        fields.String(), metadata=doc(type="array", items={"type": "string"}, description="names")
    )
    regions = fields.List(fields.String(), attribute="draft.regions")
    prompted_at = fields.DateTime(attribute="draft.prompted_at")
    updated_at = fields.DateTime(attribute="draft.updated_at")
    last_editor = fields.String(allow_none=True)
    approved_by = fields.String(allow_none=True)
    approved_at = fields.DateTime(attribute="draft.approved_at", allow_none=True)
    publish_at = fields.DateTime(attribute="draft.publish_at", allow_none=True)
    decline_reason = fields.String(attribute="draft.decline_reason", allow_none=True)
    revisions = fields.Method(
        "dump_revisions",
        metadata=doc(
            type="array",
            items={"$ref": "#/components/schemas/Revision"},
            description="newest first; only on GET /condolences/{draft_id}",
        ),
    )

    def dump_revisions(self, row: DraftRow) -> list[dict[str, Any]]:
        dumped: list[dict[str, Any]] = RevisionSchema(many=True).dump(
            self.revisions_by_draft.get(row.draft.id, [])
        )
        return dumped


class CondolenceQuerySchema(PageQuerySchema):
    """``GET /api/v1/condolences`` query string (and the list page's filter)."""

    status = fields.String(
        validate=validate.OneOf(DRAFT_FILTERS),
        metadata=doc(description="a draft status, or `open`: awaiting a draft or an approval"),
    )
