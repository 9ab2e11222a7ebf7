"""``tactful serve --demo``: a demo user, outbox channel accounts and posts due over
the next hour in several regions, so a new user sees a hold happen with no accounts
and no network. Declaring an incident in Texas (or California) holds the matching
promotions while the service post still goes out."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import func, select

from scheduler import clock, posts, users
from scheduler.config import ChannelConfig, Settings
from scheduler.context import Tactful
from scheduler.models import Post, User

DEMO_USER = "demo"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed to the person running the demo

DEMO_CHANNELS = (
    ChannelConfig(
        "brand-us",
        "outbox",
        "Brand US (outbox)",
        ("US",),
        True,
        280,
        {"path": "outbox.jsonl", "counts_as": "x"},
    ),
    ChannelConfig(
        "brand-fr",
        "outbox",
        "Brand France (outbox)",
        ("FR",),
        True,
        500,
        {"path": "outbox.jsonl", "counts_as": "mastodon"},
    ),
    ChannelConfig(
        "brand-support",
        "outbox",
        "Brand support (outbox)",
        (),
        True,
        300,
        {"path": "outbox.jsonl", "counts_as": "bluesky"},
    ),
)

# (minutes from now, channel, category, regions, text)
DEMO_POSTS: tuple[tuple[int, str, str, list[str], str], ...] = (
    (10, "brand-us", "promotional", ["US-TX"], "48-hour flash sale in Texas: 30% off everything!"),
    (15, "brand-us", "service", ["US-TX"], "Our Houston store opens late today at 11:00."),
    (20, "brand-us", "promotional", ["US-CA"], "California: new summer collection is here."),
    (25, "brand-us", "informational", ["US"], "We are hiring across the US. Join us."),
    (30, "brand-fr", "promotional", ["FR"], "Soldes flash à Paris ce week-end !"),
    (40, "brand-support", "service", [], "Support is available 24/7 at help.example.com."),
    (50, "brand-us", "promotional", ["US"], "Nationwide free shipping this week only."),
    (60, "brand-fr", "informational", ["FR-IDF"], "Nouvel horaire du magasin de Paris."),
)


def demo_settings(settings: Settings) -> Settings:
    names = {c.name for c in settings.channels}
    extra = tuple(c for c in DEMO_CHANNELS if c.name not in names)
    return dataclasses.replace(settings, channels=settings.channels + extra)


def seed(app: Tactful) -> str:
    """Create the demo user and posts once; return how to log in."""
    with app.db.session() as session:
        user = session.scalar(select(User).where(User.name == DEMO_USER))
        if user is None:
            user = users.create_user(session, DEMO_USER, DEMO_PASSWORD, "admin")
        queued = session.scalar(
            select(func.count()).select_from(Post).where(Post.status == "queued")
        )
        if not queued:
            start = clock.now().replace(second=0, microsecond=0)
            for minutes, channel, category, regions, text in DEMO_POSTS:
                at = start + timedelta(minutes=minutes)
                posts.create_posts(
                    session,
                    app.settings,
                    {
                        "text": text,
                        "channels": [channel],
                        "category": category,
                        "regions": regions,
                        "publish_at": at.strftime("%Y-%m-%dT%H:%M"),
                        "timezone": "UTC",
                    },
                    user,
                )
    return (
        f"demo: log in as {DEMO_USER!r} with password {DEMO_PASSWORD!r}; published posts "
        f"are appended to {app.settings.data_dir / 'outbox.jsonl'}"
    )
