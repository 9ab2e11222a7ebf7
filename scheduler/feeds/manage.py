"""Services for the feed list: add, update, list, disable and delete feeds, and sync
the ``[[feeds]]`` of the configuration into the database.

Input is checked with a marshmallow schema: every error names its field and
nothing is stored when any field is wrong. Every change made by a person is in the
audit log. Polling is not here (``scheduler.feeds.poll``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from marshmallow import Schema, fields, validate
from marshmallow import ValidationError as MarshmallowError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rules.kinds import FEED_KINDS
from scheduler import audit, clock, pages
from scheduler.config import Settings
from scheduler.db import get_or_raise
from scheduler.errors import Conflict, ValidationError
from scheduler.feeds.address import url_problem
from scheduler.feeds.parse import home_code, home_problem
from scheduler.models import Feed, Report, User
from scheduler.schemas import load

# Polling a feed less often than weekly would make it useless for a monitor.
MAX_INTERVAL = 7 * 24 * 3600
EDITABLE = ("url", "kind", "interval_seconds", "enabled", "title", "home")


def _actor(user: User | None) -> str:
    return user.name if user is not None else audit.SYSTEM


def feed_schema(settings: Settings) -> Schema:
    """The schema for a feed's fields, with the interval bounds and the addresses
    feeds may have (``monitor.allow_private``) from the settings."""
    minimum = settings.monitor.min_interval_seconds
    policy = settings.monitor.allow_private

    def reachable(url: str) -> None:
        problem = url_problem(url.strip(), policy)
        if problem:
            raise MarshmallowError(problem)

    def known_area(value: str | None) -> None:
        problem = home_problem(value) if home_code(value) else None
        if problem:
            raise MarshmallowError(problem)

    return Schema.from_dict(
        {
            "url": fields.String(
                required=True,
                validate=[
                    validate.Length(max=2000),
                    validate.URL(
                        schemes={"http", "https"},
                        require_tld=False,
                        error="Give an http:// or https:// address.",
                    ),
                    reachable,
                ],
            ),
            "kind": fields.String(
                required=True,
                validate=validate.OneOf(
                    FEED_KINDS, error=f"Must be one of: {', '.join(FEED_KINDS)}."
                ),
            ),
            "interval_seconds": fields.Integer(
                strict=False,
                validate=validate.Range(
                    min=minimum,
                    max=MAX_INTERVAL,
                    error=f"Must be between {minimum} and {MAX_INTERVAL} seconds.",
                ),
            ),
            "enabled": fields.Boolean(),
            "title": fields.String(allow_none=True, validate=validate.Length(min=1, max=500)),
            # The publisher's country or subdivision; empty or null clears it.
            "home": fields.String(allow_none=True, validate=known_area),
        },
        name="FeedSchema",
    )()


def _check_unique_url(session: Session, url: str, feed_id: int | None = None) -> None:
    other = session.scalar(select(Feed).where(Feed.url == url))
    if other is not None and other.id != feed_id:
        raise ValidationError.single("url", f"This feed is already monitored (feed {other.id}).")


def add_feed(session: Session, settings: Settings, data: Any, user: User | None) -> Feed:
    """Add a feed, due for polling at once. Raises ``ValidationError`` naming each bad
    field (nothing is stored then)."""
    values = load(feed_schema(settings), data)
    url = values["url"].strip()
    _check_unique_url(session, url)
    now = clock.now()
    feed = Feed(
        url=url,
        kind=values["kind"],
        title=(values.get("title") or "").strip() or None,
        home=home_code(values.get("home")),
        interval_seconds=values.get("interval_seconds", settings.monitor.default_interval_seconds),
        enabled=values.get("enabled", True),
        next_poll_at=now,
        error_count=0,
        created_at=now,
    )
    session.add(feed)
    session.flush()
    audit.record(
        session,
        _actor(user),
        "feed.created",
        "feed",
        feed.id,
        None,
        {
            "url": feed.url,
            "kind": feed.kind,
            "interval_seconds": feed.interval_seconds,
            **({"home": feed.home} if feed.home else {}),
        },
        at=now,
    )
    return feed


def get_feed(session: Session, feed_id: int, *, lock: bool = False) -> Feed:
    return get_or_raise(session, Feed, feed_id, "feed", lock=lock)


def list_feeds(
    session: Session,
    *,
    enabled_only: bool = False,
    enabled: bool | None = None,
    limit: int | None = None,
    after: tuple[Any, ...] | None = None,
) -> list[Feed]:
    """Feeds in the order they were added; ``enabled`` keeps the enabled (or the
    disabled) ones, ``after``: the id (a 1-tuple) of the last feed already seen."""
    query = pages.after(select(Feed), (Feed.id,), after, descending=False).limit(limit)
    if enabled_only or enabled is True:
        query = query.where(Feed.enabled.is_(True))
    elif enabled is False:
        query = query.where(Feed.enabled.is_(False))
    return list(session.scalars(query))


def _apply(feed: Feed, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the changed fields; returns {field: [old, new]}. A new address or a
    re-enabled feed is polled at once, from a clean slate."""
    now = clock.now()
    changes: dict[str, list[Any]] = {}
    for name in EDITABLE:
        if name in values and getattr(feed, name) != values[name]:
            changes[name] = [getattr(feed, name), values[name]]
            setattr(feed, name, values[name])
    if "url" in changes:
        feed.etag = feed.last_modified = feed.last_error = None
        feed.error_count = 0
    if "url" in changes or ("enabled" in changes and feed.enabled):
        feed.next_poll_at = now
    elif "interval_seconds" in changes and feed.last_polled_at is not None:
        feed.next_poll_at = min(
            feed.next_poll_at, feed.last_polled_at + timedelta(seconds=feed.interval_seconds)
        )
    return changes


def update_feed(
    session: Session, settings: Settings, feed_id: int, data: Any, user: User | None
) -> Feed:
    """Change a feed's url, kind, interval_seconds, enabled, title or home. Raises
    ``ValidationError`` naming each bad field, ``NotFound`` for an unknown id."""
    values = load(feed_schema(settings), data, partial=True)
    if not values:
        raise ValidationError.single("_schema", "Nothing to change.")
    feed = get_feed(session, feed_id, lock=True)
    if "url" in values:
        values["url"] = values["url"].strip()
        _check_unique_url(session, values["url"], feed.id)
    if "title" in values:
        values["title"] = (values["title"] or "").strip() or None
    if "home" in values:
        values["home"] = home_code(values["home"])
    changes = _apply(feed, values)
    if changes:
        audit.record(
            session, _actor(user), "feed.updated", "feed", feed.id, None, _jsonable(changes)
        )
    return feed


def disable_feed(session: Session, feed_id: int, user: User | None, reason: str = "") -> Feed:
    """Stop polling a feed; its reports stay. Disabling a disabled feed is a no-op."""
    feed = get_feed(session, feed_id, lock=True)
    if feed.enabled:
        feed.enabled = False
        audit.record(session, _actor(user), "feed.disabled", "feed", feed.id, reason or None)
    return feed


def delete_feed(session: Session, feed_id: int, user: User | None) -> None:
    """Delete a feed and its reports. Refused (``Conflict``) while any of its
    reports is evidence for an incident: disable the feed instead."""
    feed = get_feed(session, feed_id, lock=True)
    linked = session.scalar(
        select(func.count())
        .select_from(Report)
        .where(Report.feed_id == feed.id, Report.incident_id.is_not(None))
    )
    if linked:
        raise Conflict(
            f"feed {feed.id} has {linked} reports that are evidence for incidents; "
            "disable it instead"
        )
    audit.record(session, _actor(user), "feed.deleted", "feed", feed.id, None, {"url": feed.url})
    session.delete(feed)
    session.flush()


def sync_feeds(session: Session, settings: Settings) -> list[Feed]:
    """Make the feeds listed in the configuration match it, by URL: add the missing
    ones, update the ones that differ. Feeds not in the configuration (added by
    people) are left alone. Returns the configured feeds."""
    now = clock.now()
    existing = {f.url: f for f in session.scalars(select(Feed))}
    synced = []
    for cfg in settings.feeds:
        feed = existing.get(cfg.url)
        if feed is None:
            feed = Feed(
                url=cfg.url,
                kind=cfg.kind,
                title=cfg.title,
                home=cfg.home,
                interval_seconds=cfg.interval_seconds,
                enabled=cfg.enabled,
                next_poll_at=now,
                error_count=0,
                created_at=now,
            )
            session.add(feed)
            session.flush()
            audit.record(session, audit.SYSTEM, "feed.created", "feed", feed.id, "config")
        else:
            wanted: dict[str, Any] = {
                "kind": cfg.kind,
                "interval_seconds": cfg.interval_seconds,
                "enabled": cfg.enabled,
            }
            if cfg.title:
                wanted["title"] = cfg.title
            if cfg.home:
                wanted["home"] = cfg.home
            changes = _apply(feed, wanted)
            if changes:
                audit.record(
                    session,
                    audit.SYSTEM,
                    "feed.updated",
                    "feed",
                    feed.id,
                    "config",
                    _jsonable(changes),
                )
        synced.append(feed)
    session.flush()
    return synced


# A feed's area is suggested from its latest reports: this many are read, of which at
# least SUGGEST_PLACED must be placed in a subdivision and SUGGEST_SHARE of those in one.
SUGGEST_READ = 200
SUGGEST_PLACED = 20
SUGGEST_SHARE = 0.5


def suggested_home(session: Session, feed: Feed) -> tuple[str, int, int] | None:
    """For a news feed with no ``home``: the subdivision most of its latest reports are
    placed in, as (code, reports there, reports placed in a subdivision), when they
    say so clearly; a local paper's feed shows itself this way. None otherwise."""
    if feed.home or feed.kind != "news":
        return None
    rows = session.scalars(
        select(Report.regions)
        .where(Report.feed_id == feed.id)
        .order_by(Report.seen_at.desc(), Report.id.desc())
        .limit(SUGGEST_READ)
    )
    counts: dict[str, int] = {}
    placed = 0
    for regions in rows:
        code = next((r for r in regions or () if isinstance(r, str) and "-" in r), None)
        if code is not None:
            placed += 1
            counts[code] = counts.get(code, 0) + 1
    if placed < SUGGEST_PLACED:
        return None
    code, count = max(counts.items(), key=lambda item: (item[1], item[0]))
    return (code, count, placed) if count >= SUGGEST_SHARE * placed else None


def _jsonable(changes: dict[str, list[Any]]) -> dict[str, Any]:
    return {
        k: [v if isinstance(v, str | int | bool | None) else str(v) for v in pair]
        for k, pair in changes.items()
    }
