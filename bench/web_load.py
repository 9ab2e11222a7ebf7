"""The web app under load: 20 signed-in clients against gunicorn, 1,000,000 posts.

``python -m bench.web_load [--quick] [--posts N] [--clients N] [--seconds S]
[--workers N] [--threads N] [--think S] [--json FILE]``; figures and method in
``docs/benchmarks.md`` ("Web pages under load").

1. A fresh PostgreSQL database (``bench_<random>``, dropped afterwards) is migrated
   and seeded on the server with ``INSERT … SELECT`` over ``generate_series``: posts
   spread over nine months (six past, three ahead) and eight channel accounts, with
   realistic statuses (past: mostly published, some failed, needing review,
   unconfirmed or cancelled; ahead: mostly queued, some held, drafts, cancelled),
   categories, time zones and one audience region each; open and ended incidents,
   open holds on the held posts and on some queued ones (as a fan-out leaves them),
   released holds in the history, a condolence prompt, and audit events. Then
   ``VACUUM ANALYZE`` of the loaded tables, as autovacuum would.
2. The real app runs under gunicorn on loopback (``gthread`` workers; the defaults
   suit 2 cores: 2 processes x 4 threads, see the docs) with the shared secret key in
   ``TACTFUL_SECRET_KEY``, as in production.
3. ``--clients`` (20) asyncio clients, each an ``httpx.AsyncClient`` with its own
   signed-in session (or the API token for API pages), request one page for a
   warm-up and then ``--seconds``, in three modes: one client alone, closed loop
   (each page's own time, no queueing); all clients, closed loop (each sends its
   next request as soon as its answer is in: the server saturated, the throughput
   is its capacity); all clients paced (each waits 0.5-1.5 x ``--think`` seconds
   between an answer and its next request: people at work, clicking fast).
   Latency is from sending the request to the last byte of the body.
   Pages, one after the other: the dashboard and the calendar (by URL: a page that
   answers 404 is reported "not found"), the queue's first page, the queue followed
   page after page through its "Next" links, the queue's last page by cursor and by
   ``offset`` (the old way, the baseline), and the same three for
   ``GET /api/v1/posts``. The deep cursor is the one the pages before would give
   (built for the post at that depth); the bench checks that it shows the same posts
   as the offset page.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bench.common import PG_ADMIN_URL, log, machine, table
from scheduler import migrate, pagination, posts, users
from scheduler.config import load_settings
from scheduler.context import Tactful

FULL_POSTS = 1_000_000
QUICK_POSTS = 100_000
CLIENTS = 20
FULL_SECONDS = 20.0
QUICK_SECONDS = 6.0
# Paced clients wait this long on average between an answer and their next request.
THINK_SECONDS = 1.0
WARMUP_SECONDS = 3.0
TARGET_P95_MS = 150.0
PAGE_SIZE = 100  # the queue page's size, and the API's default limit
ACCOUNTS = 8
USER, PASSWORD = "bench", "bench-password-123"  # a throw-away database
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
NEXT_LINK = re.compile(r'<a href="([^"]+)" rel="next">')
FIRST_ROW = re.compile(r'<tr id="post-(\d+)">')

CONFIG = """\
feeds = []

[paths]
data_dir = "{data_dir}"

[worker]
maintenance_interval_seconds = 3600

{channels}
"""
CHANNEL = """\
[[channels]]
name = "acct-{i}"
network = "outbox"
display_name = "Brand account {i}"
path = "outbox-{i}.jsonl"
regions = []
"""

# ------------------------------------------------------------------ seeding
# ``r`` (0-999) and ``a`` are spread pseudo-randomly over the rows; ``at`` walks
# the nine months in order with up to an hour of jitter, so due order is not id order.
SEED_POSTS = """
WITH s AS (
    SELECT g,
           (g::bigint * 2654435761) % 1000 AS r,
           (g::bigint * 40503) % :accounts AS a,
           CAST(:start AS timestamp)
             + make_interval(secs => g * CAST(:step AS float8) + (g::bigint * 7919) % 3600) AS at
    FROM generate_series(1, :n) AS g
), t AS (
    SELECT s.*,
           CASE WHEN at < CAST(:now AS timestamp) THEN
                CASE WHEN r < 930 THEN 'published' WHEN r < 955 THEN 'cancelled'
                     WHEN r < 970 THEN 'failed' WHEN r < 985 THEN 'needs_review'
                     WHEN r < 990 THEN 'unconfirmed' ELSE 'published' END
           ELSE CASE WHEN r < 860 THEN 'queued' WHEN r < 920 THEN 'held'
                     WHEN r < 960 THEN 'draft' ELSE 'cancelled' END
           END AS status
    FROM s
)
INSERT INTO posts (group_key, channel_id, text, category, status, publish_at, timezone,
                   local_time, due_at, attempts, idempotency_key, created_at, updated_at,
                   published_at, remote_id, last_error)
SELECT 'wl' || (g / 2),
       (CAST(:channel_ids AS int[]))[1 + a],
       (ARRAY['Flash sale: 30% off everything today only! Tap the link to shop now.',
              'Our stores open late on Friday: see the hours near you.',
              'Service notice: the app is down for maintenance tonight from 2 to 3 am.',
              'New in: the autumn collection, made to last. Which is your favourite?'])
         [1 + (g % 4)] || ' #' || g,
       CASE WHEN (g * 31) % 20 < 12 THEN 'promotional' WHEN (g * 31) % 20 < 16 THEN 'informational'
            WHEN (g * 31) % 20 < 19 THEN 'service' ELSE 'condolence' END,
       status, at,
       (ARRAY['UTC', 'Europe/Paris', 'America/Chicago', 'Asia/Tokyo'])[1 + (g % 4)],
       to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS'), at,
       CASE WHEN status IN ('published', 'failed', 'needs_review', 'unconfirmed') THEN 1 ELSE 0 END,
       'wl-' || g, at - interval '3 days', at,
       CASE WHEN status = 'published' THEN at + interval '2 seconds' END,
       CASE WHEN status = 'published' THEN 'remote-' || g END,
       CASE WHEN status IN ('failed', 'needs_review', 'unconfirmed')
            THEN 'The network answered 503 Service Unavailable; retried 5 times.' END
FROM t
"""
SEED_REGIONS = """
INSERT INTO post_regions (post_id, region)
SELECT id, (ARRAY['US-TX', 'US-CA', 'US-NY', 'FR', 'GB', 'DE', 'JP', 'BR', 'WORLD', 'US'])
           [1 + (id % 10)]
FROM posts
"""
SEED_INCIDENTS = """
INSERT INTO incidents (kind, title, severity, regions, status, source, confidence,
                       needs_review, first_seen, last_seen, expires_at, created_by,
                       ended_at, ended_by, end_reason)
SELECT (ARRAY['shooting', 'flood', 'earthquake', 'wildfire'])[1 + (g % 4)],
       'Bench incident ' || g, 2 + (g % 3),
       CAST((ARRAY['["US-TX"]', '["FR"]', '["JP"]', '["US-CA"]'])[1 + (g % 4)] AS json),
       CASE WHEN g <= 3 THEN (ARRAY['active', 'confirmed'])[1 + (g % 2)] ELSE 'resolved' END,
       'manual', 1.0, false,
       CAST(:now AS timestamp) - make_interval(days => g * 4),
       CAST(:now AS timestamp) - make_interval(days => g * 4),
       CAST(:now AS timestamp) + interval '2 days',
       'bench',
       CASE WHEN g > 3 THEN CAST(:now AS timestamp) - make_interval(days => g * 4 - 1) END,
       CASE WHEN g > 3 THEN 'bench' END,
       CASE WHEN g > 3 THEN 'over' END
FROM generate_series(1, 40) AS g
"""
# Held posts: an open hold each; 2% of the queued ones are held by a fan-out (open
# hold, row still "queued"); 1 in 40 published posts carries a released hold.
SEED_HOLDS = """
INSERT INTO holds (incident_id, post_id, rule, created_at, released_at, release_reason)
SELECT CASE WHEN p.status = 'published' THEN :ended_id ELSE :open_ids_0 + (p.id % 3) END,
       p.id, 'promotional/inside/severity>=2', p.due_at - interval '1 day',
       CASE WHEN p.status = 'published' THEN p.due_at - interval '1 hour' END,
       CASE WHEN p.status = 'published' THEN 'incident resolved' END
FROM posts p
WHERE p.status = 'held' OR (p.status = 'queued' AND p.id % 50 = 0)
   OR (p.status = 'published' AND p.id % 40 = 0)
"""
SEED_AUDIT = """
INSERT INTO audit_events (at, actor, action, object_type, object_id, reason, details)
SELECT CAST(:now AS timestamp) - make_interval(secs => g * 60), 'bench', 'post.created',
       'post', g, NULL, CAST('{}' AS json)
FROM generate_series(1, :n) AS g
"""
SEED_DRAFT = """
INSERT INTO condolence_drafts (incident_id, status, texts, channel_ids, regions, version,
                               prompted_at, reminders_sent, created_at, updated_at)
VALUES (:incident_id, 'awaiting_approval',
        CAST('{"acct-0": "Our thoughts are with everyone affected."}' AS json),
        CAST(:channels AS json), CAST('["US-TX"]' AS json), 1, :now, 0, :now, :now)
"""
LOADED = ("posts", "post_regions", "holds", "incidents", "audit_events", "condolence_drafts")


@dataclass
class Site:
    """The seeded database and the app serving it."""

    url: str
    folder: Path
    config: Path
    secret: str
    token: str = ""
    base: str = ""
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)


def _admin() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)


@contextmanager
def fresh_site() -> Iterator[Site]:
    folder = Path(tempfile.mkdtemp(prefix="tactful-bench-web-"))
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = _admin()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        (folder / "data").mkdir()
        config = folder / "bench.toml"
        channels = "\n".join(CHANNEL.format(i=i) for i in range(ACCOUNTS))
        config.write_text(CONFIG.format(data_dir=folder / "data", channels=channels))
        yield Site(url, folder, config, secrets.token_urlsafe(32))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def seed(site: Site, count: int) -> dict[str, Any]:
    """Migrate and load the database; returns what was loaded and how long it took."""
    started = time.perf_counter()
    settings = load_settings(site.config, environ={"TACTFUL_DATABASE__URL": site.url})
    app = Tactful.from_settings(settings)
    try:
        migrate.upgrade(app.db)
        with app.db.session() as session:
            posts.sync_channels(session, settings.channels)
            channel_ids = [c.id for c in posts.list_channels(session)]
            user = users.create_user(session, USER, PASSWORD, "admin")
            site.token = users.create_token(session, user, "bench")
    finally:
        app.close()
    now = datetime.now(UTC).replace(tzinfo=None)
    start = now - timedelta(days=180)
    step = (270 * 86400) / count
    engine = create_engine(site.url, poolclass=NullPool)
    timings: dict[str, float] = {}
    try:
        with engine.begin() as conn:
            mark = time.perf_counter()
            conn.execute(
                text(SEED_POSTS),
                {
                    "n": count,
                    "accounts": len(channel_ids),
                    "start": start,
                    "step": step,
                    "now": now,
                    "channel_ids": channel_ids,
                },
            )
            timings["posts"] = time.perf_counter() - mark
            mark = time.perf_counter()
            conn.execute(text(SEED_REGIONS))
            conn.execute(text(SEED_INCIDENTS), {"now": now})
            open_ids = sorted(
                conn.scalars(text("SELECT id FROM incidents WHERE status <> 'resolved'"))
            )
            ended = conn.scalar(text("SELECT min(id) FROM incidents WHERE status = 'resolved'"))
            conn.execute(text(SEED_HOLDS), {"open_ids_0": open_ids[0], "ended_id": ended})
            conn.execute(text(SEED_AUDIT), {"now": now, "n": max(1000, count // 5)})
            conn.execute(
                text(SEED_DRAFT),
                {"incident_id": open_ids[0], "channels": json.dumps(channel_ids[:2]), "now": now},
            )
            timings["regions, incidents, holds, audit"] = time.perf_counter() - mark
        mark = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM ANALYZE {', '.join(LOADED)}"))
        timings["vacuum analyze"] = time.perf_counter() - mark
        with engine.connect() as conn:
            statuses = dict(
                conn.execute(text("SELECT status, count(*) FROM posts GROUP BY 1")).all()
            )
            open_holds = conn.scalar(text("SELECT count(*) FROM holds WHERE released_at IS NULL"))
            size = conn.scalar(text("SELECT pg_size_pretty(pg_database_size(current_database()))"))
            version = str(conn.scalar(text("SHOW server_version"))).split()[0]
    finally:
        engine.dispose()
    return {
        "posts": count,
        "statuses": {str(k): int(v) for k, v in statuses.items()},
        "open_holds": int(open_holds or 0),
        "database_size": str(size),
        "postgres": version,
        "seconds": time.perf_counter() - started,
        "timings": timings,
    }


# ------------------------------------------------------------------ the server
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(site: Site, workers: int, threads: int) -> None:
    port = _free_port()
    site.base = f"http://127.0.0.1:{port}"
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith("TACTFUL_") and k != "DATABASE_URL"
    }
    environ.update(
        TACTFUL_CONFIG=str(site.config),
        TACTFUL_DATABASE__URL=site.url,
        TACTFUL_SECRET_KEY=site.secret,
        # Every thread may hold a connection; the pool must not make them queue.
        TACTFUL_DATABASE__POOL_SIZE=str(max(5, threads)),
    )
    command = [
        *(sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"),
        *("--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads)),
        *("--timeout", "300", "--keep-alive", "600", "--log-level", "warning"),
        "tactful.wsgi:create_app()",
    ]
    with (site.folder / "gunicorn.log").open("ab") as out:
        site.procs.append(
            subprocess.Popen(command, env=environ, cwd=site.folder, stdout=out, stderr=out)
        )
    deadline = time.perf_counter() + 90
    while time.perf_counter() < deadline:
        if site.procs[0].poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{server_log(site)}")
        with suppress(httpx.HTTPError):
            if httpx.get(f"{site.base}/login", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"gunicorn did not answer within 90 s:\n{server_log(site)}")


def stop_server(site: Site) -> None:
    for proc in site.procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in site.procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def server_log(site: Site, tail: int = 30) -> str:
    path = site.folder / "gunicorn.log"
    lines = path.read_text("utf-8", "replace").splitlines() if path.exists() else []
    return "\n".join(lines[-tail:])


def server_cpu(site: Site) -> float:
    """CPU seconds used so far by the gunicorn master and its workers."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [p.pid for p in site.procs]
    with suppress(OSError):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            with suppress(OSError), open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            # fields[1] is the parent pid; [11], [12] user and system time.
            if int(entry) in pids or int(fields[1]) in pids:
                total += (int(fields[11]) + int(fields[12])) / tick
    return total


# ------------------------------------------------------------------ the load
@dataclass
class Page:
    name: str
    url: str
    api: bool = False
    follow: bool = False  # follow the page's "Next" link, from the first page on


async def _session(site: Site, api: bool) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=site.base, timeout=600, follow_redirects=False)
    if api:
        client.headers["Authorization"] = f"Bearer {site.token}"
        return client
    login = await client.get("/login")
    found = CSRF_META.search(login.text)
    if not found:
        raise RuntimeError("the login page carries no CSRF token")
    answer = await client.post(
        "/login", data={"name": USER, "password": PASSWORD, "csrf_token": found.group(1)}
    )
    if answer.status_code != 303:
        raise RuntimeError(f"login failed: {answer.status_code}")
    return client


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (sorted or not)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


async def _drive(
    sessions: list[httpx.AsyncClient], page: Page, warmup: float, seconds: float, think: float
) -> tuple[list[float], Counter[str], float]:
    """Every session requests ``page`` until the time is up, waiting ``think``
    seconds on average (0: not at all) between an answer and its next request.
    Returns the latencies of the requests sent after the warm-up, their statuses,
    and the seconds from the end of the warm-up until the last of them answered."""
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    start = time.perf_counter()
    measure_from = start + warmup
    end = measure_from + seconds
    finished = [measure_from]
    pace = random.Random(len(sessions))

    async def client(session: httpx.AsyncClient) -> None:
        url = page.url
        if think:  # start out of step with the other clients
            await asyncio.sleep(pace.uniform(0, think))
        while time.perf_counter() < end:
            sent = time.perf_counter()
            try:
                response = await session.get(url)
                body, status = response.text, str(response.status_code)
            except httpx.HTTPError as exc:
                body, status = "", type(exc).__name__
            done = time.perf_counter()
            if sent >= measure_from:
                latencies.append(done - sent)
                statuses[status] += 1
                finished[0] = max(finished[0], done)
            if page.follow:
                found = NEXT_LINK.search(body)
                url = html.unescape(found.group(1)) if found else page.url
            if think:
                await asyncio.sleep(pace.uniform(0.5, 1.5) * think)

    await asyncio.gather(*(client(s) for s in sessions))
    return latencies, statuses, max(finished[0] - measure_from, 1e-9)


async def _measure(
    site: Site, pages: list[Page], clients: int, warmup: float, seconds: float, think: float
) -> list[dict[str, Any]]:
    web = [await _session(site, api=False) for _ in range(clients)]
    api = [await _session(site, api=True) for _ in range(clients)]
    # One client alone gives each page's own time (no queueing behind the others).
    modes = [
        ("1, closed loop", 1, 0.0),
        (f"{clients}, closed loop", clients, 0.0),
        *([(f"{clients}, paced {think:g} s", clients, think)] if think else []),
    ]
    results: list[dict[str, Any]] = []
    try:
        for page in pages:
            sessions = api if page.api else web
            probe = await sessions[0].get(page.url)
            if probe.status_code == 404:
                log(f"{page.name}: {page.url} answers 404: not found")
                results.append({"page": page.name, "url": page.url, "found": False})
                continue
            for mode, count_of_clients, pause in modes:
                log(f"{page.name} [{mode}]: {page.url[:60]}")
                cpu_client, cpu_server = time.process_time(), server_cpu(site)
                load = os.getloadavg()[0]
                latencies, statuses, elapsed = await _drive(
                    sessions[:count_of_clients], page, warmup, seconds, pause
                )
                count = len(latencies)
                ms = [v * 1000 for v in latencies] or [float("nan")]
                results.append(
                    {
                        "page": page.name,
                        "mode": mode,
                        "clients": count_of_clients,
                        "think_seconds": pause,
                        "url": page.url,
                        "found": True,
                        "requests": count,
                        "per_second": count / elapsed,
                        "p50_ms": _percentile(ms, 50),
                        "p95_ms": _percentile(ms, 95),
                        "p99_ms": _percentile(ms, 99),
                        "max_ms": max(ms),
                        "mean_ms": statistics.fmean(ms),
                        "statuses": dict(sorted(statuses.items())),
                        "errors": sum(v for k, v in statuses.items() if k != "200"),
                        "load_average": load,
                        "client_cpu_s": time.process_time() - cpu_client,
                        "server_cpu_s": server_cpu(site) - cpu_server,
                    }
                )
                log(
                    f"  {count} requests, p50 {results[-1]['p50_ms']:.0f} ms, "
                    f"p95 {results[-1]['p95_ms']:.0f} ms, statuses {dict(statuses)}"
                )
    finally:
        for session in web + api:
            await session.aclose()
    return results


def deep_cursor(site: Site, depth: int) -> tuple[str, int]:
    """The cursor the pages before would give for the page starting after ``depth``
    posts (in due order, no filter), and the id of that page's first post."""
    engine = create_engine(site.url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            at, post_id = conn.execute(
                text("SELECT due_at, id FROM posts ORDER BY due_at, id OFFSET :d LIMIT 1"),
                {"d": depth - 1},
            ).one()
            first = conn.scalar(
                text("SELECT id FROM posts ORDER BY due_at, id OFFSET :d LIMIT 1"), {"d": depth}
            )
    finally:
        engine.dispose()
    key = pagination.key_for(site.secret)
    cursor = pagination.encode(pagination.Cursor(at.replace(tzinfo=UTC), post_id), {}, key)
    return cursor, int(first)


def check_deep_pages(site: Site, pages: dict[str, str], expected_first: int) -> None:
    """The deep pages by cursor and by offset show the same first post."""
    with httpx.Client(base_url=site.base, timeout=600) as client:
        login = client.get("/login")
        found = CSRF_META.search(login.text)
        assert found
        client.post("/login", data={"name": USER, "password": PASSWORD, "csrf_token": found[1]})
        for name, url in pages.items():
            if url.startswith("/api/"):
                body = client.get(url, headers={"Authorization": f"Bearer {site.token}"}).json()
                first = body["posts"][0]["id"]
            else:
                match = FIRST_ROW.search(client.get(url).text)
                first = int(match.group(1)) if match else None
            if first != expected_first:
                raise AssertionError(f"{name} ({url}) starts at {first}, not {expected_first}")


def names(depth: int) -> dict[str, str]:
    return {
        "queue_first": "queue, first page",
        "queue_cursor": f"queue, page after {depth:,} posts, by cursor",
        "queue_offset": f"queue, page after {depth:,} posts, by offset (old way)",
        "api_first": "API posts, first page",
        "api_cursor": f"API posts after {depth:,}, by cursor",
        "api_offset": f"API posts after {depth:,}, by offset (old way)",
    }


def pages_for(queue: str, cursor: str, depth: int) -> list[Page]:
    n = names(depth)
    # Should the dashboard take "/" and the queue move, "/" is measured as well.
    home = [Page("home page", "/")] if queue != "/" else []
    return [
        *home,
        Page("dashboard", "/dashboard"),
        Page("calendar", "/calendar"),
        Page(n["queue_first"], queue),
        Page("queue, following Next links from the first page", queue, follow=True),
        Page(n["queue_cursor"], f"{queue}?cursor={cursor}"),
        Page(n["queue_offset"], f"{queue}?offset={depth}"),
        Page(n["api_first"], "/api/v1/posts", api=True),
        Page(n["api_cursor"], f"/api/v1/posts?cursor={cursor}", api=True),
        Page(n["api_offset"], f"/api/v1/posts?offset={depth}", api=True),
    ]


def _queue_url(site: Site) -> str:
    """Where the queue page is served (found by its endpoint, should it move)."""
    from web import create_app

    settings = load_settings(site.config, environ={"TACTFUL_DATABASE__URL": site.url})
    app = Tactful.from_settings(settings)
    try:
        flask_app = create_app(app, {"SECRET_KEY": site.secret})
        (rule,) = flask_app.url_map.iter_rules("ui.queue")
        return str(rule.rule)
    finally:
        app.close()


def run(
    quick: bool,
    count: int | None = None,
    clients: int = CLIENTS,
    seconds: float | None = None,
    workers: int = 2,
    threads: int = 4,
    think: float = THINK_SECONDS,
) -> dict[str, Any]:
    count = count or (QUICK_POSTS if quick else FULL_POSTS)
    seconds = seconds or (QUICK_SECONDS if quick else FULL_SECONDS)
    warmup = min(WARMUP_SECONDS, seconds / 4)
    depth = count - PAGE_SIZE
    with fresh_site() as site:
        log(f"seeding {count:,} posts")
        seeded = seed(site, count)
        log(f"seeded in {seeded['seconds']:.0f} s: {seeded['statuses']}, {seeded['database_size']}")
        cursor, first = deep_cursor(site, depth)
        log(f"starting gunicorn: {workers} workers x {threads} threads")
        start_server(site, workers, threads)
        try:
            queue = _queue_url(site)
            pages = pages_for(queue, cursor, depth)
            check_deep_pages(site, {p.name: p.url for p in pages if " after " in p.name}, first)
            results = asyncio.run(_measure(site, pages, clients, warmup, seconds, think))
        finally:
            stop_server(site)
        log_tail = server_log(site)
    return {
        "seed": seeded,
        "clients": clients,
        "seconds": seconds,
        "warmup": warmup,
        "workers": workers,
        "threads": threads,
        "think": think,
        "depth": depth,
        "pages": results,
        "server_log_tail": log_tail,
    }


def _ratio(results: list[dict[str, Any]], slow: str, fast: str, mode: str) -> float | None:
    """p50 of page ``slow`` over p50 of page ``fast``, both in ``mode``."""
    found = {(r["page"], r["mode"]): r for r in results if r.get("found")}
    if (slow, mode) not in found or (fast, mode) not in found:
        return None
    return float(found[slow, mode]["p50_ms"]) / float(found[fast, mode]["p50_ms"])


def report(result: dict[str, Any]) -> str:
    seed_info = result["seed"]
    rows: list[list[object]] = []
    for r in result["pages"]:
        if not r["found"]:
            rows.append([r["page"], "—", "not found (404)", "", "", "", "", "", "", ""])
            continue
        verdict = "met" if r["p95_ms"] <= TARGET_P95_MS and not r["errors"] else "not met"
        if r["clients"] < result["clients"]:
            verdict = "(service time)"
        rows.append(
            [
                r["page"],
                r["mode"],
                r["requests"],
                r["per_second"],
                r["p50_ms"],
                r["p95_ms"],
                r["p99_ms"],
                r["errors"],
                f"{r['client_cpu_s']:.1f} / {r['server_cpu_s']:.1f}",
                verdict,
            ]
        )
    depth = result["depth"]
    lines = [
        f"### Web pages under load ({seed_info['posts']:,} posts, PostgreSQL "
        f"{seed_info['postgres']}, {result['clients']} clients, gunicorn "
        f"{result['workers']} workers x {result['threads']} threads, "
        f"{result['seconds']:.0f} s a page and mode after {result['warmup']:.0f} s warm-up)",
        "",
        f"Seeded in {seed_info['seconds']:.0f} s ({seed_info['database_size']}): "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(seed_info["statuses"].items()))
        + f"; {seed_info['open_holds']:,} open holds.",
        "",
        table(
            [
                "page",
                "clients",
                "requests",
                "req/s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "errors",
                "CPU s client / server",
                f"p95 ≤ {TARGET_P95_MS:.0f} ms",
            ],
            rows,
        ),
        "",
    ]
    n = names(depth)
    modes = dict.fromkeys(r["mode"] for r in result["pages"] if r.get("found"))
    for mode in modes:
        for what, first, cursor, offset in (
            ("queue page", n["queue_first"], n["queue_cursor"], n["queue_offset"]),
            ("API list", n["api_first"], n["api_cursor"], n["api_offset"]),
        ):
            ratio = _ratio(result["pages"], offset, cursor, mode)
            same = _ratio(result["pages"], cursor, first, mode)
            if ratio is not None and same is not None:
                lines.append(
                    f"- {what}, {mode}: after {depth:,} posts, offset / cursor = "
                    f"{ratio:.1f}x (p50); cursor / first page = {same:.2f}x."
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.web_load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_POSTS:,} posts, shorter")
    parser.add_argument("--posts", type=int, help="posts to seed")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--seconds", type=float, help="measured seconds a page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument(
        "--think",
        type=float,
        default=THINK_SECONDS,
        help="paced run: mean seconds a client waits between pages (0: closed loop only)",
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"## tactful web load — {stamp}{' (--quick)' if args.quick else ''}")
    print(f"Machine: {machine()}. Load average (1/5/15 min): {load}.\n", flush=True)
    result = run(
        args.quick, args.posts, args.clients, args.seconds, args.workers, args.threads, args.think
    )
    result["date"] = stamp
    result["machine"] = machine()
    print(report(result), flush=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
