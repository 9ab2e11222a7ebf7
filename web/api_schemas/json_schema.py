"""From marshmallow fields to JSON Schema (the OpenAPI 3.1 dialect): the generic
mapping, and ``doc`` for the fields it cannot describe."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, missing, validate

from scheduler.schemas import TimeZoneField, WallTimeField


def doc(**schema: Any) -> dict[str, Any]:
    """OpenAPI metadata for a field the generic mapping cannot describe."""
    return {"openapi": schema}


def field_schema(field: fields.Field[Any]) -> dict[str, Any]:
    explicit = field.metadata.get("openapi")
    if explicit:
        return dict(explicit)
    out: dict[str, Any]
    if isinstance(field, fields.List):
        out = {"type": "array", "items": field_schema(field.inner)}
    elif isinstance(field, fields.Dict):
        values = field.value_field
        out = {"type": "object", "additionalProperties": field_schema(values) if values else {}}
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
        properties[key] = field_schema(field)
        if field.required:
            required.append(key)
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    if schema.unknown == RAISE:
        out["additionalProperties"] = False
    return out
