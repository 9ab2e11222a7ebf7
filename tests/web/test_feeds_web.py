"""Feeds on the web (admins only): the list with each feed's health, adding one,
enabling, disabling, changing the interval; bad input is named and stores nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from scheduler import clock
from scheduler.feeds import manage
from scheduler.models import Feed
from tests.helpers import placed_reports
from tests.web import Api, token_for
from tests.web.reports import store_report

GOOD_FEED = {"url": "https://alerts.example.org/cap.xml", "kind": "cap", "interval_seconds": "120"}


@pytest.fixture
def carol_api(client, app, carol) -> Api:
    """Carol's admin scripts."""
    return Api(client, token_for(app, carol))


@pytest.fixture
def as_carol(browser, carol):
    return browser(carol)


def add(app: Any, **fields: Any) -> int:
    with app.db.session() as session:
        data = {"url": "https://news.example.org/rss", "kind": "news", **fields}
        return manage.add_feed(session, app.settings, data, None).id


def feeds_state(app: Any) -> list[tuple[Any, ...]]:
    with app.db.session() as session:
        return [
            (f.id, f.url, f.kind, f.interval_seconds, f.enabled, f.title, f.next_poll_at)
            for f in manage.list_feeds(session)
        ]


def feed_count(app: Any) -> int:
    with app.db.session() as session:
        return session.scalar(select(func.count()).select_from(Feed)) or 0


def row_of(page: str, feed_id: int) -> str:
    found = re.search(rf'<tr id="feed-{feed_id}">(.*?)</tr>', page, re.S)
    assert found, f"no row for feed {feed_id}"
    return found.group(1)


# ------------------------------------------------------------------ the page
def test_the_page_lists_each_feed_with_its_health(app, as_carol):
    feed_id = add(app, title="World news", interval_seconds=600)
    with app.db.session() as session:
        feed = manage.get_feed(session, feed_id)
        feed.last_polled_at = clock.now() - timedelta(minutes=5)
        feed.error_count = 3
        feed.last_error = "HTTP 503 from news.example.org"
    row = row_of(as_carol.page("/feeds"), feed_id)
    assert "World news" in row
    assert "https://news.example.org/rss" in row
    assert ">news<" in row
    assert 'value="600"' in row
    assert re.search(r'<td [^>]*class="enabled">yes</td>', row)
    assert "2026-06-01 11:55" in row
    assert re.search(r'<td [^>]*class="errors">3</td>', row)
    assert "HTTP 503 from news.example.org" in row
    assert 'aria-label="Disable feed' in row


def test_only_admins_see_or_change_feeds(app, as_alice, as_bob, bob_api):
    feed_id = add(app)
    for person in (as_alice, as_bob):
        assert person.get("/feeds").status_code == 403
        assert 'href="/feeds"' not in person.page("/")
        assert person.submit("/feeds", GOOD_FEED).status_code == 403
        assert person.submit(f"/feeds/{feed_id}/disable", {}).status_code == 403
    assert bob_api.get("/feeds").status_code == 403
    assert bob_api.post("/feeds", GOOD_FEED).status_code == 403
    assert bob_api.delete(f"/feeds/{feed_id}").status_code == 403
    assert feed_count(app) == 1


def test_an_admin_adds_a_feed_through_the_form(app, as_carol):
    response = as_carol.submit("/feeds", {**GOOD_FEED, "title": "State alerts"})
    assert response.status_code == 303
    ((_, url, kind, interval, enabled, title, next_poll),) = feeds_state(app)
    assert (url, kind, interval, enabled, title) == (
        GOOD_FEED["url"],
        "cap",
        120,
        True,
        "State alerts",
    )
    assert next_poll == clock.now()
    assert "polled at once" in as_carol.page("/feeds")


def test_the_interval_may_be_left_to_the_default(app, as_carol):
    as_carol.submit("/feeds", {**GOOD_FEED, "interval_seconds": ""})
    assert feeds_state(app)[0][3] == app.settings.monitor.default_interval_seconds


BAD_FEEDS = [
    pytest.param({"url": "ftp://alerts.example.org/cap.xml"}, "url", id="ftp-scheme"),
    pytest.param({"url": "javascript:alert(1)"}, "url", id="javascript-scheme"),
    pytest.param({"url": ""}, "url", id="no-url"),
    pytest.param({"kind": "tweets"}, "kind", id="unknown-kind"),
    pytest.param({"interval_seconds": "30"}, "interval_seconds", id="too-short"),
    pytest.param({"interval_seconds": "often"}, "interval_seconds", id="not-a-number"),
    pytest.param({"home": "Louisiana"}, "home", id="area-not-a-code"),
    pytest.param({"home": "XX-YY"}, "home", id="area-unknown"),
]


@pytest.mark.parametrize(("change", "field"), BAD_FEEDS)
def test_a_bad_feed_form_is_named_and_stores_nothing(app, as_carol, change, field):
    response = as_carol.submit("/feeds", {**GOOD_FEED, **change})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'<p class="error" id="error-{field}">' in page
    assert feed_count(app) == 0


def test_the_same_address_twice_is_refused(app, as_carol):
    add(app, url=GOOD_FEED["url"])
    response = as_carol.submit("/feeds", GOOD_FEED)
    assert response.status_code == 400
    assert 'id="error-url"' in response.get_data(as_text=True)
    assert feed_count(app) == 1


def test_disabling_and_enabling_a_feed(app, as_carol):
    feed_id = add(app)
    assert as_carol.submit(f"/feeds/{feed_id}/disable", {}).status_code == 303
    assert feeds_state(app)[0][4] is False
    row = row_of(as_carol.page("/feeds"), feed_id)
    assert re.search(r'<td [^>]*class="enabled">no</td>', row)
    assert 'aria-label="Enable feed' in row
    assert as_carol.submit(f"/feeds/{feed_id}/enable", {}).status_code == 303
    assert feeds_state(app)[0][4] is True


def test_changing_the_interval(app, as_carol):
    feed_id = add(app)
    response = as_carol.submit(f"/feeds/{feed_id}/interval", {"interval_seconds": "900"})
    assert response.status_code == 303
    assert feeds_state(app)[0][3] == 900


@pytest.mark.parametrize("interval", ["30", "", "soon", str(8 * 24 * 3600)])
def test_a_bad_interval_is_named_next_to_its_feed_and_changes_nothing(app, as_carol, interval):
    feed_id = add(app)
    before = feeds_state(app)
    response = as_carol.submit(f"/feeds/{feed_id}/interval", {"interval_seconds": interval})
    assert response.status_code == 400
    assert f'id="error-feed-{feed_id}-interval_seconds"' in response.get_data(as_text=True)
    assert feeds_state(app) == before


def test_the_publishers_area_is_set_through_the_form_and_cleared(app, as_carol):
    as_carol.submit("/feeds", {**GOOD_FEED, "home": "us-la"})
    with app.db.session() as session:
        (feed,) = manage.list_feeds(session)
        assert feed.home == "US-LA"
    row = row_of(as_carol.page("/feeds"), feed.id)
    assert 'value="US-LA"' in row
    response = as_carol.submit(f"/feeds/{feed.id}/home", {"home": "GB-KEN"})
    assert response.status_code == 303
    assert "read as published from GB-KEN" in as_carol.page("/feeds")
    assert as_carol.submit(f"/feeds/{feed.id}/home", {"home": ""}).status_code == 303
    with app.db.session() as session:
        assert manage.get_feed(session, feed.id).home is None


def test_a_local_feeds_area_is_offered_and_taken_with_one_click(app, as_carol):
    feed_id = add(app)
    placed_reports(app, feed_id, [["US-LA", "US"]] * 25 + [["US-TX", "US"]] * 5)
    row = row_of(as_carol.page("/feeds"), feed_id)
    assert "25 of its last 30 placed reports are in US-LA." in row
    assert 'aria-label="Set the area of feed' in row
    assert as_carol.submit(f"/feeds/{feed_id}/home", {"home": "US-LA"}).status_code == 303
    row = row_of(as_carol.page("/feeds"), feed_id)
    assert 'value="US-LA"' in row and "placed reports are in" not in row


def test_a_bad_area_is_named_next_to_its_feed_and_changes_nothing(app, as_carol):
    feed_id = add(app, home="US-LA")
    response = as_carol.submit(f"/feeds/{feed_id}/home", {"home": "Narnia"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="error-feed-{feed_id}-home"' in page and "ISO 3166-2" in page
    with app.db.session() as session:
        assert manage.get_feed(session, feed_id).home == "US-LA"


def test_an_unknown_feed_is_a_404(as_carol):
    assert as_carol.submit("/feeds/99/disable", {}).status_code == 404
    assert as_carol.submit("/feeds/99/interval", {"interval_seconds": "900"}).status_code == 404


def test_a_feed_form_without_the_csrf_token_stores_nothing(app, as_carol):
    response = as_carol.submit("/feeds", GOOD_FEED, csrf=False)
    assert response.status_code == 400
    assert feed_count(app) == 0


# --------------------------------------------------------------------- API
API_FEED = {"url": "https://alerts.example.org/cap.xml", "kind": "cap", "interval_seconds": 120}


def test_the_feed_api_adds_lists_changes_and_deletes(app, carol_api):
    created = carol_api.post("/feeds", {**API_FEED, "title": "State alerts"})
    assert created.status_code == 201, created.json
    feed = created.json
    assert (feed["url"], feed["kind"], feed["interval_seconds"], feed["enabled"]) == (
        API_FEED["url"],
        "cap",
        120,
        True,
    )
    assert feed["error_count"] == 0
    assert feed["last_polled_at"] is None
    listed = carol_api.get("/feeds").json["feeds"]
    assert [f["id"] for f in listed] == [feed["id"]]
    changed = carol_api.patch(f"/feeds/{feed['id']}", {"interval_seconds": 600, "enabled": False})
    assert changed.status_code == 200
    assert (changed.json["interval_seconds"], changed.json["enabled"]) == (600, False)
    assert carol_api.get(f"/feeds/{feed['id']}").json["interval_seconds"] == 600
    assert changed.json["home"] is None
    placed = carol_api.patch(f"/feeds/{feed['id']}", {"home": "us-tx"})
    assert placed.status_code == 200 and placed.json["home"] == "US-TX"
    assert carol_api.patch(f"/feeds/{feed['id']}", {"home": None}).json["home"] is None
    deleted = carol_api.delete(f"/feeds/{feed['id']}")
    assert deleted.status_code == 204
    assert carol_api.get(f"/feeds/{feed['id']}").status_code == 404
    assert feed_count(app) == 0


BAD_API_FEEDS = [
    pytest.param({"url": "ftp://alerts.example.org/cap.xml"}, "url", id="ftp-scheme"),
    pytest.param({"url": "file:///etc/passwd"}, "url", id="file-scheme"),
    pytest.param({"kind": "tweets"}, "kind", id="unknown-kind"),
    pytest.param({"interval_seconds": 30}, "interval_seconds", id="too-short"),
    pytest.param({"interval_seconds": "hourly"}, "interval_seconds", id="not-a-number"),
    pytest.param({"colour": "red"}, "colour", id="unknown-field"),
    pytest.param({"home": "WORLD"}, "home", id="area-world"),
    pytest.param({"home": 5}, "home", id="area-not-a-string"),
]


@pytest.mark.parametrize(("change", "field"), BAD_API_FEEDS)
def test_a_bad_feed_body_is_named_and_stores_nothing(app, carol_api, change, field):
    response = carol_api.post("/feeds", {**API_FEED, **change})
    assert response.status_code == 400
    assert field in response.json["errors"], response.json
    assert feed_count(app) == 0


@pytest.mark.parametrize(("change", "field"), BAD_API_FEEDS)
def test_a_bad_feed_change_is_named_and_changes_nothing(app, carol_api, change, field):
    add(app)
    before = feeds_state(app)
    response = carol_api.patch(f"/feeds/{before[0][0]}", change)
    assert response.status_code == 400
    assert field in response.json["errors"], response.json
    assert feeds_state(app) == before


def test_an_empty_change_or_a_missing_field_is_refused(app, carol_api):
    feed_id = add(app)
    assert "_schema" in carol_api.patch(f"/feeds/{feed_id}", {}).json["errors"]
    response = carol_api.post("/feeds", {"url": API_FEED["url"]})
    assert response.status_code == 400
    assert "kind" in response.json["errors"]
    assert feed_count(app) == 1


def test_a_feed_whose_reports_are_evidence_cannot_be_deleted(app, carol_api):
    store_report(app)
    ((feed_id, *_),) = feeds_state(app)
    response = carol_api.delete(f"/feeds/{feed_id}")
    assert response.status_code == 409
    assert "disable it instead" in response.json["errors"]["status"][0]
    assert feed_count(app) == 1
