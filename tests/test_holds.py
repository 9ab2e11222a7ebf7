"""Incidents declared by hand: set-based holds, releases, expiry and their audit trail."""

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from scheduler import clock, incidents, posts
from scheduler.errors import Conflict, ValidationError
from scheduler.models import AuditEvent, Hold, Incident, Post, PostRegion
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


def test_every_hold_and_release_is_audited_with_incident_and_rule(app):
    post = queue(app)
    declared = declare(app)
    with app.db.session() as session:
        incidents.end(
            session, app.settings, declared.incident.id, "resolved", {"reason": "over"}, None
        )
    with app.db.session() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "post", AuditEvent.object_id == post.id)
            .order_by(AuditEvent.id)
        ).all()
    held, released, requeued = events[-3:]
    assert (held.action, held.reason) == ("post.held", "promotional/inside/severity>=2")
    assert held.details["incident_id"] == declared.incident.id
    assert (
        released.action == "post.released"
        and released.details["incident_id"] == declared.incident.id
    )
    assert requeued.action == "post.requeued"


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
        held = session.scalar(select(func.count()).select_from(Post).where(Post.status == "held"))
        audited = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "post.held")
        )
        assert (held, audited) == (10_000, 10_000)
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
