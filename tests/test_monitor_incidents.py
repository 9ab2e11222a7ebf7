"""Incidents built from tragedy reports: open, join, widen, review, amend."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from rules.correlate import OpenIncident, Signal, affected_area, areas_overlap, match, same_kind
from scheduler import clock, incidents
from scheduler.errors import ValidationError
from scheduler.models import AuditEvent, CondolenceDraft, Feed, Incident, Report
from tests.conftest import T0
from tests.helpers import queue, status_of


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (("US-TX",), ("US-TX", "US"), True),
        (("US-TX",), ("US",), True),
        (("US-TX",), ("US-CA",), False),
        (("FR-IDF",), ("FR-75C",), True),
        ((), ("US",), False),
    ],
)
def test_areas_overlap_by_their_most_specific_region(a, b, expected):
    assert areas_overlap(a, b) is expected


def test_affected_area_drops_context_regions():
    assert affected_area(("US-TX", "US")) == ("US-TX",)
    assert affected_area(("US-TX", "US-CA", "US")) == ("US-TX", "US-CA")
    assert affected_area(("XX-NOPE", "FR")) == ("FR",)


def test_kind_families_and_time_window_decide_a_match():
    assert same_kind("hurricane", "storm") and not same_kind("flood", "shooting")
    incident = OpenIncident(4, "storm", 2, ("US-FL",), T0)
    hit = Signal("hurricane", 3, ("US-FL",), T0 + timedelta(hours=47))
    assert match(hit, [incident], timedelta(hours=48)) == 4
    late = Signal("hurricane", 3, ("US-FL",), T0 + timedelta(hours=49))
    assert match(late, [incident], timedelta(hours=48)) is None
    elsewhere = Signal("hurricane", 3, ("US-TX",), T0)
    assert match(elsewhere, [incident], timedelta(hours=48)) is None


def store_report(
    app,
    *,
    kind="shooting",
    severity=2,
    regions=("US-TX", "US"),
    confidence=0.9,
    title="Gunman kills 5 in Uvalde, Texas",
    guid=None,
    home=None,
):
    with app.db.session() as session:
        feed = session.scalar(select(Feed).where(Feed.url == "http://feeds.test/news"))
        if feed is None:
            feed = Feed(
                url="http://feeds.test/news",
                kind="news",
                interval_seconds=300,
                next_poll_at=clock.now(),
                created_at=clock.now(),
            )
            session.add(feed)
            session.flush()
        report = Report(
            feed_id=feed.id,
            guid_hash=(guid or title)[:64],
            guid=guid or title,
            title=title,
            link="https://news.test/1",
            seen_at=clock.now(),
            tragedy=True,
            kind=kind,
            severity=severity,
            confidence=confidence,
            evidence=["'kills 5' in title", "Uvalde -> US-TX"],
            regions=list(regions),
        )
        session.add(report)
        session.flush()
        incident = incidents.record_report(session, app.settings, report, home_country=home)
        return incident.id if incident else None


def get_incident(app, incident_id):
    with app.db.session() as session:
        return incidents.get_incident(session, incident_id)


def test_a_confident_report_opens_an_incident_that_holds_at_once(app):
    promo = queue(app)
    promo_ca = queue(app, regions=["US-CA"])
    incident_id = store_report(app)
    incident = get_incident(app, incident_id)
    assert (incident.source, incident.regions, incident.needs_review) == (
        "monitor",
        ["US-TX"],
        False,
    )
    assert status_of(app, promo.id) == "held"
    assert status_of(app, promo_ca.id) == "queued"


def test_a_low_confidence_report_holds_too_but_is_marked_for_review(app, bob):
    promo = queue(app)
    incident_id = store_report(app, confidence=0.4)
    assert get_incident(app, incident_id).needs_review is True
    assert status_of(app, promo.id) == "held"
    with app.db.session() as session:
        incidents.confirm(session, incident_id, bob)
    incident = get_incident(app, incident_id)
    assert (incident.status, incident.needs_review) == ("confirmed", False)


def test_dismissing_a_monitor_incident_releases_at_once(app):
    promo = queue(app)
    incident_id = store_report(app, confidence=0.4)
    with app.db.session() as session:
        incidents.end(session, app.settings, incident_id, "dismissed", {"reason": "not real"}, None)
    assert status_of(app, promo.id) == "queued"


def test_reports_of_the_same_event_join_and_raise_severity(app, frozen):
    promo_us = queue(app, regions=["US"])
    first = store_report(app, severity=2)
    frozen.advance(hours=3)
    second = store_report(app, severity=3, title="Death toll in Uvalde rises to 21", guid="b")
    assert first == second
    incident = get_incident(app, first)
    assert incident.severity == 3
    assert incident.last_seen == clock.now()
    assert incident.expires_at == clock.now() + timedelta(hours=24)
    assert status_of(app, promo_us.id) == "held"  # now broadly felt
    with app.db.session() as session:
        assert len(incidents.reports_for(session, first)) == 2


def test_a_different_event_or_place_opens_another_incident(app):
    first = store_report(app)
    second = store_report(app, kind="flood", title="Floods in Texas", guid="f")
    third = store_report(app, regions=("US-CA", "US"), title="Shooting in California", guid="c")
    assert len({first, second, third}) == 3


def test_minor_or_placeless_reports_open_no_incident(app):
    assert store_report(app, severity=1) is None
    assert store_report(app, regions=(), guid="x") is None
    with app.db.session() as session:
        assert session.scalars(select(Incident)).all() == []


def test_monitor_incidents_expire_after_the_quiet_time(app, frozen):
    promo = queue(app, publish_at=(T0 + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"))
    incident_id = store_report(app)
    frozen.advance(hours=25)
    with app.db.session() as session:
        assert incidents.expire_due(session, app.settings) == [incident_id]
    assert status_of(app, promo.id) == "queued"


def test_staff_can_narrow_widen_and_extend_an_incident_each_audited(app, bob):
    tx = queue(app)
    ca = queue(app, regions=["US-CA"])
    us = queue(app, regions=["US"])
    incident_id = store_report(app, severity=3)
    assert [status_of(app, p.id) for p in (tx, ca, us)] == ["held", "queued", "held"]
    with app.db.session() as session:
        incidents.amend(
            session,
            app.settings,
            incident_id,
            {"severity": 2, "regions": ["US-TX", "US-CA"], "reason": "wider, less severe"},
            bob,
        )
    assert [status_of(app, p.id) for p in (tx, ca, us)] == ["held", "held", "queued"]
    before = get_incident(app, incident_id).expires_at
    with app.db.session() as session:
        incidents.amend(session, app.settings, incident_id, {"extend_hours": 12}, bob)
    assert get_incident(app, incident_id).expires_at == before + timedelta(hours=12)
    with app.db.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "incident", AuditEvent.object_id == incident_id
            )
        ).all()
    assert actions.count("incident.amended") == 2
    with app.db.session() as session, pytest.raises(ValidationError) as caught:
        incidents.amend(session, app.settings, incident_id, {"severity": 9}, bob)
    assert "severity" in caught.value.errors


def store_follow_up(
    app, *, kind=None, regions=("US-TX", "US"), title="Vigil held in Uvalde", home=None
):
    with app.db.session() as session:
        feed = session.scalar(select(Feed).where(Feed.url == "http://feeds.test/news"))
        report = Report(
            feed_id=feed.id,
            guid_hash=title[:64],
            guid=title,
            title=title,
            link="https://news.test/2",
            seen_at=clock.now(),
            tragedy=False,
            kind=kind,
            severity=0,
            confidence=0.2,
            evidence=["'vigil' +0.9"],
            regions=list(regions),
        )
        session.add(report)
        session.flush()
        incident = incidents.record_follow_up(session, app.settings, report, kind, home)
        return incident.id if incident else None


def test_a_follow_up_joins_its_incident_and_extends_the_quiet_time(app, frozen):
    first = store_report(app)
    frozen.advance(hours=20)
    assert store_follow_up(app) == first
    incident = get_incident(app, first)
    assert incident.expires_at == clock.now() + timedelta(hours=24)
    assert incident.severity == 2  # a follow-up neither raises nor widens
    with app.db.session() as session:
        assert len(incidents.reports_for(session, first)) == 2


def test_a_follow_up_opens_nothing_and_joins_no_other_place_or_kind(app):
    assert store_report(app, regions=("US-TX", "US")) is not None
    assert store_follow_up(app, regions=("US-CA", "US"), title="Vigil in Fresno") is None
    assert store_follow_up(app, kind="flood", title="Floods recede in Uvalde") is None
    with app.db.session() as session:
        assert len(session.scalars(select(Incident)).all()) == 1


def test_a_follow_up_placed_only_in_the_publishers_country_joins_nothing(app):
    first = store_report(app, regions=("US-TX", "US"))
    # A US paper's follow-up that is only "in the US" is not news of a Texas event...
    assert store_follow_up(app, regions=("US",), title="Suspect charged", home="US") is None
    # ... one in Texas is, and from a paper abroad "the US" still is.
    assert store_follow_up(app, regions=("US-TX", "US"), title="Vigil", home="US") == first
    assert store_follow_up(app, regions=("US",), title="Victims named", home="GB") == first


def test_a_follow_up_joins_only_an_incident_more_likely_than_not_a_tragedy(app):
    # One held on a doubtful score does not pull its coverage with it...
    doubtful = store_report(app, confidence=0.3)
    assert store_follow_up(app, title="Vigil held") is None
    # ... until a confident report of the same event joins it (and raises its
    # confidence); then the next follow-up joins too.
    assert store_report(app, confidence=0.8, title="Gunman kills 6 in Uvalde") == doubtful
    assert get_incident(app, doubtful).confidence == pytest.approx(0.8)
    assert store_follow_up(app, title="Victims named") == doubtful


def test_a_follow_up_joins_an_incident_a_person_declared(app):
    store_report(app, title="warm-up", guid="w", regions=("FR",))  # creates the feed
    with app.db.session() as session:
        declared = incidents.declare(
            session,
            app.settings,
            {"kind": "shooting", "title": "Shooting", "severity": 2, "regions": ["US-TX"]},
            None,
        ).incident.id
    assert store_follow_up(app, title="Vigil held") == declared


def test_match_takes_a_follow_up_only_to_a_confident_incident():
    incident = OpenIncident(7, "shooting", 2, ("US-TX",), T0)  # by default: confidence 1.0
    vigil = Signal("shooting", 0, ("US-TX",), T0 + timedelta(hours=1))
    assert match(vigil, [incident], timedelta(hours=48), follow_up=True) == 7
    shaky = OpenIncident(8, "shooting", 2, ("US-TX",), T0, confidence=0.49)
    assert match(vigil, [shaky], timedelta(hours=48), follow_up=True) is None
    assert match(vigil, [shaky], timedelta(hours=48)) == 8  # a report that holds joins it


def stored_unjoined(session, verdicts):
    """Reports of the news feed stored as one poll stores them, in the order given,
    before the incident work: the rows by guid and what the poll hands the monitor."""
    from rules.reports import Entry
    from scheduler.feeds.poll import NewReport

    feed = session.scalar(select(Feed).where(Feed.url == "http://feeds.test/news"))
    rows = {
        guid: Report(
            feed_id=feed.id,
            guid_hash=guid,
            guid=guid,
            title=guid,
            seen_at=clock.now(),
            tragedy=v.tragedy,
            kind=v.kind,
            severity=v.severity,
            confidence=v.confidence,
            evidence=list(v.evidence),
            regions=list(v.regions),
        )
        for guid, v in verdicts.items()
    }
    session.add_all(rows.values())
    session.flush()
    return rows, [NewReport(rows[g], Entry("news", g, g), v) for g, v in verdicts.items()]


def test_the_monitor_joins_a_follow_up_of_the_same_poll_whichever_comes_first(app):
    from rules.reports import Assessment
    from scheduler.monitor import record_reports

    store_report(app, title="warm-up", guid="w", regions=("FR",))  # creates the feed
    shooting = Assessment(True, "shooting", 2, 0.9, ("US-TX", "US"), ("x",))
    vigil = Assessment(False, None, 0, 0.2, ("US-TX", "US"), ("y",), follow_up=True)
    budget = Assessment(False, None, 0, 0.0, ("US-TX", "US"), ())
    with app.db.session() as session:
        rows, reports = stored_unjoined(
            session, {"vigil": vigil, "shooting": shooting, "budget": budget}
        )
        record_reports(app)(session, reports)
        assert rows["shooting"].incident_id is not None
        assert rows["vigil"].incident_id == rows["shooting"].incident_id
        assert rows["budget"].incident_id is None


def store_other_news(app, count):
    """Entries of the same news feed about other things."""
    with app.db.session() as session:
        feed = session.scalar(select(Feed).where(Feed.url == "http://feeds.test/news"))
        for n in range(count):
            session.add(
                Report(
                    feed_id=feed.id,
                    guid_hash=f"other-{n}",
                    guid=f"other-{n}",
                    title=f"Budget talks, part {n}",
                    seen_at=clock.now(),
                    tragedy=False,
                    severity=0,
                    regions=[],
                )
            )


def test_an_event_that_dominates_a_feeds_news_becomes_broadly_felt(app, frozen):
    # Defaults: a share of 0.065 of the feed's reports within 24 h, at least 5 of them.
    promo_us = queue(app, regions=["US"])
    first = store_report(app)
    store_other_news(app, 40)
    for n in range(3):
        frozen.advance(minutes=10)
        assert store_follow_up(app, title=f"Vigil {n} held in Uvalde") == first
    assert get_incident(app, first).severity == 2  # 4 of 44: not yet
    assert status_of(app, promo_us.id) == "queued"
    frozen.advance(minutes=10)
    assert store_follow_up(app, title="Victims named in Uvalde") == first
    incident = get_incident(app, first)
    assert incident.severity == 3  # 5 of 45 reports: over the share
    assert status_of(app, promo_us.id) == "held"  # the policy's broadly felt widening
    with app.db.session() as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == first, AuditEvent.action == "incident.updated")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert event.reason == "the event dominates the news: broadly felt"
    assert event.details["severity"] == [2, 3]
    assert event.details["coverage"].startswith("5 of 45 reports")


def test_a_few_reports_among_many_or_an_old_day_do_not_widen(app, frozen):
    first = store_report(app)
    store_other_news(app, 200)
    for n in range(6):
        store_follow_up(app, title=f"Vigil {n} held in Uvalde")
    assert get_incident(app, first).severity == 2  # 7 of 207
    frozen.advance(hours=25)  # the day's news has moved on: the window starts afresh
    store_follow_up(app, title="Another vigil in Uvalde")
    assert get_incident(app, first).severity == 2  # 1 of 1, below the minimum


def test_a_polls_incident_work_joins_its_reports_in_one_statement_and_locks_nothing_twice(app):
    from sqlalchemy import event

    from rules.reports import Assessment
    from scheduler.monitor import record_reports

    promo = queue(app)
    store_report(app, title="warm-up", guid="w", regions=("FR",))  # creates the feed
    region = ("US-TX", "US")
    verdicts = {
        "shooting": Assessment(True, "shooting", 3, 0.9, region, ("x",)),
        "gunman named": Assessment(True, "shooting", 3, 0.95, region, ("x",)),
        **{
            f"vigil {n}": Assessment(False, None, 0, 0.2, region, ("y",), follow_up=True)
            for n in range(4)
        },
    }
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    with app.db.session() as session:
        rows, reports = stored_unjoined(session, verdicts)
        event.listen(app.db.engine, "before_cursor_execute", record)
        try:
            record_reports(app)(session, reports)
        finally:
            event.remove(app.db.engine, "before_cursor_execute", record)
        ids = {guid: report.id for guid, report in rows.items()}

    def count(prefix):
        return sum(s.startswith(prefix) for s in statements)

    # Six reports joined to the incident the first one opened: one UPDATE for all,
    # the incident (inserted by this transaction) never locked again, the policy
    # and the channels read once for the two fan-outs and prompts, and no prompt
    # looked for (no other transaction can see the incident).
    assert count("UPDATE reports") == 1
    assert count("SELECT incidents.id, incidents.kind, incidents.title") == 0
    assert count("SELECT policy_rules") == 1
    assert count("SELECT channel_accounts") == 1
    assert count("SELECT condolence_drafts") + count("SELECT EXISTS") == 0
    with app.db.session() as session:
        joined = {i: j for i, j in session.execute(select(Report.id, Report.incident_id))}
        incident_id = joined[ids["shooting"]]
        assert incident_id is not None
        assert {guid: joined[i] for guid, i in ids.items()} == dict.fromkeys(ids, incident_id)
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "incident", AuditEvent.object_id == incident_id)
            .order_by(AuditEvent.id)
        ).all()
        incident = session.get(Incident, incident_id)
        assert incident.confidence == 0.95
        drafts = session.scalars(
            select(CondolenceDraft).where(CondolenceDraft.incident_id == incident_id)
        ).all()
        assert [d.status for d in drafts] == ["awaiting_draft"]
    assert actions[0] == "incident.opened"
    assert actions.count("incident.reported") == 5
    assert status_of(app, promo.id) == "held"


def test_reports_of_one_poll_count_towards_their_events_coverage(app, frozen):
    # As the test above of follow-ups polled one by one: 5 of 45 reports widen the
    # incident, here with the four follow-ups stored and correlated by one poll.
    from rules.reports import Assessment
    from scheduler.monitor import record_reports

    promo_us = queue(app, regions=["US"])
    first = store_report(app)
    store_other_news(app, 40)
    vigil = Assessment(False, None, 0, 0.2, ("US-TX", "US"), ("y",), follow_up=True)
    with app.db.session() as session:
        _rows, reports = stored_unjoined(
            session, {f"Vigil {n} held in Uvalde": vigil for n in range(4)}
        )
        record_reports(app)(session, reports)
    incident = get_incident(app, first)
    assert incident.severity == 3
    assert status_of(app, promo_us.id) == "held"
    with app.db.session() as session:
        assert len(incidents.reports_for(session, first)) == 5
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == first, AuditEvent.action == "incident.updated")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert event.details["coverage"].startswith("5 of 45 reports")


BROWN = "Gunman kills two people at Brown University in Providence"


def test_a_report_placed_only_in_the_publishers_country_joins_the_event_it_names(app, frozen):
    promo_ca = queue(app, regions=["US-CA"])
    first = store_report(app, regions=("US-RI", "US"), title=BROWN, home="US")
    frozen.advance(hours=20)
    # A US paper: "in the US" alone would open an incident for the whole country;
    # the name it shares with the Providence shooting says which event it is.
    vague = "Brown University Gunman Found Dead, Police Say"
    assert store_report(app, regions=("US",), title=vague, home="US") == first
    incident = get_incident(app, first)
    assert incident.regions == ["US-RI"]
    assert incident.expires_at == clock.now() + timedelta(hours=24)
    assert status_of(app, promo_ca.id) == "queued"
    with app.db.session() as session:
        assert len(session.scalars(select(Incident)).all()) == 1
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "incident.reported"))
    assert event.reason == "a further report of the same event, told by the name 'brown university'"
    assert event.details["told_by"] == "brown university"


def test_a_report_that_names_no_place_joins_the_event_it_names(app, frozen):
    first = store_report(app, regions=("US-RI", "US"), title=BROWN, home="US")
    frozen.advance(hours=20)
    placeless = "Brown University suspect found dead in a storage unit"
    assert store_report(app, regions=(), title=placeless, home="US") == first
    assert get_incident(app, first).expires_at == clock.now() + timedelta(hours=24)
    # One that shares no name still opens nothing: there is no place to hold.
    assert store_report(app, regions=(), title="Suspect found dead in a car", home="US") is None


def test_a_name_picks_its_event_among_the_countrys_open_ones(app, frozen):
    brown = store_report(app, regions=("US-RI", "US"), title=BROWN, home="US")
    frozen.advance(hours=2)
    texas = store_report(app, title="Gunman kills 5 in Uvalde, Texas", home="US")
    frozen.advance(hours=2)
    # Placed only in the US, a shooting report joins the country's latest shooting
    # (the areas overlap) ...
    unnamed = "Gunman In Campus Shooting Found Dead, Police Say"
    assert store_report(app, regions=("US",), title=unnamed, home="US") == texas
    frozen.advance(hours=1)
    # ... unless a name it shares says it is another one.
    vague = "Brown University Gunman Found Dead, Police Say"
    assert store_report(app, regions=("US",), title=vague, home="US") == brown
    assert get_incident(app, brown).last_seen == clock.now()
    assert get_incident(app, texas).last_seen < clock.now()


def test_a_name_joins_no_event_of_another_kind_or_outside_the_reports_place(app):
    paris = store_report(
        app,
        regions=("FR-75C", "FR"),
        title="Gunman kills two people outside the Louvre Museum in Paris",
    )
    # An event abroad is not within a report placed in the US: its own incident.
    named = "Louvre Museum Gunman Named, U.S. Officials Say"
    ours = store_report(app, regions=("US",), title=named, home="US")
    assert ours not in (None, paris) and get_incident(app, ours).regions == ["US"]
    # A flood is not news of a shooting, whatever it shares; placed nowhere, it opens
    # nothing.
    flood = "Floods close the Louvre Museum for a day"
    assert store_report(app, kind="flood", regions=(), title=flood, home="US") is None
    assert store_report(app, regions=(), title="Louvre Museum gunman's family speaks",
                        home="FR") == paris  # fmt: skip


def test_the_monitor_joins_a_vague_report_to_an_event_of_the_same_poll(app):
    from rules.reports import Assessment, Entry
    from scheduler.feeds.poll import NewReport
    from scheduler.monitor import record_reports

    store_report(app, title="warm-up", guid="w", regions=("FR",))  # creates the feed
    shooting = Assessment(True, "shooting", 2, 0.9, ("US-RI", "US"), ("x",))
    vague = Assessment(True, "shooting", 2, 0.8, ("US",), ("y",))
    titles = {"a": BROWN, "b": "Brown University Gunman Still At Large"}
    with app.db.session() as session:
        feed = session.scalar(select(Feed).where(Feed.url == "http://feeds.test/news"))
        rows = {}
        for guid, verdict in (("a", shooting), ("b", vague)):
            rows[guid] = Report(
                feed_id=feed.id,
                guid_hash=guid,
                guid=guid,
                title=titles[guid],
                seen_at=clock.now(),
                tragedy=True,
                kind="shooting",
                severity=2,
                confidence=verdict.confidence,
                evidence=list(verdict.evidence),
                regions=list(verdict.regions),
            )
        session.add_all(rows.values())
        session.flush()
        reports = [
            NewReport(rows[g], Entry("news", g, titles[g], home_country="US"), v)
            for g, v in (("a", shooting), ("b", vague))
        ]
        record_reports(app)(session, reports)
        assert rows["a"].incident_id is not None
        assert rows["b"].incident_id == rows["a"].incident_id
        assert session.get(Incident, rows["a"].incident_id).regions == ["US-RI"]
