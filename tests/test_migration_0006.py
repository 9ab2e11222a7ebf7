"""Migration 0006 (post approval) keeps every post with its regions and attempts,
on SQLite where it rebuilds the posts table and on PostgreSQL, both ways."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from scheduler import migrate
from scheduler.models import Post, PostRegion, PublishAttempt
from scheduler.publisher import Publisher
from tests.helpers import at, queue


def counts(app):
    with app.db.engine.connect() as connection:
        return tuple(
            connection.execute(select(func.count()).select_from(table.__table__)).scalar()
            for table in (Post, PostRegion, PublishAttempt)
        )


def test_the_rebuild_keeps_regions_and_attempts_and_the_new_statuses_are_allowed(app, frozen):
    queue(app, publish_at=at(minutes=1), category="service", regions=["US-TX", "FR"])
    waiting = queue(app, publish_at=at(minutes=60))
    frozen.advance(minutes=2)
    assert Publisher(app).run_round().published == 1
    with app.db.session() as session:
        session.execute(update(Post).where(Post.id == waiting.id).values(status="pending_approval"))
    before = counts(app)
    assert before == (2, 3, 1)

    command.downgrade(migrate.alembic_config(app.db), "0005")
    assert counts(app) == before
    with app.db.engine.connect() as connection:
        # The older schema has no waiting state: the post is a draft again.
        status = connection.execute(
            text("SELECT status FROM posts WHERE id = :id"), {"id": waiting.id}
        ).scalar()
    assert status == "draft"

    migrate.upgrade(app.db)
    assert counts(app) == before
    with app.db.session() as session:
        session.execute(update(Post).where(Post.id == waiting.id).values(status="rejected"))
    with pytest.raises(IntegrityError), app.db.session() as session:
        session.execute(update(Post).where(Post.id == waiting.id).values(status="approved"))
