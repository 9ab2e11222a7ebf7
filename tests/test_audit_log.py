"""The audit log is append-only, down to the database."""

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from scheduler.models import AuditEvent
from tests.helpers import queue


def test_the_database_refuses_to_update_or_delete_audit_events(app):
    queue(app)
    with app.db.session() as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
    assert before > 0
    for statement in (
        update(AuditEvent).values(actor="mallory"),
        delete(AuditEvent),
    ):
        with pytest.raises(DBAPIError, match="append-only"), app.db.session() as session:
            session.execute(statement)
    with app.db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
        assert "mallory" not in session.scalars(select(AuditEvent.actor)).all()
