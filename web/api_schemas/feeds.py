"""Output schema of the monitored feeds (their input schema is
``scheduler.feeds.manage.feed_schema``)."""

from __future__ import annotations

from marshmallow import Schema, fields

from web.api_schemas.pages import PageQuerySchema
from web.api_schemas.spec import doc


class FeedSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    kind = fields.String()
    title = fields.String(allow_none=True)
    home = fields.String(allow_none=True)
    interval_seconds = fields.Integer()
    enabled = fields.Boolean()
    next_poll_at = fields.DateTime()
    last_polled_at = fields.DateTime(allow_none=True)
    error_count = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()


class FeedQuerySchema(PageQuerySchema):
    """``GET /api/v1/feeds`` query string."""

    enabled = fields.Boolean(metadata=doc(description="only enabled (or disabled) feeds"))
