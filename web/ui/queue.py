"""The queue and the post form: managers queue, edit and cancel posts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, g, render_template, request
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from rules.regions import search as search_regions
from scheduler import holds, posts, queries
from scheduler.errors import ValidationError
from scheduler.models import POST_CATEGORIES, POST_STATUSES, Post
from web import auth
from web.auth import login_required
from web.ui.common import (
    COMMON_ZONES,
    Page,
    bp,
    count,
    db_session,
    other_errors,
    see_other,
    split,
)

# A condolence is only published from an approved condolence draft, never typed here.
FORM_CATEGORIES = tuple(c for c in POST_CATEGORIES if c != "condolence")
POST_FIELDS = ("text", "channels", "publish_at", "timezone", "category", "regions", "draft")
LIST_FILTERS = ("status", "category", "channel", "region")
# Where a page starts: a cursor from the page before, or (old links) an offset.
PAGE_POSITION = ("cursor", "offset")
# The list shows this many posts a page (the service's default page size).
PAGE_SIZE = 100
NEW_POST = {
    "text": "",
    "channels": [],
    "publish_at": "",
    "timezone": "UTC",
    "category": "promotional",
    "regions": "",
    "draft": False,
}


@bp.get("/")
@login_required
def queue() -> Page:
    query = {key: value for key in LIST_FILTERS if (value := request.args.get(key, "").strip())}
    position = {key: value for key in PAGE_POSITION if (value := request.args.get(key, "").strip())}
    shared: dict[str, object] = {
        "query": query,
        "statuses": POST_STATUSES,
        "categories": POST_CATEGORIES,
        "editable": posts.EDITABLE,
    }
    with db_session() as db:
        channels = posts.list_channels(db)
        # The dashboard's to-do: unanswered condolence prompts of ongoing incidents
        # (those of ended incidents stay on the condolences page).
        shared["prompts"] = queries.drafts(db, status=queries.OPEN, incident_open=True)
        try:
            page = posts.list_posts(
                db, {**query, **position, "limit": PAGE_SIZE}, cursor_key=auth.cursor_key()
            )
        except ValidationError as exc:
            html = render_template(
                "queue.html", page=None, channels=channels, errors=exc.errors, **shared
            )
            return html, 400
        return render_template(
            "queue.html",
            page=page,
            channels=channels,
            errors={},
            first_page=not position,
            **shared,
        )


# ---------------------------------------------------------------- post form
def _post_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """The submitted form, as re-rendered on error."""
    return {
        # Browsers send textarea newlines as CRLF; people typed one character.
        "text": form.get("text", "").replace("\r\n", "\n"),
        "channels": form.getlist("channels"),
        "publish_at": form.get("publish_at", "").strip(),
        "timezone": form.get("timezone", "").strip() or "UTC",
        "category": form.get("category", ""),
        "regions": form.get("regions", ""),
        "draft": "draft" in form,
    }


def _render_post_form(
    values: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    status: int = 200,
    post: Mapping[str, Any] | None = None,
) -> tuple[str, int]:
    """The new-post form (``post`` is None: lists the channels in a transaction of its
    own, so never call it inside one) or the edit form of the post ``post`` sums up."""
    channels = []
    if post is None:
        with db_session() as db:
            channels = posts.list_channels(db, enabled_only=True)
    html = render_template(
        "post_form.html",
        values=values,
        errors=errors,
        other_errors=other_errors(errors, (*POST_FIELDS, "status")),
        post=post,
        channels=channels,
        zones=COMMON_ZONES,
        categories=FORM_CATEGORIES,
    )
    return html, status


@bp.route("/posts/new", methods=["GET", "POST"])
@login_required
def new_post() -> Page:
    if request.method == "GET":
        return _render_post_form(NEW_POST, {})
    values = _post_values(request.form)
    data = {key: values[key] for key in POST_FIELDS if key != "regions"}
    if split(values["regions"]):
        data["regions"] = split(values["regions"])
    try:
        with db_session() as db:
            created = posts.create_posts(db, auth.tactful().settings, data, g.user)
            held = sum(1 for p in created if p.status == "held")
    except ValidationError as exc:
        return _render_post_form(values, exc.errors, 400)
    message = f"Saved {count(len(created), 'draft' if values['draft'] else 'post')}."
    if held:
        message += f" {held} held by an open incident: see the hold reasons below."
    flash(message, "success")
    return see_other("ui.queue")


def _post_summary(db: Session, post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "channel": post.channel.name,
        "status": holds.current_status(db, post),
        "category": post.category,
        "editable": post.status in posts.EDITABLE,
    }


def _edit_values(post: Post) -> dict[str, Any]:
    return {
        "text": post.text,
        "publish_at": post.local_time[:16],
        "timezone": post.timezone,
        "category": post.category,
        "regions": ", ".join(post.regions),
        "draft": post.status == "draft",
    }


def _changes(post: Post, values: Mapping[str, Any]) -> dict[str, Any]:
    """Only what the person changed, so an untouched field is never re-validated
    (an unchanged past publish time must not block a text fix)."""
    current = _edit_values(post)
    changes = {
        key: values[key]
        for key in ("text", "publish_at", "timezone", "category")
        if values[key] != current[key]
    }
    regions = split(values["regions"])
    if sorted(r.upper() for r in regions) != sorted(post.regions):
        changes["regions"] = regions
    if values["draft"] and post.status == "queued":
        changes["status"] = "draft"
    elif not values["draft"] and post.status == "draft":
        changes["status"] = "queued"
    return changes


@bp.route("/posts/<id:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int) -> Page:
    values = _post_values(request.form)
    summary: dict[str, Any] = {}
    status = None
    try:
        with db_session() as db:
            post = posts.get_post(db, post_id)
            summary = _post_summary(db, post)
            if request.method == "GET":
                return _render_post_form(_edit_values(post), {}, post=summary)
            # The diff and the update see the same row, in one transaction.
            changes = _changes(post, values)
            if changes:
                settings = auth.tactful().settings
                updated = posts.update_post(db, settings, post_id, changes, g.user)
                status = holds.current_status(db, updated)
    except ValidationError as exc:
        return _render_post_form(values, exc.errors, 400, post=summary)
    if status is None:
        flash(f"Post {post_id}: nothing changed.", "info")
    else:
        flash(f"Post {post_id} saved; it is {status.replace('_', ' ')}.", "success")
    return see_other("ui.queue")


@bp.post("/posts/<id:post_id>/cancel")
@login_required
def cancel_post(post_id: int) -> Response:
    with db_session() as db:
        posts.cancel_post(db, post_id, g.user, request.form.get("reason", "").strip())
    flash(f"Post {post_id} cancelled.", "success")
    return see_other("ui.queue")


@bp.get("/regions.json")
@login_required
def region_suggestions() -> dict[str, Any]:
    """Suggestions for the audience field (the page's script asks as you type)."""
    found = search_regions(request.args.get("q", "")[:100], limit=12)
    return {"regions": [{"code": r.code, "label": r.label} for r in found]}
