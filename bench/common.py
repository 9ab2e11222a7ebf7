"""Shared helpers for the benchmarks: throw-away databases, bulk data, worker processes.

Every benchmark runs on a database of its own: a SQLite file in a temporary directory,
or a PostgreSQL database ``bench_<random>`` created on the server named by
``TACTFUL_BENCH_POSTGRES_URL`` (default: the local ``test`` database's server) and
dropped afterwards. Posts are inserted with one ``INSERT … SELECT`` over a generated
series, so loading a million rows takes seconds rather than minutes.
"""

from __future__ import annotations

import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from scheduler import migrate, posts
from scheduler.config import Settings, load_settings
from scheduler.context import Tactful
from scheduler.db import UTCDateTime
from scheduler.models import ChannelAccount, Post

PG_ADMIN_URL = os.environ.get(
    "TACTFUL_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
POST_TEXT = "Flash sale: 30% off everything in store today only! Tap the link to shop now."

# The outbox channel the benchmarks publish to, relative to the data directory; no
# feeds, so the workers' monitor job has nothing to poll (and no network to wait on).
CONFIG_TEMPLATE = """\
feeds = []

[paths]
data_dir = "{data_dir}"

[worker]
{worker}

[monitor]
# The benchmarks' feeds are served on this machine: allow exactly that address.
allow_private = ["127.0.0.1/32"]

[[channels]]
name = "outbox"
network = "outbox"
display_name = "Bench outbox"
path = "outbox.jsonl"
regions = []
"""


def log(message: str) -> None:
    """Progress on stderr, so stdout keeps only the result tables."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ databases
@dataclass
class BenchEnv:
    """One throw-away database with a config file and an application object."""

    kind: str  # "sqlite" or "postgres"
    url: str
    folder: Path
    config: Path
    settings: Settings
    app: Tactful
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox.jsonl"

    @property
    def engine(self) -> Engine:
        """A plain engine for loading data and polling: no ``BEGIN IMMEDIATE`` on
        SQLite, so polling never takes the write lock from the workers."""
        if self._engine is None:
            if self.kind == "sqlite":
                self._engine = create_engine(
                    self.url, poolclass=NullPool, connect_args={"timeout": 60}
                )
            else:
                self._engine = create_engine(self.url, pool_size=2)
        return self._engine

    def channel_id(self) -> int:
        with self.engine.connect() as conn:
            found = conn.scalar(select(ChannelAccount.id).where(ChannelAccount.name == "outbox"))
        assert found is not None
        return int(found)

    def close(self) -> None:
        self.app.close()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def write_config(folder: Path, worker: dict[str, Any] | None = None) -> Path:
    lines = [f"{key} = {value!r}" for key, value in (worker or {}).items()]
    path = folder / "bench.toml"
    path.write_text(CONFIG_TEMPLATE.format(data_dir=folder / "data", worker="\n".join(lines)))
    return path


def _pg_admin() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)


@contextmanager
def fresh_env(kind: str, worker: dict[str, Any] | None = None) -> Iterator[BenchEnv]:
    """A migrated, empty database of ``kind`` with the outbox channel synced."""
    folder = Path(tempfile.mkdtemp(prefix=f"tactful-bench-{kind}-"))
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin: Engine | None = None
    env: BenchEnv | None = None
    try:
        if kind == "sqlite":
            url = f"sqlite:///{folder / 'bench.db'}"
        elif kind == "postgres":
            admin = _pg_admin()
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        else:
            raise ValueError(kind)
        config = write_config(folder, worker)
        (folder / "data").mkdir()
        settings = load_settings(config, environ={"TACTFUL_DATABASE__URL": url})
        app = Tactful.from_settings(settings)
        migrate.upgrade(app.db)
        with app.db.session() as session:
            posts.sync_channels(session, settings.channels)
        env = BenchEnv(kind, url, folder, config, settings, app)
        yield env
    finally:
        if env is not None:
            env.close()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def sqlite_snapshot(env: BenchEnv) -> Path:
    """Copy a SQLite benchmark database aside (all connections closed first, so the
    WAL is checkpointed into the file)."""
    assert env.kind == "sqlite"
    env.app.db.engine.dispose()
    env.engine.dispose()
    source = Path(env.url.split("///", 1)[1])
    copy = env.folder / "snapshot.db"
    shutil.copyfile(source, copy)
    return copy


def sqlite_restore(env: BenchEnv, copy: Path) -> None:
    """Put back a snapshot taken by ``sqlite_snapshot``."""
    env.app.db.engine.dispose()
    env.engine.dispose()
    target = Path(env.url.split("///", 1)[1])
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(copy, target)


def server_version(env: BenchEnv) -> str:
    with env.engine.connect() as conn:
        if env.kind == "sqlite":
            return "SQLite " + str(conn.scalar(text("SELECT sqlite_version()")))
        return "PostgreSQL " + str(conn.scalar(text("SHOW server_version"))).split()[0]


# ------------------------------------------------------------------ bulk data
_POST_COLUMNS = (
    "group_key, channel_id, text, category, status, publish_at, timezone, local_time, "
    "due_at, attempts, idempotency_key, created_at, updated_at"
)
_POST_VALUES = (
    "CAST(:prefix AS TEXT) || CAST(g AS TEXT), :channel_id, :text, :category, 'queued', "
    ":due, 'UTC', :local_time, :due, 0, CAST(:prefix AS TEXT) || CAST(g AS TEXT), :now, :now"
)


def insert_posts(
    env: BenchEnv,
    count: int,
    due: datetime,
    *,
    prefix: str,
    region: str = "US-TX",
    category: str = "promotional",
) -> tuple[int, int]:
    """Insert ``count`` queued posts due at ``due``, each with one audience region,
    in one transaction; returns the (first, last) post id inserted. ``prefix`` makes
    the idempotency keys unique across calls."""
    if count <= 0:
        return (0, -1)
    if env.kind == "postgres":
        sql = f"INSERT INTO posts ({_POST_COLUMNS}) SELECT {_POST_VALUES} FROM generate_series(1, :n) AS s(g)"
    else:
        sql = (
            "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < :n) "
            f"INSERT INTO posts ({_POST_COLUMNS}) SELECT {_POST_VALUES} FROM s"
        )
    stamp = bindparam("due", type_=UTCDateTime())
    now = bindparam("now", type_=UTCDateTime())
    with env.engine.begin() as conn:
        before = int(conn.scalar(text("SELECT coalesce(max(id), 0) FROM posts")) or 0)
        conn.execute(
            text(sql).bindparams(stamp, now),
            {
                "n": count,
                "prefix": prefix,
                "channel_id": env.channel_id(),
                "text": POST_TEXT,
                "category": category,
                "local_time": due.strftime("%Y-%m-%dT%H:%M:%S"),
                "due": due,
                "now": datetime.now(UTC),
            },
        )
        conn.execute(
            text(
                "INSERT INTO post_regions (post_id, region) SELECT id, :region FROM posts "
                "WHERE id > :before"
            ),
            {"region": region, "before": before},
        )
        last = int(conn.scalar(text("SELECT max(id) FROM posts")) or 0)
    return before + 1, last


def analyze(env: BenchEnv, tables: Sequence[str] = ("posts", "post_regions")) -> None:
    """Give the planner statistics for the bulk-loaded tables, as autovacuum would on
    a live database. Only those: an empty table analysed as empty (0 pages, 0 rows)
    gets seq-scan generic plans that the worker's prepared statements then keep
    while the table grows (see docs/benchmarks.md)."""
    names = ", ".join(tables)
    if env.kind == "postgres":
        with env.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM ANALYZE {names}"))
    else:
        with env.engine.begin() as conn:
            for name in tables:
                conn.execute(text(f"ANALYZE {name}"))


def status_counts(env: BenchEnv) -> dict[str, int]:
    with env.engine.connect() as conn:
        rows = conn.execute(select(Post.status, func.count()).group_by(Post.status)).all()
    return {str(s): int(n) for s, n in rows}


def count_status(env: BenchEnv, status: str) -> int:
    with env.engine.connect() as conn:
        return int(
            conn.scalar(select(func.count()).select_from(Post).where(Post.status == status)) or 0
        )


def wait_until(
    check: Callable[[], bool], timeout: float, interval: float = 0.05, what: str = "condition"
) -> float:
    """Poll ``check`` every ``interval`` seconds; returns the perf_counter() time at
    which it first held. Raises TimeoutError after ``timeout`` seconds."""
    deadline = time.perf_counter() + timeout
    while True:
        if check():
            return time.perf_counter()
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def outbox_ids(path: Path) -> list[int]:
    """Post ids found in an outbox file, one per published line."""
    import json

    if not path.exists():
        return []
    with path.open("rb") as handle:
        return [int(json.loads(line)["post_id"]) for line in handle]


# ---------------------------------------------------------------- workers
def start_workers(env: BenchEnv, count: int) -> list[subprocess.Popen[bytes]]:
    """Spawn ``count`` real ``tactful worker`` processes on the benchmark database."""
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("TACTFUL_") and k != "DATABASE_URL"
    }
    environ = dict(base, TACTFUL_DATABASE__URL=env.url, PYTHONUNBUFFERED="1")
    procs = []
    for index in range(count):
        with (env.folder / f"worker-{index}.log").open("ab") as out:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "scheduler.cli", "--config", str(env.config), "worker"],
                    env=environ,
                    cwd=env.folder,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    return procs


def stop_workers(procs: Sequence[subprocess.Popen[bytes]], timeout: float = 60) -> list[int]:
    """SIGTERM each worker (they finish in-flight work), wait; returns exit codes."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    codes = []
    for proc in procs:
        try:
            codes.append(proc.wait(timeout))
        except subprocess.TimeoutExpired:
            proc.kill()
            codes.append(proc.wait())
    return codes


def worker_logs(env: BenchEnv, tail: int = 20) -> str:
    out = []
    for path in sorted(env.folder.glob("worker-*.log")):
        lines = path.read_text("utf-8", "replace").splitlines()
        out.append(f"--- {path.name}\n" + "\n".join(lines[-tail:]))
    return "\n".join(out)


def proc_memory(pid: int) -> dict[str, int]:
    """VmHWM (peak resident set) and VmRSS of a live process, in KiB."""
    values = {}
    with suppress(OSError), open(f"/proc/{pid}/status") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS", "VmPeak"):
                values[key] = int(rest.split()[0])
    return values


# ---------------------------------------------------------------- reporting
def machine() -> str:
    model = ""
    with suppress(OSError), open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} cores ({model or platform.machine()}), "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, numbers formatted for reading."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            if value >= 100:
                return f"{value:,.0f}"
            if value >= 10:
                return f"{value:.1f}"
            return f"{value:.2f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for row in cells:
        lines.append("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return "\n".join(lines)
