"""The queue services: create, edit, reschedule, cancel, list — and their validation."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from scheduler import posts
from scheduler.errors import Conflict, ValidationError
from scheduler.models import AuditEvent, Post
from tests.helpers import at, declare, queue, status_of


def count_posts(app):
    with app.db.session() as session:
        return session.scalar(select(func.count()).select_from(Post))


def test_a_post_is_queued_per_channel_with_its_audience(app, alice):
    with app.db.session() as session:
        created = posts.create_posts(
            session,
            app.settings,
            {
                "text": "Hello",
                "channels": ["outbox", "us"],
                "publish_at": at(minutes=5),
                "category": "informational",
                "regions": ["Texas", "FR"],
            },
            alice,
        )
        assert [p.channel.name for p in created] == ["outbox", "us"]
        assert all(p.status == "queued" and p.regions == ["FR", "US-TX"] for p in created)
        assert created[0].group_key == created[1].group_key
        assert created[0].idempotency_key != created[1].idempotency_key


def test_a_post_without_regions_takes_the_channel_default_or_worldwide(app):
    assert queue(app, channels=["us"], regions=None).regions == ["US"]
    assert queue(app, channels=["outbox"], regions=None).regions == ["WORLD"]


def test_per_channel_variants_replace_the_text(app):
    with app.db.session() as session:
        created = posts.create_posts(
            session,
            app.settings,
            {
                "text": "Long text for everyone",
                "channels": ["outbox", "us"],
                "variants": {"us": "Short"},
                "publish_at": at(minutes=5),
                "category": "service",
            },
            None,
        )
        assert [p.text for p in created] == ["Long text for everyone", "Short"]


@pytest.mark.parametrize(
    ("wall", "zone", "utc"),
    [
        ("2026-10-24T09:00", "Europe/Paris", datetime(2026, 10, 24, 7, 0, tzinfo=UTC)),
        ("2026-10-25T09:00", "Europe/Paris", datetime(2026, 10, 25, 8, 0, tzinfo=UTC)),
        ("2026-11-01T09:00", "America/New_York", datetime(2026, 11, 1, 14, 0, tzinfo=UTC)),
        ("2026-10-31T09:00", "America/New_York", datetime(2026, 10, 31, 13, 0, tzinfo=UTC)),
    ],
)
def test_nine_local_stays_nine_local_on_dst_change_days(app, wall, zone, utc):
    post = queue(app, publish_at=wall, timezone=zone)
    assert post.publish_at == utc
    assert post.local_time == wall + ":00"
    with app.db.session() as session:
        assert posts.get_post(session, post.id).publish_at == utc


BAD_INPUTS = [
    ({"text": ""}, "text"),
    ({"text": "x" * 281, "channels": ["us"]}, "text"),
    ({"text": "a" * 260 + " https://example.com/" + "p" * 10, "channels": ["us"]}, "text"),
    ({"text": "👍" * 301, "channels": ["sky"]}, "text"),
    ({"channels": ["nope"]}, "channels"),
    ({"channels": []}, "channels"),
    ({"publish_at": "2026-07-01"}, "publish_at"),
    ({"publish_at": "2026-05-01T09:00"}, "publish_at"),
    ({"publish_at": "soon"}, "publish_at"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"publish_at": "2027-03-28T02:30", "timezone": "Europe/Paris"}, "publish_at"),
    ({"category": "condolence"}, "category"),
    ({"category": "lottery"}, "category"),
    ({"regions": ["XX-NOPE"]}, "regions"),
    ({"colour": "red"}, "colour"),
    ({"variants": {"sky": "x"}}, "variants"),
]


@pytest.mark.parametrize(("change", "field"), BAD_INPUTS, ids=[f for _, f in BAD_INPUTS])
def test_bad_input_names_the_field_and_stores_nothing(app, change, field):
    before = count_posts(app)
    with pytest.raises(ValidationError) as caught:
        queue(app, **change)
    assert field in caught.value.errors
    assert count_posts(app) == before


def test_a_missing_required_field_is_named(app):
    with app.db.session() as session, pytest.raises(ValidationError) as caught:
        posts.create_posts(session, app.settings, {"text": "x"}, None)
    assert {"channels", "publish_at", "category"} <= set(caught.value.errors)


def test_reschedule_edit_and_cancel_are_audited(app, alice, frozen):
    post = queue(app)
    with app.db.session() as session:
        posts.update_post(
            session,
            app.settings,
            post.id,
            {"publish_at": "2026-06-02T09:00", "timezone": "Europe/Paris", "text": "New text"},
            alice,
        )
    with app.db.session() as session:
        row = posts.get_post(session, post.id)
        assert row.publish_at == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
        assert row.due_at == row.publish_at
        assert row.text == "New text"
        posts.cancel_post(session, post.id, alice, "changed our mind")
    with app.db.session() as session:
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "post", AuditEvent.object_id == post.id)
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["post.created", "post.updated", "post.cancelled"]
    assert status_of(app, post.id) == "cancelled"


def test_a_bad_edit_changes_nothing(app):
    post = queue(app)
    with app.db.session() as session, pytest.raises(ValidationError) as caught:
        posts.update_post(
            session, app.settings, post.id, {"text": "ok", "publish_at": "2026-07-01"}, None
        )
    assert "publish_at" in caught.value.errors
    with app.db.session() as session:
        row = posts.get_post(session, post.id)
        assert row.text == post.text and row.publish_at == post.publish_at


def test_a_cancelled_post_cannot_be_edited(app):
    post = queue(app)
    with app.db.session() as session:
        posts.cancel_post(session, post.id, None)
    with app.db.session() as session, pytest.raises(Conflict):
        posts.update_post(session, app.settings, post.id, {"text": "again"}, None)


def test_a_post_queued_during_an_incident_is_held_at_once(app):
    declare(app)
    post = queue(app)
    assert status_of(app, post.id) == "held"


def test_moving_a_held_post_out_of_the_area_releases_it(app):
    post = queue(app)
    declare(app)
    assert status_of(app, post.id) == "held"
    with app.db.session() as session:
        posts.update_post(session, app.settings, post.id, {"regions": ["FR"]}, None)
    assert status_of(app, post.id) == "queued"
    with app.db.session() as session:
        posts.update_post(session, app.settings, post.id, {"regions": ["US-TX"]}, None)
    assert status_of(app, post.id) == "held"


def test_list_filters_and_shows_hold_reasons(app):
    held = queue(app)
    queue(app, regions=["FR"])
    declared = declare(app)
    with app.db.session() as session:
        page = posts.list_posts(session, {"status": "held"})
        assert [p.id for p in page.posts] == [held.id]
        assert page.total == 1
        (hold,) = page.holds[held.id]
        assert hold.incident_id == declared.incident.id
        assert hold.rule == "promotional/inside/severity>=2"
        with pytest.raises(ValidationError):
            posts.list_posts(session, {"status": "sideways"})
