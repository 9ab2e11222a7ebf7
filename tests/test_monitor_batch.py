"""A poll's incident work as one batch: what it reads once, what it writes together,
and what it does not send at all; and the worker's warm-up."""

import gc
from contextlib import contextmanager

from sqlalchemy import event, select

from rules.reports import Assessment
from scheduler import holds, incidents
from scheduler.models import AuditEvent, Hold, Incident
from scheduler.monitor import record_reports
from tests.helpers import queue
from tests.test_monitor_incidents import store_report, stored_unjoined


@contextmanager
def statements(app):
    """The SQL statements sent while the block runs."""
    sent: list[str] = []

    def _seen(_conn, _cursor, statement, *_args):
        sent.append(" ".join(statement.split()))

    event.listen(app.db.engine, "before_cursor_execute", _seen)
    try:
        yield sent
    finally:
        event.remove(app.db.engine, "before_cursor_execute", _seen)


def _open_incidents_reads(sent):
    return [s for s in sent if s.startswith("SELECT incidents.id, incidents.kind")]


TEXAS = Assessment(True, "shooting", 2, 0.9, ("US-TX", "US"), ("x",))
FRANCE = Assessment(True, "flood", 2, 0.9, ("FR",), ("y",))
VIGIL = Assessment(False, None, 0, 0.2, ("US-TX", "US"), ("z",), follow_up=True)


def test_a_poll_reads_the_open_incidents_once_and_correlates_with_what_it_opened(app):
    store_report(app, title="warm-up", guid="w", regions=("GB",))  # creates the feed
    with app.db.session() as session:
        rows, reports = stored_unjoined(
            session, {"first": TEXAS, "flood": FRANCE, "second": TEXAS, "vigil": VIGIL}
        )
        with statements(app) as sent:
            record_reports(app)(session, reports)
        assert len(_open_incidents_reads(sent)) == 1
        texas = rows["first"].incident_id
        assert texas is not None
        assert rows["second"].incident_id == texas
        assert rows["vigil"].incident_id == texas
        assert rows["flood"].incident_id not in (None, texas)
    with app.db.session() as session:
        assert session.scalar(select(Incident.regions).where(Incident.id == texas)) == ["US-TX"]


def test_a_poll_writes_its_audit_events_together_in_the_order_recorded(app):
    queue(app, regions=["US-TX"])
    store_report(app, title="warm-up", guid="w", regions=("GB",))
    with app.db.session() as session:
        before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
        rows, reports = stored_unjoined(session, {"first": TEXAS, "second": TEXAS})
        with statements(app) as sent:
            record_reports(app)(session, reports)
        assert len([s for s in sent if s.startswith("INSERT INTO audit_events")]) == 1
        texas = rows["first"].incident_id
    with app.db.session() as session:
        events = session.execute(
            select(AuditEvent.action, AuditEvent.object_id, AuditEvent.details)
            .where(AuditEvent.id > before)
            .order_by(AuditEvent.id)
        ).all()
    actions = [a for a, _, _ in events]
    # As recorded: the incident opened, its holds, the prompt, then the second report.
    assert actions[0] == "incident.opened" and events[0][1] == texas
    assert actions.index("incident.posts_held") < actions.index("incident.reported")
    assert events[actions.index("incident.posts_held")][2]["posts"] == 1
    assert events[actions.index("incident.reported")][2]["report_id"] == rows["second"].id


def _declare(session, app):
    data = {"kind": "shooting", "severity": 3, "regions": ["US-TX"], "title": "t"}
    return incidents.declare(session, app.settings, data, None)


def test_a_fan_out_that_holds_nothing_neither_counts_nor_audits(app):
    with app.db.session() as session, statements(app) as sent:
        declared = _declare(session, app)
    assert declared.fan_out == holds.FanOut(0, 0)
    assert not [s for s in sent if s.startswith("SELECT holds.rule")]
    with app.db.session() as session:
        assert not session.scalars(
            select(AuditEvent).where(AuditEvent.action == "incident.posts_held")
        ).all()
    # The same fan-out with a post to hold counts it and records it.
    post = queue(app, regions=["US-TX"])  # held by the first incident
    with app.db.session() as session, statements(app) as sent:
        second = _declare(session, app)
    assert second.fan_out == holds.FanOut(1, 0)
    assert [s for s in sent if s.startswith("SELECT holds.rule")]
    with app.db.session() as session:
        assert session.scalar(
            select(Hold.post_id).where(Hold.incident_id == second.incident.id)
        ) == (post.id)
        assert (
            session.scalar(
                select(AuditEvent.details).where(
                    AuditEvent.action == "incident.posts_held",
                    AuditEvent.object_id == second.incident.id,
                )
            )["posts"]
            == 1
        )


def test_warm_up_loads_the_tables_and_freezes_what_is_alive():
    from rules.geo.gazetteer import gazetteer
    from rules.news.model import model
    from rules.regions import _gazetteer as region_table
    from scheduler.monitor import warm_up

    gc.unfreeze()
    gazetteer.cache_clear()
    region_table.cache_clear()
    try:
        warm_up()
        assert gazetteer.cache_info().currsize == 1
        assert region_table.cache_info().currsize == 1  # the hold policy's regions
        assert model() is not None
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_the_worker_warms_up_before_its_first_poll(app, monkeypatch):
    from scheduler import cli, monitor

    called = []
    monkeypatch.setattr(monitor, "warm_up", lambda: called.append(True))
    worker = cli.make_worker(app)
    try:
        assert called == [True]
        assert "poll_due_feeds" in [name for name, _, _ in worker.extra_jobs]
    finally:
        worker.close()


def test_a_further_report_in_the_same_poll_does_not_fan_out_again_unless_it_widens(app):
    queue(app, regions=["US-TX"])
    queue(app, regions=["US-CA"])
    store_report(app, title="warm-up", guid="w", regions=("GB",))
    california = Assessment(True, "shooting", 2, 0.9, ("US-TX", "US-CA", "US"), ("w",))
    with app.db.session() as session:
        rows, reports = stored_unjoined(
            session, {"first": TEXAS, "second": TEXAS, "wider": california}
        )
        with statements(app) as sent:
            record_reports(app)(session, reports)
        texas = rows["first"].incident_id
        assert rows["second"].incident_id == texas and rows["wider"].incident_id == texas
    # The first report's fan-out and the widening one's; not the second report's.
    assert len([s for s in sent if s.startswith("INSERT INTO holds")]) == 2
    with app.db.session() as session:
        held = session.scalars(select(Hold.post_id).where(Hold.incident_id == texas)).all()
    assert len(held) == 2
