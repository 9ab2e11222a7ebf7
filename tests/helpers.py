"""Small builders shared by tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from scheduler import clock, holds, incidents, posts
from scheduler.context import Tactful
from scheduler.models import Post, Report


def at(minutes: float = 0, seconds: float = 0) -> str:
    """A UTC wall time ``minutes`` from the pinned now, as a form would send it."""
    moment: datetime = clock.now() + timedelta(minutes=minutes, seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def queue(app: Tactful, **fields: Any) -> Post:
    data: dict[str, Any] = {
        "text": "Flash sale: 30% off today only!",
        "channels": ["outbox"],
        "publish_at": at(minutes=10),
        "timezone": "UTC",
        "category": "promotional",
        "regions": ["US-TX"],
    }
    data.update(fields)
    with app.db.session() as session:
        created = posts.create_posts(session, app.settings, data, None)
        return created[0]


def declare(app: Tactful, **fields: Any) -> incidents.Declared:
    data: dict[str, Any] = {
        "kind": "shooting",
        "severity": 3,
        "regions": ["US-TX"],
        "title": "Gunman kills 5 in Uvalde, Texas",
    }
    data.update(fields)
    with app.db.session() as session:
        return incidents.declare(session, app.settings, data, None)


def status_of(app: Tactful, post_id: int) -> str:
    """The post's status as shown to people (``held`` while a hold is open)."""
    with app.db.session() as session:
        return holds.current_status(session, posts.get_post(session, post_id))


def placed_reports(app, feed_id, regions_list):
    """Store one plain report per regions list, a minute apart, the last newest."""
    start = clock.now()
    with app.db.session() as session:
        for n, regions in enumerate(regions_list):
            session.add(
                Report(
                    feed_id=feed_id,
                    guid_hash=f"{feed_id:04d}{n:060d}",
                    guid=f"g{n}",
                    title=f"t{n}",
                    seen_at=start + timedelta(minutes=n),
                    tragedy=False,
                    regions=list(regions),
                )
            )
