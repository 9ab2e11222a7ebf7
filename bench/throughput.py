"""Publish throughput to the outbox channel, against a one-job-per-post baseline.

tactful: N posts, all due at the same instant, published by

- ``Publisher.run_round()`` called in this process (no start-up, one worker);
- 1, 2 and 4 real ``python -m scheduler.cli worker`` processes on PostgreSQL (1 on
  SQLite) with ``publish_interval_seconds = 0.05`` and ``batch_size = 500``. Two
  figures: wall time from spawning the processes until the bench sees every post
  ``published`` (polled every 50 ms; nothing subtracted), and the steady rate from the
  first to the last ``published_at`` stamp, which leaves out process start-up and the
  first batch.

Baseline, "a newcomer's design": APScheduler 3.11, one ``DateTrigger`` job per post
in a ``SQLAlchemyJobStore`` on the same database, a ``BackgroundScheduler`` with its
default 10-thread pool, each job reading its post, appending one JSON line to an
outbox file under ``flock`` and marking the post published with an UPDATE. Jobs are
added while the scheduler is paused (timed on its own: the job-insert rate), then
the scheduler is resumed and timed until every post is published.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, update

from bench.common import (
    BenchEnv,
    analyze,
    count_status,
    fresh_env,
    insert_posts,
    log,
    median,
    outbox_ids,
    rate,
    server_version,
    start_workers,
    stop_workers,
    table,
    wait_until,
    worker_logs,
)
from scheduler.db import make_engine
from scheduler.models import Post, PostRegion, PublishAttempt
from scheduler.publisher import Publisher

FULL_POSTS = 20_000
QUICK_POSTS = 2_000
QUICK_BASELINE_POSTS = 1_000  # --quick only: the baseline runs at ~150-350 posts/s
WORKER = {"publish_interval_seconds": 0.05, "batch_size": 500, "maintenance_interval_seconds": 30}
TARGET_RATE = 1_000.0
TARGET_RATIO = 5.0


def _timeout(count: int) -> float:
    return max(120.0, count / 20)


def _due_posts(env: BenchEnv, count: int) -> datetime:
    due = datetime.now(UTC) - timedelta(seconds=1)
    insert_posts(env, count, due, prefix="tp-")
    analyze(env)
    return due


def _published_span(env: BenchEnv) -> tuple[datetime, datetime, int]:
    """First and last ``published_at`` and how many posts carry the first stamp."""
    with env.engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(Post.published_at), func.max(Post.published_at))
        ).one()
        at_first = conn.scalar(
            select(func.count()).select_from(Post).where(Post.published_at == first)
        )
    if first is None or last is None:
        raise AssertionError("no post was published")
    return first, last, int(at_first or 0)


def _steady(env: BenchEnv, count: int) -> tuple[float, datetime]:
    first, last, at_first = _published_span(env)
    span = (last - first).total_seconds()
    return (rate(count - at_first, span) if span > 0 else float("nan")), first


def _check_outbox(env: BenchEnv, path: Path, count: int) -> None:
    ids = outbox_ids(path)
    if len(ids) != count or len(set(ids)) != count:
        raise AssertionError(
            f"outbox has {len(ids)} lines for {len(set(ids))} posts; expected {count} once each"
        )
    published = count_status(env, "published")
    if published != count:
        raise AssertionError(f"{published} of {count} posts published")


# -------------------------------------------------------------------- tactful
def tactful_in_process(kind: str, count: int) -> dict[str, Any]:
    with fresh_env(kind, WORKER) as env:
        _due_posts(env, count)
        publisher = Publisher(env.app)
        start = time.perf_counter()
        stats = publisher.run_round()
        seconds = time.perf_counter() - start
        publisher.close()
        _check_outbox(env, env.outbox, count)
        steady, _ = _steady(env, count)
        version = server_version(env)
    assert stats.published == count, stats
    return {
        "database": version,
        "design": "tactful, Publisher.run_round() in-process",
        "workers": 1,
        "posts": count,
        "seconds": seconds,
        "rate": rate(count, seconds),
        "startup": 0.0,
        "steady": steady,
        "workers_used": 1,
    }


def tactful_processes(kind: str, count: int, workers: int) -> dict[str, Any]:
    with fresh_env(kind, WORKER) as env:
        _due_posts(env, count)
        spawned_at = datetime.now(UTC)
        start = time.perf_counter()
        procs = start_workers(env, workers)
        try:
            done = wait_until(
                lambda: count_status(env, "published") >= count,
                _timeout(count),
                what=f"{count} posts published",
            )
        except TimeoutError:
            log(worker_logs(env))
            raise
        finally:
            codes = stop_workers(procs)
        seconds = done - start
        if codes != [0] * workers:
            log(worker_logs(env))
            raise AssertionError(f"workers exited with {codes}")
        _check_outbox(env, env.outbox, count)
        with env.engine.connect() as conn:
            attempts = conn.scalar(select(func.count()).select_from(PublishAttempt))
            used = conn.scalar(select(func.count(func.distinct(PublishAttempt.worker))))
        if attempts != count:
            raise AssertionError(f"{attempts} attempts for {count} posts")
        steady, first = _steady(env, count)
        version = server_version(env)
    return {
        "database": version,
        "design": f"tactful, {workers} worker process{'es' if workers > 1 else ''}",
        "workers": workers,
        "workers_used": int(used or 0),
        "posts": count,
        "seconds": seconds,
        "rate": rate(count, seconds),
        "startup": (first - spawned_at).total_seconds(),
        "steady": steady,
    }


# ------------------------------------------------------------------- baseline
_BASELINE: dict[str, Any] = {}


def baseline_publish(post_id: int) -> None:
    """The newcomer's job: read the post, append it to the outbox, mark it published."""
    engine: Engine = _BASELINE["engine"]
    with engine.begin() as conn:
        row = conn.execute(
            select(Post.id, Post.text, Post.idempotency_key, Post.category, Post.publish_at).where(
                Post.id == post_id
            )
        ).one()
        regions = list(conn.scalars(select(PostRegion.region).where(PostRegion.post_id == post_id)))
    record = {
        "post_id": row.id,
        "account": "outbox",
        "idempotency_key": row.idempotency_key,
        "category": row.category,
        "regions": regions,
        "publish_at": row.publish_at.isoformat(),
        "text": row.text,
    }
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(_BASELINE["outbox"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
    finally:
        os.close(fd)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            update(Post)
            .where(Post.id == post_id)
            .values(status="published", published_at=now, updated_at=now)
        )


def apscheduler_baseline(kind: str, count: int) -> dict[str, Any]:
    from apscheduler.events import EVENT_JOB_ERROR
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.date import DateTrigger

    with fresh_env(kind) as env:
        due = _due_posts(env, count)
        with env.engine.connect() as conn:
            ids = list(conn.scalars(select(Post.id).order_by(Post.id)))
        # SQLite gets tactful's engine settings (WAL, busy timeout, BEGIN IMMEDIATE) for
        # the job store too: without them threads fail with "database is locked".
        store_engine = (
            make_engine(env.settings)
            if kind == "sqlite"
            else create_engine(env.url, pool_size=5, max_overflow=5)
        )
        outbox = env.data_dir / "baseline-outbox.jsonl"
        _BASELINE.update(engine=env.app.db.engine, outbox=str(outbox))
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=store_engine)},
            timezone=UTC,
            # The default grace of 1 s would skip most posts of a burst outright.
            job_defaults={"misfire_grace_time": None},
        )
        errors: list[BaseException] = []
        scheduler.add_listener(lambda event: errors.append(event.exception), EVENT_JOB_ERROR)

        def all_run() -> bool:
            if errors:
                raise RuntimeError(f"{len(errors)} baseline jobs failed") from errors[0]
            return count_status(env, "published") >= count

        scheduler.start(paused=True)
        try:
            start = time.perf_counter()
            for post_id in ids:
                scheduler.add_job(
                    baseline_publish,
                    DateTrigger(run_date=due, timezone=UTC),
                    args=[post_id],
                    id=f"post-{post_id}",
                )
            inserted = time.perf_counter()
            scheduler.resume()
            done = wait_until(
                all_run,
                _timeout(count) * 4,
                what=f"{count} baseline jobs run",
            )
        finally:
            scheduler.shutdown(wait=True)
            store_engine.dispose()
            _BASELINE.clear()
        _check_outbox(env, outbox, count)
        steady, _ = _steady(env, count)
        version = server_version(env)
    return {
        "database": version,
        "design": "baseline: APScheduler 3.11, 1 DateTrigger job/post",
        "workers": 1,
        "posts": count,
        "insert_seconds": inserted - start,
        "insert_rate": rate(count, inserted - start),
        "seconds": done - inserted,
        "rate": rate(count, done - inserted),
        "end_to_end_rate": rate(count, done - start),
        "steady": steady,
    }


# ---------------------------------------------------------------------- run
def run(quick: bool = False, posts: int | None = None) -> dict[str, Any]:
    count = posts or (QUICK_POSTS if quick else FULL_POSTS)
    baseline_count = min(count, QUICK_BASELINE_POSTS) if quick else count
    # The one-worker runs that the targets are judged on are repeated (not in
    # --quick) and spread around the baseline run; the verdicts use their median.
    again = [] if quick else [("processes", 1), ("in-process", 1)]
    plan: list[tuple[str, str, int]] = [
        ("postgres", "in-process", 1),
        ("postgres", "processes", 1),
        ("postgres", "baseline", 1),
        *(("postgres", d, w) for d, w in again),
        ("postgres", "processes", 2),
        ("postgres", "processes", 4),
        *(("postgres", d, w) for d, w in again[:1]),
        ("sqlite", "in-process", 1),
        ("sqlite", "processes", 1),
        ("sqlite", "baseline", 1),
        *(("sqlite", d, w) for d, w in again),
        *(("sqlite", d, w) for d, w in again[:1]),
    ]
    rows: list[dict[str, Any]] = []
    for kind, design, workers in plan:
        load = os.getloadavg()[0]
        log(f"throughput: {kind} {design} x{workers} (load average {load:.1f})")
        if design == "in-process":
            row = tactful_in_process(kind, count)
        elif design == "processes":
            row = tactful_processes(kind, count, workers)
        else:
            row = apscheduler_baseline(kind, baseline_count)
        row["kind"] = kind
        row["load"] = load
        log(f"  -> {row['rate']:,.0f} posts/s")
        rows.append(row)
    return {
        "quick": quick,
        "posts": count,
        "baseline_posts": baseline_count,
        "rows": rows,
        "verdicts": verdicts(rows),
    }


def verdicts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One worker against the baseline of the same database kind: the median of the
    repeated runs of each design, wall and steady rates."""
    out = []
    for kind in ("postgres", "sqlite"):
        base = next(r for r in rows if r["kind"] == kind and r["design"].startswith("baseline"))
        designs = dict.fromkeys(
            r["design"] for r in rows if r["kind"] == kind and r["workers"] == 1 and r is not base
        )
        for design in designs:
            runs = [r for r in rows if r["kind"] == kind and r["design"] == design]
            labels = ["wall"] if design.endswith("in-process") else ["wall", "steady"]
            for label in labels:
                value = median([r["rate" if label == "wall" else "steady"] for r in runs])
                ratio = value / base["rate"]
                runs_note = f", median of {len(runs)}" if len(runs) > 1 else ""
                out.append(
                    {
                        "kind": kind,
                        "what": f"{design} ({label}{runs_note})",
                        "rate": value,
                        "baseline": base["rate"],
                        "ratio": ratio,
                        "rate_ok": value >= TARGET_RATE,
                        "ratio_ok": ratio >= TARGET_RATIO,
                    }
                )
    return out


def report(result: dict[str, Any]) -> str:
    rows = result["rows"]
    tactful_rows = [r for r in rows if not r["design"].startswith("baseline")]
    base_rows = [r for r in rows if r["design"].startswith("baseline")]
    parts = [
        f"### Publish throughput ({result['posts']:,} posts due at one instant, outbox channel; "
        f"baseline {result['baseline_posts']:,})",
        "",
        table(
            [
                "database",
                "design",
                "used",
                "wall s",
                "wall posts/s",
                "spawn→1st batch s",
                "steady posts/s",
                "load avg",
            ],
            [
                (
                    r["database"],
                    r["design"],
                    r["workers_used"],
                    r["seconds"],
                    r["rate"],
                    r["startup"],
                    r["steady"],
                    f"{r['load']:.1f}",
                )
                for r in tactful_rows
            ],
        ),
        "",
        table(
            [
                "database",
                "design",
                "job inserts s",
                "inserts/s",
                "run s",
                "run posts/s",
                "insert+run posts/s",
                "load avg",
            ],
            [
                (
                    r["database"],
                    r["design"],
                    r["insert_seconds"],
                    r["insert_rate"],
                    r["seconds"],
                    r["rate"],
                    r["end_to_end_rate"],
                    f"{r['load']:.1f}",
                )
                for r in base_rows
            ],
        ),
        "",
        table(
            ["db", "tactful, one worker", "posts/s", "baseline run posts/s", "ratio", "targets"],
            [
                (
                    v["kind"],
                    v["what"],
                    v["rate"],
                    v["baseline"],
                    f"{v['ratio']:.1f}x",
                    "(--quick: not judged)"
                    if result["quick"]
                    else ("≥1,000/s " + ("met" if v["rate_ok"] else "MISSED"))
                    + ("; ≥5x " + ("met" if v["ratio_ok"] else "MISSED")),
                )
                for v in result["verdicts"]
            ],
        ),
    ]
    return "\n".join(parts)
