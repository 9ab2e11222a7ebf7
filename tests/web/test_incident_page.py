"""One incident's page: its facts, reports with links and evidence, regions named and
drawn on an offline map, held posts, and the approver's actions with 409 on a state
the page did not show."""

from __future__ import annotations

import re

from sqlalchemy import select

from scheduler import incidents
from scheduler.models import AuditEvent
from tests.helpers import declare, queue, status_of
from tests.web.reports import store_report


def incident_of(app, incident_id: int):
    with app.db.session() as session:
        return incidents.get_incident(session, incident_id)


def test_the_page_shows_facts_reports_map_and_held_posts(app, as_alice):
    post = queue(app)
    incident_id = store_report(app, regions=("US-TX",))
    store_report(
        app,
        title="Uvalde shooting: victims named",
        link="javascript:alert(1)",
        evidence=["'shooting' in title", "Uvalde -> US-TX"],
        regions=("US-TX", "US-NM"),
    )
    # The second report widened the incident to New Mexico; a person narrowed it back.
    with app.db.session() as session:
        incidents.amend(session, app.settings, incident_id, {"regions": ["US-TX"]}, None)
    page = as_alice.page(f"/incidents/{incident_id}")
    assert '<dd class="kind">shooting</dd>' in page
    assert "severity-3" in page and "status-active" in page
    assert '<dd class="held-count">1</dd>' in page
    assert '<a href="https://news.test/uvalde" rel="noopener noreferrer">' in page
    assert "javascript:" not in page  # a feed's script link is never rendered, not even as text
    assert "Uvalde shooting: victims named" in page
    assert "<li>Uvalde -&gt; US-TX</li>" in as_alice.get(f"/incidents/{incident_id}").get_data(
        as_text=True
    )
    # The regions by name, and the map: inline SVG, no style attribute, no outside address.
    assert "<strong>Texas</strong>" in page
    svg = re.search(r"<svg class=\"incident-map\".*?</svg>", page, re.S)
    assert svg
    drawing = svg.group(0)
    assert "style=" not in drawing and "href" not in drawing
    assert drawing.count('class="map-marker map-region"') == 1  # Texas
    assert drawing.count('class="map-marker map-report"') == 1  # New Mexico, from a report
    assert "<title>Texas (US-TX)</title>" in drawing
    assert drawing.count('class="map-grid"') >= 4
    # The held post, with a link to it.
    assert f'href="/posts/{post.id}/edit"' in page
    # A manager sees no actions.
    assert "Save changes" not in page and "/confirm" not in page


def test_the_map_of_a_worldwide_incident_names_what_it_cannot_draw(app, as_alice):
    incident_id = declare(app, regions=["WORLD"], severity=4).incident.id
    page = as_alice.page(f"/incidents/{incident_id}")
    assert "Not drawn: Worldwide" in page
    assert 'class="map-marker' not in page


def test_an_approver_confirms_and_resolves_from_the_page(app, as_bob):
    post = queue(app)
    incident_id = store_report(app, confidence=0.4)
    confirmed = as_bob.submit(f"/incidents/{incident_id}/confirm", {"back": "detail"})
    assert confirmed.status_code == 303
    assert confirmed.headers["Location"].endswith(f"/incidents/{incident_id}")
    assert incident_of(app, incident_id).status == "confirmed"
    again = as_bob.submit(f"/incidents/{incident_id}/confirm", {"back": "detail"})
    assert again.status_code == 409
    resolved = as_bob.submit(
        f"/incidents/{incident_id}/resolve", {"back": "detail", "reason": "over"}
    )
    assert resolved.status_code == 303
    assert incident_of(app, incident_id).status == "resolved"
    assert status_of(app, post.id) == "queued"
    page = as_bob.page(f"/incidents/{incident_id}")
    assert "Save changes" not in page and "over" in page


def test_an_approver_edits_title_kind_severity_and_regions(app, as_bob):
    texas = queue(app)
    france = queue(app, regions=["FR"])
    incident_id = declare(app).incident.id
    response = as_bob.submit(
        f"/incidents/{incident_id}/edit",
        {
            "seen_status": "active",
            "title": "Storm in France",
            "kind": "storm",
            "severity": "3",
            "regions": "France",
            "extend_hours": "",
            "reason": "misread",
        },
    )
    assert response.status_code == 303
    incident = incident_of(app, incident_id)
    assert (incident.title, incident.kind, incident.regions) == ("Storm in France", "storm", ["FR"])
    assert status_of(app, texas.id) == "queued" and status_of(app, france.id) == "held"
    with app.db.session() as session:
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "incident.amended", AuditEvent.object_id == incident_id
            )
        )
        assert event is not None and event.actor == "bob" and event.reason == "misread"
        assert event.details["title"] == ["Gunman kills 5 in Uvalde, Texas", "Storm in France"]
        assert event.details["kind"] == ["shooting", "storm"]
        assert "severity" not in event.details  # unchanged fields are no change


def test_extending_moves_the_expiry(app, as_bob):
    incident_id = declare(app).incident.id
    before = incident_of(app, incident_id).expires_at
    values = {
        "seen_status": "active",
        "title": "Gunman kills 5 in Uvalde, Texas",
        "kind": "shooting",
        "severity": "3",
        "regions": "US-TX",
        "extend_hours": "6",
    }
    assert as_bob.submit(f"/incidents/{incident_id}/edit", values).status_code == 303
    after = incident_of(app, incident_id).expires_at
    assert (after - before).total_seconds() == 6 * 3600


def test_a_bad_edit_names_the_field_and_changes_nothing(app, as_bob):
    incident_id = declare(app).incident.id
    response = as_bob.submit(
        f"/incidents/{incident_id}/edit",
        {
            "seen_status": "active",
            "title": " ",
            "kind": "meteor",
            "severity": "3",
            "regions": "Atlantis",
            "extend_hours": "-1",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for field in ("title", "kind", "regions", "extend_hours"):
        assert f'id="error-edit-{field}"' in page, field
    assert incident_of(app, incident_id).title == "Gunman kills 5 in Uvalde, Texas"


def test_an_edit_of_a_state_the_page_did_not_show_is_a_conflict(app, as_bob):
    incident_id = store_report(app)
    with app.db.session() as session:
        incidents.confirm(session, incident_id, None)  # someone else, meanwhile
    response = as_bob.submit(
        f"/incidents/{incident_id}/edit",
        {
            "seen_status": "active",
            "title": "Changed",
            "kind": "shooting",
            "severity": "3",
            "regions": "US-TX",
        },
    )
    assert response.status_code == 409
    assert "is now confirmed" in response.get_data(as_text=True)
    assert incident_of(app, incident_id).title == "Gunman kills 5 in Uvalde, Texas"


def test_the_api_lists_the_posts_an_incident_holds(app, alice_api):
    held = queue(app)
    queue(app, regions=["FR"])
    incident_id = declare(app).incident.id
    body = alice_api.get(f"/incidents/{incident_id}/held").get_json()
    assert body["total"] == 1 and [p["id"] for p in body["posts"]] == [held.id]
    assert body["posts"][0]["holds"][0]["incident_id"] == incident_id
    assert alice_api.get("/incidents/999999/held").status_code == 404


def test_the_api_edits_title_and_kind(app, bob_api):
    incident_id = declare(app).incident.id
    response = bob_api.patch(f"/incidents/{incident_id}", {"title": "Renamed", "kind": "storm"})
    assert response.status_code == 200
    assert (response.get_json()["title"], response.get_json()["kind"]) == ("Renamed", "storm")
    bad = bob_api.patch(f"/incidents/{incident_id}", {"kind": "meteor"})
    assert bad.status_code == 400 and "kind" in bad.get_json()["errors"]
