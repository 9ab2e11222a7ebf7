"""Post approval on an account with ``require_approval``: a post waits for an
approver who did not write it, an approval is of one version, a post still waiting
at its time goes to review, and the publisher never sends an unapproved one."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from scheduler import approval, audit, posts
from scheduler.errors import Conflict, PermissionDenied, ValidationError
from scheduler.models import AuditEvent, Post
from scheduler.publisher import Publisher
from tests.conftest import GATED, TEST_CHANNELS, make_settings, make_user
from tests.helpers import at, declare, status_of


@pytest.fixture
def settings(tmp_path, database_url):
    return make_settings(tmp_path, database_url, channels=[*TEST_CHANNELS, GATED])


def write(app, user, **fields):
    data = {
        "text": "Our autumn range is in: come and see.",
        "channels": ["gated"],
        "publish_at": at(minutes=30),
        "timezone": "UTC",
        "category": "promotional",
        "regions": ["FR"],
    }
    data.update(fields)
    with app.db.session() as session:
        return posts.create_posts(session, app.settings, data, user)[0]


def sent(app):
    path = app.settings.data_dir / "outbox-gated.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["post_id"] for line in path.read_text().splitlines()]


def approve(app, post_id, user, version=None):
    with app.db.session() as session:
        post = posts.get_post(session, post_id)
        data = {"version": post.version if version is None else version}
        return approval.approve(session, app.settings, post_id, data, user).status


def reject(app, post_id, user, reason="Wrong tone for this week."):
    with app.db.session() as session:
        version = posts.get_post(session, post_id).version
        return approval.reject(session, post_id, {"version": version, "reason": reason}, user)


def edit(app, post_id, user, **fields):
    with app.db.session() as session:
        return posts.update_post(session, app.settings, post_id, fields, user).status


def actions(app, post_id):
    with app.db.session() as session:
        return [
            e.action
            for e in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.object_type == "post", AuditEvent.object_id == post_id)
                .order_by(AuditEvent.id)
            )
        ]


def test_a_post_to_an_account_requiring_approval_waits_and_only_an_approval_queues_it(
    app, frozen, alice, bob
):
    post = write(app, alice)
    assert post.status == "pending_approval"
    # Its time comes: it is not sent, it goes to a person with the reason.
    frozen.advance(minutes=31)
    stats = Publisher(app).run_round()
    assert stats.review == 1 and stats.published == 0
    assert sent(app) == []
    with app.db.session() as session:
        stored = posts.get_post(session, post.id)
        assert (stored.status, stored.last_error) == ("needs_review", approval.NOT_APPROVED)
    assert actions(app, post.id) == [
        "post.created",
        "post.approval_requested",
        "post.needs_review",
    ]

    second = write(app, alice, publish_at=at(minutes=30))
    assert approve(app, second.id, bob) == "queued"
    frozen.advance(minutes=31)
    assert Publisher(app).run_round().published == 1
    assert sent(app) == [second.id]
    assert actions(app, second.id)[:3] == [
        "post.created",
        "post.approval_requested",
        "post.approved",
    ]


def test_an_account_without_the_setting_queues_at_once(app, alice):
    post = write(app, alice, channels=["outbox"])
    assert post.status == "queued"


def test_who_may_approve(app, alice, bob):
    carol_approver = make_user(app, "dora", "approver")
    admin = make_user(app, "erin", "admin")
    by_manager = write(app, alice)
    with pytest.raises(PermissionDenied, match="approver role"):
        approve(app, by_manager.id, alice)
    # An approver's own post waits too, and another approver must approve it.
    own = write(app, bob)
    assert own.status == "pending_approval"
    with pytest.raises(PermissionDenied, match="another approver"):
        approve(app, own.id, bob)
    assert approve(app, own.id, carol_approver) == "queued"
    # An admin may approve, but not a post they changed.
    with app.db.session() as session:
        posts.update_post(session, app.settings, by_manager.id, {"text": "Tweaked."}, admin)
    with pytest.raises(PermissionDenied, match="another approver"):
        approve(app, by_manager.id, admin)
    assert approve(app, by_manager.id, bob) == "queued"
    assert status_of(app, by_manager.id) == "queued"


def test_approving_a_version_nobody_approved_is_a_conflict(app, alice, bob):
    post = write(app, alice)
    seen = post.version
    assert edit(app, post.id, alice, text="A better text.") == "pending_approval"
    with pytest.raises(Conflict, match="changed"):
        approve(app, post.id, bob, version=seen)
    with pytest.raises(ValidationError) as bad, app.db.session() as session:
        approval.approve(session, app.settings, post.id, {}, bob)
    assert "version" in bad.value.errors
    assert approve(app, post.id, bob) == "queued"
    # Approving twice: no longer waiting.
    with pytest.raises(Conflict, match="not waiting"):
        approve(app, post.id, bob)


@pytest.mark.parametrize(
    "change",
    [
        {"text": "New words."},
        {"publish_at": "2026-06-01T15:00"},
        {"regions": ["DE"]},
        {"category": "informational"},
    ],
)
def test_changing_what_goes_out_sends_an_approved_post_back(app, alice, bob, change):
    post = write(app, alice)
    approve(app, post.id, bob)
    assert edit(app, post.id, alice, **change) == "pending_approval"
    with app.db.session() as session:
        stored = posts.get_post(session, post.id)
        assert stored.approved_by_id is None and stored.version == 2
    assert approve(app, post.id, bob) == "queued"


def test_a_rejected_post_says_why_and_goes_back_for_approval_when_edited(app, alice, bob):
    post = write(app, alice)
    rejected = reject(app, post.id, bob)
    assert rejected.status == "rejected"
    assert rejected.last_error == "rejected by bob: Wrong tone for this week."
    with pytest.raises(Conflict):
        approve(app, post.id, bob)
    assert edit(app, post.id, alice, text="Gentler words.") == "pending_approval"
    assert approve(app, post.id, bob) == "queued"
    assert "post.rejected" in actions(app, post.id)
    # A reason is required.
    other = write(app, alice)
    with pytest.raises(ValidationError) as bad:
        reject(app, other.id, bob, reason="")
    assert "reason" in bad.value.errors


def test_a_draft_submitted_waits_and_a_late_approval_is_refused(app, frozen, alice, bob):
    draft = write(app, alice, draft=True)
    assert draft.status == "draft"
    assert edit(app, draft.id, alice, status="queued") == "pending_approval"
    frozen.advance(minutes=30)
    with pytest.raises(Conflict, match="publish time has passed"):
        approve(app, draft.id, bob)


def test_the_worker_never_publishes_an_unapproved_post_whatever_its_status(app, frozen, alice, bob):
    post = write(app, alice, publish_at=at(minutes=1))
    approved = write(app, alice, publish_at=at(minutes=1))
    approve(app, approved.id, bob)
    with app.db.session() as session:
        # As if some door had queued them without an approval of this version.
        session.execute(update(Post).where(Post.id == post.id).values(status="queued"))
        session.execute(update(Post).where(Post.id == approved.id).values(version=7))
    frozen.advance(minutes=2)
    stats = Publisher(app).run_round()
    assert stats.published == 0 and stats.review == 2
    assert sent(app) == []
    with app.db.session() as session:
        for post_id in (post.id, approved.id):
            stored = posts.get_post(session, post_id)
            assert stored.status == "needs_review"
            assert "requires approval" in (stored.last_error or "")


def test_an_approved_post_is_held_when_an_incident_covers_it(app, alice, bob):
    post = write(app, alice, regions=["US-TX"])
    declare(app)
    # Waiting posts are not held by the fan-out: the approval decides.
    assert status_of(app, post.id) == "pending_approval"
    approve(app, post.id, bob)
    assert status_of(app, post.id) == "held"


def test_turning_the_setting_on_in_the_configuration_is_stored(app):
    with app.db.session() as session:
        gated = posts.list_channels(session)
        assert {c.name: c.require_approval for c in gated}["gated"] is True
        assert {c.name: c.require_approval for c in gated}["outbox"] is False


def test_every_step_is_audited_with_its_actor(app, alice, bob):
    post = write(app, alice)
    reject(app, post.id, bob)
    edit(app, post.id, alice, text="Fixed.")
    approve(app, post.id, bob)
    with app.db.session() as session:
        events = audit.list_events(session, object_type="post", object_id=post.id)
        steps = [(e.actor, e.action) for e in sorted(events, key=lambda e: e.id)]
    assert steps[:6] == [
        ("alice", "post.created"),
        ("alice", "post.approval_requested"),
        ("bob", "post.rejected"),
        ("alice", "post.updated"),
        ("alice", "post.approval_requested"),
        ("bob", "post.approved"),
    ]


def test_turning_the_setting_on_or_off_moves_the_accounts_posts(app, tmp_path, alice, bob):
    queued = write(app, alice, channels=["outbox"])
    approved_later = write(app, alice, channels=["outbox"])
    service_post = write(app, alice, channels=["outbox"], category="service")

    def configure(required):
        channels = [
            dict(c, require_approval=required) if c["name"] == "outbox" else c
            for c in [*TEST_CHANNELS, GATED]
        ]
        changed = make_settings(tmp_path, app.settings.database_url, channels=channels)
        with app.db.session() as session:
            posts.sync_channels(session, changed.channels)

    configure(True)
    assert [status_of(app, p.id) for p in (queued, approved_later, service_post)] == [
        "pending_approval"
    ] * 3
    assert actions(app, queued.id)[-1] == "post.approval_requested"
    approve(app, approved_later.id, bob)
    reject(app, service_post.id, bob)
    configure(False)
    # Waiting posts no longer wait; approved ones stay queued; rejected ones stay with
    # their author.
    assert [status_of(app, p.id) for p in (queued, approved_later, service_post)] == [
        "queued",
        "queued",
        "rejected",
    ]
    assert actions(app, queued.id)[-1] == "post.requeued"
