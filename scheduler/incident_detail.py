"""What an incident's page shows beyond the incident row: the posts it holds now."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.models import Hold, Post

HELD_SHOWN = 200


@dataclass(frozen=True)
class HeldPost:
    post: Post
    rule: str


@dataclass(frozen=True)
class HeldPosts:
    rows: list[HeldPost]
    total: int


def held_posts(session: Session, incident_id: int, limit: int = HELD_SHOWN) -> HeldPosts:
    """The posts ``incident_id`` holds now (open holds), soonest due first, at most
    ``limit`` of them, and how many there are in all."""
    open_holds = (Hold.incident_id == incident_id, Hold.released_at.is_(None))
    total = session.scalar(select(func.count()).select_from(Hold).where(*open_holds)) or 0
    rows = session.execute(
        select(Post, Hold.rule)
        .join(Hold, Hold.post_id == Post.id)
        .where(*open_holds)
        .order_by(Post.publish_at, Post.id)
        .limit(limit)
    ).all()
    return HeldPosts([HeldPost(post, rule) for post, rule in rows], total)
