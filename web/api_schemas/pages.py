"""What every list of the API shares: ``limit`` and ``cursor`` in the query, and
``next_cursor`` in the answer (keyset pagination, ``scheduler.pages``).

A list answers at most ``limit`` items, newest (or first) first, and the cursor of
the next page, or ``null`` on the last. Pass it back unchanged as ``cursor``, with
the same filters, for the next page. The posts list is paged its own way (see its
operation).
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from scheduler.pages import MAX_CURSOR_LENGTH
from web.api_schemas.spec import doc

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000


def cursor_field() -> fields.String:
    return fields.String(
        validate=validate.Length(min=1, max=MAX_CURSOR_LENGTH),
        metadata=doc(description="`next_cursor` of the previous page; omit for the first page"),
    )


class PageQuerySchema(Schema):
    """A list's paging; a list's own query schema adds its filters."""

    class Meta:
        unknown = RAISE

    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata=doc(description="at most this many items in the answer"),
    )
    cursor = cursor_field()
