"""News feeds the monitor polls: admins add, enable, disable and pace them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, g, render_template, request

from rules.kinds import FEED_KINDS
from scheduler.errors import ValidationError
from scheduler.feeds import manage as feeds
from web import auth
from web.auth import login_required, role_required
from web.ui.common import Page, bp, db_session, other_errors, see_other

FEED_FIELDS = ("url", "kind", "interval_seconds", "title", "home")
NEW_FEED = {"url": "", "kind": "news", "interval_seconds": "", "title": "", "home": ""}


def _render_feeds(
    values: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    status: int = 200,
    row: tuple[int, Mapping[str, list[str]]] | None = None,
) -> tuple[str, int]:
    """The feed list and the add form; ``row`` is (feed id, errors) of a refused
    change to one feed."""
    settings = auth.tactful().settings
    with db_session() as db:
        listed = feeds.list_feeds(db)
        html = render_template(
            "feeds.html",
            feeds=listed,
            suggested={f.id: feeds.suggested_home(db, f) for f in listed},
            values=values,
            errors=errors,
            other_errors=other_errors(errors, FEED_FIELDS),
            row_id=row[0] if row else None,
            row_errors=row[1] if row else {},
            kinds=FEED_KINDS,
            min_interval=settings.monitor.min_interval_seconds,
            default_interval=settings.monitor.default_interval_seconds,
        )
    return html, status


@bp.get("/feeds")
@login_required
@role_required("admin")
def feeds_page() -> Page:
    return _render_feeds(NEW_FEED, {})


@bp.post("/feeds")
@login_required
@role_required("admin")
def add_feed() -> Page:
    values = {key: request.form.get(key, "").strip() for key in FEED_FIELDS}
    data = {key: value for key, value in values.items() if value or key in ("url", "kind")}
    try:
        with db_session() as db:
            feed_id = feeds.add_feed(db, auth.tactful().settings, data, g.user).id
    except ValidationError as exc:
        return _render_feeds(values, exc.errors, 400)
    flash(f"Feed {feed_id} added; it is polled at once.", "success")
    return see_other("ui.feeds_page")


def _change_feed(feed_id: int, data: dict[str, Any], done: str) -> Page:
    try:
        with db_session() as db:
            feeds.update_feed(db, auth.tactful().settings, feed_id, data, g.user)
    except ValidationError as exc:
        return _render_feeds(NEW_FEED, {}, 400, row=(feed_id, exc.errors))
    flash(f"Feed {feed_id} {done}.", "success")
    return see_other("ui.feeds_page")


@bp.post("/feeds/<id:feed_id>/enable")
@login_required
@role_required("admin")
def enable_feed(feed_id: int) -> Page:
    return _change_feed(feed_id, {"enabled": True}, "enabled")


@bp.post("/feeds/<id:feed_id>/disable")
@login_required
@role_required("admin")
def disable_feed(feed_id: int) -> Page:
    with db_session() as db:
        feeds.disable_feed(db, feed_id, g.user, request.form.get("reason", "").strip())
    flash(f"Feed {feed_id} disabled.", "success")
    return see_other("ui.feeds_page")


@bp.post("/feeds/<id:feed_id>/interval")
@login_required
@role_required("admin")
def feed_interval(feed_id: int) -> Page:
    interval = request.form.get("interval_seconds", "").strip()
    return _change_feed(feed_id, {"interval_seconds": interval}, f"now polled every {interval} s")


@bp.post("/feeds/<id:feed_id>/home")
@login_required
@role_required("admin")
def feed_home(feed_id: int) -> Page:
    home = request.form.get("home", "").strip()
    done = f"now read as published from {home.upper()}" if home else "has no publisher's area now"
    return _change_feed(feed_id, {"home": home or None}, done)
