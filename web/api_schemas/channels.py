"""Channel accounts as the API shows them, and a connection test's result. Options
hold network settings and the *names* of environment variables, never a secret."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from scheduler.models import CHANNEL_ORIGINS, ChannelAccount
from scheduler.schemas import StrictSchema
from web.api_schemas.spec import doc


class ChannelSchema(Schema):
    """A channel account with how many of its posts wait (queued or held)."""

    def __init__(self, *, waiting: Mapping[int, int] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.waiting_counts = waiting or {}

    id = fields.Integer()
    name = fields.String()
    network = fields.String()
    display_name = fields.String()
    enabled = fields.Boolean()
    regions = fields.List(
        fields.String(),
        metadata=doc(
            type="array",
            items={"type": "string"},
            description="default audience; empty is worldwide",
        ),
    )
    max_length = fields.Integer(allow_none=True)
    options = fields.Dict(
        keys=fields.String(),
        metadata=doc(
            type="object",
            description="network settings and the names of the environment variables "
            "holding secrets (``*_env``); never a secret",
        ),
    )
    origin = fields.String(
        validate=validate.OneOf(CHANNEL_ORIGINS),
        metadata=doc(
            type="string",
            enum=list(CHANNEL_ORIGINS),
            description="config: from the configuration file, read-only here apart from "
            "enabling and disabling; ui: added by a person, never touched by the sync",
        ),
    )
    waiting = fields.Method(
        "dump_waiting",
        metadata=doc(type="integer", minimum=0, description="posts queued or held"),
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def dump_waiting(self, row: ChannelAccount) -> int:
        return self.waiting_counts.get(row.id, 0)


class ChannelCheckSchema(Schema):
    channel_id = fields.Integer()
    name = fields.String()
    network = fields.String()
    ok = fields.Boolean()
    message = fields.String()


class ChannelToggleSchema(StrictSchema):
    """``POST /channels/{id}/enable|disable``: why, and (disable) that the posts
    waiting on the account may go to review."""

    reason = fields.String(load_default="", validate=validate.Length(max=2000))
    confirm = fields.Boolean(
        load_default=False,
        metadata=doc(
            type="boolean",
            default=False,
            description="disable even though posts wait (each then goes to review); "
            "without it such a disable is a 409 giving the count",
        ),
    )
