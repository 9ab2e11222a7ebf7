"""Incidents of the monitor era on the web: source, confidence, the review badge,
the reports behind an incident, and confirming, amending, extending and ending them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from scheduler import incidents
from tests.helpers import declare, queue, status_of
from tests.web.reports import store_report


def incident_state(app: Any, incident_id: int) -> tuple[Any, ...]:
    with app.db.session() as session:
        incident = incidents.get_incident(session, incident_id)
        return (
            incident.status,
            incident.severity,
            list(incident.regions),
            incident.expires_at,
            incident.needs_review,
        )


def row_of(page: str, incident_id: int) -> str:
    found = re.search(rf'<tr id="incident-{incident_id}">(.*?)</tr>', page, re.S)
    assert found, f"no row for incident {incident_id}"
    return found.group(1)


# ----------------------------------------------------------------- the page
def test_a_monitor_incident_shows_its_source_confidence_review_badge_and_reports(app, as_alice):
    incident_id = store_report(app, confidence=0.4)
    store_report(
        app,
        title="Uvalde shooting: victims named",
        link="javascript:alert(1)",
        evidence=["'shooting' in title"],
        confidence=0.5,
    )
    row = row_of(as_alice.page("/incidents"), incident_id)
    assert ">monitor<" in row.replace("<br>", "<")
    assert "confidence 50%" in row  # the highest report's confidence
    assert "needs review" in row
    assert "2 reports behind it" in row
    assert '<a href="https://news.test/uvalde" rel="noopener noreferrer">' in row
    assert "Gunman kills 5 in Uvalde, Texas" in row
    assert "Evidence: 'kills 5' in title; Uvalde -> US-TX" in row
    # A feed's javascript: link is shown as text, never as a link.
    assert "Uvalde shooting: victims named" in row
    assert "javascript:" not in row


def test_an_incident_over_an_area_is_shown_by_the_areas_name_with_its_codes(app, as_alice):
    new_england = ["US-MA", "US-CT", "US-NH", "US-RI", "US-ME", "US-VT"]
    area = declare(app, regions=new_england, title="Blizzard buries New England").incident
    some = declare(app, regions=["US-MA", "US-CT"], title="Storm in two states").incident
    page = as_alice.page("/incidents")
    row = row_of(page, area.id)
    assert re.search(r'<span title="([^"]+)">New England</span> \(6 regions\)', row)
    assert set(re.search(r'<span title="([^"]+)">', row).group(1).split(", ")) == set(new_england)
    # Some of an area's members are listed as codes.
    assert "New England" not in row_of(page, some.id).replace("Storm in two states", "")
    assert "New England</span> (6 regions)" in as_alice.page("/dashboard")


def test_a_manual_incident_has_no_reports_or_review_badge(app, as_alice):
    incident_id = declare(app).incident.id
    row = row_of(as_alice.page("/incidents"), incident_id)
    assert "manual" in row
    assert "needs review" not in row
    assert "reports behind it" not in row


def test_a_manager_sees_no_review_actions_and_cannot_post_them(app, as_alice):
    incident_id = store_report(app, confidence=0.4)
    page = as_alice.page("/incidents")
    assert "/confirm" not in page
    assert "/amend" not in page
    before = incident_state(app, incident_id)
    assert as_alice.submit(f"/incidents/{incident_id}/confirm", {}).status_code == 403
    form = {"severity": "4", "regions": "US-TX", "extend_hours": "", "reason": ""}
    assert as_alice.submit(f"/incidents/{incident_id}/amend", form).status_code == 403
    assert incident_state(app, incident_id) == before


# -------------------------------------------------------------- UI actions
def test_an_approver_confirms_an_incident_marked_for_review(app, as_bob):
    incident_id = store_report(app, confidence=0.4)
    assert 'aria-label="Confirm incident' in as_bob.page("/incidents")
    response = as_bob.submit(f"/incidents/{incident_id}/confirm", {})
    assert response.status_code == 303
    status, _, _, _, review = incident_state(app, incident_id)
    assert (status, review) == ("confirmed", False)
    row = row_of(as_bob.page("/incidents"), incident_id)
    assert "needs review" not in row
    assert "Confirm incident" not in row
    assert as_bob.submit(f"/incidents/{incident_id}/confirm", {}).status_code == 409


def test_an_approver_dismisses_a_false_alarm_from_the_monitor(app, as_bob):
    post = queue(app)
    incident_id = store_report(app, confidence=0.4)
    assert status_of(app, post.id) == "held"
    assert as_bob.submit(f"/incidents/{incident_id}/dismiss", {}).status_code == 303
    assert status_of(app, post.id) == "queued"
    assert incident_state(app, incident_id)[0] == "dismissed"


def amend_form(**changes: str) -> dict[str, str]:
    return {"severity": "3", "regions": "US-TX", "extend_hours": "", "reason": "", **changes}


def test_raising_the_severity_and_widening_holds_more_posts(app, as_bob):
    far = queue(app, regions=["US-CA"])
    incident_id = declare(app).incident.id
    assert status_of(app, far.id) == "queued"
    form = amend_form(severity="4", regions="US-TX, US-CA", reason="it spread")
    response = as_bob.submit(f"/incidents/{incident_id}/amend", form)
    assert response.status_code == 303
    _, severity, regions, _, _ = incident_state(app, incident_id)
    assert (severity, sorted(regions)) == (4, ["US-CA", "US-TX"])
    assert status_of(app, far.id) == "held"
    assert "changed: regions, severity" in as_bob.page("/incidents")


def test_narrowing_the_regions_releases_the_posts_no_longer_covered(app, as_bob):
    texas = queue(app)
    incident_id = declare(app, regions=["US-TX", "US-CA"]).incident.id
    assert status_of(app, texas.id) == "held"
    response = as_bob.submit(f"/incidents/{incident_id}/amend", amend_form(regions="California"))
    assert response.status_code == 303
    assert incident_state(app, incident_id)[2] == ["US-CA"]
    assert status_of(app, texas.id) == "queued"


def test_extending_an_incident_pushes_its_expiry(app, as_bob):
    incident_id = declare(app).incident.id
    expires = incident_state(app, incident_id)[3]
    response = as_bob.submit(f"/incidents/{incident_id}/amend", amend_form(extend_hours="12"))
    assert response.status_code == 303
    assert incident_state(app, incident_id)[3] == expires + timedelta(hours=12)


def test_an_unchanged_form_changes_nothing(app, as_bob):
    incident_id = declare(app).incident.id
    before = incident_state(app, incident_id)
    response = as_bob.submit(f"/incidents/{incident_id}/amend", amend_form(reason="no-op"))
    assert response.status_code == 303
    assert "nothing changed" in as_bob.page("/incidents")
    assert incident_state(app, incident_id) == before


BAD_AMENDS = [
    pytest.param({"severity": "9"}, "severity", id="severity-9"),
    pytest.param({"severity": "grave"}, "severity", id="severity-word"),
    pytest.param({"severity": ""}, "severity", id="severity-missing"),
    pytest.param({"regions": "XX-NOPE"}, "regions", id="unknown-region"),
    pytest.param({"regions": ""}, "regions", id="no-region"),
    pytest.param({"extend_hours": "-2"}, "extend_hours", id="extend-negative"),
    pytest.param({"extend_hours": "soon"}, "extend_hours", id="extend-word"),
]


@pytest.mark.parametrize(("change", "field"), BAD_AMENDS)
def test_a_bad_change_in_the_ui_is_named_and_leaves_the_incident_unchanged(
    app, as_bob, change, field
):
    post = queue(app)
    incident_id = declare(app).incident.id
    before = incident_state(app, incident_id)
    response = as_bob.submit(f"/incidents/{incident_id}/amend", amend_form(**change))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="error-amend-{incident_id}-{field}"' in page
    assert incident_state(app, incident_id) == before
    assert status_of(app, post.id) == "held"


def test_an_ended_incident_cannot_be_changed(app, as_bob):
    incident_id = declare(app).incident.id
    as_bob.submit(f"/incidents/{incident_id}/resolve", {})
    response = as_bob.submit(f"/incidents/{incident_id}/amend", amend_form(severity="4"))
    assert response.status_code == 409
    assert incident_state(app, incident_id)[1] == 3


# --------------------------------------------------------------------- API
def test_the_api_shows_monitor_fields_and_the_reports(app, alice_api):
    incident_id = store_report(app, confidence=0.4)
    one = alice_api.get(f"/incidents/{incident_id}").json
    assert (one["source"], one["confidence"], one["needs_review"]) == ("monitor", 0.4, True)
    (report,) = one["reports"]
    assert report["title"] == "Gunman kills 5 in Uvalde, Texas"
    assert report["link"] == "https://news.test/uvalde"
    assert report["evidence"] == ["'kills 5' in title", "Uvalde -> US-TX"]
    listed = alice_api.get("/incidents").json["incidents"]
    assert listed[0]["needs_review"] is True
    assert "reports" not in listed[0]


def test_confirming_through_the_api(app, alice_api, bob_api):
    incident_id = store_report(app, confidence=0.4)
    assert alice_api.post(f"/incidents/{incident_id}/confirm").status_code == 403
    response = bob_api.post(f"/incidents/{incident_id}/confirm")
    assert response.status_code == 200
    assert (response.json["status"], response.json["needs_review"]) == ("confirmed", False)
    again = bob_api.post(f"/incidents/{incident_id}/confirm")
    assert again.status_code == 409
    assert "status" in again.json["errors"]
    assert bob_api.post("/incidents/99/confirm").status_code == 404


def test_amending_through_the_api(app, bob_api):
    far = queue(app, regions=["US-CA"])
    incident_id = declare(app).incident.id
    expires = incident_state(app, incident_id)[3]
    body = {"severity": 4, "regions": ["US-TX", "California"], "extend_hours": 6, "reason": "wider"}
    response = bob_api.patch(f"/incidents/{incident_id}", body)
    assert response.status_code == 200, response.json
    assert response.json["severity"] == 4
    assert sorted(response.json["regions"]) == ["US-CA", "US-TX"]
    assert response.json["held"] == 1
    assert incident_state(app, incident_id)[3] == expires + timedelta(hours=6)
    assert status_of(app, far.id) == "held"


def test_a_manager_token_cannot_amend(app, alice_api):
    incident_id = declare(app).incident.id
    before = incident_state(app, incident_id)
    response = alice_api.patch(f"/incidents/{incident_id}", {"severity": 1})
    assert response.status_code == 403
    assert incident_state(app, incident_id) == before


BAD_API_AMENDS = [
    pytest.param({"severity": 5}, "severity", id="severity-5"),
    pytest.param({"severity": "grave"}, "severity", id="severity-word"),
    pytest.param({"regions": []}, "regions", id="no-regions"),
    pytest.param({"regions": ["XX-NOPE"]}, "regions", id="unknown-region"),
    pytest.param({"regions": "US-TX"}, "regions", id="regions-a-string"),
    pytest.param({"extend_hours": 0}, "extend_hours", id="extend-zero"),
    pytest.param({"status": "resolved"}, "status", id="unknown-field"),
    pytest.param({}, "_schema", id="nothing"),
    pytest.param(["severity", 4], "_schema", id="not-an-object"),
]


@pytest.mark.parametrize(("body", "field"), BAD_API_AMENDS)
def test_a_bad_api_change_is_named_and_leaves_the_incident_unchanged(app, bob_api, body, field):
    post = queue(app)
    incident_id = declare(app).incident.id
    before = incident_state(app, incident_id)
    response = bob_api.patch(f"/incidents/{incident_id}", body)
    assert response.status_code == 400
    assert field in response.json["errors"], response.json
    assert incident_state(app, incident_id) == before
    assert status_of(app, post.id) == "held"


def test_an_ended_incident_cannot_be_amended_through_the_api(app, bob_api):
    incident_id = declare(app).incident.id
    bob_api.post(f"/incidents/{incident_id}/dismiss")
    response = bob_api.patch(f"/incidents/{incident_id}", {"severity": 4})
    assert response.status_code == 409
    assert incident_state(app, incident_id)[:2] == ("dismissed", 3)
