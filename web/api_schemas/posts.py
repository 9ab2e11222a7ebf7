"""Output schemas of posts and the holds on them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import Schema, fields

from scheduler.holds import shown_status
from scheduler.models import POST_STATUSES, Hold, Post
from web.api_schemas.spec import doc


class HoldSchema(Schema):
    incident_id = fields.Integer()
    incident_title = fields.Function(lambda hold: hold.incident.title, metadata=doc(type="string"))
    rule = fields.String(metadata=doc(type="string", examples=["promotional/inside/severity>=2"]))
    since = fields.DateTime(attribute="created_at")


class PostSchema(Schema):
    """A post, with the open holds on it (from ``holds.open_hold_reasons``)."""

    def __init__(self, *, holds: Mapping[int, Sequence[Hold]] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.holds_by_post = holds or {}

    id = fields.Integer()
    group_key = fields.String()
    channel = fields.Function(
        lambda post: post.channel.name, metadata=doc(type="string", description="account name")
    )
    text = fields.String()
    category = fields.String()
    status = fields.Method(
        "dump_status",
        metadata=doc(
            type="string", enum=list(POST_STATUSES), description="`held` while a hold is open"
        ),
    )
    publish_at = fields.DateTime(metadata=doc(type="string", format="date-time"))
    timezone = fields.String()
    local_time = fields.String(
        metadata=doc(type="string", description="wall time in `timezone`, YYYY-MM-DDTHH:MM:SS")
    )
    regions = fields.List(fields.String())
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    review_reason = fields.Method(
        "dump_review_reason",
        metadata=doc(
            type=["string", "null"],
            description="why a person must act (needs_review, failed, unconfirmed, rejected)",
        ),
    )
    version = fields.Integer(
        metadata=doc(
            type="integer",
            description="raised by every change of what goes out; approve the version you read",
        )
    )
    approved_version = fields.Integer(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    remote_id = fields.String(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    holds = fields.Method(
        "dump_holds",
        metadata=doc(type="array", items={"$ref": "#/components/schemas/Hold"}),
    )

    def dump_status(self, post: Post) -> str:
        return shown_status(post, bool(self.holds_by_post.get(post.id)))

    def dump_review_reason(self, post: Post) -> str | None:
        if self.dump_status(post) in ("needs_review", "failed", "unconfirmed", "rejected"):
            return post.last_error
        return None

    def dump_holds(self, post: Post) -> list[dict[str, Any]]:
        dumped: list[dict[str, Any]] = HoldSchema(many=True).dump(
            self.holds_by_post.get(post.id, [])
        )
        return dumped
