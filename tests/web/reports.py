"""Builders for the monitor's side of incidents: a feed entry stored as a report and
turned into (or joined to) an incident, as ``scheduler.feeds.poll`` would."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from scheduler import clock, incidents
from scheduler.context import Tactful
from scheduler.models import Feed, Report

FEED_URL = "http://feeds.test/news"


def store_report(
    app: Tactful,
    *,
    title: str = "Gunman kills 5 in Uvalde, Texas",
    link: str | None = "https://news.test/uvalde",
    evidence: Sequence[str] = ("'kills 5' in title", "Uvalde -> US-TX"),
    kind: str = "shooting",
    severity: int = 3,
    confidence: float = 0.9,
    regions: Sequence[str] = ("US-TX",),
) -> int:
    """Store one tragedy report and return the incident it opened or joined."""
    with app.db.session() as session:
        feed = session.scalar(select(Feed).where(Feed.url == FEED_URL))
        if feed is None:
            feed = Feed(
                url=FEED_URL,
                kind="news",
                interval_seconds=300,
                next_poll_at=clock.now(),
                created_at=clock.now(),
            )
            session.add(feed)
            session.flush()
        report = Report(
            feed_id=feed.id,
            guid_hash=title[:64],
            guid=title,
            title=title,
            link=link,
            seen_at=clock.now(),
            tragedy=True,
            kind=kind,
            severity=severity,
            confidence=confidence,
            evidence=list(evidence),
            regions=list(regions),
        )
        session.add(report)
        session.flush()
        incident = incidents.record_report(session, app.settings, report)
        assert incident is not None, "the report should open an incident"
        return incident.id
