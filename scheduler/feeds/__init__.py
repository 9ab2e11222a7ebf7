"""The monitor's plumbing: fetch feeds over HTTP, parse them into ``Entry`` values,
and run the poll pipeline that stores reports.

``fetch`` does the network, ``parse`` the bytes, ``poll`` the database, ``manage``
the feed list. None of them decides whether an entry is a tragedy: that is
``rules.assess``, passed in by the caller.
"""

from __future__ import annotations

from scheduler.errors import TactfulError


class FeedError(TactfulError):
    """A feed could not be fetched or read. The message is meant for people: it is
    stored on the feed as its ``last_error``.

    ``retry_after`` is the server's own "come back later" (HTTP 429/503), in seconds.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
