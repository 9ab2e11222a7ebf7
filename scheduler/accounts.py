"""Channel accounts: brought in line with the configuration, enabled and disabled by
a person, every change audited.

Disabling an account that still has posts waiting to go out (queued or held) is a
decision a person makes: every path that would do it counts those posts and goes on
only when told to (``confirm``); the configuration sync leaves such an account
enabled and reports it instead. A disabled account's posts are not sent: the worker
sends each to review when it comes due. Accounts are never deleted (posts refer to
them). This module publishes nothing and reads no configuration file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler import approval, audit, clock
from scheduler.config import ChannelConfig
from scheduler.db import get_or_raise
from scheduler.errors import Conflict, NotFound
from scheduler.models import ChannelAccount, Post, User

# Posts that would still go out: queued, or held by an incident.
WAITING = ("queued", "held")


@dataclass(frozen=True)
class Withheld:
    """An account the configuration would disable, left enabled because posts wait."""

    channel_id: int
    name: str
    waiting: int
    reason: str


class ConfirmationNeeded(Conflict):
    """Disabling the account needs a person's confirmation: posts are waiting."""

    def __init__(self, name: str, waiting: int) -> None:
        self.name = name
        self.waiting = waiting
        super().__init__(
            f"channel account {name} has {waiting} queued {_posts(waiting)}; once it is "
            "disabled each goes to review instead of out: confirm to disable it"
        )


def _posts(count: int) -> str:
    return "post" if count == 1 else "posts"


def _actor(user: User | None) -> str:
    return user.name if user is not None else audit.SYSTEM


def waiting_posts(session: Session, channel_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Posts queued or held per channel account id (accounts with none are absent)."""
    query = (
        select(Post.channel_id, func.count())
        .where(Post.status.in_(WAITING))
        .group_by(Post.channel_id)
    )
    if channel_ids is not None:
        query = query.where(Post.channel_id.in_(list(channel_ids)))
    return {channel_id: count for channel_id, count in session.execute(query).all()}


def list_accounts(session: Session) -> list[ChannelAccount]:
    return list(session.scalars(select(ChannelAccount).order_by(ChannelAccount.name)))


def account_by_name(session: Session, name: str) -> ChannelAccount:
    found = session.scalar(select(ChannelAccount).where(ChannelAccount.name == name))
    if found is None:
        raise NotFound("channel account", name)
    return found


def _disable(
    session: Session, row: ChannelAccount, actor: str, reason: str | None, waiting: int
) -> None:
    row.enabled = False
    row.updated_at = clock.now()
    audit.record(
        session,
        actor,
        "channel.disabled",
        "channel",
        row.id,
        reason,
        {"waiting_posts": waiting} if waiting else None,
    )


def set_enabled(
    session: Session,
    channel_id: int,
    enabled: bool,
    user: User | None,
    *,
    reason: str = "",
    confirm: bool = False,
) -> ChannelAccount:
    """Enable or disable one account. Disabling one with waiting posts raises
    ``ConfirmationNeeded`` (with the count) unless ``confirm``; nothing changes then.
    Asking for the state it is already in changes nothing and records nothing."""
    row = get_or_raise(session, ChannelAccount, channel_id, "channel account", lock=True)
    if row.enabled == enabled:
        return row
    if enabled:
        row.enabled = True
        row.updated_at = clock.now()
        audit.record(session, _actor(user), "channel.enabled", "channel", row.id, reason or None)
        return row
    waiting = waiting_posts(session, [row.id]).get(row.id, 0)
    if waiting and not confirm:
        raise ConfirmationNeeded(row.name, waiting)
    _disable(session, row, _actor(user), reason or None, waiting)
    return row


def sync_channels(
    session: Session, channels: Sequence[ChannelConfig], *, confirm_disable: bool = False
) -> list[Withheld]:
    """Make the channel accounts match the configuration by name: create new ones,
    update changed ones, disable those no longer configured (or configured as
    disabled). Accounts a person added (``origin = "ui"``) are left alone, unless
    the configuration names one, which it then takes over. An account that would be disabled while posts wait on it stays
    enabled unless ``confirm_disable``; those are returned, with their counts."""
    now = clock.now()
    existing = {c.name: c for c in session.scalars(select(ChannelAccount))}
    to_disable: list[tuple[ChannelAccount, str]] = []
    for cfg in channels:
        row = existing.pop(cfg.name, None)
        values = {
            "network": cfg.network,
            "display_name": cfg.display_name,
            "options": dict(cfg.options),
            "max_length": cfg.max_length,
            "regions": list(cfg.regions),
            "require_approval": cfg.require_approval,
        }
        if row is None:
            row = ChannelAccount(
                name=cfg.name, created_at=now, updated_at=now, enabled=cfg.enabled, **values
            )
            session.add(row)
            session.flush()
            audit.record(session, audit.SYSTEM, "channel.created", "channel", row.id, "config")
            continue
        if row.origin != "config":
            # An account a person added is now named in the configuration, which takes
            # it over from here on; the account and its posts stay.
            row.origin = "config"
            row.updated_at = now
            audit.record(
                session,
                audit.SYSTEM,
                "channel.updated",
                "channel",
                row.id,
                "now in the configuration",
            )
        if cfg.enabled and not row.enabled:
            values["enabled"] = True
        if any(getattr(row, k) != v for k, v in values.items()):
            gate_changed = row.require_approval != cfg.require_approval
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = now
            audit.record(session, audit.SYSTEM, "channel.updated", "channel", row.id, "config")
            if gate_changed:
                approval.setting_changed(session, row)
        if not cfg.enabled and row.enabled:
            to_disable.append((row, "disabled in the configuration"))
    # Accounts a person added are theirs: the configuration never disables them.
    to_disable.extend(
        (row, "no longer in the configuration")
        for row in existing.values()
        if row.origin == "config"
    )
    candidates = [(row, why) for row, why in to_disable if row.enabled]
    counts = waiting_posts(session, [row.id for row, _ in candidates]) if candidates else {}
    withheld = []
    for row, why in candidates:
        waiting = counts.get(row.id, 0)
        if waiting and not confirm_disable:
            withheld.append(Withheld(row.id, row.name, waiting, why))
            continue
        _disable(session, row, audit.SYSTEM, why, waiting)
    return withheld


def describe_withheld(item: Withheld) -> str:
    """One line for a person: which account, why, how many posts, what to do."""
    return (
        f"channel account {item.name} is {item.reason} but has {item.waiting} queued "
        f"{_posts(item.waiting)}: left enabled. `tactful config apply --yes` disables it "
        "(its posts then go to review), or disable it on the Channels page"
    )
