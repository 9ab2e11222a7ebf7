"""The API reference, ``/api/docs``: the OpenAPI document as a page, rendered on the
server from the same document ``/api/v1/openapi.json`` serves (no script, no CDN).

Like the document, it is public: it says what the API takes and answers, nothing
stored. Operations are grouped by resource, each with its parameters, request body,
responses and errors; the schemas follow, each property with its type and limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import g, render_template

from web import auth
from web.api_schemas import openapi_document
from web.ui.common import Page, bp

METHODS = ("get", "post", "put", "patch", "delete")
SCHEMA_REF = "#/components/schemas/"
RESPONSE_REF = "#/components/responses/"
# JSON Schema keywords shown as a property's limits, in this order, with their label.
LIMITS = (
    ("enum", "one of"),
    ("minimum", "at least"),
    ("maximum", "at most"),
    ("minLength", "at least {} characters"),
    ("maxLength", "at most {} characters"),
    ("minItems", "at least {} items"),
    ("maxItems", "at most {} items"),
    ("pattern", "matches"),
    ("format", "format"),
    ("default", "default"),
    ("examples", "e.g."),
)


@dataclass
class Row:
    """A parameter or a schema property."""

    name: str
    type: str
    ref: str | None
    required: bool
    description: str
    limits: list[str]
    where: str = ""


@dataclass
class Content:
    media_type: str
    type: str
    ref: str | None
    rows: list[Row] = field(default_factory=list)  # an object described in place


@dataclass
class Answer:
    status: str
    description: str
    contents: list[Content]
    is_error: bool


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    public: bool
    parameters: list[Row]
    body: list[Content]
    body_required: bool
    answers: list[Answer]


@dataclass
class Group:
    name: str
    operations: list[Operation] = field(default_factory=list)


@dataclass
class Component:
    name: str
    description: str
    rows: list[Row]
    closed: bool  # unknown properties are refused


def ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref[len(SCHEMA_REF) :] if isinstance(ref, str) and ref.startswith(SCHEMA_REF) else None


def type_label(schema: dict[str, Any]) -> tuple[str, str | None]:
    """A short name for a schema's type, and the component it refers to, if one."""
    name = ref_name(schema)
    if name:
        return name, name
    for combined in ("anyOf", "oneOf"):
        if combined in schema:
            labels = [type_label(part) for part in schema[combined]]
            ref = next((r for _, r in labels if r), None)
            return " or ".join(label for label, _ in labels), ref
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    parts = []
    ref = None
    for one in kinds:
        if one == "array":
            inner, ref = type_label(schema.get("items", {}))
            parts.append(f"array of {inner}")
        elif one == "object" and isinstance(schema.get("additionalProperties"), dict):
            inner, ref = type_label(schema["additionalProperties"])
            parts.append(f"object of {inner}" if inner != "any" else "object")
        else:
            parts.append(str(one))
    if not parts and "properties" in schema:
        parts.append("object")
    return (" or ".join(parts) or "any"), ref


def limits(schema: dict[str, Any]) -> list[str]:
    out = []
    for key, label in LIMITS:
        if key not in schema:
            continue
        value = schema[key]
        if isinstance(value, list):
            value = ", ".join("null" if v is None else str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        out.append(label.format(value) if "{}" in label else f"{label} {value}")
    return out


def _parameter(parameter: dict[str, Any]) -> Row:
    schema = parameter.get("schema", {})
    label, ref = type_label(schema)
    return Row(
        name=parameter["name"],
        type=label,
        ref=ref,
        required=bool(parameter.get("required")),
        description=parameter.get("description") or schema.get("description", ""),
        limits=limits(schema),
        where=parameter.get("in", ""),
    )


def _properties(schema: dict[str, Any]) -> list[Row]:
    required = set(schema.get("required", []))
    rows = []
    for prop, prop_schema in schema.get("properties", {}).items():
        label, ref = type_label(prop_schema)
        rows.append(
            Row(
                name=prop,
                type=label,
                ref=ref,
                required=prop in required,
                description=prop_schema.get("description", ""),
                limits=limits(prop_schema),
            )
        )
    return rows


def _contents(content: dict[str, Any]) -> list[Content]:
    out = []
    for media_type, media in content.items():
        schema = media.get("schema", {})
        label, ref = type_label(schema)
        out.append(Content(media_type, label, ref, [] if ref else _properties(schema)))
    return out


def _answers(responses: dict[str, Any], document: dict[str, Any]) -> list[Answer]:
    out = []
    shared = document.get("components", {}).get("responses", {})
    for status, answer in sorted(responses.items()):
        ref = answer.get("$ref", "")
        if ref.startswith(RESPONSE_REF):
            answer = shared.get(ref[len(RESPONSE_REF) :], {})
        out.append(
            Answer(
                status=status,
                description=answer.get("description", ""),
                contents=_contents(answer.get("content", {})),
                is_error=status.startswith(("4", "5")),
            )
        )
    return out


def operations(document: dict[str, Any]) -> list[Group]:
    """The document's operations grouped by resource, in the document's order."""
    groups: dict[str, Group] = {}
    prefix = "/api/v1/"
    for path, item in document.get("paths", {}).items():
        resource = path[len(prefix) :].split("/")[0] if path.startswith(prefix) else path
        group = groups.setdefault(resource, Group(resource))
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {})
            group.operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    anchor=f"{method}-{path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}",
                    summary=op.get("summary", ""),
                    public=op.get("security") == [],
                    parameters=[_parameter(p) for p in [*shared, *op.get("parameters", [])]],
                    body=_contents(body.get("content", {})),
                    body_required=bool(body.get("required")),
                    answers=_answers(op.get("responses", {}), document),
                )
            )
    return list(groups.values())


def components(document: dict[str, Any]) -> list[Component]:
    out = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        rows = _properties(schema)
        if not rows and isinstance(schema.get("additionalProperties"), dict):
            label, ref = type_label(schema)
            rows.append(Row("(any name)", label, ref, False, "", []))
        out.append(
            Component(
                name=name,
                description=schema.get("description", ""),
                rows=rows,
                closed=schema.get("additionalProperties") is False,
            )
        )
    return out


@bp.get("/api/docs")
def api_docs() -> Page:
    # Public, like the document; a signed-in reader keeps the navigation.
    user = auth.session_user()
    if user is not None:
        g.user = user
    document = openapi_document(auth.tactful().settings)
    return render_template(
        "api_docs.html",
        info=document["info"],
        version=document["openapi"],
        groups=operations(document),
        schemas=components(document),
        errors=document["components"]["responses"],
    )
