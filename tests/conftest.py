"""Shared fixtures: real databases (SQLite file and PostgreSQL), a pinned clock, and
ready-made application objects.

Tests that take ``app`` run once on SQLite and once on PostgreSQL. PostgreSQL comes
from ``TACTFUL_TEST_POSTGRES_URL`` (default: the local ``test`` database); when it
is unreachable the PostgreSQL runs are skipped locally and fail under CI (``CI`` set).
Tests marked ``corpus`` need the development corpus (``tests/locate.py``): without it
they are skipped with one summary line, and under CI they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from scheduler import clock, migrate, posts, users
from scheduler.config import Settings, load_settings
from scheduler.context import Tactful
from scheduler.db import Database
from scheduler.models import Base, User
from tests import locate

REPO = locate.REPO
FIXTURES = locate.FIXTURES
CORPUS_ABSENT = (
    "needs the development corpus (../shared beside the clone, or TACTFUL_SHARED), which "
    "is absent; these tests run under CI"
)
PG_ADMIN_URL = os.environ.get(
    "TACTFUL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

TEST_CHANNELS = [
    {"name": "outbox", "network": "outbox", "display_name": "Outbox", "path": "outbox.jsonl"},
    {
        "name": "us",
        "network": "outbox",
        "display_name": "US outbox",
        "path": "outbox-us.jsonl",
        "regions": ["US"],
        "counts_as": "x",
    },
    {
        "name": "masto",
        "network": "outbox",
        "display_name": "Mastodon-like",
        "path": "outbox-m.jsonl",
        "counts_as": "mastodon",
    },
    {
        "name": "sky",
        "network": "outbox",
        "display_name": "Bluesky-like",
        "path": "outbox-b.jsonl",
        "counts_as": "bluesky",
    },
]
# A channel whose posts wait for a second person's approval (``require_approval``).
GATED = {
    "name": "gated",
    "network": "outbox",
    "display_name": "Brand (approval required)",
    "path": "outbox-gated.jsonl",
    "require_approval": True,
}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip (or, under CI, fail) a ``corpus`` test when the corpus is absent. Raised
    here, before any fixture reads a file, and from this one line, so that pytest's
    summary folds every such skip into one line."""
    if item.get_closest_marker("corpus") is None or locate.corpus_present():
        return
    if os.environ.get("CI"):
        pytest.fail(f"the development corpus is required under CI: {FIXTURES} is missing")
    pytest.skip(CORPUS_ABSENT)


def make_settings(data_dir: Path, url: str = "", **overrides: Any) -> Settings:
    """Settings from the packaged defaults only (no ./config.toml, no env)."""
    layered: dict[str, Any] = {
        "paths": {"data_dir": str(data_dir)},
        "database": {"url": url},
        "channels": TEST_CHANNELS,
    }
    for section, values in overrides.items():
        if isinstance(values, dict):
            layered.setdefault(section, {}).update(values)
        else:
            layered[section] = values
    return load_settings(None, environ={}, overrides=layered)


def _pg_url(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (per xdist worker)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"tactful_test_{worker}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI and unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    url = _pg_url(name)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_migrated(pg_database: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    settings = make_settings(tmp_path_factory.mktemp("pg"), pg_database)
    db = Database(settings)
    migrate.upgrade(db)
    db.dispose()
    return pg_database


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating each time is slow)."""
    folder = tmp_path_factory.mktemp("template")
    settings = make_settings(folder)
    db = Database(settings)
    migrate.upgrade(db)
    db.dispose()
    return folder / "tactful.db"


def _truncate_pg(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copy(template, tmp_path / "tactful.db")
        return ""
    url: str = request.getfixturevalue("pg_migrated")
    _truncate_pg(url)
    return url


@pytest.fixture
def frozen() -> Iterator[clock.FrozenClock]:
    fake = clock.FrozenClock(T0)
    clock.set_source(fake)
    try:
        yield fake
    finally:
        clock.set_source(None)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def app(settings: Settings, frozen: clock.FrozenClock) -> Iterator[Tactful]:
    tactful = Tactful.from_settings(settings)
    with tactful.db.session() as session:
        posts.sync_channels(session, settings.channels)
    try:
        yield tactful
    finally:
        tactful.close()


def make_user(app: Tactful, name: str, role: str) -> User:
    with app.db.session() as session:
        return users.create_user(session, name, f"{name}-password-123", role)


@pytest.fixture
def alice(app: Tactful) -> User:
    """Alice queues posts: a social manager."""
    return make_user(app, "alice", "manager")


@pytest.fixture
def bob(app: Tactful) -> User:
    """Bob reviews incidents and holds: an approver."""
    return make_user(app, "bob", "approver")


@pytest.fixture
def carol(app: Tactful) -> User:
    """Carol manages feeds, channels and users: an admin."""
    return make_user(app, "carol", "admin")
