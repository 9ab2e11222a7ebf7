"""The channel contract: one small interface every network adapter implements.

An adapter publishes one post and returns a ``Delivery``, or raises one of the typed
errors below; it never returns a failure value. It does not touch the database, the
clock seam or the hold rules: the publisher records attempts and decides retries.
Third-party errors (httpx, OSError) are wrapped here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from scheduler.errors import TactfulError


class ChannelError(TactfulError):
    """Publishing failed. Subclasses say whether trying again can help."""


class PermanentError(ChannelError):
    """Retrying cannot help (4xx other than 408/429, bad credentials, too long)."""


class TransientError(ChannelError):
    """The request was not accepted but may be on a later try (5xx, 429, connect
    failure, a timeout before anything was sent). ``retry_after`` is the network's
    own hint in seconds, when it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnknownOutcome(ChannelError):
    """The request may have reached the network (a timeout after sending, a dropped
    connection mid-response): a blind retry could post twice."""


@dataclass(frozen=True)
class AccountSpec:
    """A channel account as an adapter sees it: plain data, no ORM object."""

    id: int
    name: str
    network: str
    options: Mapping[str, Any] = field(default_factory=dict)
    max_length: int | None = None


@dataclass(frozen=True)
class OutgoingPost:
    post_id: int
    text: str
    idempotency_key: str
    category: str
    regions: tuple[str, ...]
    publish_at: datetime


@dataclass(frozen=True)
class Delivery:
    remote_id: str | None
    url: str | None = None


@dataclass(frozen=True)
class ChannelRuntime:
    """What an adapter may use from the running process."""

    connect_timeout: float
    read_timeout: float
    data_dir: Any  # pathlib.Path
    secret: Callable[[str], str | None]
    user_agent: str = "tactful/0.1 (+https://github.com/tactful)"


class Channel:
    """Base class for adapters. Subclasses set the class attributes and ``publish``."""

    network: ClassVar[str]
    # True when the network de-duplicates a repeated request carrying the same key,
    # so a post whose outcome is unknown after a crash may be sent again safely.
    supports_idempotency: ClassVar[bool] = False
    # True when a publish call never leaves this machine (no wire to race a hold).
    local: ClassVar[bool] = False

    def __init__(self, account: AccountSpec, runtime: ChannelRuntime) -> None:
        self.account = account
        self.runtime = runtime

    def publish(self, post: OutgoingPost) -> Delivery:
        raise NotImplementedError

    def check(self) -> str:
        """Test the account's connection without publishing anything: the cheapest
        authenticated call the network offers (or, for a local adapter, that it could
        write). Returns what was found, for a person ("signed in as @brand"); raises
        a ``ChannelError`` saying what is wrong. Subclasses override it."""
        raise PermanentError(f"no connection test for network {self.network!r}")

    def publish_many(self, posts: Sequence[OutgoingPost]) -> list[Delivery | ChannelError]:
        """Publish several posts, one after the other: one result per post, in order,
        a ``ChannelError`` for a post that failed. A local adapter that can write a
        batch at once overrides this."""
        results: list[Delivery | ChannelError] = []
        for post in posts:
            try:
                results.append(self.publish(post))
            except ChannelError as exc:
                results.append(exc)
        return results

    def close(self) -> None:
        """Release connections; the adapter may be used again after (it reconnects)."""
