"""The hold policy an admin changes in the app: it wins over the configuration, takes
effect at once for open incidents (holding and releasing), is audited, and is read by
the publish-time gate."""

import pytest
from sqlalchemy import select

from scheduler import clock
from scheduler import policy as hold_policy
from scheduler.errors import NotFound, PermissionDenied, ValidationError
from scheduler.models import AuditEvent, PolicyRule
from scheduler.publisher import Publisher
from tests.conftest import make_user
from tests.helpers import at, declare, queue, status_of


@pytest.fixture
def admin(app):
    return make_user(app, "ada", "admin")


def change(app, category, user, **line):
    with app.db.session() as session:
        return hold_policy.update(session, app.settings, category, line, user)


def test_the_configured_policy_is_in_force_until_a_line_is_changed(app, admin):
    with app.db.session() as session:
        lines = {line.category: line for line in hold_policy.lines(session, app.settings)}
        assert (lines["promotional"].inside, lines["promotional"].containing) == (2, 3)
        assert not lines["promotional"].overridden
    change(app, "informational", admin, inside=2, containing=4)
    with app.db.session() as session:
        policy = hold_policy.effective(session, app.settings)
        line = next(
            x for x in hold_policy.lines(session, app.settings) if x.category == "informational"
        )
    assert policy.thresholds("informational").inside == 2
    assert policy.thresholds("promotional").inside == 2  # untouched lines: the config's
    assert line.overridden and line.changed_by == "ada" and line.configured.inside == 3


def test_tightening_holds_at_once_and_loosening_releases(app, admin, frozen):
    info_tx = queue(app, category="informational")
    promo_tx = queue(app)
    declare(app, severity=2)
    frozen.advance(minutes=1)
    assert (status_of(app, info_tx.id), status_of(app, promo_tx.id)) == ("queued", "held")
    done = change(app, "informational", admin, inside=2, containing=4, reason="be careful")
    assert done.held == 1 and status_of(app, info_tx.id) == "held"
    done = change(app, "promotional", admin, inside=0, containing=0)
    assert done.released == 1 and status_of(app, promo_tx.id) == "queued"
    with app.db.session() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "policy.updated").order_by(AuditEvent.id)
        ).all()
    assert [e.details["category"] for e in events] == ["informational", "promotional"]
    assert events[0].actor == "ada" and events[0].reason == "be careful"
    assert events[0].details["inside"] == [3, 2] and events[1].details["holds_released"] == 1


def test_a_new_post_and_the_publish_gate_follow_the_changed_line(app, admin, frozen):
    declare(app, severity=2)
    change(app, "informational", admin, inside=2, containing=4)
    created_after = queue(app, category="informational")
    assert status_of(app, created_after.id) == "held"
    # The gate: a line changed straight in the database (as by another process)
    # is read when the post is claimed.
    due = queue(app, category="service", publish_at=at(seconds=1))
    with app.db.session() as session:
        session.add(
            PolicyRule(
                category="service",
                inside=1,
                containing=0,
                updated_by="ada",
                updated_at=clock.now(),
            )
        )
    frozen.advance(seconds=1)
    stats = Publisher(app).run_round()
    assert stats.held == 1 and status_of(app, due.id) == "held"


def test_reset_goes_back_to_the_configuration_and_holds_again(app, admin, frozen):
    promo_tx = queue(app)
    declare(app, severity=2)
    frozen.advance(minutes=1)
    change(app, "promotional", admin, inside=0, containing=0)
    frozen.advance(minutes=1)
    assert status_of(app, promo_tx.id) == "queued"
    with app.db.session() as session:
        done = hold_policy.reset(session, app.settings, "promotional", admin)
    assert done.held == 1 and status_of(app, promo_tx.id) == "held"
    assert not done.line.overridden


def test_only_an_admin_changes_it_and_bad_lines_name_their_field(app, admin):
    approver = make_user(app, "april", "approver")
    with pytest.raises(PermissionDenied):
        change(app, "promotional", approver, inside=1, containing=2)
    with pytest.raises(ValidationError) as bad:
        change(app, "promotional", admin, inside=3, containing=2)
    assert "containing" in bad.value.errors
    with pytest.raises(ValidationError) as bad:
        change(app, "promotional", admin, inside=5, containing="3")
    assert {"inside", "containing"} <= set(bad.value.errors)
    with pytest.raises(ValidationError) as bad:
        change(app, "promotional", admin, inside=2)
    assert "containing" in bad.value.errors
    with pytest.raises(NotFound):
        change(app, "lottery", admin, inside=1, containing=1)
    with app.db.session() as session:
        assert session.scalars(select(PolicyRule)).all() == []
