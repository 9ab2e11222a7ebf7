"""Output schema of the hold policy's lines (their input schema is
``scheduler.policy.PolicyLineSchema``)."""

from __future__ import annotations

from marshmallow import Schema, fields


class PolicyLineSchema(Schema):
    category = fields.String()
    inside = fields.Integer(metadata={"description": "severity that holds posts inside the area"})
    containing = fields.Integer(
        metadata={"description": "severity that holds posts whose audience contains the area"}
    )
    overridden = fields.Boolean(metadata={"description": "changed in the app, not configured"})
    configured_inside = fields.Integer(attribute="configured.inside")
    configured_containing = fields.Integer(attribute="configured.containing")
    changed_by = fields.String(allow_none=True)
    changed_at = fields.DateTime(allow_none=True)


class PolicyChangeSchema(Schema):
    line = fields.Nested(PolicyLineSchema)
    held = fields.Integer(metadata={"description": "holds added for the open incidents"})
    released = fields.Integer(metadata={"description": "holds released for the open incidents"})
