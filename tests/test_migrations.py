"""The Alembic migrations build exactly the schema the models describe."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from scheduler import migrate
from scheduler.models import Base, Hold
from tests.helpers import declare, queue, status_of


def test_migrations_match_the_models(app):
    with app.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert migrate.current(app.db) == "0008"


def test_downgrade_and_upgrade_round_trip(app):
    config = migrate.alembic_config(app.db)
    command.downgrade(config, "base")
    assert set(inspect(app.db.engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(app.db)
    assert {"posts", "holds", "incidents", "audit_events"} <= set(
        inspect(app.db.engine).get_table_names()
    )


def test_the_hold_foreign_keys_go_and_come_back_keeping_every_hold(app):
    post = queue(app)
    declared = declare(app)
    config = migrate.alembic_config(app.db)

    def state():
        with app.db.session() as session:
            rows = session.execute(select(Hold.incident_id, Hold.post_id, Hold.rule)).all()
        keys = {fk["referred_table"] for fk in inspect(app.db.engine).get_foreign_keys("holds")}
        return rows, keys

    held = [(declared.incident.id, post.id, "promotional/inside/severity>=2")]
    assert state() == (held, set())
    command.downgrade(config, "0003")
    assert state() == (held, {"incidents", "posts"})
    migrate.upgrade(app.db)
    assert state() == (held, set())
    assert status_of(app, post.id) == "held"
