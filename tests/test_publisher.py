"""Publishing: claims, the publish-time gate, retries, lateness, crash recovery, and a
clean stop giving claims up at once."""

import json
from collections import deque
from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler import channels, clock, incidents, posts
from scheduler.channels import Channel, Delivery, PermanentError, TransientError, UnknownOutcome
from scheduler.channels.outbox import OutboxChannel
from scheduler.models import AuditEvent, Post, PublishAttempt
from scheduler.publisher import Publisher, RoundStats, recover_lapsed
from scheduler.worker import Worker
from tests.helpers import at, declare, queue, status_of


class ScriptedChannel(OutboxChannel):
    """The network edge, scripted: each publish pops the next answer."""

    script: deque = deque()
    sent: list = []
    supports_idempotency = False

    # One scripted answer per post, not the outbox's one write per batch.
    publish_many = Channel.publish_many

    def publish(self, post):
        type(self).sent.append(post.idempotency_key)
        answer = type(self).script.popleft() if type(self).script else "ok"
        if isinstance(answer, Exception):
            raise answer
        return Delivery(
            remote_id=f"remote-{post.post_id}", url=f"https://example.test/{post.post_id}"
        )


@pytest.fixture
def scripted(monkeypatch):
    ScriptedChannel.script = deque()
    ScriptedChannel.sent = []
    monkeypatch.setitem(channels.REGISTRY, "outbox", ScriptedChannel)
    return ScriptedChannel


def get(app, post_id):
    with app.db.session() as session:
        return posts.get_post(session, post_id)


def test_due_posts_are_published_to_the_outbox_once(app, frozen):
    first = queue(app, category="service", publish_at=at(minutes=1))
    second = queue(app, category="service", publish_at=at(minutes=2))
    not_yet = queue(app, category="service", publish_at=at(minutes=30))
    frozen.advance(minutes=3)
    assert Publisher(app).run_round().published == 2
    assert Publisher(app).run_round().published == 0
    lines = [
        json.loads(line)
        for line in (app.settings.data_dir / "outbox.jsonl").read_text().splitlines()
    ]
    assert [record["post_id"] for record in lines] == [first.id, second.id]
    assert status_of(app, not_yet.id) == "queued"
    row = get(app, first.id)
    assert row.status == "published" and row.published_at == clock.now()
    with app.db.session() as session:
        attempt = session.scalar(select(PublishAttempt).where(PublishAttempt.post_id == first.id))
        assert attempt.outcome == "published" and attempt.finished_at is not None


def test_a_post_due_one_second_after_an_incident_is_held_and_a_service_post_goes_out(app, frozen):
    promo = queue(app, publish_at=at(seconds=61))
    service = queue(app, category="service", publish_at=at(seconds=61))
    frozen.advance(seconds=60)
    declare(app)  # recorded at T; both posts become due at T + 1 s
    frozen.advance(seconds=1)
    stats = Publisher(app).run_round()
    assert stats.published == 1
    assert status_of(app, promo.id) == "held"
    assert status_of(app, service.id) == "published"


def test_a_hold_landing_between_claim_and_send_stops_the_call(app, frozen, scripted):
    promo = queue(app, publish_at=at(seconds=1))
    service = queue(app, category="service", publish_at=at(seconds=1))
    frozen.advance(seconds=1)

    def incident_lands(chunk):
        assert {c.post_id for c in chunk} == {promo.id, service.id}  # both claimed
        declare(app)

    stats = Publisher(app, before_send=incident_lands).run_round()
    assert (stats.claimed, stats.published, stats.held) == (2, 1, 1)
    assert status_of(app, promo.id) == "held"
    assert status_of(app, service.id) == "published"
    assert scripted.sent == [get(app, service.id).idempotency_key]


def test_a_transient_failure_retries_with_backoff_then_fails(app, frozen, scripted):
    post = queue(app, category="service", publish_at=at(seconds=1))
    scripted.script.extend([TransientError("503", retry_after=None)] * 5)
    frozen.advance(seconds=1)
    publisher = Publisher(app, jitter=lambda: 0.0)
    delays = []
    for attempt in range(1, 6):
        publisher.run_round()
        row = get(app, post.id)
        if attempt < 5:
            assert row.status == "queued"
            delays.append((row.due_at - clock.now()).total_seconds())
            frozen.advance(seconds=delays[-1])
    assert delays == [15, 30, 60, 120]
    row = get(app, post.id)
    assert row.status == "failed" and row.attempts == 5 and "503" in row.last_error


def test_retry_after_from_the_network_is_honoured(app, frozen, scripted):
    post = queue(app, category="service", publish_at=at(seconds=1))
    scripted.script.append(TransientError("429", retry_after=600))
    frozen.advance(seconds=1)
    Publisher(app, jitter=lambda: 0.0).run_round()
    assert get(app, post.id).due_at == clock.now() + timedelta(seconds=600)


def test_a_permanent_failure_ends_failed_without_retry(app, frozen, scripted):
    post = queue(app, category="service", publish_at=at(seconds=1))
    scripted.script.append(PermanentError("422 text too long"))
    frozen.advance(seconds=1)
    stats = Publisher(app).run_round()
    assert stats.failed == 1
    assert get(app, post.id).status == "failed"
    assert len(scripted.sent) == 1


def test_a_timeout_after_sending_is_unconfirmed_never_retried(app, frozen, scripted):
    post = queue(app, category="service", publish_at=at(seconds=1))
    scripted.script.append(UnknownOutcome("read timeout"))
    frozen.advance(seconds=1)
    Publisher(app).run_round()
    frozen.advance(minutes=5)
    Publisher(app).run_round()
    assert get(app, post.id).status == "unconfirmed"
    assert len(scripted.sent) == 1


def test_an_adapter_that_breaks_unexpectedly_leaves_its_posts_unconfirmed(app, frozen, scripted):
    # A bug is not a network answer: the call may have gone out, so a person checks.
    post = queue(app, category="service", publish_at=at(seconds=1))
    scripted.script.append(RuntimeError("adapter bug"))
    frozen.advance(seconds=1)
    stats = Publisher(app).run_round()
    assert (stats.published, stats.unconfirmed) == (0, 1)
    row = get(app, post.id)
    assert row.status == "unconfirmed" and "adapter bug" in row.last_error


def test_a_whole_outbox_batch_that_cannot_be_written_is_retried(app, frozen, monkeypatch):
    first = queue(app, category="service", publish_at=at(seconds=1))
    second = queue(app, category="service", publish_at=at(seconds=1))

    def disk_full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("scheduler.channels.outbox.os.write", disk_full)
    frozen.advance(seconds=1)
    stats = Publisher(app, jitter=lambda: 0.0).run_round()
    assert (stats.published, stats.retried) == (0, 2)
    for post in (first, second):
        row = get(app, post.id)
        assert row.status == "queued" and "No space left" in row.last_error
    monkeypatch.undo()
    frozen.advance(minutes=10)
    assert Publisher(app).run_round().published == 2


def test_one_chunk_with_every_outcome_records_each_post_its_own_way(app, frozen, scripted):
    # The finish writes a chunk's rows in a few set statements, one per set of
    # columns changed: each post must still get exactly its own values.
    sent, retried, refused, unknown = (
        queue(app, category="service", publish_at=at(seconds=1)) for _ in range(4)
    )
    scripted.script.extend(
        ["ok", TransientError("503 busy"), PermanentError("422 too long"), UnknownOutcome("cut")]
    )
    frozen.advance(seconds=1)
    stats = Publisher(app, jitter=lambda: 0.0).run_round()
    assert (stats.published, stats.retried, stats.failed, stats.unconfirmed) == (1, 1, 1, 1)
    now = clock.now()
    rows = {p.id: get(app, p.id) for p in (sent, retried, refused, unknown)}
    assert [
        (r.status, r.published_at, r.remote_id, r.last_error, r.due_at > now, r.lease_until)
        for r in rows.values()
    ] == [
        ("published", now, f"remote-{sent.id}", None, False, None),
        ("queued", None, None, "503 busy", True, None),
        ("failed", None, None, "422 too long", False, None),
        ("unconfirmed", None, None, "cut", False, None),
    ]
    with app.db.session() as session:
        attempts = session.execute(
            select(
                PublishAttempt.post_id,
                PublishAttempt.outcome,
                PublishAttempt.error,
                PublishAttempt.remote_id,
                PublishAttempt.finished_at,
            ).order_by(PublishAttempt.post_id)
        ).all()
    assert attempts == [
        (sent.id, "published", None, f"remote-{sent.id}", now),
        (retried.id, "transient", "503 busy", None, now),
        (refused.id, "permanent", "422 too long", None, now),
        (unknown.id, "unconfirmed", "cut", None, now),
    ]


def test_a_post_found_late_goes_to_review_not_out(app, frozen, scripted):
    post = queue(app, category="service", publish_at=at(minutes=1))
    frozen.advance(minutes=1 + 16)
    stats = Publisher(app).run_round()
    assert (stats.claimed, stats.published, stats.review) == (1, 0, 1)
    row = get(app, post.id)
    assert row.status == "needs_review" and "late" in row.last_error
    assert scripted.sent == []


def test_a_claim_taken_over_before_the_gate_is_not_sent(app, frozen, scripted):
    # A local chunk's gate only checks the claim (no lease renewal): it must still
    # notice that the post is no longer this worker's.
    post = queue(app, category="service", publish_at=at(seconds=1))
    frozen.advance(seconds=1)

    def taken_over(chunk):
        with app.db.session() as session:
            session.get(Post, chunk[0].post_id).claimed_by = "another-worker"

    stats = Publisher(app, before_send=taken_over).run_round()
    assert (stats.claimed, stats.lost, stats.published) == (1, 1, 0)
    assert scripted.sent == []
    assert get(app, post.id).claimed_by == "another-worker"


def test_a_remote_chunk_renews_its_lease_right_before_the_call(app, frozen, scripted, monkeypatch):
    monkeypatch.setattr(scripted, "local", False)
    post = queue(app, category="service", publish_at=at(seconds=1))
    frozen.advance(seconds=1)
    leases = []

    def slow_chunk(chunk):
        frozen.advance(seconds=100)  # the chunk waited behind slow calls

    def publish(self, outgoing):
        leases.append(get(app, outgoing.post_id).lease_until)
        return Delivery(remote_id="remote-1")

    monkeypatch.setattr(scripted, "publish", publish)
    Publisher(app, before_send=slow_chunk).run_round()
    assert leases == [clock.now() + timedelta(seconds=app.settings.lease_seconds)]
    assert get(app, post.id).status == "published"


def lapse(app, frozen, scripted, idempotent, attempt_started):
    """A worker claims a post and dies (after starting an attempt, or before)."""
    post = queue(app, category="service", publish_at=at(seconds=1))
    frozen.advance(seconds=1)
    dead = Publisher(app, worker_id="dead-worker")
    claimed = dead.claim()
    if attempt_started:
        dead.gate(claimed)
    scripted.supports_idempotency = idempotent
    assert recover_lapsed(app) == {"requeued": 0, "unconfirmed": 0}  # lease still valid
    frozen.advance(seconds=app.settings.lease_seconds + 1)
    return post, recover_lapsed(app)


def test_after_a_crash_an_idempotent_channel_resends_with_the_same_key(app, frozen, scripted):
    post, counts = lapse(app, frozen, scripted, idempotent=True, attempt_started=True)
    assert counts == {"requeued": 1, "unconfirmed": 0}
    Publisher(app).run_round()
    row = get(app, post.id)
    assert row.status == "published"
    assert scripted.sent == [row.idempotency_key]
    with app.db.session() as session:
        outcomes = session.scalars(
            select(PublishAttempt.outcome)
            .where(PublishAttempt.post_id == post.id)
            .order_by(PublishAttempt.id)
        ).all()
    assert outcomes == ["abandoned", "published"]


def test_after_a_crash_a_channel_without_idempotency_needs_a_person(app, frozen, scripted):
    post, counts = lapse(app, frozen, scripted, idempotent=False, attempt_started=True)
    assert counts == {"requeued": 0, "unconfirmed": 1}
    Publisher(app).run_round()
    assert get(app, post.id).status == "unconfirmed"
    assert scripted.sent == []


def test_a_crash_before_any_attempt_simply_requeues(app, frozen, scripted):
    post, counts = lapse(app, frozen, scripted, idempotent=False, attempt_started=False)
    assert counts == {"requeued": 1, "unconfirmed": 0}
    Publisher(app).run_round()
    assert get(app, post.id).status == "published"


def test_stopping_hands_claimed_unsent_posts_back(app, frozen, scripted):
    import threading

    post = queue(app, category="service", publish_at=at(seconds=1))
    frozen.advance(seconds=1)
    stop = threading.Event()
    publisher = Publisher(app)
    claimed = publisher.claim()
    stop.set()
    publisher._publish_claimed(claimed, RoundStats(), stop)
    row = get(app, post.id)
    assert row.status == "queued" and row.claimed_by is None and row.attempts == 0
    assert scripted.sent == []


def test_publishing_is_audited(app, frozen):
    post = queue(app, category="service", publish_at=at(seconds=1))
    frozen.advance(seconds=1)
    Publisher(app).run_round()
    with app.db.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "post", AuditEvent.object_id == post.id
            )
        ).all()
    assert "post.published" in actions


def test_a_resolved_incident_lets_a_released_post_publish(app, frozen):
    post = queue(app, publish_at=at(minutes=1))
    declared = declare(app)
    frozen.advance(minutes=2)
    assert Publisher(app).run_round().published == 0
    with app.db.session() as session:
        incidents.end(session, app.settings, declared.incident.id, "resolved", {}, None)
    assert Publisher(app).run_round().published == 1
    assert status_of(app, post.id) == "published"


# ------------------------------------------- a clean stop gives claims up
def claimed_and_started(app, frozen, scripted, *, idempotent: bool, started: bool):
    """A worker claimed a due post (and started its call, when ``started``), then is
    stopping: the state SIGTERM leaves it in."""
    post = queue(app, category="service", publish_at=at(seconds=1))
    frozen.advance(seconds=1)
    worker = Worker(app)
    claimed = worker.publisher.claim()
    assert [c.post_id for c in claimed] == [post.id]
    if started:
        assert worker.publisher.gate(claimed)
    scripted.supports_idempotency = idempotent
    row = get(app, post.id)
    assert row.status == "publishing" and row.lease_until > clock.now()
    return worker, post


def test_a_stopping_worker_returns_unsent_claims_to_the_queue_at_once(app, frozen, scripted):
    worker, post = claimed_and_started(app, frozen, scripted, idempotent=False, started=False)
    worker.close()
    row = get(app, post.id)
    assert (row.status, row.claimed_by, row.lease_until) == ("queued", None, None)
    # Another worker publishes it now, at the same instant: no lease to wait out.
    assert Publisher(app).run_round().published == 1
    assert get(app, post.id).status == "published"
    assert scripted.sent == [row.idempotency_key]


def test_a_stopping_worker_resends_a_call_in_doubt_with_the_same_key(app, frozen, scripted):
    worker, post = claimed_and_started(app, frozen, scripted, idempotent=True, started=True)
    assert worker.release_claims() == {"requeued": 1, "unconfirmed": 0}
    worker.close()
    assert Publisher(app).run_round().published == 1
    row = get(app, post.id)
    assert row.status == "published" and scripted.sent == [row.idempotency_key]
    with app.db.session() as session:
        outcomes = session.scalars(
            select(PublishAttempt.outcome).where(PublishAttempt.post_id == post.id)
        ).all()
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "post.requeued", AuditEvent.object_id == post.id
            )
        )
    assert sorted(outcomes) == ["abandoned", "published"]
    assert event.details["stopped"] is True


def test_a_call_in_doubt_on_a_channel_without_keys_goes_to_a_person(app, frozen, scripted):
    worker, post = claimed_and_started(app, frozen, scripted, idempotent=False, started=True)
    worker.close()
    assert get(app, post.id).status == "unconfirmed"
    assert Publisher(app).run_round().published == 0
    assert scripted.sent == []


def test_stopping_leaves_other_workers_claims_alone(app, frozen, scripted):
    other, post = claimed_and_started(app, frozen, scripted, idempotent=False, started=False)
    Worker(app).close()
    with app.db.session() as session:
        row = session.get(Post, post.id)
        assert row.status == "publishing" and row.claimed_by == other.worker_id
    other.close()
