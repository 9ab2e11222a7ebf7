"""One error shape for every error of /api/v1, each documented; and one way to page
and filter the lists (``limit``, ``cursor``, ``next_cursor``), the posts list apart."""

from __future__ import annotations

import json

import pytest
from werkzeug.exceptions import TooManyRequests

from scheduler.feeds import manage
from scheduler.models import Post
from tests.conftest import make_user
from tests.helpers import declare
from tests.web import Api, count, token_for
from web.api_schemas import openapi_document

GOOD_POST = {
    "text": "Summer sale: 20% off",
    "channels": ["outbox"],
    "publish_at": "2026-06-02T09:00",
    "category": "promotional",
}
LISTS = {
    "/incidents": "incidents",
    "/condolences": "condolences",
    "/audit": "events",
    "/feeds": "feeds",
    "/tokens": "tokens",
    "/users": "users",
}


def assert_error_shape(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.json
    assert list(body) == ["errors"] and body["errors"], body
    for field, messages in body["errors"].items():
        assert isinstance(field, str) and field
        assert messages and all(isinstance(m, str) and m for m in messages)
    return body["errors"]


@pytest.fixture
def carol_api(client, app, carol) -> Api:
    return Api(client, token_for(app, carol))


@pytest.fixture
def document(app):
    return openapi_document(app.settings)


def documented(document, path, method, status):
    operation = document["paths"]["/api/v1" + path][method]
    return str(status) in operation["responses"]


def test_every_error_status_has_the_one_shape_and_is_documented(
    app, client, alice_api, bob_api, document
):
    responses = document["components"]["responses"]
    for status in (400, 401, 403, 404, 405, 409, 413, 415, 500):
        assert responses[f"E{status}"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Errors"
        }

    assert "limit" in assert_error_shape(alice_api.get("/incidents?limit=0"), 400)
    assert documented(document, "/incidents", "get", 400)

    unauthenticated = client.get("/api/v1/posts")
    assert "authorization" in assert_error_shape(unauthenticated, 401)
    assert unauthenticated.headers["WWW-Authenticate"].startswith("Bearer")
    assert documented(document, "/posts", "get", 401)

    forbidden = alice_api.post(
        "/incidents", {"kind": "flood", "severity": 2, "regions": ["FR"], "title": "Flood"}
    )
    assert "role" in assert_error_shape(forbidden, 403)
    assert documented(document, "/incidents", "post", 403)

    assert "id" in assert_error_shape(alice_api.get("/posts/999999"), 404)
    assert "path" in assert_error_shape(alice_api.get("/nothing-here"), 404)
    assert documented(document, "/posts/{post_id}", "get", 404)

    wrong_method = alice_api.call("PUT", "/posts")
    assert "method" in assert_error_shape(wrong_method, 405)
    assert set(wrong_method.headers["Allow"].split(", ")) >= {"GET", "POST"}

    incident = declare(app).incident
    assert bob_api.post(f"/incidents/{incident.id}/resolve").status_code == 200
    assert "status" in assert_error_shape(bob_api.post(f"/incidents/{incident.id}/resolve"), 409)
    assert documented(document, "/incidents/{incident_id}/resolve", "post", 409)

    huge = {**GOOD_POST, "text": "x" * (app.settings.max_content_length + 1)}
    assert "body" in assert_error_shape(alice_api.post("/posts", huge), 413)
    assert documented(document, "/posts", "post", 413)


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]
)
def test_a_body_not_sent_as_json_is_a_415(app, alice_api, document, content_type):
    response = alice_api.post("/posts", data=b"text=Hello", content_type=content_type)
    errors = assert_error_shape(response, 415)
    assert "application/json" in errors["content-type"][0]
    assert count(app, Post) == 0
    # Every operation that takes a body documents it, and the usual body errors.
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "requestBody" in operation:
                for status in ("400", "413", "415"):
                    assert status in operation["responses"], (method, path, status)


def test_a_json_body_without_a_content_type_is_still_read(app, alice_api):
    response = alice_api.post("/posts", data=json.dumps(GOOD_POST).encode(), content_type="")
    assert response.status_code == 201, response.json


def test_errors_raised_around_the_views_have_the_shape_too(web, alice_api):
    def boom():
        raise RuntimeError("a bug")

    def busy():
        raise TooManyRequests("Slow down.", retry_after=30)

    web.add_url_rule("/api/v1/_boom", "boom", boom)
    web.add_url_rule("/api/v1/_busy", "busy", busy)
    web.config["PROPAGATE_EXCEPTIONS"] = False
    failed = alice_api.get("/_boom")
    assert "a bug" not in failed.get_data(as_text=True)
    assert_error_shape(failed, 500)
    throttled = alice_api.get("/_busy")
    assert assert_error_shape(throttled, 429) == {"_schema": ["Slow down."]}
    assert throttled.headers["Retry-After"] == "30"


# ------------------------------------------------------------------- pages
def walk(api: Api, path: str, key: str, limit: int, **filters: str) -> list[list[dict]]:
    """Every page of a list, following next_cursor."""
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    pages, cursor = [], None
    for _ in range(50):
        url = f"{path}?limit={limit}" + (f"&{query}" if query else "")
        if cursor:
            url += f"&cursor={cursor}"
        response = api.get(url)
        assert response.status_code == 200, response.json
        pages.append(response.json[key])
        cursor = response.json["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("the pages never ended")


def test_every_list_but_posts_is_paged_with_limit_and_cursor(document):
    for path, key in LISTS.items():
        operation = document["paths"]["/api/v1" + path]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {"limit", "cursor"} <= names, path
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert set(schema["required"]) == {key, "next_cursor"}, path
    posts = document["paths"]["/api/v1/posts"]["get"]
    assert {"limit", "offset"} <= {p["name"] for p in posts["parameters"]}


def test_incident_pages_cover_the_list_once_in_order(app, bob_api):
    for n in range(5):
        declare(app, title=f"Incident {n}")
    everything = bob_api.get("/incidents").json
    assert everything["next_cursor"] is None
    pages = walk(bob_api, "/incidents", "incidents", 2)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [i["id"] for p in pages for i in p] == [i["id"] for i in everything["incidents"]]


def test_a_row_added_while_paging_does_not_shift_the_next_page(app, bob_api):
    for n in range(4):
        declare(app, title=f"Incident {n}")
    first = bob_api.get("/incidents?limit=2").json
    declare(app, title="A newer one")  # an offset would now repeat a row
    second = bob_api.get(f"/incidents?limit=2&cursor={first['next_cursor']}").json
    seen = [i["id"] for i in first["incidents"]]
    assert not {i["id"] for i in second["incidents"]} & set(seen)
    assert [i["id"] for i in second["incidents"]] == sorted(
        [i["id"] for i in second["incidents"]], reverse=True
    )
    assert len(second["incidents"]) == 2


def test_audit_pages_follow_the_filters(app, bob_api):
    for n in range(3):
        declare(app, title=f"Incident {n}")
    everything = bob_api.get("/audit?action=incident.").json["events"]
    assert len(everything) >= 3
    pages = walk(bob_api, "/audit", "events", 1, action="incident.")
    assert [e["id"] for p in pages for e in p] == [e["id"] for e in everything]


def test_users_tokens_and_feeds_are_paged_and_filtered(app, carol_api, alice, bob, carol):
    make_user(app, "dave", "manager")
    users = [u["name"] for p in walk(carol_api, "/users", "users", 2) for u in p]
    assert users == ["alice", "bob", "carol", "dave"]
    assert [u["name"] for u in carol_api.get("/users?role=manager").json["users"]] == [
        "alice",
        "dave",
    ]
    assert carol_api.post(f"/users/{alice.id}/deactivate").status_code == 200
    inactive = carol_api.get("/users?active=false").json["users"]
    assert [u["name"] for u in inactive] == ["alice"]

    for user in (alice, bob):
        token_for(app, user)
    tokens = [t["id"] for p in walk(carol_api, "/tokens", "tokens", 1) for t in p]
    assert tokens == sorted(tokens, reverse=True) and len(tokens) == 3
    assert carol_api.delete(f"/tokens/{tokens[0]}").status_code == 200  # bob's
    revoked = carol_api.get("/tokens?active=false").json["tokens"]
    assert [t["id"] for t in revoked] == [tokens[0]]
    assert [t["id"] for t in carol_api.get("/tokens?active=true").json["tokens"]] == tokens[1:]

    with app.db.session() as session:
        for n in range(3):
            manage.add_feed(
                session,
                app.settings,
                {"url": f"https://news{n}.example/rss", "kind": "news"},
                carol,
            )
        manage.disable_feed(session, manage.list_feeds(session)[0].id, carol, "noisy")
    feeds = [f["id"] for p in walk(carol_api, "/feeds", "feeds", 2) for f in p]
    assert feeds == sorted(feeds) and len(feeds) == 3
    assert [f["enabled"] for f in carol_api.get("/feeds?enabled=false").json["feeds"]] == [False]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "W10",  # an empty list
        "WyJhbGljZSJd",  # ["alice"]: a users cursor, not an incidents one
        "WyIyMDI2LTA2LTAxVDEyOjAwOjAwIiwxXQ",  # a time without its offset
        "x" * 501,
    ],
)
def test_a_bad_cursor_is_a_400_naming_it(bob_api, cursor):
    response = bob_api.get(f"/incidents?cursor={cursor}")
    assert list(assert_error_shape(response, 400)) == ["cursor"]


def test_an_unknown_filter_is_refused_naming_it(carol_api):
    for path in ("/feeds", "/users", "/tokens"):
        response = carol_api.get(f"{path}?colour=red")
        assert "colour" in assert_error_shape(response, 400), path
