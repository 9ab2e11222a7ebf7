"""The Alembic migrations build exactly the schema the models describe."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from scheduler import migrate
from scheduler.models import Base


def test_migrations_match_the_models(app):
    with app.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert migrate.current(app.db) == "0004"


def test_downgrade_and_upgrade_round_trip(app):
    config = migrate.alembic_config(app.db)
    command.downgrade(config, "base")
    assert set(inspect(app.db.engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(app.db)
    assert {"posts", "holds", "incidents", "audit_events"} <= set(
        inspect(app.db.engine).get_table_names()
    )
