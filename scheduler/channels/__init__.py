"""Channel adapters, one module per network, in an explicit registry."""

from __future__ import annotations

from scheduler.channels.base import (
    AccountSpec,
    Channel,
    ChannelError,
    ChannelRuntime,
    Delivery,
    OutgoingPost,
    PermanentError,
    TransientError,
    UnknownOutcome,
)
from scheduler.channels.bluesky import BlueskyChannel
from scheduler.channels.mastodon import MastodonChannel
from scheduler.channels.outbox import OutboxChannel
from scheduler.channels.webhook import WebhookChannel

REGISTRY: dict[str, type[Channel]] = {
    "outbox": OutboxChannel,
    "webhook": WebhookChannel,
    "mastodon": MastodonChannel,
    "bluesky": BlueskyChannel,
}


def build_channel(account: AccountSpec, runtime: ChannelRuntime) -> Channel:
    try:
        cls = REGISTRY[account.network]
    except KeyError:
        raise PermanentError(f"no adapter for network {account.network!r}") from None
    return cls(account, runtime)


__all__ = [
    "REGISTRY",
    "AccountSpec",
    "Channel",
    "ChannelError",
    "ChannelRuntime",
    "Delivery",
    "OutgoingPost",
    "PermanentError",
    "TransientError",
    "UnknownOutcome",
    "build_channel",
]
