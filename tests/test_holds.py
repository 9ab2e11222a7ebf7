"""Incidents declared by hand: set-based holds, releases, expiry and their audit trail."""

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from scheduler import audit, clock, holds, incidents, posts
from scheduler.errors import Conflict, ValidationError
from scheduler.models import AuditEvent, Hold, Incident, Post, PostRegion
from scheduler.publisher import Publisher
from tests.conftest import T0
from tests.helpers import at, declare, queue, status_of


def test_declaring_holds_only_what_the_policy_says(app):
    promo_tx = queue(app)
    promo_us = queue(app, regions=["US"])
    promo_world = queue(app, regions=None)
    promo_ca = queue(app, regions=["US-CA"])
    info_tx = queue(app, category="informational")
    service_tx = queue(app, category="service")
    declared = declare(app, severity=2)
    assert declared.fan_out.posts_held == 1
    assert status_of(app, promo_tx.id) == "held"
    for post in (promo_us, promo_world, promo_ca, info_tx, service_tx):
        assert status_of(app, post.id) == "queued"


def test_a_broadly_felt_incident_also_holds_wider_audiences(app):
    promo_us = queue(app, regions=["US"])
    promo_world = queue(app, regions=None)
    info_tx = queue(app, category="informational")
    info_us = queue(app, category="informational", regions=["US"])
    declare(app, severity=3)
    assert [status_of(app, p.id) for p in (promo_us, promo_world, info_tx, info_us)] == [
        "held",
        "held",
        "held",
        "queued",
    ]


def test_every_hold_and_release_is_audited_with_incident_and_rule(app, frozen):
    # Two rules of one incident (severity 3 holds informational posts in the region
    # too); one post whose time passes while it is held, one still ahead.
    promo = queue(app, publish_at=at(minutes=5))
    info = queue(app, category="informational", publish_at=at(minutes=60))
    declared = declare(app)
    incident_id = declared.incident.id
    frozen.advance(minutes=10)
    with app.db.session() as session:
        incidents.end(session, app.settings, incident_id, "resolved", {"reason": "over"}, None)
    with app.db.session() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "incident", AuditEvent.object_id == incident_id)
            .where(AuditEvent.action.like("incident.posts_%"))
            .order_by(AuditEvent.id)
        ).all()
        # One event per incident and rule, each way, naming both.
        assert [(e.action, e.reason, e.details["posts"]) for e in events] == [
            ("incident.posts_held", "informational/inside/severity>=3", 1),
            ("incident.posts_held", "promotional/inside/severity>=2", 1),
            ("incident.posts_released", "informational/inside/severity>=3", 1),
            ("incident.posts_released", "promotional/inside/severity>=2", 1),
        ]
        assert all(e.details["incident_id"] == incident_id for e in events)
        # The hold rows are the per-post record: which incident, which rule, when.
        rows = session.execute(
            select(Hold.post_id, Hold.rule, Hold.created_at, Hold.released_at, Hold.release_reason)
            .where(Hold.incident_id == incident_id)
            .order_by(Hold.post_id)
        ).all()
        assert rows == [
            (
                promo.id,
                "promotional/inside/severity>=2",
                T0,
                T0 + timedelta(minutes=10),
                "incident resolved",
            ),
            (
                info.id,
                "informational/inside/severity>=3",
                T0,
                T0 + timedelta(minutes=10),
                "incident resolved",
            ),
        ]
        # A post whose row changes on release gets its own event.
        requeued = session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_type == "post",
                AuditEvent.object_id == promo.id,
                AuditEvent.action == "post.requeued",
            )
        ).one()
        assert requeued.details["incident_id"] == incident_id


def test_a_posts_history_lists_the_holds_recorded_once_per_incident(app, frozen, bob):
    post = queue(app, publish_at=at(minutes=60))
    with app.db.session() as session:
        declared = incidents.declare(
            session,
            app.settings,
            {"kind": "shooting", "severity": 3, "regions": ["US-TX"], "title": "Uvalde"},
            bob,
        )
    frozen.advance(minutes=10)
    with app.db.session() as session:
        incidents.end(session, app.settings, declared.incident.id, "dismissed", {}, None)
    with app.db.session() as session:
        history = audit.list_events(session, object_type="post", object_id=post.id)
        stored = session.scalars(
            select(AuditEvent.id).where(
                AuditEvent.object_type == "incident", AuditEvent.action.like("incident.posts_%")
            )
        ).all()
        only_holds = audit.list_events(
            session, object_type="post", object_id=post.id, action="post.rel"
        )
    rule = "promotional/inside/severity>=2"
    assert [(e.action, e.actor, e.reason, e.at) for e in history] == [
        ("post.released", "system", rule, T0 + timedelta(minutes=10)),
        ("post.held", "bob", rule, T0),
        ("post.created", "system", None, T0),
    ]
    assert history[0].details == {
        "incident_id": declared.incident.id,
        "recorded_as": stored[1],
        "why": "incident dismissed",
    }
    assert history[1].details == {"incident_id": declared.incident.id, "recorded_as": stored[0]}
    assert [e.action for e in only_holds] == ["post.released"]


def test_a_post_held_by_two_incidents_waits_for_both(app):
    post = queue(app)
    first = declare(app)
    second = declare(app, kind="flood", title="Floods in Texas", severity=2)
    with app.db.session() as session:
        incidents.end(session, app.settings, first.incident.id, "resolved", {}, None)
    assert status_of(app, post.id) == "held"
    with app.db.session() as session:
        incidents.end(session, app.settings, second.incident.id, "dismissed", {}, None)
    assert status_of(app, post.id) == "queued"


def test_a_post_whose_moment_passed_while_held_needs_review(app, frozen):
    soon = queue(app, publish_at=at(minutes=5))
    later = queue(app, publish_at=at(minutes=60 * 24))
    declared = declare(app)
    frozen.advance(minutes=5 + 16)  # 16 minutes late: beyond the 15-minute grace
    with app.db.session() as session:
        result = incidents.end(session, app.settings, declared.incident.id, "resolved", {}, None)
    assert (result.released, result.requeued, result.needs_review) == (2, 1, 1)
    assert status_of(app, soon.id) == "needs_review"
    assert status_of(app, later.id) == "queued"


def test_a_post_released_within_grace_goes_out_now(app, frozen):
    post = queue(app, publish_at=at(minutes=5))
    declared = declare(app)
    frozen.advance(minutes=10)
    with app.db.session() as session:
        incidents.end(session, app.settings, declared.incident.id, "resolved", {}, None)
    with app.db.session() as session:
        row = posts.get_post(session, post.id)
        assert row.status == "queued"
        assert row.due_at == clock.now()


def test_a_held_post_that_comes_due_is_parked_by_the_worker_not_sent(app, frozen):
    # The fan-out writes hold rows only; the claim finds the posts that come due.
    late = queue(app, publish_at=at(minutes=5))
    soon = queue(app, publish_at=at(minutes=25))
    declared = declare(app)
    frozen.advance(minutes=30)
    stats = Publisher(app).run_round()
    assert (stats.claimed, stats.held, stats.published) == (2, 2, 0)
    with app.db.session() as session:
        parked = [posts.get_post(session, p.id) for p in (late, soon)]
        assert [(p.status, p.attempts) for p in parked] == [("held", 0), ("held", 0)]
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "post", AuditEvent.object_id == late.id)
            .order_by(AuditEvent.id)
        ).all()
        assert actions[-2:] == ["post.claimed", "post.parked"]
    assert Publisher(app).run_round().claimed == 0
    # 25 minutes late is beyond the 15-minute grace, 5 minutes is within it.
    with app.db.session() as session:
        result = incidents.end(session, app.settings, declared.incident.id, "resolved", {}, None)
    assert (result.released, result.requeued, result.needs_review) == (2, 1, 1)
    assert status_of(app, late.id) == "needs_review"
    assert Publisher(app).run_round().published == 1
    assert status_of(app, soon.id) == "published"


def test_a_post_held_by_a_fan_out_cannot_be_sent_back_to_draft(app):
    post = queue(app)
    declare(app)
    with app.db.session() as session, pytest.raises(ValidationError) as caught:
        posts.update_post(session, app.settings, post.id, {"status": "draft"}, None)
    assert "status" in caught.value.errors
    assert status_of(app, post.id) == "held"


def test_cancelling_a_post_held_by_a_fan_out_ends_its_hold(app):
    post = queue(app)
    declared = declare(app)
    with app.db.session() as session:
        posts.cancel_post(session, post.id, None, "not this week")
    with app.db.session() as session:
        hold = session.scalars(select(Hold).where(Hold.post_id == post.id)).one()
        assert hold.released_at is not None and hold.release_reason == "post cancelled"
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == post.id, AuditEvent.action == "post.cancelled"
            )
        ).one()
        assert event.details == {"from": "held"}
        assert incidents.held_counts(session, [declared.incident.id]) == {}
    assert status_of(app, post.id) == "cancelled"


def test_incidents_expire_and_release(app, frozen):
    post = queue(app, publish_at=at(minutes=60 * 24 * 5))
    declare(app, expires_in_hours=2)
    with app.db.session() as session:
        assert incidents.expire_due(session, app.settings) == []
    frozen.advance(minutes=121)
    with app.db.session() as session:
        (expired,) = incidents.expire_due(session, app.settings)
        assert session.get(Incident, expired).status == "expired"
    assert status_of(app, post.id) == "queued"


def test_an_ended_incident_cannot_end_twice(app):
    declared = declare(app)
    with app.db.session() as session:
        incidents.end(session, app.settings, declared.incident.id, "resolved", {}, None)
    with app.db.session() as session, pytest.raises(Conflict):
        incidents.end(session, app.settings, declared.incident.id, "dismissed", {}, None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"severity": 0}, "severity"),
        ({"severity": 5}, "severity"),
        ({"regions": []}, "regions"),
        ({"regions": ["XX-NOPE"]}, "regions"),
        ({"kind": "bad-hair-day"}, "kind"),
        ({"title": ""}, "title"),
        ({"expires_in_hours": -1}, "expires_in_hours"),
    ],
)
def test_a_bad_declaration_names_the_field_and_holds_nothing(app, change, field):
    post = queue(app)
    with pytest.raises(ValidationError) as caught:
        declare(app, **change)
    assert field in caught.value.errors
    assert status_of(app, post.id) == "queued"
    with app.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0


def bulk_queue(app, count, region="US-TX", category="promotional"):
    """Insert ``count`` queued posts directly (fast), as the queue would store them."""
    now = clock.now()
    with app.db.session() as session:
        channel_id = posts.list_channels(session)[0].id
        rows = [
            {
                "group_key": f"g{i}",
                "channel_id": channel_id,
                "text": "Sale!",
                "category": category,
                "status": "queued",
                "publish_at": now + timedelta(hours=1),
                "timezone": "UTC",
                "local_time": "x",
                "due_at": now + timedelta(hours=1),
                "attempts": 0,
                "idempotency_key": f"bulk-{region}-{i}",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(count)
        ]
        ids = session.scalars(insert(Post).returning(Post.id), rows).all()
        session.execute(insert(PostRegion), [{"post_id": i, "region": region} for i in ids])
    return ids


@pytest.mark.slow
def test_ten_thousand_matching_posts_are_all_held_and_all_released(app):
    bulk_queue(app, 10_000)
    bulk_queue(app, 500, region="FR")
    declared = declare(app)
    assert declared.fan_out.posts_held == 10_000
    with app.db.session() as session:
        held = session.scalar(select(func.count()).select_from(Post).where(holds.held_condition()))
        held_tx = session.scalar(
            select(func.count())
            .select_from(Post)
            .where(holds.held_condition(), Post.idempotency_key.like("bulk-US-TX-%"))
        )
        open_holds = session.scalar(
            select(func.count()).select_from(Hold).where(Hold.released_at.is_(None))
        )
        audited = session.scalar(
            select(AuditEvent.details).where(AuditEvent.action == "incident.posts_held")
        )
        assert (held, held_tx, open_holds) == (10_000, 10_000, 10_000)
        assert audited["posts"] == 10_000
        # Listed as held, through the same filter the queue page and the API use.
        assert posts.list_posts(session, {"status": "held"}).total == 10_000
        assert posts.list_posts(session, {"status": "queued"}).total == 500
    with app.db.session() as session:
        result = incidents.end(session, app.settings, declared.incident.id, "resolved", {}, None)
    assert (result.released, result.requeued) == (10_000, 10_000)
    with app.db.session() as session:
        statuses = dict(
            session.execute(select(Post.status, func.count()).group_by(Post.status)).all()
        )
        open_holds = session.scalar(
            select(func.count()).select_from(Hold).where(Hold.released_at.is_(None))
        )
    assert statuses == {"queued": 10_500}
    assert open_holds == 0


def test_a_post_on_both_sides_of_the_area_is_held_once_under_the_inside_rule(app):
    # Severity 3 holds promotional posts inside the area and those whose audience
    # contains it; the "inside" statement runs first and names the rule.
    both = queue(app, regions=["US-TX", "US"])
    wider = queue(app, regions=["US"])
    inside = queue(app)
    declared = declare(app, severity=3)
    assert (declared.fan_out.holds_created, declared.fan_out.posts_held) == (3, 3)
    with app.db.session() as session:
        rules = session.execute(select(Hold.post_id, Hold.rule).order_by(Hold.id)).all()
        counts = {
            e.reason: e.details["posts"]
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "incident.posts_held")
            )
        }
    assert sorted(rules[:2]) == sorted(
        [(both.id, "promotional/inside/severity>=2"), (inside.id, "promotional/inside/severity>=2")]
    )
    assert rules[2:] == [(wider.id, "promotional/containing/severity>=3")]
    assert counts == {"promotional/inside/severity>=2": 2, "promotional/containing/severity>=3": 1}
