"""A worker's peak memory with a million queued posts in PostgreSQL.

1,000,000 queued posts: 990,000 due tomorrow and 10,000 due now (so the worker has
work), each with one audience region, loaded with ``INSERT … SELECT`` over
``generate_series``. One real ``python -m scheduler.cli worker`` process with the
packaged worker settings (batch 200, a 1 s tick) runs until the 10,000 are published
and a few more idle ticks have passed; its peak resident set (``VmHWM`` from
``/proc/<pid>/status``) is read while it is alive, then it is stopped with SIGTERM.

Baseline in the same run: the same worker on a database holding only the 10,000 due
posts, so the ratio shows what the million queued posts cost.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import (
    BenchEnv,
    analyze,
    count_status,
    fresh_env,
    insert_posts,
    log,
    proc_memory,
    server_version,
    start_workers,
    stop_workers,
    table,
    wait_until,
    worker_logs,
)

FULL_TOTAL = 1_000_000
QUICK_TOTAL = 100_000
DUE_NOW = 10_000
QUICK_DUE_NOW = 2_000
IDLE_SECONDS = 3.0  # idle ticks after the last publish (the tick is 1 s)
TARGET_MB = 150.0
KIB_TO_MB = 1024 / 1_000_000  # /proc reports KiB; figures are in MB (10^6 bytes)


def _worker_peak(env: BenchEnv, due: int) -> dict[str, Any]:
    """Run one worker until ``due`` posts are published; its memory in MB."""
    samples: list[int] = []
    start = time.perf_counter()
    (proc,) = start_workers(env, 1)

    def published() -> bool:
        rss = proc_memory(proc.pid).get("VmRSS")
        if rss:
            samples.append(rss)
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited early\n{worker_logs(env)}")
        return count_status(env, "published") >= due

    try:
        done = wait_until(published, 600, interval=0.1, what=f"{due} posts published")
        time.sleep(IDLE_SECONDS)
        memory = proc_memory(proc.pid)
    finally:
        (code,) = stop_workers([proc])
    if code != 0:
        log(worker_logs(env))
        raise AssertionError(f"worker exited with {code}")
    return {
        "peak_mb": memory["VmHWM"] * KIB_TO_MB,
        "rss_mb": memory["VmRSS"] * KIB_TO_MB,
        "sampled_max_mb": max(samples, default=0) * KIB_TO_MB,
        "publish_seconds": done - start,
    }


def measure(total: int, due: int) -> dict[str, Any]:
    load = os.getloadavg()[0]
    with fresh_env("postgres") as env:
        log(f"memory: loading {total:,} posts ({due:,} due now)")
        now = datetime.now(UTC)
        start = time.perf_counter()
        insert_posts(env, total - due, now + timedelta(days=1), prefix="later-")
        insert_posts(env, due, now - timedelta(seconds=1), prefix="now-")
        analyze(env)
        load_s = time.perf_counter() - start
        log(f"memory: loaded in {load_s:.0f} s; running one worker")
        result = _worker_peak(env, due)
        queued = count_status(env, "queued")
        version = server_version(env)
    if queued != total - due:
        raise AssertionError(f"{queued} posts still queued, expected {total - due}")
    return {
        "total": total,
        "due": due,
        "load_seconds": load_s,
        "database": version,
        "load": load,
        **result,
    }


def run(quick: bool = False) -> dict[str, Any]:
    total = QUICK_TOTAL if quick else FULL_TOTAL
    due = QUICK_DUE_NOW if quick else DUE_NOW
    baseline = measure(due, due)
    log(f"  -> baseline peak {baseline['peak_mb']:.0f} MB")
    loaded = measure(total, due)
    log(f"  -> peak {loaded['peak_mb']:.0f} MB")
    return {
        "quick": quick,
        "total": total,
        "baseline": baseline,
        "loaded": loaded,
        "ratio": loaded["peak_mb"] / baseline["peak_mb"],
        "met": loaded["peak_mb"] < TARGET_MB,
    }


def report(result: dict[str, Any]) -> str:
    rows = [
        (
            f"{r['total']:,} queued ({r['due']:,} due now)",
            r["peak_mb"],
            r["rss_mb"],
            r["publish_seconds"],
            r["load_seconds"],
            f"{r['load']:.1f}",
        )
        for r in (result["baseline"], result["loaded"])
    ]
    verdict = "met" if result["met"] else "MISSED"
    if result["quick"]:
        verdict = "not judged with --quick"
    return "\n".join(
        [
            f"### Worker memory ({result['loaded']['database']}, one worker process)",
            "",
            table(
                [
                    "database holds",
                    "peak RSS MB (VmHWM)",
                    "RSS at end MB",
                    "spawn→due ones published s",
                    "data load s",
                    "load avg",
                ],
                rows,
            ),
            "",
            f"Ratio to the baseline: {result['ratio']:.2f}x. "
            f"Target < {TARGET_MB:.0f} MB: {verdict} "
            f"({result['loaded']['peak_mb']:.0f} MB).",
        ]
    )
