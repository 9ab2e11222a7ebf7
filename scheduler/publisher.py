"""Claim due posts, gate them against incidents, publish them, record the outcome.

The pipeline for one round, per batch:

1. **claim** (one transaction): ``UPDATE posts SET status='publishing' … WHERE id IN
   (SELECT … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING …`` — on SQLite the same
   statement runs inside ``BEGIN IMMEDIATE``. In the same transaction every claimed
   post is checked against the open incidents (held ones go to ``held``) and for
   lateness (too late ones go to ``needs_review``).
2. **gate** (one transaction per chunk, right before the calls): renew the lease,
   check the incidents once more, and record a started ``PublishAttempt``. A hold
   committed before this point stops the post; the only window left is a call
   already on the wire. Chunks are as large as the number of calls made at once.
3. **send**: the channel adapter, in a small thread pool (inline for local ones).
4. **finish** (one transaction per chunk): a conditional update from ``publishing``
   owned by this worker to ``published``, ``queued`` (retry later), ``failed`` or
   ``unconfirmed``.

Decisions come from ``rules``; this module decides nothing itself.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import JSON, String, func, insert, literal, select, update
from sqlalchemy import column as sql_column
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TableValuedAlias

from rules.policy import Decision, IncidentFacts, PostFacts, decide
from rules.timing import is_too_late, retry_delay
from scheduler import approval, audit, clock, condolences, holds
from scheduler import policy as hold_policy
from scheduler.channels import (
    REGISTRY,
    AccountSpec,
    ChannelError,
    Delivery,
    OutgoingPost,
    PermanentError,
    TransientError,
    UnknownOutcome,
)
from scheduler.context import Tactful
from scheduler.db import UTCDateTime, id_among
from scheduler.models import AuditEvent, ChannelAccount, Post, PostRegion, PublishAttempt

log = logging.getLogger(__name__)

# Outcome kinds stored on attempts.
PUBLISHED, TRANSIENT, PERMANENT, UNCONFIRMED, HELD, ABANDONED = (
    "published",
    "transient",
    "permanent",
    "unconfirmed",
    "held",
    "abandoned",
)
# Local adapters (no network) are gated a whole batch at a time: there is no wire to
# race a hold, and each writes in microseconds.


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Claimed:
    post_id: int
    account: AccountSpec
    outgoing: OutgoingPost
    attempt_number: int

    @property
    def facts(self) -> PostFacts:
        return PostFacts(self.outgoing.category, self.outgoing.regions)


@dataclass
class Outcome:
    claimed: Claimed
    attempt_id: int
    kind: str
    error: str | None = None
    delivery: Delivery | None = None
    retry_after: float | None = None


@dataclass
class RoundStats:
    """What one round did. ``review``: posts sent to a person instead of out (found
    late, channel disabled, or a condolence without approval)."""

    claimed: int = 0
    published: int = 0
    held: int = 0
    review: int = 0
    retried: int = 0
    failed: int = 0
    unconfirmed: int = 0
    lost: int = 0


def _chunks(items: Sequence[Claimed], size: int) -> Iterator[list[Claimed]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class Publisher:
    """One worker's publishing loop. Safe to run in many processes on one database."""

    def __init__(
        self,
        app: Tactful,
        worker_id: str | None = None,
        *,
        jitter: Callable[[], float] = random.random,
        before_send: Callable[[list[Claimed]], None] | None = None,
    ) -> None:
        self.app = app
        self.settings = app.settings
        self.worker_id = worker_id or new_worker_id()
        self._jitter = jitter
        # Test seam: runs after the claim and before the gate of each chunk.
        self._before_send = before_send
        self._pool: ThreadPoolExecutor | None = None

    # ----------------------------------------------------------------- claim
    def claim(self, limit: int | None = None, stats: RoundStats | None = None) -> list[Claimed]:
        """Claim up to ``limit`` due posts; returns the ones cleared to publish."""
        limit = limit or self.settings.batch_size
        with self.app.db.session() as session:
            now = clock.now()
            due = (
                select(Post.id)
                .where(Post.status == "queued", Post.due_at <= now)
                .order_by(Post.due_at, Post.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            ids = list(
                session.scalars(
                    update(Post)
                    .where(Post.id.in_(due.scalar_subquery()))
                    .values(
                        status="publishing",
                        lease_until=now + timedelta(seconds=self.settings.lease_seconds),
                        claimed_by=self.worker_id,
                        attempts=Post.attempts + 1,
                        updated_at=now,
                    )
                    .returning(Post.id)
                    .execution_options(synchronize_session=False)
                )
            )
            if not ids:
                return []
            stats = stats if stats is not None else RoundStats()
            stats.claimed += len(ids)
            audit.record_from_select(
                session,
                select(
                    literal(now, UTCDateTime()),
                    literal(audit.SYSTEM, String()),
                    literal("post.claimed", String()),
                    literal("post", String()),
                    Post.id,
                    literal(None, String()),
                    literal({"worker": self.worker_id}, JSON()),
                ).where(id_among(session, Post.id, ids)),
            )
            return self._screen(session, ids, now, stats)

    def _screen(
        self, session: Session, ids: list[int], now: datetime, stats: RoundStats
    ) -> list[Claimed]:
        """Check each claimed post in the claiming transaction. Plain rows, not ORM
        objects: this runs for every post published; only the few that change here
        (parked, sent to review) are loaded as objects."""
        rows = session.execute(
            select(
                Post.id,
                Post.channel_id,
                Post.text,
                Post.category,
                Post.due_at,
                Post.publish_at,
                Post.idempotency_key,
                Post.attempts,
                Post.condolence_id,
                Post.version,
                Post.approved_version,
                Post.approved_by_id,
            )
            .where(id_among(session, Post.id, ids))
            .order_by(Post.due_at, Post.id)
        ).all()
        regions: dict[int, list[str]] = {}
        for post_id, region in session.execute(
            select(PostRegion.post_id, PostRegion.region)
            .where(id_among(session, PostRegion.post_id, ids))
            .order_by(PostRegion.post_id, PostRegion.region)
        ):
            regions.setdefault(post_id, []).append(region)
        channels = {
            c.id: c
            for c in session.scalars(
                select(ChannelAccount).where(ChannelAccount.id.in_({r.channel_id for r in rows}))
            )
        }
        accounts = {
            c.id: AccountSpec(
                id=c.id,
                name=c.name,
                network=c.network,
                options=dict(c.options),
                max_length=c.max_length,
            )
            for c in channels.values()
        }
        incidents = holds.open_incidents(session)
        # The policy matters only while an incident is open (one small read then).
        rules = hold_policy.effective(session, self.settings) if incidents else self.settings.policy
        # A fan-out leaves held posts queued: the ones that come due are parked here.
        under_hold = holds.posts_under_hold(session, ids)
        cleared = []
        for row in rows:
            channel = channels[row.channel_id]
            facts = PostFacts(row.category, tuple(regions.get(row.id, ())))
            why = None
            if row.id not in under_hold:
                why = self._needs_person(
                    session, channel, row.category, row.due_at, row.condolence_id, now
                ) or approval.missing(
                    # Invariant: a post of an account that requires approval never
                    # goes out without an approval of its current version, whatever
                    # door set its status.
                    channel,
                    row.category,
                    row.version,
                    row.approved_version,
                    row.approved_by_id,
                )
            if why is not None:
                self._to_review(session, self._load(session, row.id), now, why)
                stats.review += 1
                continue
            decision = decide(facts, incidents, rules)
            if decision.hold or row.id in under_hold:
                post = self._load(session, row.id)
                holds.hold_post(session, post, decision, audit.SYSTEM, now)
                post.attempts -= 1  # claimed, never attempted
                stats.held += 1
                continue
            cleared.append(
                Claimed(
                    post_id=row.id,
                    account=accounts[channel.id],
                    outgoing=OutgoingPost(
                        post_id=row.id,
                        text=row.text,
                        idempotency_key=row.idempotency_key,
                        category=row.category,
                        regions=facts.regions,
                        publish_at=row.publish_at,
                    ),
                    attempt_number=row.attempts,
                )
            )
        return cleared

    @staticmethod
    def _load(session: Session, post_id: int) -> Post:
        post = session.get(Post, post_id)
        assert post is not None  # claimed (and so locked) by this transaction
        return post

    def _needs_person(
        self,
        session: Session,
        channel: ChannelAccount,
        category: str,
        due_at: datetime,
        condolence_id: int | None,
        now: datetime,
    ) -> str | None:
        """Why a claimed post must go to a person instead of out, if it must."""
        if is_too_late(due_at, now, self.settings.late_grace_seconds):
            return "found late: the worker was not running at its time"
        if not channel.enabled or channel.network not in REGISTRY:
            return f"channel account {channel.name} is disabled"
        if category == "condolence" and not condolences.is_approved(session, condolence_id):
            # Invariant: no condolence goes out without a person's approval, even one
            # that reached the queue by a door that should not exist.
            return "condolence without an approved draft"
        return None

    def _to_review(self, session: Session, post: Post, now: datetime, why: str) -> None:
        post.status = "needs_review"
        post.last_error = why
        post.lease_until = None
        post.claimed_by = None
        post.attempts -= 1
        post.updated_at = now
        audit.record(session, audit.SYSTEM, "post.needs_review", "post", post.id, why, at=now)

    # ------------------------------------------------------------------ gate
    def gate(
        self, chunk: list[Claimed], stats: RoundStats | None = None
    ) -> list[tuple[Claimed, int]]:
        """Right before sending: keep the claim, re-check incidents, start attempts."""
        with self.app.db.session() as session:
            now = clock.now()
            mine = (
                id_among(session, Post.id, [c.post_id for c in chunk]),
                Post.status == "publishing",
                Post.claimed_by == self.worker_id,
            )
            if all(REGISTRY[c.account.network].local for c in chunk):
                # Sent within milliseconds of the claim: checking the claim is enough,
                # renewing its lease would rewrite every post row once more.
                still_mine = set(session.scalars(select(Post.id).where(*mine)))
            else:
                still_mine = set(
                    session.scalars(
                        update(Post)
                        .where(*mine)
                        .values(lease_until=now + timedelta(seconds=self.settings.lease_seconds))
                        .returning(Post.id)
                        .execution_options(synchronize_session=False)
                    )
                )
            incidents: list[IncidentFacts] = holds.open_incidents(session)
            rules = (
                hold_policy.effective(session, self.settings) if incidents else self.settings.policy
            )
            stats = stats if stats is not None else RoundStats()
            cleared: list[Claimed] = []
            for item in chunk:
                if item.post_id not in still_mine:
                    log.warning("post %s: claim lost before sending", item.post_id)
                    stats.lost += 1
                    continue
                decision: Decision = decide(item.facts, incidents, rules)
                if decision.hold:
                    post = session.get(Post, item.post_id)
                    assert post is not None
                    holds.hold_post(session, post, decision, audit.SYSTEM, now)
                    post.attempts -= 1  # claimed, never attempted
                    stats.held += 1
                    continue
                cleared.append(item)
            if not cleared:
                return []
            attempts = _insert_attempts(
                session,
                [
                    {
                        "post_id": c.post_id,
                        "number": c.attempt_number,
                        "worker": self.worker_id,
                        "idempotency_key": c.outgoing.idempotency_key,
                        "started_at": now,
                    }
                    for c in cleared
                ],
            )
            return [(c, attempts[c.post_id]) for c in cleared]

    # ------------------------------------------------------------------ send
    @staticmethod
    def _outcome(item: Claimed, attempt_id: int, result: Delivery | Exception) -> Outcome:
        if isinstance(result, Delivery):
            return Outcome(item, attempt_id, PUBLISHED, delivery=result)
        if isinstance(result, TransientError):
            return Outcome(item, attempt_id, TRANSIENT, str(result), retry_after=result.retry_after)
        if isinstance(result, PermanentError):
            return Outcome(item, attempt_id, PERMANENT, str(result))
        if isinstance(result, UnknownOutcome):
            return Outcome(item, attempt_id, UNCONFIRMED, str(result))
        # A bug in an adapter: the call may have gone out.
        return Outcome(item, attempt_id, UNCONFIRMED, f"unexpected error: {result!r}")

    def _send_one(self, item: Claimed, attempt_id: int) -> Outcome:
        try:
            result: Delivery | Exception = self.app.channel(item.account).publish(item.outgoing)
        except Exception as exc:
            if not isinstance(exc, ChannelError):
                log.exception("post %s: adapter raised unexpectedly", item.post_id)
            result = exc
        return self._outcome(item, attempt_id, result)

    def _send_local(self, items: list[tuple[Claimed, int]]) -> list[Outcome]:
        """Local adapters take a whole batch per account at once (the outbox: one
        write under one lock)."""
        by_account: dict[int, list[tuple[Claimed, int]]] = {}
        for pair in items:
            by_account.setdefault(pair[0].account.id, []).append(pair)
        outcomes: list[Outcome] = []
        for pairs in by_account.values():
            try:
                adapter = self.app.channel(pairs[0][0].account)
                results: list[Delivery | Exception] = list(
                    adapter.publish_many([c.outgoing for c, _ in pairs])
                )
            except Exception as exc:
                log.exception("account %s: adapter raised unexpectedly", pairs[0][0].account.name)
                results = [exc] * len(pairs)
            outcomes.extend(
                self._outcome(c, a, r) for (c, a), r in zip(pairs, results, strict=True)
            )
        return outcomes

    def send(self, items: list[tuple[Claimed, int]]) -> list[Outcome]:
        local = [pair for pair in items if REGISTRY[pair[0].account.network].local]
        remote = [pair for pair in items if not REGISTRY[pair[0].account.network].local]
        outcomes = self._send_local(local)
        if remote:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self.settings.concurrency, thread_name_prefix="tactful-send"
                )
            outcomes.extend(self._pool.map(lambda pair: self._send_one(*pair), remote))
        return outcomes

    # ---------------------------------------------------------------- finish
    def finish(self, outcomes: list[Outcome], stats: RoundStats) -> None:
        """Record a chunk's outcomes in one transaction, a few statements in all.

        The posts still claimed by this worker are locked first; only those change
        (a post whose claim lapsed and was taken over is counted as lost).
        """
        with self.app.db.session() as session:
            now = clock.now()
            ids = [out.claimed.post_id for out in outcomes]
            owned = set(
                session.scalars(
                    select(Post.id)
                    .where(
                        id_among(session, Post.id, ids),
                        Post.status == "publishing",
                        Post.claimed_by == self.worker_id,
                    )
                    .with_for_update()
                )
            )
            _update_by_id(
                session,
                PublishAttempt,
                [
                    {
                        "id": out.attempt_id,
                        "finished_at": now,
                        "outcome": out.kind,
                        "error": out.error,
                        "remote_id": out.delivery.remote_id if out.delivery else None,
                    }
                    for out in outcomes
                ],
            )
            changes: list[dict[str, object]] = []
            events: list[dict[str, object]] = []
            for out in outcomes:
                if out.claimed.post_id not in owned:
                    stats.lost += 1
                    log.error(
                        "post %s: claim lost while publishing (outcome %s)",
                        out.claimed.post_id,
                        out.kind,
                    )
                    continue
                values, action, reason = self._result(out, now)
                changes.append(
                    {
                        "id": out.claimed.post_id,
                        "lease_until": None,
                        "claimed_by": None,
                        "updated_at": now,
                        **values,
                    }
                )
                counter = {"queued": "retried"}.get(str(values["status"]), str(values["status"]))
                setattr(stats, counter, getattr(stats, counter) + 1)
                events.append(
                    {
                        "at": now,
                        "actor": audit.SYSTEM,
                        "action": action,
                        "object_type": "post",
                        "object_id": out.claimed.post_id,
                        "reason": reason,
                        "details": {
                            "attempt": out.claimed.attempt_number,
                            "channel": out.claimed.account.name,
                        },
                    }
                )
            # By primary key; the rows are locked above.
            _update_by_id(session, Post, changes)
            if events:
                session.execute(insert(AuditEvent), events)

    def _result(self, out: Outcome, now: datetime) -> tuple[dict[str, object], str, str | None]:
        if out.kind == PUBLISHED:
            assert out.delivery is not None
            return (
                {
                    "status": "published",
                    "published_at": now,
                    "remote_id": out.delivery.remote_id,
                    "last_error": None,
                },
                "post.published",
                out.delivery.url,
            )
        if out.kind == TRANSIENT and out.claimed.attempt_number < self.settings.retry_max_attempts:
            delay = retry_delay(
                out.claimed.attempt_number,
                self.settings.retry_base_delay,
                self.settings.retry_max_delay,
                self._jitter(),
            )
            delay = max(delay, min(out.retry_after or 0.0, self.settings.retry_max_delay))
            return (
                {
                    "status": "queued",
                    "due_at": now + timedelta(seconds=delay),
                    "last_error": out.error,
                },
                "post.retry_scheduled",
                f"{out.error} (retry in {delay:.0f}s)",
            )
        if out.kind in (TRANSIENT, PERMANENT):
            return {"status": "failed", "last_error": out.error}, "post.failed", out.error
        return {"status": "unconfirmed", "last_error": out.error}, "post.unconfirmed", out.error

    # ----------------------------------------------------------------- round
    def run_round(
        self, stop: threading.Event | None = None, max_batches: int | None = None
    ) -> RoundStats:
        """Publish everything due now, batch after batch, until nothing is due or
        ``stop`` is set. Claimed posts not yet gated when stopping are handed back."""
        total = RoundStats()
        with self.app.db.session() as session:
            # Posts still waiting for an approver at their time go to a person.
            total.review += approval.sweep(session)
        batches = 0
        while not (stop and stop.is_set()):
            before = total.claimed
            claimed = self.claim(stats=total)
            if not claimed:
                if total.claimed == before:
                    break
                continue  # the whole batch was held or sent to review: claim more
            self._publish_claimed(claimed, total, stop)
            batches += 1
            if max_batches is not None and batches >= max_batches:
                break
        return total

    def _publish_claimed(
        self, claimed: list[Claimed], stats: RoundStats, stop: threading.Event | None
    ) -> None:
        ordered = sorted(claimed, key=lambda c: REGISTRY[c.account.network].local, reverse=True)
        pending = list(ordered)
        while pending:
            local = REGISTRY[pending[0].account.network].local
            size = len(pending) if local else self.settings.concurrency
            chunk = [c for c in pending[:size] if REGISTRY[c.account.network].local == local]
            pending = pending[len(chunk) :]
            if stop and stop.is_set():
                self.hand_back(chunk + pending)
                return
            if self._before_send is not None:
                self._before_send(chunk)
            items = self.gate(chunk, stats)
            if items:
                self.finish(self.send(items), stats)

    def hand_back(self, claimed: list[Claimed]) -> None:
        """Return claimed, never-sent posts to the queue (on shutdown)."""
        if not claimed:
            return
        with self.app.db.session() as session:
            audit.record_many(
                session,
                [
                    {
                        "at": clock.now(),
                        "actor": audit.SYSTEM,
                        "action": "post.requeued",
                        "object_type": "post",
                        "object_id": c.post_id,
                        "reason": "worker stopping before sending",
                        "details": {},
                    }
                    for c in claimed
                ],
            )
            session.execute(
                update(Post)
                .where(
                    id_among(session, Post.id, [c.post_id for c in claimed]),
                    Post.status == "publishing",
                    Post.claimed_by == self.worker_id,
                )
                .values(
                    status="queued", lease_until=None, claimed_by=None, attempts=Post.attempts - 1
                )
                .execution_options(synchronize_session=False)
            )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def _arrays(
    model: type[Post] | type[PublishAttempt],
    names: Sequence[str],
    rows: Sequence[dict[str, object]],
) -> TableValuedAlias:
    """``unnest(<one array per column>) AS given(<names>)``: many rows as one
    parameter per column, so the statement text is the same for any number of rows
    (PostgreSQL)."""
    columns = [model.__table__.c[name] for name in names]
    return (
        func.unnest(*(literal([row[c.name] for row in rows], ARRAY(c.type)) for c in columns))
        .table_valued(*(sql_column(c.name, c.type) for c in columns), name="given")
        .render_derived()
    )


def _insert_attempts(session: Session, rows: list[dict[str, object]]) -> dict[int, int]:
    """Insert started attempts, one per post; returns {post id: attempt id}."""
    if session.get_bind().dialect.name != "postgresql":
        ids = session.scalars(
            insert(PublishAttempt).returning(PublishAttempt.id, sort_by_parameter_order=True),
            rows,
        )
        return {cast(int, row["post_id"]): attempt for row, attempt in zip(rows, ids, strict=True)}
    names = list(rows[0])
    given = _arrays(PublishAttempt, names, rows)
    created = session.execute(
        insert(PublishAttempt)
        .from_select(names, select(*(given.c[n] for n in names)))
        .returning(PublishAttempt.post_id, PublishAttempt.id)
    )
    return {post_id: attempt for post_id, attempt in created}


def _update_by_id(
    session: Session, model: type[Post] | type[PublishAttempt], rows: list[dict[str, object]]
) -> None:
    """Update rows by primary key, each with its own values. On PostgreSQL one
    ``UPDATE … FROM unnest(…)`` per group of rows that set the same columns;
    elsewhere an executemany (cheap on SQLite, which runs in process)."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(update(model), rows)
        return
    groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for keys, group in groups.items():
        names = ["id", *(k for k in keys if k != "id")]
        given = _arrays(model, names, group)
        session.execute(
            update(model)
            .where(model.id == given.c.id)
            .values({name: given.c[name] for name in names[1:]})
            .execution_options(synchronize_session=False)
        )


def recover_lapsed(
    app: Tactful, limit: int = 500, *, worker_id: str | None = None
) -> dict[str, int]:
    """Take over posts whose claim lapsed (their worker died) — or, with
    ``worker_id``, every post that worker still claims, at once, lapsed or not (the
    worker is stopping cleanly and gives its claims up).

    A post with an attempt started and never finished may have gone out: it is sent
    again (with the same idempotency key) only through a channel that honours one;
    otherwise it becomes ``unconfirmed`` for a person to check. A post whose worker
    died before any attempt simply returns to the queue.
    """
    counts = {"requeued": 0, "unconfirmed": 0}
    with app.db.session() as session:
        now = clock.now()
        mine = Post.claimed_by == worker_id if worker_id is not None else Post.lease_until < now
        posts = list(
            session.scalars(
                select(Post)
                .where(Post.status == "publishing", mine)
                .order_by(Post.lease_until)
                .limit(limit)
                .with_for_update(skip_locked=True, of=Post)
            )
        )
        for post in posts:
            unfinished = list(
                session.scalars(
                    select(PublishAttempt).where(
                        PublishAttempt.post_id == post.id, PublishAttempt.finished_at.is_(None)
                    )
                )
            )
            for attempt in unfinished:
                attempt.finished_at = now
                attempt.outcome = ABANDONED
                attempt.error = f"worker {attempt.worker} stopped before finishing"
            adapter = REGISTRY.get(post.channel.network)
            safe = adapter is not None and adapter.supports_idempotency
            previous = post.claimed_by
            post.lease_until = None
            post.claimed_by = None
            post.updated_at = now
            if unfinished and not safe:
                post.status = "unconfirmed"
                post.last_error = "a worker stopped mid-publish; the post may or may not be out"
                counts["unconfirmed"] += 1
                audit.record(
                    session,
                    audit.SYSTEM,
                    "post.unconfirmed",
                    "post",
                    post.id,
                    post.last_error,
                    {"worker": previous, "stopped": worker_id is not None},
                )
            else:
                post.status = "queued"
                post.due_at = min(post.due_at, now)
                counts["requeued"] += 1
                why = (
                    "resent with the same idempotency key"
                    if unfinished
                    else "claim given up before any attempt"
                    if worker_id is not None
                    else "claim lapsed before any attempt"
                )
                audit.record(
                    session,
                    audit.SYSTEM,
                    "post.requeued",
                    "post",
                    post.id,
                    why,
                    {"worker": previous, "stopped": worker_id is not None},
                )
    return counts


__all__ = ["Claimed", "Outcome", "Publisher", "RoundStats", "new_worker_id", "recover_lapsed"]
