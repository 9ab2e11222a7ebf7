"""Bad input gets a 4xx naming the field, never a 500, on both databases: huge
integers, far-off years, NUL bytes, lone surrogates and control characters."""

from __future__ import annotations

import pytest

from scheduler.models import Post
from tests.web import count

POST = {
    "text": "Opening hours change on Monday.",
    "channels": ["outbox"],
    "publish_at": "2026-06-02T09:00",
    "timezone": "UTC",
    "category": "service",
}
HUGE = str(2**64)


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        pytest.param(f"/posts?offset={HUGE}", 400, "offset", id="offset"),
        pytest.param(f"/posts?offset={2**63}", 400, "offset", id="offset-2-63"),
        pytest.param("/posts?limit=", 400, "limit", id="empty-limit"),
        pytest.param(f"/posts/{HUGE}", 404, "id", id="post-id"),
        pytest.param("/posts/9223372036854775807", 404, "id", id="post-id-int64-max"),
        pytest.param("/posts/2147483648", 404, "id", id="post-id-past-int32"),
        pytest.param(f"/incidents/{HUGE}", 404, "id", id="incident-id"),
        pytest.param(f"/condolences/{HUGE}", 404, "id", id="draft-id"),
        pytest.param(f"/audit?object_id={HUGE}", 400, "object_id", id="object-id"),
        pytest.param("/audit?since=9999-12-31T23:59:59-12:00", 400, "since", id="since-9999"),
        pytest.param("/audit?until=9999-12-31", 400, "until", id="until-9999"),
        pytest.param("/audit?limit=", 400, "limit", id="audit-empty-limit"),
        pytest.param("/regions?q=a%00b", 400, "q", id="nul-in-query"),
    ],
)
def test_a_bad_url_is_a_4xx_naming_the_field(bob_api, url, status, field):
    response = bob_api.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert field in response.json["errors"], response.json


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"publish_at": "9999-12-31T23:59"}, "publish_at", id="year-9999"),
        pytest.param(
            {"publish_at": "9999-12-31T23:59", "timezone": "Pacific/Kiritimati"},
            "publish_at",
            id="year-9999-east",
        ),
        pytest.param({"publish_at": "9999-12-31T23:59:59-12:00"}, "publish_at", id="offset-9999"),
        pytest.param({"publish_at": "0001-01-01T00:00"}, "publish_at", id="year-1"),
        pytest.param({"text": "Sale\x00 today"}, "text", id="nul-in-text"),
        pytest.param({"text": "Sale \ud800 today"}, "text", id="lone-surrogate"),
        pytest.param({"regions": ["US\x00TX"]}, "regions", id="nul-in-list"),
        pytest.param({"variants": {"outbox": "x\x00"}}, "variants", id="nul-in-object"),
    ],
)
def test_a_bad_post_body_is_a_400_naming_the_field_and_stores_nothing(
    app, alice_api, change, field
):
    response = alice_api.post("/posts", {**POST, **change})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert field in response.json["errors"], response.json
    assert count(app, Post) == 0


def test_a_raw_json_body_with_escapes_is_refused_naming_the_field(app, alice_api):
    raw = '{"text": "a\\u0000b", "channels": ["outbox"], "publish_at": "2026-06-02T09:00",'
    raw += ' "category": "service"}'
    response = alice_api.call("POST", "/posts", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json["errors"]) == ["text"]
    surrogate = raw.replace("a\\u0000b", "\\udc80")
    response = alice_api.call("POST", "/posts", data=surrogate, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json["errors"]) == ["text"]
    assert count(app, Post) == 0


def test_a_huge_id_in_a_ui_path_is_a_404(as_alice):
    assert as_alice.get(f"/posts/{HUGE}/edit").status_code == 404
    assert as_alice.get("/condolences/9223372036854775807").status_code == 404


def test_a_nul_in_a_form_is_refused_naming_the_field(app, as_alice):
    form = {**POST, "text": "Sale\x00 today", "channels": ["outbox"]}
    response = as_alice.submit("/posts/new", form)
    assert response.status_code == 400
    assert "text: Must not contain NUL" in response.get_data(as_text=True)
    assert count(app, Post) == 0


def test_a_login_with_a_nul_in_the_name_is_a_400(browser, alice):
    response = browser().submit("/login", {"name": "ali\x00ce", "password": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "target",
    [
        "/\n/evil.example/x",
        "/\r\nSet-Cookie: a=b",
        "/\t/evil.example/x",
        "/ /evil.example",
        "//evil.example/x",
        "/\\evil.example",
        "https://evil.example/",
    ],
)
def test_login_never_follows_a_next_that_leaves_the_site(browser, alice, target):
    person = browser()
    response = person.client.post(
        "/login",
        query_string={"next": target},
        data={"name": "alice", "password": "alice-password-123", "csrf_token": person.csrf_token()},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard"
    page = person.client.get("/login", query_string={"next": target})
    assert page.status_code == 200


def test_login_follows_a_same_site_path(browser, alice):
    person = browser()
    response = person.client.post(
        "/login?next=/incidents%3Fopen%3D1",
        data={"name": "alice", "password": "alice-password-123", "csrf_token": person.csrf_token()},
    )
    assert response.headers["Location"] == "/incidents?open=1"


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("PUT", "/posts/1", {"GET", "PATCH", "DELETE"}),
        ("DELETE", "/openapi.json", {"GET"}),
        ("PATCH", "/incidents/1/resolve", {"POST"}),
    ],
)
def test_a_wrong_method_is_a_405_naming_the_allowed_ones(alice_api, method, url, allowed):
    response = alice_api.call(method, url)
    assert response.status_code == 405
    assert list(response.json["errors"]) == ["method"]
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_a_wrong_method_on_a_page_is_a_405_with_allow(as_alice):
    response = as_alice.client.put("/posts/new")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/latest/", "http://2130706433/", "https://u:p@feeds.example.com/x"],
)
def test_an_inside_feed_address_is_refused_at_the_api_and_the_form(app, client, carol, url):
    from scheduler.models import Feed
    from tests.web import Api, Browser, token_for

    api = Api(client, token_for(app, carol))
    response = api.post("/feeds", {"url": url, "kind": "news"})
    assert response.status_code == 400
    assert list(response.json["errors"]) == ["url"]
    person = Browser(client)
    person.login("carol")
    page = person.submit("/feeds", {"url": url, "kind": "news"})
    assert page.status_code == 400
    assert 'id="error-url"' in page.get_data(as_text=True)
    with app.db.session() as session:
        assert session.query(Feed).count() == 0
