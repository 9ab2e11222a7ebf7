"""The JSON API: tokens, the post and incident endpoints, one error shape, OpenAPI."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from scheduler.models import Incident, Post
from tests.helpers import declare, queue, status_of
from tests.web import count, snapshot

GOOD_POST: dict[str, Any] = {
    "text": "Flash sale: 30% off today only!",
    "channels": ["outbox"],
    "publish_at": "2026-06-01T12:30",
    "timezone": "UTC",
    "category": "promotional",
    "regions": ["US-TX"],
}
GOOD_INCIDENT: dict[str, Any] = {
    "kind": "shooting",
    "severity": 3,
    "regions": ["US-TX"],
    "title": "Gunman kills 5 in Uvalde, Texas",
}
URL = "https://example.com/" + "p" * 80

BAD_POSTS = [
    pytest.param({"text": ""}, "text", id="empty-text"),
    pytest.param({"text": "x" * 281, "channels": ["us"]}, "text", id="281-chars-on-x"),
    pytest.param(
        {"text": "a" * 257 + " " + "https://e.co/x", "channels": ["us"]},
        "text",
        id="a-short-url-counts-23-on-x",
    ),
    pytest.param(
        {"text": "👍🏽" * 301, "channels": ["sky"]}, "text", id="301-graphemes-on-bluesky"
    ),
    pytest.param({"channels": ["nope"]}, "channels", id="unknown-channel"),
    pytest.param({"channels": []}, "channels", id="no-channel"),
    pytest.param({"channels": None}, "channels", id="null-channels"),
    pytest.param({"publish_at": "2026-07-01"}, "publish_at", id="date-only"),
    pytest.param({"publish_at": "2026-05-01T09:00"}, "publish_at", id="in-the-past"),
    pytest.param({"publish_at": "next tuesday-ish"}, "publish_at", id="nonsense-time"),
    pytest.param({"timezone": "Mars/Olympus"}, "timezone", id="unknown-zone"),
    pytest.param(
        {"publish_at": "2027-03-28T02:30", "timezone": "Europe/Paris"},
        "publish_at",
        id="skipped-by-spring-forward",
    ),
    pytest.param({"category": "condolence"}, "category", id="condolence"),
    pytest.param({"category": "lottery"}, "category", id="unknown-category"),
    pytest.param({"regions": ["XX-NOPE"]}, "regions", id="unknown-region"),
    pytest.param({"colour": "red"}, "colour", id="unknown-field"),
]


def test_requests_without_a_token_are_refused_with_401(client):
    response = client.get("/api/v1/posts")
    assert response.status_code == 401
    assert "authorization" in response.json["errors"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer tft_not-a-real-token", "Basic YWxpY2U6cGFzc3dvcmQ=", "Bearer ", "tft_naked"],
)
def test_requests_with_a_bad_token_are_refused_with_401(app, client, header):
    response = client.post("/api/v1/posts", json=GOOD_POST, headers={"Authorization": header})
    assert response.status_code == 401
    assert list(response.json["errors"]) == ["authorization"]
    assert count(app, Post) == 0


def test_a_session_cookie_does_not_open_the_api(app, as_alice):
    """The API is CSRF-exempt, so it must never accept the browser's cookie."""
    response = as_alice.client.post("/api/v1/posts", json=GOOD_POST)
    assert response.status_code == 401
    assert count(app, Post) == 0


def test_a_post_is_queued_and_read_back(alice_api):
    created = alice_api.post("/posts", GOOD_POST)
    assert created.status_code == 201, created.json
    (post,) = created.json["posts"]
    assert post["channel"] == "outbox"
    assert post["status"] == "queued"
    assert post["regions"] == ["US-TX"]
    assert post["holds"] == []
    assert datetime.fromisoformat(post["publish_at"]) == datetime(2026, 6, 1, 12, 30, tzinfo=UTC)
    assert re.search(r"(Z|\+00:00)$", post["publish_at"])
    fetched = alice_api.get(f"/posts/{post['id']}")
    assert fetched.status_code == 200
    assert fetched.json == post


def test_one_post_per_channel_shares_a_group_key(alice_api):
    response = alice_api.post("/posts", {**GOOD_POST, "channels": ["outbox", "us", "sky"]})
    assert response.status_code == 201
    created = response.json["posts"]
    assert [p["channel"] for p in created] == ["outbox", "us", "sky"]
    assert len({p["group_key"] for p in created}) == 1


def test_urls_count_23_on_x_whatever_their_length(alice_api):
    text = "a" * 256 + " " + URL  # 256 + 1 + 23 = 280 as X counts, 357 characters long
    response = alice_api.post("/posts", {**GOOD_POST, "text": text, "channels": ["us"]})
    assert response.status_code == 201, response.json


def test_bluesky_counts_graphemes_not_code_points(alice_api):
    text = "👍🏽" * 300  # 600 code points, 300 graphemes
    response = alice_api.post("/posts", {**GOOD_POST, "text": text, "channels": ["sky"]})
    assert response.status_code == 201, response.json


@pytest.mark.parametrize(("wall", "utc_hour"), [("2026-10-25T09:00", 8), ("2026-10-24T09:00", 7)])
def test_nine_in_paris_stays_nine_across_the_autumn_clock_change(alice_api, wall, utc_hour):
    body = {**GOOD_POST, "publish_at": wall, "timezone": "Europe/Paris"}
    response = alice_api.post("/posts", body)
    assert response.status_code == 201, response.json
    (post,) = response.json["posts"]
    day = int(wall[8:10])
    assert datetime.fromisoformat(post["publish_at"]) == datetime(
        2026, 10, day, utc_hour, 0, tzinfo=UTC
    )
    assert post["local_time"] == wall + ":00"
    assert post["timezone"] == "Europe/Paris"


@pytest.mark.parametrize(("change", "field"), BAD_POSTS)
def test_bad_post_input_is_refused_naming_the_field_and_stores_nothing(
    app, alice_api, change, field
):
    before = count(app, Post)
    response = alice_api.post("/posts", {**GOOD_POST, **change})
    assert response.status_code == 400
    assert field in response.json["errors"], response.json
    assert all(isinstance(m, str) for msgs in response.json["errors"].values() for m in msgs)
    assert count(app, Post) == before


def test_several_bad_fields_are_all_named_at_once(alice_api):
    response = alice_api.post(
        "/posts", {**GOOD_POST, "text": "", "channels": ["outbox", "nope"], "regions": ["XX-NOPE"]}
    )
    assert response.status_code == 400
    assert {"text", "channels", "regions"} <= set(response.json["errors"])


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(b'{"text": "Hello", ', "application/json", id="truncated-json"),
        pytest.param(b"[1, 2, 3]", "application/json", id="a-list"),
        pytest.param(b'"just a string"', "application/json", id="a-string"),
        pytest.param(b"", "application/json", id="empty"),
        pytest.param(b"\xff\xfe\x00garbage", "application/json", id="not-utf8"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused_on_schema(app, alice_api, body, content_type):
    response = alice_api.post("/posts", data=body, content_type=content_type)
    assert response.status_code == 400
    assert list(response.json["errors"]) == ["_schema"]
    assert count(app, Post) == 0


def test_a_form_body_is_refused_as_not_json(app, alice_api):
    """A form is not JSON: 415, naming the content type (and nothing stored)."""
    response = alice_api.post(
        "/posts", data=b"text=Hello", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert list(response.json["errors"]) == ["content-type"]
    assert count(app, Post) == 0


def test_a_body_over_the_size_limit_is_refused_with_413(app, alice_api):
    huge = {**GOOD_POST, "text": "x" * (app.settings.max_content_length + 1)}
    response = alice_api.post("/posts", huge)
    assert response.status_code == 413
    assert "errors" in response.json
    assert count(app, Post) == 0


def test_an_unknown_post_is_a_404_naming_it(alice_api):
    response = alice_api.get("/posts/5")
    assert response.status_code == 404
    assert response.json == {"errors": {"id": ["post 5 not found"]}}
    assert alice_api.patch("/posts/5", {"text": "Hi"}).status_code == 404
    assert alice_api.delete("/posts/5").status_code == 404


def test_an_unknown_api_path_answers_json(alice_api):
    response = alice_api.get("/nothing-here")
    assert response.status_code == 404
    assert "errors" in response.json


def test_patch_reschedules_a_post(app, alice_api):
    post = queue(app)
    response = alice_api.patch(
        f"/posts/{post.id}", {"publish_at": "2026-06-02T09:00", "timezone": "America/New_York"}
    )
    assert response.status_code == 200, response.json
    assert datetime.fromisoformat(response.json["publish_at"]) == datetime(
        2026, 6, 2, 13, 0, tzinfo=UTC
    )
    assert response.json["local_time"] == "2026-06-02T09:00:00"
    assert alice_api.get(f"/posts/{post.id}").json["timezone"] == "America/New_York"


def test_patch_edits_text_and_regions(app, alice_api):
    post = queue(app)
    response = alice_api.patch(f"/posts/{post.id}", {"text": "New text", "regions": ["France"]})
    assert response.status_code == 200
    assert response.json["text"] == "New text"
    assert response.json["regions"] == ["FR"]


BAD_PATCHES = [
    pytest.param({"text": ""}, "text", id="empty-text"),
    pytest.param({"text": "x" * 281}, "text", id="281-chars-on-x"),
    pytest.param({"text": "a" * 257 + " https://e.co/x"}, "text", id="url-counts-23"),
    pytest.param({"publish_at": "2026-07-01"}, "publish_at", id="date-only"),
    pytest.param({"publish_at": "2026-05-01T09:00"}, "publish_at", id="in-the-past"),
    pytest.param({"publish_at": "whenever"}, "publish_at", id="nonsense-time"),
    pytest.param({"timezone": "Mars/Olympus"}, "timezone", id="unknown-zone"),
    pytest.param(
        {"publish_at": "2027-03-28T02:30", "timezone": "Europe/Paris"},
        "publish_at",
        id="skipped-by-spring-forward",
    ),
    pytest.param({"category": "condolence"}, "category", id="condolence"),
    pytest.param({"category": "lottery"}, "category", id="unknown-category"),
    pytest.param({"regions": ["XX-NOPE"]}, "regions", id="unknown-region"),
    pytest.param({"status": "published"}, "status", id="status-published"),
    pytest.param({"channels": ["sky"]}, "channels", id="channel-cannot-change"),
    pytest.param({"colour": "red"}, "colour", id="unknown-field"),
    pytest.param({}, "_schema", id="nothing-to-change"),
    pytest.param({"text": "Fine", "regions": ["XX-NOPE"]}, "regions", id="good-and-bad"),
]


@pytest.mark.parametrize(("change", "field"), BAD_PATCHES)
def test_a_bad_patch_names_the_field_and_leaves_the_post_unchanged(app, alice_api, change, field):
    post = queue(app, channels=["us"])
    before = snapshot(app, post.id)
    response = alice_api.patch(f"/posts/{post.id}", change)
    assert response.status_code == 400
    assert field in response.json["errors"], response.json
    assert snapshot(app, post.id) == before


def test_a_patch_body_that_is_a_list_is_refused(app, alice_api):
    post = queue(app)
    before = snapshot(app, post.id)
    response = alice_api.patch(f"/posts/{post.id}", [{"text": "Hi"}])
    assert response.status_code == 400
    assert list(response.json["errors"]) == ["_schema"]
    assert snapshot(app, post.id) == before


def test_delete_cancels_and_a_cancelled_post_cannot_be_edited(app, alice_api):
    post = queue(app)
    response = alice_api.delete(f"/posts/{post.id}")
    assert response.status_code == 200
    assert response.json["status"] == "cancelled"
    assert status_of(app, post.id) == "cancelled"
    before = snapshot(app, post.id)
    conflict = alice_api.patch(f"/posts/{post.id}", {"text": "Too late"})
    assert conflict.status_code == 409
    assert list(conflict.json["errors"]) == ["status"]
    assert snapshot(app, post.id) == before
    assert alice_api.delete(f"/posts/{post.id}").status_code == 409


def test_listing_filters_by_status_and_pages(app, alice_api):
    kept = [queue(app), queue(app, channels=["us"])]
    gone = queue(app)
    alice_api.delete(f"/posts/{gone.id}")
    queued = alice_api.get("/posts", query_string={"status": "queued"}).json
    assert queued["total"] == 2
    assert sorted(p["id"] for p in queued["posts"]) == sorted(p.id for p in kept)
    cancelled = alice_api.get("/posts", query_string={"status": "cancelled"}).json
    assert [p["id"] for p in cancelled["posts"]] == [gone.id]
    by_channel = alice_api.get("/posts", query_string={"channel": "us"}).json
    assert [p["channel"] for p in by_channel["posts"]] == ["us"]
    page = alice_api.get("/posts", query_string={"limit": 1, "offset": 1}).json
    assert page["total"] == 3
    assert len(page["posts"]) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "sleeping"}, "status"), ({"limit": "lots"}, "limit"), ({"sort": "id"}, "sort")],
)
def test_a_bad_list_filter_is_named(alice_api, query, field):
    response = alice_api.get("/posts", query_string=query)
    assert response.status_code == 400
    assert field in response.json["errors"]


def test_incidents_declared_and_resolved_through_the_api_hold_and_release_a_post(
    app, alice_api, bob_api
):
    promo = alice_api.post("/posts", GOOD_POST).json["posts"][0]
    service = alice_api.post("/posts", {**GOOD_POST, "category": "service"}).json["posts"][0]
    declared = bob_api.post("/incidents", GOOD_INCIDENT)
    assert declared.status_code == 201, declared.json
    incident = declared.json
    assert incident["status"] == "active"
    assert incident["regions"] == ["US-TX"]
    assert incident["held"] == 1

    held = alice_api.get(f"/posts/{promo['id']}").json
    assert held["status"] == "held"
    assert held["holds"] == [
        {
            "incident_id": incident["id"],
            "incident_title": "Gunman kills 5 in Uvalde, Texas",
            "rule": "promotional/inside/severity>=2",
            "since": held["holds"][0]["since"],
        }
    ]
    assert alice_api.get(f"/posts/{service['id']}").json["status"] == "queued"
    listed = bob_api.get("/incidents", query_string={"open": "true"}).json["incidents"]
    assert [(i["id"], i["held"]) for i in listed] == [(incident["id"], 1)]

    resolved = bob_api.post(f"/incidents/{incident['id']}/resolve", {"reason": "over"})
    assert resolved.status_code == 200
    assert resolved.json == {
        "id": incident["id"],
        "status": "resolved",
        "released": 1,
        "requeued": 1,
        "needs_review": 0,
    }
    released = alice_api.get(f"/posts/{promo['id']}").json
    assert released["status"] == "queued"
    assert released["holds"] == []
    assert bob_api.get(f"/incidents/{incident['id']}").json["status"] == "resolved"


def test_dismissing_needs_no_body_and_twice_is_a_conflict(app, bob_api):
    post = queue(app)
    incident = bob_api.post("/incidents", GOOD_INCIDENT).json
    assert status_of(app, post.id) == "held"
    dismissed = bob_api.post(f"/incidents/{incident['id']}/dismiss")
    assert dismissed.status_code == 200
    assert dismissed.json["requeued"] == 1
    assert status_of(app, post.id) == "queued"
    again = bob_api.post(f"/incidents/{incident['id']}/resolve")
    assert again.status_code == 409
    assert "status" in again.json["errors"]


def test_a_post_released_after_its_time_needs_review(app, frozen, bob_api):
    post = queue(app)
    incident = declare(app).incident
    frozen.advance(hours=2)
    response = bob_api.post(f"/incidents/{incident.id}/resolve")
    assert response.json["needs_review"] == 1
    assert status_of(app, post.id) == "needs_review"


def test_a_manager_token_cannot_declare_or_end_incidents(app, alice_api):
    response = alice_api.post("/incidents", GOOD_INCIDENT)
    assert response.status_code == 403
    assert "role" in response.json["errors"]
    assert count(app, Incident) == 0
    incident = declare(app).incident
    assert alice_api.post(f"/incidents/{incident.id}/resolve").status_code == 403
    assert alice_api.get(f"/incidents/{incident.id}").json["status"] == "active"


BAD_INCIDENTS = [
    pytest.param({"severity": 0}, "severity", id="severity-0"),
    pytest.param({"severity": 5}, "severity", id="severity-5"),
    pytest.param({"severity": "grave"}, "severity", id="severity-word"),
    pytest.param({"regions": []}, "regions", id="no-regions"),
    pytest.param({"regions": ["XX-NOPE"]}, "regions", id="unknown-region"),
    pytest.param({"kind": "picnic"}, "kind", id="unknown-kind"),
    pytest.param({"title": ""}, "title", id="empty-title"),
    pytest.param({"expires_in_hours": -1}, "expires_in_hours", id="expired-already"),
    pytest.param({"colour": "red"}, "colour", id="unknown-field"),
]


@pytest.mark.parametrize(("change", "field"), BAD_INCIDENTS)
def test_bad_incident_input_is_refused_naming_the_field_and_holds_nothing(
    app, bob_api, change, field
):
    post = queue(app)
    response = bob_api.post("/incidents", {**GOOD_INCIDENT, **change})
    assert response.status_code == 400
    assert field in response.json["errors"], response.json
    assert count(app, Incident) == 0
    assert status_of(app, post.id) == "queued"


def test_incident_without_regions_is_refused(app, bob_api):
    body = {k: v for k, v in GOOD_INCIDENT.items() if k != "regions"}
    response = bob_api.post("/incidents", body)
    assert response.status_code == 400
    assert "regions" in response.json["errors"]
    assert count(app, Incident) == 0


def test_an_incident_list_body_is_refused(app, bob_api):
    response = bob_api.post("/incidents", [GOOD_INCIDENT])
    assert response.status_code == 400
    assert list(response.json["errors"]) == ["_schema"]
    assert count(app, Incident) == 0


def test_an_end_reason_that_is_not_an_object_is_refused(app, bob_api):
    incident = declare(app).incident
    response = bob_api.post(f"/incidents/{incident.id}/resolve", ["done"])
    assert response.status_code == 400
    assert bob_api.get(f"/incidents/{incident.id}").json["status"] == "active"


def test_regions_are_searched_by_name(alice_api):
    response = alice_api.get("/regions", query_string={"q": "Texas"})
    assert response.status_code == 200
    assert "US-TX" in [r["code"] for r in response.json["regions"]]
    assert alice_api.get("/regions").status_code == 400


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_openapi_describes_every_api_path_and_method(web, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.1")
    for rule in web.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = _openapi_path(rule.rule)
        assert path in document["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], (path, method)
    schemas = document["components"]["schemas"]
    assert set(schemas["Post"]["properties"]) >= {"publish_at", "local_time", "holds", "channel"}
    assert schemas["PostCreate"]["additionalProperties"] is False
    assert schemas["IncidentCreate"]["properties"]["severity"]["maximum"] == 4


def test_the_openapi_refs_all_resolve(client):
    document = client.get("/api/v1/openapi.json").json
    text = str(document)
    for ref in set(re.findall(r"#/components/(\w+)/(\w+)", text)):
        section, name = ref
        assert name in document["components"][section], ref
