"""The apispec side of the OpenAPI document: an ``APISpec`` with the marshmallow plugin
set up for our fields, and ``doc`` for what a field cannot say of itself.

Every component schema and query parameter of the document is converted from its
marshmallow schema by apispec's ``MarshmallowPlugin``. Our own fields are taught to
it through the plugin's extension points: ``map_to_openapi_type`` gives a custom
field its JSON type, an attribute function (``add_attribute_function``) adds what a
type cannot say (the description and example of a time zone or a wall time), and a
field's ``metadata`` (written with ``doc``) is copied into its property by the
plugin itself.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.openapi import OpenAPIConverter
from marshmallow import fields

from scheduler.schemas import TimeZoneField, WallTimeField

OPENAPI_VERSION = "3.1.0"
# What a custom field's JSON type cannot say; a field's own ``doc`` wins.
CUSTOM_FIELDS: dict[type[fields.Field[Any]], dict[str, Any]] = {
    TimeZoneField: {"description": "IANA time zone", "examples": ["Europe/Paris"]},
    WallTimeField: {
        "description": "YYYY-MM-DDTHH:MM wall time in `timezone`, or ISO 8601 with an "
        "offset; a date alone is refused",
        "examples": ["2026-12-01T09:00"],
    },
}


def doc(**schema: Any) -> dict[str, Any]:
    """A field's ``metadata`` for the document: JSON Schema keywords (``type``,
    ``description``, ``examples``, ``items``, ``enum``, ``minimum`` …) that the
    plugin copies into the field's property, over what it derives from the field.
    For the fields it cannot describe (``Function``, ``Method``), say the ``type``."""
    return dict(schema)


def custom_fields2properties(
    self: OpenAPIConverter, field: fields.Field[Any], **kwargs: Any
) -> dict[str, Any]:
    """The plugin's attribute function for our custom fields (run after its own)."""
    for field_class, extra in CUSTOM_FIELDS.items():
        if isinstance(field, field_class):
            return {key: value for key, value in extra.items() if key not in field.metadata}
    return {}


def new_spec(title: str, version: str, **options: Any) -> tuple[APISpec, MarshmallowPlugin]:
    """An OpenAPI 3.1 ``APISpec`` whose marshmallow plugin knows our fields."""
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title=title,
        version=version,
        openapi_version=OPENAPI_VERSION,
        plugins=[plugin],
        **options,
    )
    plugin.map_to_openapi_type(TimeZoneField, "string", None)  # type: ignore[no-untyped-call]
    plugin.map_to_openapi_type(WallTimeField, "string", None)  # type: ignore[no-untyped-call]
    assert plugin.converter is not None  # set by the spec, above
    plugin.converter.add_attribute_function(custom_fields2properties)  # type: ignore[no-untyped-call]
    return spec, plugin


@cache
def converter() -> OpenAPIConverter:
    """A converter for fields outside any document being built (query parameters
    described on their own); converting a field registers nothing."""
    _spec, plugin = new_spec("fields", "0")
    assert plugin.converter is not None
    return plugin.converter
