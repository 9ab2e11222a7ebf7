"""Alembic migrations, run programmatically so ``tactful db upgrade`` works from any
directory with the packaged scripts."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config

from scheduler.db import Database


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("scheduler").joinpath("migrations"))
    )
    config.set_main_option("sqlalchemy.url", database.engine.url.render_as_string(False))
    config.attributes["engine"] = database.engine
    return config


def head() -> str:
    """The newest revision of the packaged migrations (they form one line)."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("scheduler").joinpath("migrations"))
    )
    heads = ScriptDirectory.from_config(config).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {', '.join(heads)}")
    return str(heads[0])


def upgrade(database: Database, revision: str = "head") -> None:
    command.upgrade(alembic_config(database), revision)


def current(database: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
