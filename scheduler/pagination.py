"""Keyset pagination: opaque cursors over a list's sort key.

A page is "the ``limit`` rows after (or before) this position in the sort order",
never "skip N rows": with an index on the sort key, a page deep in a list costs what
the first one does. The position is the last (or first) row's sort key, the row id
as the unique tiebreaker, so a row inserted or changed between two pages is never
shown twice and never makes another row skip a page.

A cursor is ``base64url(JSON)`` plus a keyed digest. It says which way it points
and carries a fingerprint of the filters it was made for; one that was cut short,
edited by hand or made for other filters is refused with an error naming the
``cursor`` field. A cursor is a position, not a permission: whoever holds one can
read only what the same query without it would show.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scheduler.db import MAX_ID
from scheduler.errors import ValidationError

FIELD = "cursor"
AFTER = "after"
BEFORE = "before"
VERSION = 1
# Anyone reading the key in the source learns nothing useful: a forged cursor only
# moves the reader to another place in a list they may read anyway. Web processes
# pass their secret key instead, so cursors are theirs alone.
DEFAULT_KEY = b"tactful keyset cursor"
_DIGEST_CHARS = 16
MAX_LENGTH = 400


@dataclass(frozen=True)
class Cursor:
    """A position in a list sorted by (``at``, ``id``), and which way to read from it."""

    at: datetime
    id: int
    direction: str = AFTER


def key_for(secret: str) -> bytes:
    """The cursor key of an application whose secret key is ``secret``: every web
    process sharing that secret accepts the others' cursors."""
    return hashlib.sha256(b"tactful list cursor\0" + secret.encode()).digest()


def fingerprint(filters: Mapping[str, Any]) -> str:
    """A short digest of the filters a cursor belongs to (their order is irrelevant)."""
    canonical = json.dumps({k: str(v) for k, v in filters.items()}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def _digest(payload: bytes, key: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()[:_DIGEST_CHARS]


def encode(cursor: Cursor, filters: Mapping[str, Any], key: bytes = DEFAULT_KEY) -> str:
    body = [VERSION, cursor.direction, cursor.at.isoformat(), cursor.id, fingerprint(filters)]
    payload = json.dumps(body, separators=(",", ":")).encode()
    token = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{token}.{_digest(payload, key)}"


def _bad(message: str) -> ValidationError:
    return ValidationError.single(FIELD, message)


def decode(token: str, filters: Mapping[str, Any], key: bytes = DEFAULT_KEY) -> Cursor:
    """The cursor ``token`` stands for; raises ``ValidationError`` on ``cursor`` when
    it is malformed, altered, or was made for other filters."""
    if len(token) > MAX_LENGTH or "." not in token:
        raise _bad("Not a cursor from this list: follow the next or previous link as given.")
    encoded, _, digest = token.rpartition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise _bad("Not a cursor from this list: it is not valid base64.") from None
    if not hmac.compare_digest(digest.encode(), _digest(payload, key).encode()):
        raise _bad("This cursor was altered or cut short: follow the links as given.")
    try:
        version, direction, at_text, row_id, prints = json.loads(payload)
        at = datetime.fromisoformat(at_text)
    except (ValueError, TypeError, UnicodeDecodeError):
        raise _bad("Not a cursor from this list.") from None
    if (
        version != VERSION
        or direction not in (AFTER, BEFORE)
        or at.tzinfo is None
        or not isinstance(row_id, int)
        or isinstance(row_id, bool)
        or not 0 < row_id <= MAX_ID
    ):
        raise _bad("Not a cursor from this list.")
    if prints != fingerprint(filters):
        raise _bad(
            "This cursor belongs to a listing with other filters: start again from the first page."
        )
    return Cursor(at.astimezone(UTC), row_id, direction)
