"""Engine and sessions for SQLite and PostgreSQL.

SQLite: WAL, a busy timeout, foreign keys on, and ``BEGIN IMMEDIATE`` for every
transaction (taking transaction control away from the sqlite3 driver), so that a
transaction that reads then writes never fails with "database is locked" halfway.
All datetimes are stored as naive UTC and come back aware (``UTCDateTime``), since
SQLite drops offsets.

A read-only ``Database`` (the CLI's listing commands) refuses every write at the
database itself: SQLite connections run with ``query_only`` and plain ``BEGIN``,
PostgreSQL sessions with ``default_transaction_read_only``. It never creates a
SQLite file.
"""

from __future__ import annotations

import os
import select
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, DateTime, Engine, Integer, any_, create_engine, event, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import QueryableAttribute, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from scheduler.config import Settings
from scheduler.errors import NotFound

M = TypeVar("M")


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime stored as a naive UTC timestamp on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _configure_sqlite(engine: Engine, busy_timeout: float, read_only: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        if read_only:
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A reader takes no write lock: it never waits for, or blocks, a worker.
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) readable by the owner only (0700). An
    existing directory is left as its owner set it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def private_file(path: Path) -> None:
    """Create the SQLite file empty and owner-only (0600) before SQLite opens it, so
    it (and its -wal and -shm files, which SQLite makes with the same mode) is never
    readable by others; an existing file is left alone."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL, or None for another database or an in-memory one."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1]
    return path if path and path != ":memory:" else None


def make_engine(settings: Settings, *, read_only: bool = False) -> Engine:
    url = settings.database_url
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if not read_only:
            private_dir(settings.data_dir)
            if path:
                private_file(Path(path))
        engine = create_engine(
            url, connect_args={"timeout": settings.sqlite_busy_timeout, "check_same_thread": False}
        )
        _configure_sqlite(engine, settings.sqlite_busy_timeout, read_only)
        return engine
    connect_args = {"options": "-c default_transaction_read_only=on"} if read_only else {}
    engine = create_engine(
        url,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        connect_args=connect_args,
    )
    _configure_postgresql(engine)
    _check_on_checkout(engine)
    return engine


# A pooled connection idle for longer than this is pinged before use, whatever its
# socket says (a connection dropped without a word from the server shows nothing).
PING_AFTER_IDLE_SECONDS = 30.0


def _check_on_checkout(engine: Engine) -> None:
    """Hand out only live connections, without a round trip for each checkout.

    ``pool_pre_ping`` sends ``SELECT 1`` on every checkout: two of the dozen round
    trips of a feed poll, one of every web request's. A connection the server has
    closed (a restart, a terminated backend, an idle timeout) has said so on its
    socket, which is then readable while the connection is idle; such a connection,
    a broken one, and one idle for longer than ``PING_AFTER_IDLE_SECONDS`` are pinged,
    and one that fails the ping is replaced (``DisconnectionError`` makes the pool
    retry with a new connection), as ``pool_pre_ping`` does."""

    def _idle_since_now(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    event.listen(engine, "connect", _idle_since_now)
    event.listen(engine, "checkin", _idle_since_now)

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if getattr(dbapi_connection, "broken", False) or dbapi_connection.closed:
            raise DisconnectionError("the connection is closed")
        idle = time.monotonic() - record.info.get("idle_since", float("-inf"))
        if idle < PING_AFTER_IDLE_SECONDS and not _has_input(dbapi_connection):
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"the connection failed its ping: {exc}") from exc
        if not alive:
            raise DisconnectionError("the connection failed its ping")


def _has_input(dbapi_connection: Any) -> bool:
    """Whether an idle connection's socket has something to read: the server never
    speaks to an idle client unprompted except to say it is closing (or a
    notification, which a ping then consumes harmlessly)."""
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _configure_postgresql(engine: Engine) -> None:
    """Two planner settings for every connection.

    psycopg prepares a statement after it has run a few times, and PostgreSQL may
    then switch it to a generic plan. A generic plan made while a table was nearly
    empty (the first claims after a start, the first holds of an incident) stays
    bad as the table grows: one benchmark run finished posts at 905/s instead of
    ~1,500/s. Prepared statements stay (no re-parsing); each execution is planned
    for its own parameters and the current statistics.

    JIT compilation is off. The server compiles a query once its estimated cost
    passes ``jit_above_cost``, and a plan node the transaction has disabled (the
    hold fan-out's ``enable_nestloop = off``, which a join with no hashable clause
    must still use) is costed at 10^10: after a fan-out, the poll's next coverage
    count (a few dozen rows) spent about 115 ms compiling and under 1 ms running.
    This application's statements are short; none gains from compiling."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_custom_plan")
            cursor.execute("SET jit = off")
        dbapi_connection.commit()


class Database:
    """Owns the engine and hands out transactional sessions."""

    def __init__(
        self, settings: Settings, engine: Engine | None = None, *, read_only: bool = False
    ) -> None:
        self.settings = settings
        self.read_only = read_only
        self.engine = engine or make_engine(settings, read_only=read_only)
        self._factory = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: commits on success, rolls back on any exception."""
        session = self._factory()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for a read that needs no transaction of its own (one statement).
        On PostgreSQL it runs in autocommit, saving the ``BEGIN`` and ``COMMIT``
        round trips; anything it writes is committed statement by statement, so it
        is for reading. On SQLite, an ordinary ``session``."""
        if self.is_sqlite:
            with self.session() as session:
                yield session
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            session = Session(bind=conn, expire_on_commit=False, autoflush=False)
            try:
                yield session
            finally:
                session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def id_among(
    session: Session, column: QueryableAttribute[int], ids: Iterable[int]
) -> ColumnElement[bool]:
    """``column IN (ids)``. On PostgreSQL as one array parameter, ``= ANY(:ids)``: the
    statement text is then the same for any number of ids, so the driver and the
    server parse it once, instead of a statement with one placeholder per id."""
    values = list(ids)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(Integer)))
    return column.in_(values)


# The largest row id: the integer columns of both databases hold no more. A larger
# number names no row (NotFound), rather than overflowing in SQL.
MAX_ID = 2**31 - 1


def get_or_raise(
    session: Session, model: type[M], object_id: int, what: str, *, lock: bool = False
) -> M:
    """The row of ``model`` with this primary key, else ``NotFound`` naming ``what``.
    ``lock``: ``SELECT … FOR UPDATE`` of that table's row only (not of rows joined
    for eager loading), read afresh even if the session holds it already."""
    if not 0 <= object_id <= MAX_ID:
        raise NotFound(what, object_id)
    found = session.get(model, object_id, with_for_update={"of": model} if lock else None)
    if found is None:
        raise NotFound(what, object_id)
    return found
