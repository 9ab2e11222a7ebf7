"""The audit log on the web: filters, the CSV export, who may read it, and that no
URL can change it."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from scheduler import audit
from scheduler.models import AuditEvent
from tests.conftest import T0
from tests.helpers import declare, queue
from tests.web import Api, token_for
from web.api_schemas import AUDIT_PAGE

HEADER = ["at", "actor", "action", "object_type", "object_id", "reason", "details"]
EVIL_ACTOR = '=HYPERLINK("http://evil.example/","x")'
TRICKY_REASON = 'Gunman, "armed"\nin Uvalde; 5 dead'
# name: (at, actor, action, object type, object id, reason, details)
SEEDED: dict[str, tuple[Any, ...]] = {
    "e1": (T0 - timedelta(days=3), "alice", "post.created", "post", 7, None, {"channel": "us"}),
    "e2": (
        T0 - timedelta(days=2),
        "bob",
        "incident.declared",
        "incident",
        3,
        TRICKY_REASON,
        {"severity": 3, "regions": ["US-TX"]},
    ),
    "e3": (
        T0 - timedelta(days=1),
        "system",
        "incident.expired",
        "incident",
        3,
        "expiry passed",
        {},
    ),
    "e4": (
        T0 - timedelta(hours=23),
        EVIL_ACTOR,
        "login.failed",
        "user",
        None,
        "unknown user",
        {},
    ),
    "e5": (
        T0 - timedelta(hours=12),
        "bob",
        "condolence.approved",
        "condolence",
        1,
        None,
        {"version": 2, "note": "a,b"},
    ),
}


@pytest.fixture
def events(app, alice, bob, carol) -> dict[str, int]:
    """The five events above (after the users exist, whose creation is logged too);
    returns their ids by name."""
    ids = {}
    with app.db.session() as session:
        for name, (at, actor, action, kind, object_id, reason, details) in SEEDED.items():
            audit.record(session, actor, action, kind, object_id, reason, details, at=at)
            session.flush()
            ids[name] = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    return ids


@pytest.fixture
def carol_api(client, app, carol) -> Api:
    return Api(client, token_for(app, carol))


def all_events(app) -> list[tuple[Any, ...]]:
    with app.db.session() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [
            (e.id, e.at, e.actor, e.action, e.object_type, e.object_id, e.reason, e.details)
            for e in rows
        ]


FILTERS = [
    pytest.param({"actor": "bob"}, {"e2", "e5"}, id="actor"),
    pytest.param({"object_type": "incident"}, {"e2", "e3"}, id="object-type"),
    pytest.param({"object_type": "post", "object_id": "7"}, {"e1"}, id="object-id"),
    pytest.param({"object_id": "3"}, {"e2", "e3"}, id="object-id-alone"),
    pytest.param({"action": "incident."}, {"e2", "e3"}, id="kind-prefix"),
    pytest.param({"action": "condolence.approved"}, {"e5"}, id="kind-exact"),
    pytest.param({"since": "2026-05-30"}, {"e2", "e3", "e4", "e5"}, id="since-a-date"),
    pytest.param({"until": "2026-05-30"}, {"e1", "e2"}, id="until-a-date-includes-it"),
    pytest.param(
        {"since": "2026-05-30T12:01", "until": "2026-05-31T12:30"}, {"e3"}, id="between-times"
    ),
    pytest.param(
        {"since": "2026-05-31T13:00:00+01:00"}, {"e3", "e4", "e5"}, id="since-with-an-offset"
    ),
    pytest.param({"actor": "system", "action": "incident."}, {"e3"}, id="combined"),
    pytest.param({"actor": "nobody"}, set(), id="no-match"),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_the_api_filters_the_log(events, bob_api, query, expected):
    response = bob_api.get("/audit", query_string=query)
    assert response.status_code == 200, response.json
    found = {e["id"] for e in response.json["events"]}
    assert found & set(events.values()) == {events[name] for name in expected}


@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_the_page_filters_the_log(events, as_bob, query, expected):
    page = as_bob.page("/audit", query_string=query)
    for name, event_id in events.items():
        assert (f'id="event-{event_id}"' in page) is (name in expected), name


def test_the_api_answers_newest_first_with_every_column_and_a_limit(events, bob_api):
    response = bob_api.get("/audit", query_string={"object_type": "incident"})
    assert response.json["events"] == [
        {
            "id": events["e3"],
            "at": "2026-05-31T12:00:00+00:00",
            "actor": "system",
            "action": "incident.expired",
            "object_type": "incident",
            "object_id": 3,
            "reason": "expiry passed",
            "details": {},
        },
        {
            "id": events["e2"],
            "at": "2026-05-30T12:00:00+00:00",
            "actor": "bob",
            "action": "incident.declared",
            "object_type": "incident",
            "object_id": 3,
            "reason": TRICKY_REASON,
            "details": {"severity": 3, "regions": ["US-TX"]},
        },
    ]
    limited = bob_api.get("/audit", query_string={"limit": 2, "until": "2026-05-31T23:00"})
    assert [e["id"] for e in limited.json["events"]] == [events["e4"], events["e3"]]


def parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def expected_row(name: str, event_id: int) -> list[str]:
    at, actor, action, kind, object_id, reason, details = SEEDED[name]
    return [
        at.isoformat(),
        actor,
        action,
        kind,
        "" if object_id is None else str(object_id),
        reason or "",
        json.dumps(details, sort_keys=True),
    ]


def test_the_csv_export_parses_back_and_matches_the_filtered_log(events, as_bob):
    response = as_bob.get("/audit.csv", query_string={"object_type": "incident"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = parse_csv(response.get_data(as_text=True))
    assert rows == [HEADER, expected_row("e3", events["e3"]), expected_row("e2", events["e2"])]
    assert json.loads(rows[2][6]) == SEEDED["e2"][6]


def test_the_export_link_on_the_page_carries_the_filters(events, as_bob):
    page = as_bob.page("/audit", query_string={"actor": "bob", "action": "condolence."})
    assert 'href="/audit.csv?actor=bob&action=condolence."' in page


def test_a_cell_a_spreadsheet_would_run_is_neutralised(events, as_bob):
    rows = parse_csv(as_bob.get("/audit.csv", query_string={"action": "login.failed"}).text)
    (row,) = [r for r in rows[1:] if r[5] == "unknown user"]
    assert row[1] == "'" + EVIL_ACTOR
    assert row[2:5] == ["login.failed", "user", ""]


def test_the_api_gives_csv_by_parameter_or_accept_header(events, bob_api):
    query = {"actor": "bob", "action": "condolence."}
    by_format = bob_api.get("/audit", query_string={**query, "format": "csv"})
    assert by_format.mimetype == "text/csv"
    assert parse_csv(by_format.text) == [HEADER, expected_row("e5", events["e5"])]
    by_accept = bob_api.client.get(
        "/api/v1/audit", query_string=query, headers={**bob_api.headers(), "Accept": "text/csv"}
    )
    assert by_accept.mimetype == "text/csv"
    assert by_accept.text == by_format.text
    json_wins = bob_api.client.get(
        "/api/v1/audit",
        query_string={**query, "format": "json"},
        headers={**bob_api.headers(), "Accept": "text/csv"},
    )
    assert json_wins.mimetype == "application/json"
    assert bob_api.get("/audit").mimetype == "application/json"


BAD_FILTERS = [
    pytest.param({"since": "yesterday"}, "since", id="since-words"),
    pytest.param({"until": "2026-13-01"}, "until", id="until-month-13"),
    pytest.param({"since": "2026-06-01T25:00"}, "since", id="hour-25"),
    pytest.param({"since": "2026-06-01", "until": "2026-05-01"}, "until", id="until-before-since"),
    pytest.param({"object_id": "seven"}, "object_id", id="object-id-words"),
    pytest.param({"object_id": "-1"}, "object_id", id="object-id-negative"),
]


@pytest.mark.parametrize(("query", "field"), BAD_FILTERS)
def test_a_bad_filter_is_named(events, bob_api, as_bob, query, field):
    response = bob_api.get("/audit", query_string=query)
    assert response.status_code == 400
    assert field in response.json["errors"], response.json
    page = as_bob.get("/audit", query_string=query)
    assert page.status_code == 400
    assert f'<p class="error" id="error-{field}">' in page.text
    assert as_bob.get("/audit.csv", query_string=query).status_code == 400


def test_api_only_filters_are_checked(events, bob_api):
    for query, field in (
        ({"limit": 0}, "limit"),
        ({"format": "xml"}, "format"),
        ({"sort": "at"}, "sort"),
    ):
        response = bob_api.get("/audit", query_string=query)
        assert response.status_code == 400
        assert field in response.json["errors"]


def test_a_manager_cannot_read_the_log(events, as_alice, alice_api):
    assert as_alice.get("/audit").status_code == 403
    assert as_alice.get("/audit.csv").status_code == 403
    response = alice_api.get("/audit")
    assert response.status_code == 403
    assert "role" in response.json["errors"]
    assert 'href="/audit"' not in as_alice.page("/")


def test_approvers_and_admins_can(events, as_bob, browser, carol, carol_api):
    assert 'href="/audit"' in as_bob.page("/")
    assert browser(carol).get("/audit").status_code == 200
    assert carol_api.get("/audit").status_code == 200


# ------------------------------------------------------------- append-only
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
AUDIT_URLS = ("/audit", "/audit.csv", "/api/v1/audit")


def test_no_url_updates_or_deletes_audit_events(app, events, as_bob, carol_api):
    before = all_events(app)
    event_id = events["e2"]
    for url in (*AUDIT_URLS, f"/audit/{event_id}", f"/api/v1/audit/{event_id}"):
        for method in WRITE_METHODS:
            if url.startswith("/api/"):
                response = carol_api.call(method, url.removeprefix("/api/v1"), {"reason": "x"})
            else:
                response = as_bob.client.open(
                    url, method=method, data={"csrf_token": as_bob.csrf_token(), "reason": "x"}
                )
            assert response.status_code in (404, 405), (method, url, response.status_code)
    assert all_events(app) == before


def test_every_audit_route_only_reads(web):
    audit_rules = [rule for rule in web.url_map.iter_rules() if "audit" in rule.rule]
    assert {rule.rule for rule in audit_rules} == {"/audit", "/audit.csv", "/api/v1/audit"}
    for rule in audit_rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_a_posts_history_on_the_page_api_and_csv_shows_its_fan_out_hold(app, bob_api, as_bob):
    post = queue(app)
    declared = declare(app)
    query = {"object_type": "post", "object_id": str(post.id)}
    listed = bob_api.get("/audit", query_string=query).json["events"]
    assert [(e["id"], e["action"], e["reason"]) for e in listed[:1]] == [
        (None, "post.held", "promotional/inside/severity>=2")
    ]
    assert listed[0]["details"]["incident_id"] == declared.incident.id
    page = as_bob.page("/audit", query_string=query)
    held_row = page[page.index("<tbody>") : page.index('id="event-')]
    assert "post.held" in held_row and "promotional/inside/severity>=2" in held_row
    rows = parse_csv(as_bob.get("/audit.csv", query_string=query).text)
    assert [r[2] for r in rows] == ["action", "post.held", "post.created"]


def test_the_page_turns_to_older_events_keeping_the_filters(app, as_bob):
    with app.db.session() as session:
        for number in range(AUDIT_PAGE + 5):
            audit.record(session, "tester", "feed.checked", "feed", number)
    first = as_bob.page("/audit?actor=tester")
    assert first.count('<tr id="event-') == AUDIT_PAGE
    assert 'href="/audit?actor=tester&page=2"' in first and "Newer" not in first
    second = as_bob.page("/audit?actor=tester&page=2")
    assert second.count('<tr id="event-') == 5
    assert "#0<" in second and "Older" not in second  # the oldest ones, at the end
    assert 'href="/audit?actor=tester&page=1"' in second
    assert as_bob.get("/audit?page=0").status_code == 400


def test_the_api_pages_with_an_offset(app, bob_api):
    with app.db.session() as session:
        for number in range(5):
            audit.record(session, "tester", "feed.checked", "feed", number)
    ids = [
        e["object_id"]
        for e in bob_api.get("/audit?actor=tester&limit=2&offset=2").get_json()["events"]
    ]
    assert ids == [2, 1]
    assert bob_api.get("/audit?offset=-1").status_code == 400
