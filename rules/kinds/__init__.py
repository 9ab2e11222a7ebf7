"""The registry of feed kinds: one module each, behind the contract in
``rules.kinds.base``. Everything that needs to know the kinds — the parser, the
assessment, the configuration check, the CLI's and the web's choices, the
benchmarks — reads ``KINDS``; adding a kind is one module and one line here.
"""

from __future__ import annotations

from rules.kinds import cap, emsc, gdacs, news, usgs
from rules.kinds.base import FeedKind
from rules.reports import Entry

KINDS: dict[str, FeedKind] = {
    k.name: k for k in (news.KIND, cap.KIND, gdacs.KIND, usgs.KIND, emsc.KIND)
}
FEED_KINDS: tuple[str, ...] = tuple(KINDS)
# Kinds whose structured fields mark an entry whatever feed it came from, in the
# order they are tried.
_BY_FIELDS = (cap.KIND, gdacs.KIND, usgs.KIND)


def guess(body: bytes) -> str:
    """The feed kind from markers in the first 64 KiB; ``news`` when none is found."""
    head = body[:65536].lower()
    for kind in KINDS.values():
        if any(marker in head for marker in kind.markers):
            return kind.name
    return news.KIND.name


def for_entry(entry: Entry) -> FeedKind:
    """The kind that assesses ``entry``: its feed's, unless its fields say otherwise
    (a CAP alert carried in a news feed is read as CAP)."""
    own = KINDS.get(entry.feed_kind)
    if own is not None and own is not news.KIND:
        return own
    if not entry.fields:
        return news.KIND
    for kind in _BY_FIELDS:
        if any(name in entry.fields for name in kind.signature_fields):
            return kind
    return news.KIND
