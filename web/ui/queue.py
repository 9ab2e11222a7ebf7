"""The queue: managers list and cancel posts (the post form is ``composer``)."""

from __future__ import annotations

from typing import Any

from flask import flash, g, render_template, request
from werkzeug.wrappers import Response

from rules.regions import search as search_regions
from scheduler import posts, queries
from scheduler.errors import ValidationError
from scheduler.models import POST_CATEGORIES, POST_STATUSES
from web import auth
from web.auth import login_required
from web.ui.common import (
    Page,
    bp,
    db_session,
    see_other,
)

LIST_FILTERS = ("status", "category", "channel", "region")
# Where a page starts: a cursor from the page before, or (old links) an offset.
PAGE_POSITION = ("cursor", "offset")
# The list shows this many posts a page (the service's default page size).
PAGE_SIZE = 100


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


# The post form (new and edit) is the composer's: web/ui/composer.py.


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
