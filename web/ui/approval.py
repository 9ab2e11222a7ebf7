"""Post approval in the UI: the approval panel of a post's page, and its approve and
reject buttons (approvers; never the post's author nor anyone who changed it)."""

from __future__ import annotations

from typing import Any

from flask import flash, g, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from scheduler import approval, users
from scheduler.errors import Conflict, ValidationError
from scheduler.models import Post, User
from web import auth
from web.auth import login_required, role_required
from web.ui.common import bp, db_session, see_other


def _name(db: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = db.get(User, user_id)
    return user.name if user is not None else None


def panel(db: Session, post: Post) -> dict[str, Any]:
    """What the post's page shows about its approval, and whether the person looking
    may decide."""
    viewer = auth.current_user()
    wrote = viewer is not None and viewer.id in approval.authors(post)
    may_decide = viewer is not None and users.has_role(viewer, "approver")
    return {
        "required": approval.required(post.channel, post.category),
        "waiting": post.status == approval.PENDING,
        "rejected": post.status == approval.REJECTED,
        "version": post.version,
        "author": _name(db, post.author_id) or "the command line",
        "approved_by": _name(db, post.approved_by_id) if approval.is_approved(post) else None,
        "approved_at": post.approved_at if approval.is_approved(post) else None,
        "reason": post.last_error if post.status == approval.REJECTED else None,
        "wrote": wrote,
        "may_decide": may_decide and not wrote,
    }


def _decide(post_id: int, decide: Any, done: str) -> Response:
    try:
        with db_session() as db:
            decide(db)
    except (Conflict, ValidationError) as exc:
        flash(f"Post {post_id}: {exc}", "error")
        return see_other("ui.edit_post", post_id=post_id)
    flash(f"Post {post_id} {done}.", "success")
    return see_other("ui.queue", status=approval.PENDING)


def _version() -> Any:
    raw = request.form.get("version", "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else raw


@bp.post("/posts/<id:post_id>/approve")
@login_required
@role_required("approver")
def approve_post(post_id: int) -> Response:
    data = {"version": _version()}
    settings = auth.tactful().settings
    return _decide(
        post_id,
        lambda db: approval.approve(db, settings, post_id, data, g.user),
        "approved: it is queued",
    )


@bp.post("/posts/<id:post_id>/reject")
@login_required
@role_required("approver")
def reject_post(post_id: int) -> Response:
    data = {"version": _version(), "reason": request.form.get("reason", "").strip()}
    return _decide(
        post_id,
        lambda db: approval.reject(db, post_id, data, g.user),
        "sent back to its author",
    )
