"""marshmallow OUTPUT schemas for the JSON API, its one query schema of its own, and
the OpenAPI 3.1 document built from these and the input schemas in
``scheduler.schemas``.

Input is validated by the services (through ``scheduler.schemas``); this module only
shapes what goes out. Times are ISO 8601 in UTC (``+00:00``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import RAISE, Schema, fields, missing, validate

from scheduler.models import POST_STATUSES, Hold, Incident, Post
from scheduler.schemas import (
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
    403: "the token's user lacks the role",
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
    status = fields.String(validate=validate.OneOf(POST_STATUSES))
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

    def dump_holds(self, post: Post) -> list[dict[str, Any]]:
        dumped: list[dict[str, Any]] = HoldSchema(many=True).dump(
            self.holds_by_post.get(post.id, [])
        )
        return dumped


class IncidentSchema(Schema):
    """An incident, with how many posts it holds now (from ``incidents.held_counts``)."""

    def __init__(self, *, held: Mapping[int, int] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.held_counts = held or {}

    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    severity = fields.Integer(validate=validate.Range(min=1, max=4))
    regions = fields.List(fields.String())
    status = fields.String()
    source = fields.String()
    first_seen = fields.DateTime()
    expires_at = fields.DateTime()
    held = fields.Method("dump_held", metadata=_doc(type="integer", minimum=0))

    def dump_held(self, incident: Incident) -> int:
        return self.held_counts.get(incident.id, 0)


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


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of ``/api/v1``; paths are full paths."""
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
            "get": {
                "summary": "One incident",
                "parameters": [_id("incident_id")],
                "responses": {"200": _json(_ref("Incident"), "the incident")}
                | _errors(*auth_errors, 404),
            }
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
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tactful API",
            "version": API_VERSION,
            "description": "Queue posts and declare incidents; promotional posts aimed at "
            "an affected region are held until the incident ends.",
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
                "Errors": error_schema,
            },
        },
    }
