"""The composer's preview: one text (and a variant per network) as each network of
the chosen channel accounts would count and show it. Nothing is stored.

Used by the post form's Preview button and by ``POST /api/v1/posts/preview``; the
page's live preview computes the same from the same rules in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.text import Preview, limit_of, preview
from scheduler import posts
from scheduler.errors import ValidationError
from scheduler.models import ChannelAccount
from scheduler.posts import length_rule, network_variant_errors
from scheduler.schemas import PostPreviewSchema, PostUpdateSchema, load


@dataclass(frozen=True)
class NetworkPreview:
    """One network's preview, for the chosen accounts counted as that network. The
    limit is the tightest of theirs (an account may set its own ``max_length``)."""

    preview: Preview
    channels: tuple[str, ...]
    variant: bool

    @property
    def network(self) -> str:
        return self.preview.network


def tightest_limits(channels: list[ChannelAccount]) -> dict[str, tuple[int | None, list[str]]]:
    """Per network the accounts are counted as: the tightest limit and the accounts."""
    out: dict[str, tuple[int | None, list[str]]] = {}
    for channel in channels:
        network = length_rule(channel)
        own = limit_of(network, channel.max_length)
        limit, names = out.get(network, (own, []))
        if own is not None and (limit is None or own < limit):
            limit = own
        out[network] = (limit, [*names, channel.name])
    return out


def preview_posts(session: Session, data: Any) -> list[NetworkPreview]:
    """Previews of ``data`` (``text``, ``network_variants``, and ``channels`` or
    ``networks``; neither means every enabled account). Raises ``ValidationError``
    naming the field for unknown or disabled accounts and stray or blank variants."""
    fields = load(PostPreviewSchema(), data)
    errors: dict[str, list[str]] = {}
    if fields["channels"]:
        found = {
            c.name: c
            for c in session.scalars(
                select(ChannelAccount).where(ChannelAccount.name.in_(fields["channels"]))
            )
        }
        chosen = []
        for name in fields["channels"]:
            channel = found.get(name)
            if channel is None:
                errors.setdefault("channels", []).append(f"Unknown channel account {name!r}.")
            elif not channel.enabled:
                errors.setdefault("channels", []).append(f"Channel account {name!r} is disabled.")
            elif channel not in chosen:
                chosen.append(channel)
    elif fields["networks"]:
        chosen = []
    else:
        chosen = list(
            session.scalars(
                select(ChannelAccount)
                .where(ChannelAccount.enabled.is_(True))
                .order_by(ChannelAccount.name)
            )
        )
    groups = tightest_limits(chosen)
    for network in fields["networks"]:
        groups.setdefault(network, (None, []))
    by_network: dict[str, str] = fields["network_variants"]
    if not fields["channels"] and fields["networks"]:
        stray = sorted(set(by_network) - set(groups))
        if stray:
            errors["network_variants"] = [f"Not a previewed network: {', '.join(stray)}."]
        errors.update(network_variant_errors(by_network, [], channels_bad=True))
    else:
        errors.update(network_variant_errors(by_network, chosen, "channels" in errors))
    if errors:
        raise ValidationError(errors)
    out = []
    for network, (limit, names) in groups.items():
        text = by_network.get(network, fields["text"])
        out.append(
            NetworkPreview(
                preview=preview(text, network, limit),
                channels=tuple(names),
                variant=network in by_network,
            )
        )
    return out


def publish_summary(publish_at: str, zone: str) -> str | None:
    """``2026-06-01 18:30 Europe/Paris is 16:30 UTC``: the wall time the author chose
    and the instant it means (DST included), or None while either is missing or
    wrong (the form names the problem when it is sent)."""
    try:
        fields = load(PostUpdateSchema(), {"publish_at": publish_at, "timezone": zone})
        instant, local = posts.instant_of(fields["publish_at"], fields["timezone"])
    except ValidationError:
        return None
    shown = local.replace("T", " ")[:16]
    return f"{shown} {zone} is {instant.strftime('%Y-%m-%d %H:%M')} UTC"
