"""How long the dashboard and the calendar take on a large queue, page by page.

Fills a throw-away database with ``--posts`` posts (default 1,000,000) spread evenly
over ``--days`` days around now (published before, queued after), four channel
accounts, and two open incidents holding one post in a hundred of the queued ones;
then asks each page and its API twin ``--repeat`` times, one request at a time,
through the Flask test client (no network, no server), and prints per page the
median and 95th percentile time, the SQL statements per request and the size of
the answer.

    python -m bench.overview_pages                      # PostgreSQL, 1,000,000 posts
    python -m bench.overview_pages --posts 10000 --days 30 --kind sqlite

This measures one request at a time: the time a page costs the server. Latency
under many concurrent clients is for a load test against a served process.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, text

from bench.common import analyze, fresh_env, log, server_version
from scheduler import clock, users
from scheduler.models import ChannelAccount

CHANNELS = ("outbox", "masto", "sky", "us")


def _fill(env: Any, total: int, days: int, now: datetime) -> None:
    start = now - timedelta(days=days / 2)
    step = days * 86400 / total
    with env.engine.begin() as conn:
        for name in CHANNELS[1:]:
            conn.execute(
                text(
                    "INSERT INTO channel_accounts (name, network, display_name, options, "
                    "enabled, regions, created_at, updated_at) VALUES (:n, 'outbox', :n, "
                    "'{}', true, '[]', :now, :now)"
                ),
                {"n": name, "now": now.replace(tzinfo=None)},
            )
        ids = [r[0] for r in conn.execute(text("SELECT id FROM channel_accounts ORDER BY id"))]
        params = {
            "n": total,
            "start": start.replace(tzinfo=None),
            "now": now.replace(tzinfo=None),
            "step": step,
            "channels": len(ids),
            "first": ids[0],
        }
        if env.kind == "postgres":
            series = "generate_series(1, :n) AS s(g)"
            at = "(CAST(:start AS timestamp) + g * :step * interval '1 second')"
        else:
            series = "(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < :n) SELECT g FROM s)"
            at = "(strftime('%Y-%m-%d %H:%M:%S', :start, '+' || CAST(g * :step AS INTEGER) || ' seconds') || '.000000')"
        conn.execute(
            text(
                "INSERT INTO posts (group_key, channel_id, text, category, status, publish_at, "
                "timezone, local_time, due_at, attempts, idempotency_key, created_at, "
                f"updated_at) SELECT 'g' || g, :first + (g % :channels), "
                "'Flash sale number ' || g || ': 30% off everything in store today only!', "
                f"CASE WHEN g % 5 = 0 THEN 'service' ELSE 'promotional' END, "
                f"CASE WHEN {at} < :now THEN 'published' ELSE 'queued' END, "
                f"{at}, 'UTC', '', {at}, 0, 'k' || g, :now, :now FROM {series}"
            ),
            params,
        )
        conn.execute(
            text("INSERT INTO post_regions (post_id, region) SELECT id, 'US-TX' FROM posts")
        )
        for number, title in ((1, "Storm in Texas"), (2, "Shooting in Austin")):
            conn.execute(
                text(
                    "INSERT INTO incidents (kind, title, severity, regions, status, source, "
                    "confidence, needs_review, first_seen, last_seen, expires_at, created_by) "
                    "VALUES ('storm', :t, 3, '[\"US-TX\"]', 'active', 'manual', 1.0, false, "
                    ":now, :now, :later, 'bench')"
                ),
                {
                    "t": title,
                    "now": now.replace(tzinfo=None),
                    "later": (now + timedelta(days=2)).replace(tzinfo=None),
                },
            )
            conn.execute(
                text(
                    "INSERT INTO holds (incident_id, post_id, rule, created_at) SELECT "
                    "(SELECT max(id) FROM incidents), id, 'promotional/inside/severity>=2', :now "
                    "FROM posts WHERE status = 'queued' AND category = 'promotional' "
                    "AND id % 100 = :k"
                ),
                {"now": now.replace(tzinfo=None), "k": number},
            )
    analyze(env, ("posts", "post_regions", "holds", "incidents", "channel_accounts"))


def _pages(today: datetime) -> list[str]:
    day = today.date().isoformat()
    return [
        "/dashboard",
        f"/calendar?view=month&date={day}",
        f"/calendar?view=week&date={day}",
        f"/calendar?view=day&date={day}",
        f"/calendar?view=month&date={day}&status=held",
        f"/calendar?view=month&date={day}&channel=us",
    ]


def run(kind: str, total: int, days: int, repeat: int) -> list[dict[str, Any]]:
    from flask import Flask

    from web import create_app

    now = datetime.now(UTC).replace(microsecond=0)
    rows: list[dict[str, Any]] = []
    with fresh_env(kind) as env:
        log(f"{server_version(env)}: loading {total:,} posts over {days} days")
        began = time.perf_counter()
        _fill(env, total, days, now)
        log(f"loaded in {time.perf_counter() - began:.1f} s")
        with env.app.db.session() as session:
            user = users.create_user(session, "bench", "bench-password-123", "approver")
            token = users.create_token(session, user, "bench")
            assert session.query(ChannelAccount).count() == len(CHANNELS)
        web: Flask = create_app(env.app, {"TESTING": True, "WTF_CSRF_ENABLED": False})
        browser = web.test_client()
        browser.post("/login", data={"name": "bench", "password": "bench-password-123"})
        api = web.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        statements: list[str] = []
        event.listen(env.app.db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        clock.set_source(None)
        for page in _pages(now):
            for label, client, url, extra in (
                ("page", browser, page, {}),
                ("api", api, "/api/v1" + page, {"headers": headers}),
            ):
                client.get(url, **extra)  # warm the caches and the plans
                times = []
                for _ in range(repeat):
                    statements.clear()
                    began = time.perf_counter()
                    answer = client.get(url, **extra)
                    times.append((time.perf_counter() - began) * 1000)
                    assert answer.status_code == 200, (url, answer.status_code)
                times.sort()
                rows.append(
                    {
                        "what": f"{label} {page}",
                        "p50": statistics.median(times),
                        "p95": times[max(0, int(len(times) * 0.95) - 1)],
                        "statements": len(statements),
                        "bytes": len(answer.get_data()),
                    }
                )
                log(f"{rows[-1]['what']}: p95 {rows[-1]['p95']:.1f} ms")
    return rows


def report(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| request | p50 ms | p95 ms | SQL statements | bytes |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| `{row['what']}` | {row['p50']:.1f} | {row['p95']:.1f} | "
            f"{row['statements']} | {row['bytes']:,} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    print(report(run(args.kind, args.posts, args.days, args.repeat)))


if __name__ == "__main__":
    main()
