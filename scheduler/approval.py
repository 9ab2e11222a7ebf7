"""Post approval: on a channel account with ``require_approval``, a post waits for an
approver before it is queued.

The status machine gains two states: ``pending_approval`` (written, waiting for an
approver) and ``rejected`` (sent back by one, with a reason, for its author to fix
and resubmit). An approval is of one ``version`` of the post — the version the
approver read — and is valid only while the post stays at that version: every
change of what goes out (text, time, audience, category) raises the version, and a
post so changed after its approval waits again. The approver must hold the approver
role and must not be the post's author nor anyone who changed it (the rule of
condolence drafts, ``scheduler.condolences``): two people see every post.

A post still waiting at its publish time goes to ``needs_review`` (``sweep``), and
the publisher refuses to send a post of such an account without a valid approval
(``missing``), whatever its status says. Condolence posts are exempt: they come
only from a condolence draft a person approved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import fields, validate
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from scheduler import audit, clock, holds, users
from scheduler import policy as hold_policy
from scheduler.config import Settings
from scheduler.db import get_or_raise
from scheduler.errors import Conflict, PermissionDenied
from scheduler.models import ChannelAccount, Post, User
from scheduler.schemas import StrictSchema, load

PENDING = "pending_approval"
REJECTED = "rejected"
WAITING = (PENDING, REJECTED)
# Why a post that waited past its time went to a person instead of out.
NOT_APPROVED = "not approved before its publish time"


class ApprovalSchema(StrictSchema):
    # The version the approver read: approving another one is a conflict.
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class RejectionSchema(StrictSchema):
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


def required(channel: ChannelAccount, category: str) -> bool:
    """Whether a post of ``category`` to ``channel`` needs an approver."""
    return bool(channel.require_approval) and category != "condolence"


def is_approved(post: Post) -> bool:
    """An approver approved the post as it is now."""
    return post.approved_by_id is not None and post.approved_version == post.version


def missing(
    channel: ChannelAccount,
    category: str,
    version: int,
    approved_version: int | None,
    approved_by_id: int | None,
) -> str | None:
    """The publish-time check: why a claimed post must not go out for want of an
    approval, or ``None``."""
    if not required(channel, category):
        return None
    if approved_by_id is None or approved_version != version:
        return f"channel account {channel.name} requires approval and this version has none"
    return None


def authors(post: Post) -> set[int]:
    """The users who wrote any part of the post: its author and every later editor."""
    ids = {int(i) for i in post.editor_ids or []}
    if post.author_id is not None:
        ids.add(post.author_id)
    return ids


def note_change(post: Post, user: User | None) -> None:
    """What goes out changed: a new version, whose approval (if any) is gone, and
    ``user`` is one of its authors."""
    post.version += 1
    post.approved_version = None
    post.approved_by_id = None
    post.approved_at = None
    if user is not None and user.id != post.author_id and user.id not in post.editor_ids:
        post.editor_ids = [*post.editor_ids, user.id]


def route(session: Session, post: Post, actor: str) -> bool:
    """Called when a post is about to be ``queued`` (created, submitted, resubmitted,
    rescheduled): one that needs an approval it lacks waits instead. Returns whether
    it now waits."""
    if post.status not in ("queued", "held") or is_approved(post):
        return False
    if not required(post.channel, post.category):
        return False
    post.status = PENDING
    post.lease_until = None
    post.claimed_by = None
    audit.record(
        session,
        actor,
        "post.approval_requested",
        "post",
        post.id,
        f"channel account {post.channel.name} requires approval",
        {"version": post.version},
    )
    return True


def _waiting_post(session: Session, post_id: int, version: int) -> Post:
    post = get_or_raise(session, Post, post_id, "post", lock=True)
    if post.status != PENDING:
        raise Conflict(f"post {post.id} is {post.status}, not waiting for approval")
    if version != post.version:
        raise Conflict(f"post {post.id} changed (now version {post.version}); read it again")
    return post


def approve(session: Session, settings: Settings, post_id: int, data: Any, user: User) -> Post:
    """An approver approves the version they read (``version``): the post is queued,
    and held at once if an open incident covers it. Raises ``PermissionDenied`` for
    a user below the approver role or one who wrote part of the post, ``Conflict``
    when it is not waiting or has moved past ``version``, or when its publish time
    came (it goes to review)."""
    if not users.has_role(user, "approver"):
        raise PermissionDenied("approving a post needs the approver role")
    fields_ = load(ApprovalSchema(), data if data is not None else {})
    post = _waiting_post(session, post_id, fields_["version"])
    if user.id in authors(post):
        raise PermissionDenied(
            f"you wrote or changed post {post.id}: another approver must approve it"
        )
    now = clock.now()
    if post.due_at <= now:
        raise Conflict(f"post {post.id}'s publish time has passed: it goes to review")
    post.status = "queued"
    post.approved_version = post.version
    post.approved_by_id = user.id
    post.approved_at = now
    post.last_error = None
    post.updated_at = now
    session.flush()
    audit.record(
        session, user.name, "post.approved", "post", post.id, details={"version": post.version}
    )
    # Just queued: held for the open incidents that cover it, stale holds released.
    holds.redecide_post(session, post, hold_policy.effective(session, settings), user.name)
    session.flush()
    return post


def reject(session: Session, post_id: int, data: Any, user: User) -> Post:
    """An approver sends the version they read back, with a reason: the post is
    ``rejected`` until someone edits or resubmits it (it waits for approval again)."""
    if not users.has_role(user, "approver"):
        raise PermissionDenied("rejecting a post needs the approver role")
    fields_ = load(RejectionSchema(), data if data is not None else {})
    post = _waiting_post(session, post_id, fields_["version"])
    reason = fields_["reason"].strip() or fields_["reason"]
    now = clock.now()
    post.status = REJECTED
    post.last_error = f"rejected by {user.name}: {reason}"
    post.updated_at = now
    audit.record(
        session, user.name, "post.rejected", "post", post.id, reason, {"version": post.version}
    )
    session.flush()
    return post


def sweep(session: Session, now: datetime | None = None, limit: int = 1000) -> int:
    """Posts still waiting for approval at their publish time go to ``needs_review``
    (never out). Returns how many moved."""
    now = now or clock.now()
    overdue = list(
        session.scalars(
            select(Post)
            .where(Post.status == PENDING, Post.due_at <= now)
            .order_by(Post.due_at, Post.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Post)
        )
    )
    for post in overdue:
        post.status = "needs_review"
        post.last_error = NOT_APPROVED
        post.updated_at = now
        audit.record(session, audit.SYSTEM, "post.needs_review", "post", post.id, NOT_APPROVED)
    return len(overdue)


def setting_changed(session: Session, channel: ChannelAccount) -> int:
    """An account's ``require_approval`` was just changed: from now on, posts to it
    going out unapproved wait (queued or held ones without an approval of their
    version); with the setting off, waiting posts no longer wait and are queued (the
    publisher decides their holds when it claims them, as for every post). Rejected
    posts stay with their authors. Returns how many posts moved, each audited."""
    why = (
        f"channel account {channel.name} "
        f"{'now requires' if channel.require_approval else 'no longer requires'} approval"
    )
    moving: ColumnElement[bool]
    if channel.require_approval:
        moving = (
            (Post.status.in_(("queued", "held")))
            & (Post.category != "condolence")
            & (
                Post.approved_by_id.is_(None)
                | Post.approved_version.is_(None)
                | (Post.approved_version != Post.version)
            )
        )
    else:
        moving = Post.status == PENDING
    rows = list(
        session.scalars(
            select(Post)
            .where(Post.channel_id == channel.id, moving)
            .order_by(Post.id)
            .with_for_update(of=Post)
        )
    )
    now = clock.now()
    for post in rows:
        post.updated_at = now
        if channel.require_approval:
            post.status = PENDING
            audit.record(
                session,
                audit.SYSTEM,
                "post.approval_requested",
                "post",
                post.id,
                why,
                {"version": post.version},
            )
            continue
        post.status = "queued"
        audit.record(session, audit.SYSTEM, "post.requeued", "post", post.id, why)
    return len(rows)
