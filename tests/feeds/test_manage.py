"""Adding, changing, disabling and deleting feeds, syncing them from the config, and
the config's own checks: every error names its field and stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from scheduler import audit, clock
from scheduler.config import load_settings
from scheduler.context import Tactful
from scheduler.errors import ConfigError, Conflict, NotFound, ValidationError
from scheduler.feeds import manage
from scheduler.models import Feed, Report
from tests.conftest import make_settings
from tests.feeds.conftest import FAST_MONITOR
from tests.helpers import declare, placed_reports


def count(app, model=Feed):
    with app.db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def add(app, user=None, **data):
    values = {"url": "https://example.org/feed.xml", "kind": "news"} | data
    with app.db.session() as session:
        return manage.add_feed(session, app.settings, values, user)


def events(app, action):
    with app.db.session() as session:
        return audit.list_events(session, action=action)


def test_bad_fields_are_each_named_and_nothing_is_stored(app):
    with pytest.raises(ValidationError) as caught:
        add(app, url="ftp://example.org/feed", kind="tweets", interval_seconds=30)
    assert set(caught.value.errors) == {"url", "kind", "interval_seconds"}
    assert "http://" in caught.value.errors["url"][0]
    assert "news" in caught.value.errors["kind"][0]
    assert "60" in caught.value.errors["interval_seconds"][0]
    with pytest.raises(ValidationError) as caught:
        add(app, colour="red")
    assert set(caught.value.errors) == {"colour"}
    with pytest.raises(ValidationError) as caught:
        add(app, url="not a url")
    assert set(caught.value.errors) == {"url"}
    assert count(app) == 0
    assert events(app, "feed.") == []


def test_a_feed_is_added_due_at_once_and_audited(app, carol, frozen):
    feed = add(app, carol, title="BBC World")
    assert feed.interval_seconds == app.settings.monitor.default_interval_seconds
    assert feed.enabled and feed.next_poll_at == frozen.current
    (event,) = events(app, "feed.created")
    assert (event.actor, event.object_id) == ("carol", feed.id)
    assert event.details["url"] == "https://example.org/feed.xml"


def test_the_same_address_cannot_be_added_twice(app):
    first = add(app)
    with pytest.raises(ValidationError) as caught:
        add(app, kind="usgs")
    assert caught.value.errors == {"url": [f"This feed is already monitored (feed {first.id})."]}
    assert count(app) == 1


def test_a_test_config_may_allow_short_intervals(tmp_path, database_url, frozen):
    settings = make_settings(
        tmp_path, database_url, monitor=FAST_MONITOR | {"min_interval_seconds": 5}, feeds=[]
    )
    app = Tactful.from_settings(settings)
    try:
        assert add(app, interval_seconds=10).interval_seconds == 10
    finally:
        app.close()


def test_updates_are_validated_audited_and_a_new_address_starts_clean(app, carol, frozen):
    feed = add(app)
    with app.db.session() as session:
        row = session.get(Feed, feed.id)
        row.etag, row.error_count, row.last_error = '"x"', 3, "HTTP 500"
        row.next_poll_at = frozen.current + timedelta(hours=1)
    with app.db.session() as session, pytest.raises(ValidationError) as caught:
        manage.update_feed(session, app.settings, feed.id, {"kind": "rss"}, carol)
    assert set(caught.value.errors) == {"kind"}
    with app.db.session() as session:
        updated = manage.update_feed(
            session,
            app.settings,
            feed.id,
            {"url": "https://example.org/other.xml", "interval_seconds": 120},
            carol,
        )
    assert updated.url == "https://example.org/other.xml" and updated.interval_seconds == 120
    assert updated.etag is None and updated.error_count == 0 and updated.last_error is None
    assert updated.next_poll_at == frozen.current
    (event,) = events(app, "feed.updated")
    assert event.actor == "carol"
    assert event.details["interval_seconds"] == [300, 120]
    with app.db.session() as session, pytest.raises(ValidationError) as caught:
        manage.update_feed(session, app.settings, feed.id, {}, carol)
    assert set(caught.value.errors) == {"_schema"}
    with app.db.session() as session, pytest.raises(NotFound):
        manage.update_feed(session, app.settings, 999, {"enabled": False}, carol)


def test_disable_keeps_the_feed_and_its_reports(app, carol):
    feed = add(app)
    with app.db.session() as session:
        manage.disable_feed(session, feed.id, carol, "too noisy")
        manage.disable_feed(session, feed.id, carol)  # a no-op the second time
    with app.db.session() as session:
        assert [f.enabled for f in manage.list_feeds(session)] == [False]
        assert manage.list_feeds(session, enabled_only=True) == []
    (event,) = events(app, "feed.disabled")
    assert (event.actor, event.reason) == ("carol", "too noisy")


def _report(session, feed_id, incident_id=None):
    session.add(
        Report(
            feed_id=feed_id,
            guid_hash="h" * 64,
            guid="g",
            title="t",
            seen_at=clock.now(),
            tragedy=incident_id is not None,
            incident_id=incident_id,
        )
    )


def suggestion(app, feed_id):
    with app.db.session() as session:
        return manage.suggested_home(session, manage.get_feed(session, feed_id))


def test_a_local_feeds_area_is_suggested_from_its_reports(app, frozen):
    feed = add(app)
    # 12 reports in Louisiana, 8 elsewhere in the US, 10 in no subdivision.
    placed_reports(
        app,
        feed.id,
        [["US-LA", "US"]] * 12 + [["US-TX", "US"]] * 8 + [["US"]] * 5 + [[]] * 5,
    )
    assert suggestion(app, feed.id) == ("US-LA", 12, 20)


def test_no_area_is_suggested_without_a_clear_majority_or_enough_reports(app, frozen):
    scattered = add(app)
    placed_reports(app, scattered.id, [["US-LA", "US"]] * 10 + [["US-TX", "US"]] * 11)
    assert suggestion(app, scattered.id) == ("US-TX", 11, 21)
    few = add(app, url="https://example.org/few.xml")
    placed_reports(app, few.id, [["US-LA", "US"]] * (manage.SUGGEST_PLACED - 1))
    assert suggestion(app, few.id) is None
    split = add(app, url="https://example.org/split.xml")
    placed_reports(app, split.id, [["US-LA"]] * 9 + [["US-TX"]] * 9 + [["GB-ENG"]] * 9)
    assert suggestion(app, split.id) is None


def test_only_the_latest_reports_count_and_a_set_area_or_alert_feed_gets_none(app, frozen):
    feed = add(app)
    old, new = [["GB-ENG", "GB"]] * manage.SUGGEST_READ, [["US-LA", "US"]] * 30
    placed_reports(app, feed.id, old + new)
    # The newest 200: 30 in Louisiana, 170 in England.
    assert suggestion(app, feed.id) == ("GB-ENG", 170, 200)
    with app.db.session() as session:
        manage.update_feed(session, app.settings, feed.id, {"home": "GB-ENG"}, None)
    assert suggestion(app, feed.id) is None
    alerts = add(app, url="https://example.org/cap.xml", kind="cap")
    placed_reports(app, alerts.id, [["US-LA", "US"]] * 30)
    assert suggestion(app, alerts.id) is None


def test_a_feed_whose_reports_are_evidence_cannot_be_deleted(app, carol, frozen):
    feed = add(app)
    incident = declare(app).incident
    with app.db.session() as session:
        _report(session, feed.id, incident.id)
    with app.db.session() as session, pytest.raises(Conflict, match="disable it instead"):
        manage.delete_feed(session, feed.id, carol)
    assert count(app) == 1 and count(app, Report) == 1
    other = add(app, url="https://example.org/quiet.xml")
    with app.db.session() as session:
        _report(session, other.id)
    with app.db.session() as session:
        manage.delete_feed(session, other.id, carol)
    assert count(app) == 1 and count(app, Report) == 1
    (event,) = events(app, "feed.deleted")
    assert event.object_id == other.id


CONFIG_FEEDS = [
    {"url": "https://example.org/usgs.atom", "kind": "usgs", "interval_seconds": 60},
    {"url": "https://example.org/news.xml", "kind": "news", "title": "News"},
]


def test_sync_adds_and_updates_configured_feeds_and_leaves_others(tmp_path, database_url, frozen):
    settings = make_settings(tmp_path, database_url, monitor=FAST_MONITOR, feeds=CONFIG_FEEDS)
    app = Tactful.from_settings(settings)
    try:
        own = add(app, url="https://example.org/mine.xml")
        with app.db.session() as session:
            synced = manage.sync_feeds(session, settings)
        assert [(f.url, f.kind, f.interval_seconds) for f in synced] == [
            ("https://example.org/usgs.atom", "usgs", 60),
            ("https://example.org/news.xml", "news", 300),
        ]
        assert len(events(app, "feed.created")) == 3
        with app.db.session() as session:
            manage.sync_feeds(session, settings)  # nothing changed: nothing recorded
        assert len(events(app, "feed.")) == 3
        changed = make_settings(
            tmp_path,
            database_url,
            monitor=FAST_MONITOR,
            feeds=[CONFIG_FEEDS[0] | {"interval_seconds": 120, "enabled": False}],
        )
        with app.db.session() as session:
            manage.sync_feeds(session, changed)
        (event,) = events(app, "feed.updated")
        assert event.reason == "config"
        assert event.details == {"interval_seconds": [60, 120], "enabled": [True, False]}
        with app.db.session() as session:
            feeds = {f.url: f for f in manage.list_feeds(session)}
        assert feeds[own.url].enabled and feeds["https://example.org/news.xml"].enabled
    finally:
        app.close()


def test_a_configured_publishers_area_is_synced_and_audited(tmp_path, database_url, frozen):
    local = {"url": "https://example.org/local.xml", "kind": "news", "home": "us-la"}
    settings = make_settings(tmp_path, database_url, monitor=FAST_MONITOR, feeds=[local])
    app = Tactful.from_settings(settings)
    try:
        with app.db.session() as session:
            (feed,) = manage.sync_feeds(session, settings)
            assert feed.home == "US-LA"
        moved = make_settings(
            tmp_path, database_url, monitor=FAST_MONITOR, feeds=[local | {"home": "US-TX"}]
        )
        with app.db.session() as session:
            manage.sync_feeds(session, moved)
        (event,) = events(app, "feed.updated")
        assert event.details == {"home": ["US-LA", "US-TX"]}
    finally:
        app.close()


@pytest.mark.parametrize(
    ("feeds", "key"),
    [
        ([*CONFIG_FEEDS, {"url": "https://example.org/x", "kind": "tweets"}], "feeds[2].kind"),
        ([{"url": "file:///etc/passwd", "kind": "news"}], "feeds[0].url"),
        ([{"kind": "news"}], "feeds[0].url"),
        (
            [{"url": "https://e.org/a", "kind": "news", "interval_seconds": 10}],
            "feeds[0].interval_seconds",
        ),
        ([{"url": "https://e.org/a", "kind": "news", "every": 10}], "feeds[0].every"),
        ([{"url": "https://e.org/a", "kind": "news", "enabled": "yes"}], "feeds[0].enabled"),
        ([CONFIG_FEEDS[0], CONFIG_FEEDS[0]], "feeds[1].url"),
        ("https://e.org/a", "feeds"),
        ([{"url": "https://e.org/a", "kind": "news", "home": "Texas"}], "feeds[0].home"),
        ([{"url": "https://e.org/a", "kind": "news", "home": 48}], "feeds[0].home"),
    ],
    ids=[
        "kind",
        "scheme",
        "missing-url",
        "interval",
        "unknown-key",
        "enabled",
        "twice",
        "not-a-list",
        "home-name",
        "home-number",
    ],
)
def test_bad_feed_config_names_the_key(tmp_path, feeds, key):
    with pytest.raises(ConfigError) as caught:
        make_settings(tmp_path, feeds=feeds)
    assert str(caught.value).startswith(f"{key}:")


@pytest.mark.parametrize(
    ("monitor", "key"),
    [
        ({"lease_seconds": 30, "fetch_deadline_seconds": 60.0}, "monitor.lease_seconds"),
        ({"max_body_bytes": 10}, "monitor.max_body_bytes"),
        ({"fetch_deadline_seconds": 0}, "monitor.fetch_deadline_seconds"),
        ({"default_interval_seconds": 30}, "monitor.default_interval_seconds"),
        ({"contact": 5}, "monitor.contact"),
    ],
    ids=["lease", "body", "deadline", "default-interval", "contact"],
)
def test_bad_monitor_config_names_the_key(tmp_path, monitor, key):
    with pytest.raises(ConfigError) as caught:
        make_settings(tmp_path, monitor=monitor)
    assert str(caught.value).startswith(f"{key}:")


def test_the_packaged_defaults_list_the_public_feeds(tmp_path):
    settings = load_settings(None, environ={}, overrides={"paths": {"data_dir": str(tmp_path)}})
    urls = {f.url: f.kind for f in settings.feeds}
    assert urls["https://earthquake.usgs.gov/earthquakes/feed/v1.0/summary/4.5_day.atom"] == "usgs"
    assert urls["https://api.weather.gov/alerts/active.atom"] == "cap"
    assert urls["https://www.gdacs.org/xml/rss.xml"] == "gdacs"
    assert urls["https://feeds.bbci.co.uk/news/world/rss.xml"] == "news"
    assert all(f.interval_seconds >= settings.monitor.min_interval_seconds for f in settings.feeds)
    assert settings.monitor.max_body_bytes == 10 * 1024 * 1024
