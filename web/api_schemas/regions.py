"""Regions for audience pickers: the output schema and the search query."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate


class RegionSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String(validate=validate.OneOf(("world", "country", "subdivision")))
    parent = fields.String(allow_none=True)
    label = fields.String()


class RegionQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    q = fields.String(required=True, validate=validate.Length(min=1, max=100))
