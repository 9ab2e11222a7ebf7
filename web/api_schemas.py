"""marshmallow OUTPUT schemas for the JSON API, its query schemas of its own (list
filters), the audit CSV export, and the OpenAPI 3.1 document built from these and
the input schemas in ``scheduler.schemas`` and the services.

Input bodies are validated by the services (through ``scheduler.schemas``); this
module shapes what goes out and checks query strings. Times are ISO 8601 in UTC
(``+00:00``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from marshmallow import RAISE, Schema, fields, missing, validate, validates_schema
from marshmallow import ValidationError as MarshmallowError

from scheduler.condolences import ApproveSchema, DeclineSchema, DraftEditSchema
from scheduler.config import Settings
from scheduler.feeds.manage import feed_schema
from scheduler.holds import shown_status
from scheduler.models import POST_STATUSES, AuditEvent, Hold, Incident, Post, Report
from scheduler.queries import DRAFT_FILTERS, DraftRow, RevisionRow
from scheduler.schemas import (
    IncidentAmendSchema,
    IncidentCreateSchema,
    IncidentEndSchema,
    PostCreateSchema,
    PostQuerySchema,
    PostUpdateSchema,
    TimeZoneField,
    WallTimeField,
)

API_PREFIX = "/api/v1"
API_VERSION = "1.0.0"
ERRORS = {
    400: "invalid input; each bad field is named",
    401: "no or bad API token",
    403: "the token's user lacks the role, or may not do this (two-person approval)",
    404: "no such object",
    409: "the object's state does not allow this",
    413: "request body too large",
}


def _doc(**schema: Any) -> dict[str, Any]:
    """OpenAPI metadata for a field the generic mapping cannot describe."""
    return {"openapi": schema}


class HoldSchema(Schema):
    incident_id = fields.Integer()
    incident_title = fields.Function(lambda hold: hold.incident.title, metadata=_doc(type="string"))
    rule = fields.String(metadata=_doc(type="string", examples=["promotional/inside/severity>=2"]))
    since = fields.DateTime(attribute="created_at")


class PostSchema(Schema):
    """A post, with the open holds on it (from ``holds.open_hold_reasons``)."""

    def __init__(self, *, holds: Mapping[int, Sequence[Hold]] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.holds_by_post = holds or {}

    id = fields.Integer()
    group_key = fields.String()
    channel = fields.Function(
        lambda post: post.channel.name, metadata=_doc(type="string", description="account name")
    )
    text = fields.String()
    category = fields.String()
    status = fields.Method(
        "dump_status",
        metadata=_doc(
            type="string", enum=list(POST_STATUSES), description="`held` while a hold is open"
        ),
    )
    publish_at = fields.DateTime(metadata=_doc(type="string", format="date-time"))
    timezone = fields.String()
    local_time = fields.String(
        metadata=_doc(type="string", description="wall time in `timezone`, YYYY-MM-DDTHH:MM:SS")
    )
    regions = fields.List(fields.String())
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    remote_id = fields.String(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    holds = fields.Method(
        "dump_holds",
        metadata=_doc(type="array", items={"$ref": "#/components/schemas/Hold"}),
    )

    def dump_status(self, post: Post) -> str:
        return shown_status(post, self.holds_by_post.get(post.id))

    def dump_holds(self, post: Post) -> list[dict[str, Any]]:
        dumped: list[dict[str, Any]] = HoldSchema(many=True).dump(
            self.holds_by_post.get(post.id, [])
        )
        return dumped


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
    confidence = fields.Float(metadata=_doc(type="number", minimum=0, maximum=1))
    needs_review = fields.Boolean(
        metadata=_doc(type="boolean", description="built from an uncertain report: confirm it")
    )
    first_seen = fields.DateTime()
    last_seen = fields.DateTime()
    expires_at = fields.DateTime()
    held = fields.Method("dump_held", metadata=_doc(type="integer", minimum=0))
    reports = fields.Method(
        "dump_reports",
        metadata=_doc(
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
        metadata=_doc(type="integer", description="send it back when approving"),
    )
    texts = fields.Dict(
        attribute="draft.texts",
        keys=fields.String(),
        values=fields.String(),
        metadata=_doc(
            type="object",
            description="channel account name to text",
            additionalProperties={"type": "string"},
        ),
    )
    channels = fields.List(
        fields.String(), metadata=_doc(type="array", items={"type": "string"}, description="names")
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
        metadata=_doc(
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


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String(metadata=_doc(type="string", description="user name or `system`"))
    action = fields.String(metadata=_doc(type="string", examples=["condolence.approved"]))
    object_type = fields.String(metadata=_doc(type="string", examples=["post", "incident"]))
    object_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict()


class FeedSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    kind = fields.String()
    title = fields.String(allow_none=True)
    interval_seconds = fields.Integer()
    enabled = fields.Boolean()
    next_poll_at = fields.DateTime()
    last_polled_at = fields.DateTime(allow_none=True)
    error_count = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()


class ReleaseSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    released = fields.Integer(metadata=_doc(type="integer", description="holds released"))
    requeued = fields.Integer(metadata=_doc(type="integer", description="posts back in queue"))
    needs_review = fields.Integer(
        metadata=_doc(type="integer", description="posts too late to send: a person decides")
    )


class RegionSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String(validate=validate.OneOf(("world", "country", "subdivision")))
    parent = fields.String(allow_none=True)
    label = fields.String()


class IncidentQuerySchema(Schema):
    """``GET /api/v1/incidents`` query string."""

    class Meta:
        unknown = RAISE

    open = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))


class RegionQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    q = fields.String(required=True, validate=validate.Length(min=1, max=100))


class CondolenceQuerySchema(Schema):
    """``GET /api/v1/condolences`` query string (and the list page's filter)."""

    class Meta:
        unknown = RAISE

    status = fields.String(validate=validate.OneOf(DRAFT_FILTERS))
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The audit page and a JSON answer show this many events unless asked; an export more.
AUDIT_PAGE = 200
AUDIT_EXPORT = 10_000


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
            _doc(type="string", description=description, examples=["2026-06-01T09:00"]),
        )
        super().__init__(**kwargs)
        self.end_of_day = end_of_day

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        text = value.strip() if isinstance(value, str) else ""
        try:
            if _DATE_ONLY.match(text):
                moment = datetime.combine(date.fromisoformat(text), time(), UTC)
                return moment + timedelta(days=1) if self.end_of_day else moment
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is None or ("T" not in text and " " not in text):
            raise MarshmallowError(
                "Not a date or time; use YYYY-MM-DD, YYYY-MM-DDTHH:MM or ISO 8601."
            )
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class AuditQuerySchema(Schema):
    """Filters of the audit log, for the page, its CSV export and the API."""

    class Meta:
        unknown = RAISE

    since = AuditTimeField()
    until = AuditTimeField(end_of_day=True)
    object_type = fields.String(validate=validate.Length(max=32))
    object_id = fields.Integer(validate=validate.Range(min=0))
    actor = fields.String(validate=validate.Length(max=80))
    action = fields.String(
        validate=validate.Length(max=64),
        metadata=_doc(
            type="string",
            maxLength=64,
            description="a prefix: `condolence.` for every condolence event",
        ),
    )
    limit = fields.Integer(
        validate=validate.Range(min=1, max=AUDIT_EXPORT),
        metadata=_doc(
            type="integer",
            minimum=1,
            maximum=AUDIT_EXPORT,
            description=f"default {AUDIT_PAGE} ({AUDIT_EXPORT} for CSV)",
        ),
    )
    format = fields.String(validate=validate.OneOf(("json", "csv")))

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
    value = text or ""
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


# ------------------------------------------------------------------- OpenAPI
def _field_schema(field: fields.Field[Any]) -> dict[str, Any]:
    explicit = field.metadata.get("openapi")
    if explicit:
        return dict(explicit)
    out: dict[str, Any]
    if isinstance(field, fields.List):
        out = {"type": "array", "items": _field_schema(field.inner)}
    elif isinstance(field, fields.Dict):
        values = field.value_field
        out = {"type": "object", "additionalProperties": _field_schema(values) if values else {}}
    elif isinstance(field, fields.DateTime):
        out = {"type": "string", "format": "date-time"}
    elif isinstance(field, fields.Boolean):
        out = {"type": "boolean"}
    elif isinstance(field, fields.Integer):
        out = {"type": "integer"}
    elif isinstance(field, fields.Number):
        out = {"type": "number"}
    elif isinstance(field, TimeZoneField):
        out = {"type": "string", "description": "IANA time zone", "examples": ["Europe/Paris"]}
    elif isinstance(field, WallTimeField):
        out = {
            "type": "string",
            "description": "YYYY-MM-DDTHH:MM wall time in `timezone`, or ISO 8601 with an "
            "offset; a date alone is refused",
            "examples": ["2026-12-01T09:00"],
        }
    else:
        out = {"type": "string"}
    array = out["type"] == "array"
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            out["enum"] = list(validator.choices)
        elif isinstance(validator, validate.Range):
            if validator.min is not None:
                out["minimum"] = validator.min
            if validator.max is not None:
                out["maximum"] = validator.max
        elif isinstance(validator, validate.Length):
            if validator.min is not None:
                out["minItems" if array else "minLength"] = validator.min
            if validator.max is not None:
                out["maxItems" if array else "maxLength"] = validator.max
    default = field.load_default
    if default is not missing and not callable(default):
        out["default"] = default
    if field.allow_none:
        out["type"] = [out["type"], "null"]
    return out


def json_schema(schema: Schema) -> dict[str, Any]:
    """A JSON Schema (OpenAPI 3.1 dialect) for a marshmallow schema."""
    properties = {}
    required = []
    for name, field in schema.fields.items():
        key = field.data_key or name
        properties[key] = _field_schema(field)
        if field.required:
            required.append(key)
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    if schema.unknown == RAISE:
        out["additionalProperties"] = False
    return out


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes}


def _query(schema: Schema) -> list[dict[str, Any]]:
    return [
        {"name": field.data_key or name, "in": "query", "schema": _field_schema(field)}
        | ({"required": True} if field.required else {})
        for name, field in schema.fields.items()
    ]


def _id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


def _list_of(key: str, name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {key: {"type": "array", "items": _ref(name)}},
        "required": [key],
    }


def _partial(schema: dict[str, Any]) -> dict[str, Any]:
    """The same object schema with no field required (a PATCH body)."""
    return {key: value for key, value in schema.items() if key != "required"}


def _more_paths(p: str, auth_errors: tuple[int, ...]) -> dict[str, Any]:
    """Condolences, incident review, the audit log and feeds."""
    approved = {
        "type": "object",
        "properties": {
            "condolence": _ref("Condolence"),
            "posts": {"type": "array", "items": _ref("Post")},
        },
        "required": ["condolence", "posts"],
    }
    audit_csv_content = {
        "text/csv": {
            "schema": {"type": "string"},
            "example": ",".join(AUDIT_CSV_HEADER) + "\r\n",
        }
    }
    return {
        f"{p}/condolences": {
            "get": {
                "summary": "List condolence drafts, newest prompt first",
                "parameters": _query(CondolenceQuerySchema()),
                "responses": {"200": _json(_list_of("condolences", "Condolence"), "drafts")}
                | _errors(400, *auth_errors),
            }
        },
        f"{p}/condolences/{{draft_id}}": {
            "parameters": [_id("draft_id")],
            "get": {
                "summary": "One condolence draft, with its revisions",
                "responses": {"200": _json(_ref("Condolence"), "the draft")}
                | _errors(*auth_errors, 404),
            },
            "patch": {
                "summary": "Save a new version of the texts and accounts; submit it for "
                "approval unless `submit` is false. Nothing is published.",
                "requestBody": _body("CondolenceEdit"),
                "responses": {"200": _json(_ref("Condolence"), "the draft after the edit")}
                | _errors(400, *auth_errors, 404, 409, 413),
            },
        },
        f"{p}/condolences/{{draft_id}}/approve": {
            "post": {
                "summary": "Approve the latest version (approver; never its last editor when "
                "two-person approval is on): condolence posts are queued",
                "parameters": [_id("draft_id")],
                "requestBody": {
                    "required": False,
                    "content": {"application/json": {"schema": _ref("CondolenceApprove")}},
                },
                "responses": {"200": _json(approved, "the approved draft and its posts")}
                | _errors(400, *auth_errors, 404, 409, 413),
            }
        },
        f"{p}/condolences/{{draft_id}}/decline": {
            "post": {
                "summary": "Say nothing: close the prompt with a reason (approver)",
                "parameters": [_id("draft_id")],
                "requestBody": _body("CondolenceDecline"),
                "responses": {"200": _json(_ref("Condolence"), "the declined draft")}
                | _errors(400, *auth_errors, 404, 409, 413),
            }
        },
        f"{p}/incidents/{{incident_id}}/confirm": {
            "post": {
                "summary": "Confirm an incident the monitor opened (approver)",
                "parameters": [_id("incident_id")],
                "responses": {"200": _json(_ref("Incident"), "the confirmed incident")}
                | _errors(*auth_errors, 404, 409),
            }
        },
        f"{p}/audit": {
            "get": {
                "summary": "The audit log, newest first (approver). JSON, or CSV with "
                "`format=csv` or `Accept: text/csv`",
                "parameters": _query(AuditQuerySchema()),
                "responses": {
                    "200": {
                        "description": "events",
                        "content": {
                            "application/json": {"schema": _list_of("events", "AuditEvent")},
                            **audit_csv_content,
                        },
                    }
                }
                | _errors(400, *auth_errors),
            }
        },
        f"{p}/feeds": {
            "get": {
                "summary": "List the monitored feeds (admin)",
                "responses": {"200": _json(_list_of("feeds", "Feed"), "feeds")}
                | _errors(*auth_errors),
            },
            "post": {
                "summary": "Add a feed, polled at once (admin)",
                "requestBody": _body("FeedCreate"),
                "responses": {"201": _json(_ref("Feed"), "the feed added")}
                | _errors(400, *auth_errors, 413),
            },
        },
        f"{p}/feeds/{{feed_id}}": {
            "parameters": [_id("feed_id")],
            "get": {
                "summary": "One feed (admin)",
                "responses": {"200": _json(_ref("Feed"), "the feed")} | _errors(*auth_errors, 404),
            },
            "patch": {
                "summary": "Change a feed's address, kind, interval, title or enable it (admin)",
                "requestBody": _body("FeedUpdate"),
                "responses": {"200": _json(_ref("Feed"), "the feed after the change")}
                | _errors(400, *auth_errors, 404, 413),
            },
            "delete": {
                "summary": "Delete a feed and its reports; refused while they are evidence "
                "for an incident (admin)",
                "responses": {"204": {"description": "deleted"}} | _errors(*auth_errors, 404, 409),
            },
        },
    }


def openapi_document(settings: Settings) -> dict[str, Any]:
    """The OpenAPI 3.1 description of ``/api/v1``; paths are full paths. ``settings``
    gives the bounds that are settings (the shortest feed interval)."""
    p = API_PREFIX
    auth_errors = (401, 403)
    posts_page = {
        "type": "object",
        "properties": {
            "posts": {"type": "array", "items": _ref("Post")},
            "total": {"type": "integer"},
        },
        "required": ["posts", "total"],
    }
    created_posts = {
        "type": "object",
        "properties": {"posts": {"type": "array", "items": _ref("Post")}},
        "required": ["posts"],
    }
    incident_list = {
        "type": "object",
        "properties": {"incidents": {"type": "array", "items": _ref("Incident")}},
        "required": ["incidents"],
    }
    region_list = {
        "type": "object",
        "properties": {"regions": {"type": "array", "items": _ref("Region")}},
        "required": ["regions"],
    }
    end_body = {
        "required": False,
        "content": {"application/json": {"schema": _ref("IncidentEnd")}},
    }

    def end_op(verb: str) -> dict[str, Any]:
        return {
            "post": {
                "summary": f"{verb.capitalize()} an open incident and release its holds",
                "parameters": [_id("incident_id")],
                "requestBody": end_body,
                "responses": {"200": _json(_ref("Release"), "holds released")}
                | _errors(400, *auth_errors, 404, 409, 413),
            }
        }

    paths: dict[str, Any] = {
        f"{p}/posts": {
            "post": {
                "summary": "Queue a post on one or more channel accounts (one post each)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("PostCreate")}},
                },
                "responses": {"201": _json(created_posts, "the posts created")}
                | _errors(400, *auth_errors, 413),
            },
            "get": {
                "summary": "List posts, due first",
                "parameters": _query(PostQuerySchema()),
                "responses": {"200": _json(posts_page, "a page of posts")}
                | _errors(400, *auth_errors),
            },
        },
        f"{p}/posts/{{post_id}}": {
            "parameters": [_id("post_id")],
            "get": {
                "summary": "One post, with its open holds",
                "responses": {"200": _json(_ref("Post"), "the post")} | _errors(*auth_errors, 404),
            },
            "patch": {
                "summary": "Edit or reschedule a post",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("PostUpdate")}},
                },
                "responses": {"200": _json(_ref("Post"), "the post after the edit")}
                | _errors(400, *auth_errors, 404, 409, 413),
            },
            "delete": {
                "summary": "Cancel a post (it stays listed as cancelled)",
                "responses": {"200": _json(_ref("Post"), "the cancelled post")}
                | _errors(*auth_errors, 404, 409),
            },
        },
        f"{p}/incidents": {
            "post": {
                "summary": "Declare an incident and hold the posts it matches (approver)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("IncidentCreate")}},
                },
                "responses": {"201": _json(_ref("Incident"), "the incident declared")}
                | _errors(400, *auth_errors, 413),
            },
            "get": {
                "summary": "List incidents, newest first",
                "parameters": _query(IncidentQuerySchema()),
                "responses": {"200": _json(incident_list, "incidents")}
                | _errors(400, *auth_errors),
            },
        },
        f"{p}/incidents/{{incident_id}}": {
            "parameters": [_id("incident_id")],
            "get": {
                "summary": "One incident, with the reports behind it",
                "responses": {"200": _json(_ref("Incident"), "the incident")}
                | _errors(*auth_errors, 404),
            },
            "patch": {
                "summary": "Change an open incident's severity or regions, or extend it "
                "(approver); posts are held or released to match",
                "requestBody": _body("IncidentAmend"),
                "responses": {"200": _json(_ref("Incident"), "the incident after the change")}
                | _errors(400, *auth_errors, 404, 409, 413),
            },
        },
        f"{p}/incidents/{{incident_id}}/resolve": end_op("resolve"),
        f"{p}/incidents/{{incident_id}}/dismiss": end_op("dismiss"),
        f"{p}/regions": {
            "get": {
                "summary": "Search regions by code or name, for audience pickers",
                "parameters": _query(RegionQuerySchema()),
                "responses": {"200": _json(region_list, "matching regions")}
                | _errors(400, *auth_errors),
            }
        },
        **_more_paths(p, auth_errors),
        f"{p}/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1 document"}},
            }
        },
    }
    error_schema = {
        "type": "object",
        "properties": {
            "errors": {
                "type": "object",
                "description": "field name (or _schema for the body as a whole) to messages",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            }
        },
        "required": ["errors"],
    }
    responses = {f"E{code}": _json(_ref("Errors"), text) for code, text in ERRORS.items()}
    feed_input = json_schema(feed_schema(settings))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tactful API",
            "version": API_VERSION,
            "description": "Queue posts and declare incidents; promotional posts aimed at "
            "an affected region are held until the incident ends. Condolence messages are "
            "drafted here but published only after a person approves them.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "tft_… token"}
            },
            "responses": responses,
            "schemas": {
                "Post": json_schema(PostSchema()),
                "Hold": json_schema(HoldSchema()),
                "Incident": json_schema(IncidentSchema()),
                "Release": json_schema(ReleaseSchema()),
                "Region": json_schema(RegionSchema()),
                "PostCreate": json_schema(PostCreateSchema()),
                "PostUpdate": json_schema(PostUpdateSchema()),
                "IncidentCreate": json_schema(IncidentCreateSchema()),
                "IncidentEnd": json_schema(IncidentEndSchema()),
                "IncidentAmend": json_schema(IncidentAmendSchema()),
                "Report": json_schema(ReportSchema()),
                "Condolence": json_schema(CondolenceSchema()),
                "Revision": json_schema(RevisionSchema()),
                "CondolenceEdit": json_schema(DraftEditSchema()),
                "CondolenceApprove": json_schema(ApproveSchema()),
                "CondolenceDecline": json_schema(DeclineSchema()),
                "AuditEvent": json_schema(AuditEventSchema()),
                "Feed": json_schema(FeedSchema()),
                "FeedCreate": feed_input,
                "FeedUpdate": _partial(feed_input),
                "Errors": error_schema,
            },
        },
    }
