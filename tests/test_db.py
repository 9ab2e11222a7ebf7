"""Engine settings that the rest of the code relies on."""

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from scheduler import db
from scheduler.db import id_among
from scheduler.models import Post
from tests.helpers import queue


@pytest.mark.parametrize("backend", ["postgres"])
def test_postgresql_plans_every_execution_for_its_own_parameters(app):
    with app.db.session() as session:
        mode = session.scalar(text("SHOW plan_cache_mode"))
    assert mode == "force_custom_plan"


@pytest.mark.parametrize("backend", ["postgres"])
def test_postgresql_never_compiles_a_query_the_fan_out_left_costed_as_disabled(app):
    # After ``SET LOCAL enable_nestloop = off`` a join that can only be a nested loop
    # is costed at 10^10, past any JIT threshold: compiling it took ~115 ms here.
    with app.db.session() as session:
        assert session.scalar(text("SHOW jit")) == "off"
        session.execute(text("SET LOCAL enable_nestloop = off"))
        plan = session.scalars(
            text(
                "EXPLAIN (ANALYZE, FORMAT TEXT) SELECT count(*) FROM posts p "
                "JOIN channel_accounts c ON c.id = p.channel_id WHERE p.channel_id = 1"
            )
        ).all()
    assert any("Nested Loop" in line for line in plan)
    assert not any(line.startswith("JIT") for line in plan)


def test_id_among_selects_exactly_the_given_ids(app):
    ids = [queue(app).id for _ in range(4)]
    with app.db.session() as session:
        wanted = [ids[0], ids[2], 10_000]
        got = session.scalars(select(Post.id).where(id_among(session, Post.id, wanted))).all()
        assert sorted(got) == [ids[0], ids[2]]
        assert session.scalars(select(Post.id).where(id_among(session, Post.id, []))).all() == []


@pytest.mark.parametrize("backend", ["postgres"])
def test_on_postgresql_an_id_list_is_one_parameter_whatever_its_length(app):

    with app.db.session() as session:
        bind = session.get_bind()
        short, long = (
            str(select(Post.id).where(id_among(session, Post.id, range(n))).compile(bind))
            for n in (3, 500)
        )
    assert short == long and "ANY" in short


def _counting_pings(app, monkeypatch) -> list[int]:
    pings: list[int] = []
    dialect = app.db.engine.dialect
    real = dialect.do_ping

    def do_ping(dbapi_connection):
        pings.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", do_ping)
    return pings


def _backend_pid(app) -> int:
    with app.db.session() as session:
        return int(session.scalar(text("SELECT pg_backend_pid()")))


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_connection_used_a_moment_ago_is_handed_out_without_a_ping(app, monkeypatch):
    first = _backend_pid(app)
    pings = _counting_pings(app, monkeypatch)
    assert [_backend_pid(app) for _ in range(3)] == [first] * 3
    assert pings == []


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_connection_the_server_closed_is_replaced_before_use(app, monkeypatch):
    first = _backend_pid(app)
    pings = _counting_pings(app, monkeypatch)
    other = create_engine(app.settings.database_url, poolclass=NullPool)
    try:
        with other.connect() as conn:
            # Waits (up to 5 s) until the backend has exited and closed the socket.
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": first})
    finally:
        other.dispose()
    assert _backend_pid(app) != first  # no error: the closed connection was replaced
    assert pings


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_long_idle_connection_is_pinged_before_use(app, monkeypatch):
    first = _backend_pid(app)
    pings = _counting_pings(app, monkeypatch)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert _backend_pid(app) == first
    assert pings == [1]


def _in_a_transaction(session) -> bool:
    """Whether this session's statements share a transaction: a second statement of
    a transaction starts after it."""
    session.execute(text("SELECT 1"))
    return not session.scalar(text("SELECT transaction_timestamp() = statement_timestamp()"))


@pytest.mark.parametrize("backend", ["postgres"])
def test_reading_runs_each_statement_on_its_own_and_leaves_sessions_transactional(app):
    with app.db.reading() as session:
        assert not _in_a_transaction(session)
    with app.db.session() as session:  # the same pooled connection, back in transactions
        assert _in_a_transaction(session)
