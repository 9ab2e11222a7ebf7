"""Hold fan-out: declare one incident over 100,000 matching queued posts.

Data: 100,000 queued promotional posts aimed at US-TX plus 20,000 aimed at FR (which
a severity-3 shooting in US-TX must not hold), all due tomorrow.

- tactful: ``scheduler.incidents.declare`` (severity 3, region US-TX) in one
  transaction, timed until committed; then ``incidents.end(..., "resolved", ...)``
  (the release), timed the same way. Repeated after a reset; every figure is shown.
- Beside it, "a per-row ORM loop": in one transaction, record the same incident, load
  every queued post with its regions through the ORM, call ``rules.policy.decide``
  per post, and for each held one set ``status='held'`` and add a ``Hold`` and an
  ``AuditEvent``; commit.

After every run the bench checks that exactly the 100,000 US-TX posts are held (each
with one open hold; for tactful, the incident's audit events count 100,000 posts
held) and the FR posts are not; after a release, that every post is queued again
with no open hold.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from bench.common import (
    BenchEnv,
    analyze,
    fresh_env,
    insert_posts,
    log,
    median,
    server_version,
    sqlite_restore,
    sqlite_snapshot,
    table,
)
from rules.policy import decide
from scheduler import audit, clock, holds, incidents
from scheduler.models import AuditEvent, Hold, Incident, Post

FULL = (100_000, 20_000)
QUICK = (10_000, 2_000)
TARGET_SECONDS = 1.0
INCIDENT: dict[str, Any] = {
    "kind": "shooting",
    "severity": 3,
    "regions": ["US-TX"],
    "title": "Gunman kills 5 in Uvalde, Texas",
}


def _counts(env: BenchEnv) -> dict[str, int]:
    """Held as people see it (``holds.held_condition``: parked, or queued under an
    open hold), whatever the design that held them."""
    with env.engine.connect() as conn:
        held_tx = conn.scalar(
            select(func.count())
            .select_from(Post)
            .where(holds.held_condition(), Post.idempotency_key.like("tx-%"))
        )
        held = conn.scalar(select(func.count()).select_from(Post).where(holds.held_condition()))
        queued = conn.scalar(
            select(func.count()).select_from(Post).where(holds.status_condition("queued"))
        )
        open_holds = conn.scalar(
            select(func.count()).select_from(Hold).where(Hold.released_at.is_(None))
        )
    return {
        "held_tx": int(held_tx or 0),
        "held": int(held or 0),
        "queued": int(queued or 0),
        "open_holds": int(open_holds or 0),
    }


def _held_audited(env: BenchEnv, incident_id: int) -> int:
    """Posts the audit log says the incident held (its per-rule events)."""
    with env.engine.connect() as conn:
        details = conn.scalars(
            select(AuditEvent.details).where(
                AuditEvent.action == "incident.posts_held", AuditEvent.object_id == incident_id
            )
        ).all()
    return sum(int(d["posts"]) for d in details)


def _check_held(env: BenchEnv, matching: int, other: int) -> None:
    got = _counts(env)
    want = {"held_tx": matching, "held": matching, "queued": other, "open_holds": matching}
    if got != want:
        raise AssertionError(f"after the hold: {got}, expected {want}")


def _check_released(env: BenchEnv, total: int) -> None:
    got = _counts(env)
    if got["queued"] != total or got["open_holds"] or got["held"]:
        raise AssertionError(f"after the release: {got}, expected {total} queued")


def _reset(env: BenchEnv, snapshot: Path | None) -> None:
    """Back to 'every post queued, no incident, hold tables never analysed' (the
    state of a database where no big incident has happened yet). Audit events are
    append-only (database triggers refuse UPDATE and DELETE), so: on PostgreSQL,
    TRUNCATE, which also gives the tables new files with unknown statistics, as on a
    new install; on SQLite, the file copied before the first run is put back."""
    if snapshot is not None:
        sqlite_restore(env, snapshot)
        return
    with env.engine.begin() as conn:
        # Not incidents: TRUNCATE … CASCADE would follow condolence drafts to posts.
        conn.execute(text("TRUNCATE holds, audit_events"))
        conn.execute(text("DELETE FROM incidents"))
        conn.execute(text("UPDATE posts SET status = 'queued' WHERE status <> 'queued'"))
    analyze(env)


def _settle(env: BenchEnv) -> None:
    """What autovacuum does shortly after a big release: vacuum and analyse every
    table touched, so the planner now sees the released holds' history and no open
    hold."""
    analyze(env, ("posts", "post_regions", "holds", "audit_events", "incidents"))


def set_based(
    env: BenchEnv, matching: int, other: int, timeout: float | None = None
) -> dict[str, float | None]:
    """Declare, check, release, check. With ``timeout`` (PostgreSQL only), a release
    still running after that many seconds is cancelled and reported as ``None``."""
    app = env.app
    start = time.perf_counter()
    with app.db.session() as session:
        declared = incidents.declare(session, app.settings, dict(INCIDENT), None)
    declared_s = time.perf_counter() - start
    if declared.fan_out.posts_held != matching:
        raise AssertionError(f"fan-out held {declared.fan_out.posts_held}, expected {matching}")
    _check_held(env, matching, other)
    audited = _held_audited(env, declared.incident.id)
    if audited != matching:
        raise AssertionError(f"the audit log counts {audited} posts held, expected {matching}")
    start = time.perf_counter()
    try:
        with app.db.session() as session:
            if timeout and env.kind == "postgres":
                session.execute(text(f"SET LOCAL statement_timeout = {int(timeout * 1000)}"))
            released = incidents.end(
                session, app.settings, declared.incident.id, "resolved", {"reason": "bench"}, None
            )
    except OperationalError as exc:
        if "statement timeout" not in str(exc):
            raise
        log(f"  release cancelled by the bench after {time.perf_counter() - start:.0f} s")
        return {"declare": declared_s, "release": None}
    released_s = time.perf_counter() - start
    if released.released != matching or released.requeued != matching:
        raise AssertionError(f"release: {released}, expected {matching} released and requeued")
    _check_released(env, matching + other)
    return {"declare": declared_s, "release": released_s}


def orm_loop(env: BenchEnv, matching: int, other: int) -> dict[str, float]:
    """The per-row alternative: every queued post through the ORM and the policy."""
    app = env.app
    policy = app.settings.policy
    start = time.perf_counter()
    with app.db.session() as session:
        now = clock.now()
        incident = Incident(
            kind=INCIDENT["kind"],
            title=INCIDENT["title"],
            severity=INCIDENT["severity"],
            regions=list(INCIDENT["regions"]),
            status="active",
            source="manual",
            confidence=1.0,
            needs_review=False,
            first_seen=now,
            last_seen=now,
            expires_at=now + timedelta(hours=app.settings.incident_ttl_hours),
            created_by=audit.SYSTEM,
        )
        session.add(incident)
        session.flush()
        audit.record(
            session, audit.SYSTEM, "incident.declared", "incident", incident.id, incident.title
        )
        facts = [holds.incident_facts(incident)]
        queued = list(session.scalars(select(Post).where(Post.status == "queued")))
        loaded = time.perf_counter()
        held = 0
        for post in queued:
            decision = decide(holds.post_facts(post), facts, policy)
            if not decision.hold:
                continue
            for reason in decision.reasons:
                session.add(
                    Hold(
                        incident_id=reason.incident_id,
                        post_id=post.id,
                        rule=reason.rule,
                        created_at=now,
                    )
                )
                audit.record(
                    session,
                    audit.SYSTEM,
                    "post.held",
                    "post",
                    post.id,
                    reason.rule,
                    {"incident_id": reason.incident_id},
                    at=now,
                )
            post.status = "held"
            post.updated_at = now
            held += 1
        decided = time.perf_counter()
    committed = time.perf_counter()
    if held != matching:
        raise AssertionError(f"ORM loop held {held}, expected {matching}")
    _check_held(env, matching, other)
    return {
        "total": committed - start,
        "load": loaded - start,
        "decide": decided - loaded,
        "flush_commit": committed - decided,
    }


def run(quick: bool = False) -> dict[str, Any]:
    matching, other = QUICK if quick else FULL
    repeats = 2
    timeout = 10.0 if quick else 20.0
    results: list[dict[str, Any]] = []
    for kind in ("postgres", "sqlite"):
        with fresh_env(kind) as env:
            load = os.getloadavg()[0]
            log(f"fanout: {kind}, loading {matching:,} US-TX + {other:,} FR posts")
            due = datetime.now(UTC) + timedelta(days=1)
            start = time.perf_counter()
            insert_posts(env, matching, due, prefix="tx-", region="US-TX")
            insert_posts(env, other, due, prefix="fr-", region="FR")
            analyze(env)
            load_s = time.perf_counter() - start
            snapshot = sqlite_snapshot(env) if kind == "sqlite" else None
            fresh = []
            for attempt in range(repeats):
                if attempt:
                    _reset(env, snapshot)
                log(f"fanout: {kind}, set-based declare + release #{attempt + 1} (fresh tables)")
                fresh.append(set_based(env, matching, other))
            # Keep the last run's history (released holds, audit events), as a live
            # database would, and let "autovacuum" analyse it; then run once more.
            _settle(env)
            log(f"fanout: {kind}, set-based declare + release after analyse (history kept)")
            settled = set_based(env, matching, other, timeout)
            _reset(env, snapshot)
            log(f"fanout: {kind}, per-row ORM loop")
            loop = orm_loop(env, matching, other)
            results.append(
                {
                    "kind": kind,
                    "database": server_version(env),
                    "matching": matching,
                    "other": other,
                    "load_seconds": load_s,
                    "declare": [r["declare"] for r in fresh],
                    "release": [r["release"] for r in fresh],
                    "declare_median": median([r["declare"] or 0.0 for r in fresh]),
                    "release_median": median([r["release"] or 0.0 for r in fresh]),
                    "settled_declare": settled["declare"],
                    "settled_release": settled["release"],
                    "release_timeout": timeout,
                    "orm_loop": loop,
                    "load": load,
                }
            )
            log(f"  -> declare {results[-1]['declare_median']:.2f}s, ORM loop {loop['total']:.1f}s")
    return {
        "quick": quick,
        "matching": matching,
        "other": other,
        "repeats": repeats,
        "rows": results,
    }


def _verdict(row: dict[str, Any], quick: bool) -> str:
    if quick:
        return "(--quick: not judged)"
    if row["kind"] != "postgres":
        return "(reference)"
    seconds = row["declare_median"]
    if seconds <= TARGET_SECONDS:
        return "met"
    return f"MISSED ({seconds / TARGET_SECONDS:.1f}x the target)"


def _secs(value: float | None, timeout: float) -> str:
    return f"> {timeout:.0f} (cancelled)" if value is None else f"{value:.2f}"


def report(result: dict[str, Any]) -> str:
    rows = result["rows"]
    lines = [
        f"### Hold fan-out ({result['matching']:,} matching US-TX posts + "
        f"{result['other']:,} FR posts, severity 3 in US-TX)",
        "",
        "Fresh tables (hold and audit tables never analysed), "
        f"{result['repeats']} runs, reset between:",
        "",
        table(
            [
                "database",
                "set-based declare s (runs)",
                "median",
                "release s (runs)",
                "median",
                "per-row ORM loop s",
                "loop / declare",
                "target ≤1 s (PostgreSQL)",
            ],
            [
                (
                    r["database"],
                    " / ".join(_secs(v, r["release_timeout"]) for v in r["declare"]),
                    r["declare_median"],
                    " / ".join(_secs(v, r["release_timeout"]) for v in r["release"]),
                    r["release_median"],
                    r["orm_loop"]["total"],
                    f"{r['orm_loop']['total'] / r['declare_median']:.1f}x",
                    _verdict(r, result["quick"]),
                )
                for r in rows
            ],
        ),
        "",
        "After the last release was vacuumed and analysed (its released holds kept as "
        "history, no hold open), one more run:",
        "",
        table(
            ["database", "set-based declare s", "release s"],
            [
                (
                    r["database"],
                    _secs(r["settled_declare"], r["release_timeout"]),
                    _secs(r["settled_release"], r["release_timeout"]),
                )
                for r in rows
            ],
        ),
        "",
        table(
            [
                "database",
                "ORM loop: load s",
                "decide+build s",
                "flush+commit s",
                "data load s",
                "load avg",
            ],
            [
                (
                    r["database"],
                    r["orm_loop"]["load"],
                    r["orm_loop"]["decide"],
                    r["orm_loop"]["flush_commit"],
                    r["load_seconds"],
                    f"{r['load']:.1f}",
                )
                for r in rows
            ],
        ),
    ]
    return "\n".join(lines)
