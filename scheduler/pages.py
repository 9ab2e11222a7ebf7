"""Keyset pagination for the lists: a page is ``limit`` rows after a cursor, and the
cursor is the sort key of the last row of the previous page.

Unlike an offset, a cursor does not skip or repeat rows when rows are added while
someone pages through a list (a new incident, an audit event), and it costs one
index range scan however deep the page. A cursor is opaque to its reader: the sort
key, as JSON, in URL-safe base64. Every list orders by a unique key (its own sort
column, then the id), so a cursor names one place exactly.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from scheduler.db import MAX_ID
from scheduler.errors import ValidationError

Key = tuple[Any, ...]
Row = TypeVar("Row", bound=Any)
CURSOR_FIELD = "cursor"
MAX_CURSOR_LENGTH = 500
BAD_CURSOR = "Not a cursor of this list: pass the next_cursor of the previous page."


def encode(key: Key) -> str:
    """The cursor for a row whose sort key is ``key``."""
    values = [v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v for v in key]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, kinds: Sequence[type]) -> Key:
    """The sort key a cursor holds, its values of ``kinds`` (``datetime``, ``int``,
    ``str``). Raises ``ValidationError`` on ``cursor`` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        raise ValidationError.single(CURSOR_FIELD, BAD_CURSOR) from None
    if not isinstance(values, list) or len(values) != len(kinds):
        raise ValidationError.single(CURSOR_FIELD, BAD_CURSOR)
    key = []
    for value, kind in zip(values, kinds, strict=True):
        key.append(_value(value, kind))
    return tuple(key)


def _value(value: Any, kind: type) -> Any:
    if kind is datetime and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None and 1970 <= moment.year <= 2999:
            return moment.astimezone(UTC)
    valid = {
        int: type(value) is int and 0 <= value <= MAX_ID,
        str: isinstance(value, str) and "\x00" not in value,
    }
    if valid.get(kind):
        return value
    raise ValidationError.single(CURSOR_FIELD, BAD_CURSOR)


def after(
    query: Select[Row],
    columns: Sequence[InstrumentedAttribute[Any]],
    key: Key | None,
    *,
    descending: bool,
) -> Select[Row]:
    """``query`` ordered by ``columns`` (all one way), from the row after ``key``."""
    ordered = query.order_by(*(c.desc() if descending else c.asc() for c in columns))
    if key is None:
        return ordered
    # (a, b) after (x, y): a beyond x, or a = x and b beyond y. Spelled out rather
    # than as a row-value comparison, which the index use of both databases follows.
    clauses: list[ColumnElement[bool]] = []
    for depth, column in enumerate(columns):
        equal = [columns[i] == key[i] for i in range(depth)]
        beyond = column < key[depth] if descending else column > key[depth]
        clauses.append(and_(*equal, beyond))
    return ordered.where(or_(*clauses))


def cut(rows: Sequence[Row], limit: int, key_of: Any) -> tuple[list[Row], str | None]:
    """The first ``limit`` of ``rows`` (fetched as ``limit + 1``), and the cursor of
    the next page when there is one."""
    page = list(rows[:limit])
    more = len(rows) > limit and page
    return page, encode(key_of(page[-1])) if more else None
