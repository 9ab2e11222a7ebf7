"""The demo: seeded posts, and a local feed whose tragedy a minute after start is
picked up by the monitor and holds the Texas promotions."""

from datetime import timedelta

from sqlalchemy import select

from scheduler import demo, feeds, holds, monitor, posts
from scheduler.config import load_settings
from scheduler.context import Tactful
from scheduler.feeds.manage import list_feeds, sync_feeds
from scheduler.models import Incident, Post
from scheduler.publisher import Publisher
from tests.conftest import T0, make_settings


def test_the_demo_feed_carries_the_tragedy_only_after_a_minute():
    feed = demo.DemoFeed(T0)
    before = feed.render(T0 + timedelta(seconds=59))
    after = feed.render(T0 + timedelta(seconds=60))
    assert "Santa Fe" not in before and "Austin" in before
    assert "Gunman kills 10 at Santa Fe High School in Texas" in after
    parsed = feeds.parse.parse(after.encode(), "news", "http://demo")
    assert len(parsed.entries) == 3


def demo_layered(tmp_path, database_url, feed_url, **sections):
    """Settings as every command in the demo's directory loads them once the demo
    has written its configuration there."""
    layers = {"paths": {"data_dir": str(tmp_path)}, "database": {"url": database_url}}
    layers.update(sections)
    demo.write_demo_config(load_settings(None, environ={}, overrides=layers), feed_url)
    return load_settings(None, environ={}, overrides=layers)


def test_the_demo_configuration_lives_with_its_data(tmp_path, database_url):
    settings = demo_layered(tmp_path, database_url, "http://127.0.0.1:9/news.xml")
    assert (tmp_path / "demo.toml").is_file()
    assert settings.source.startswith(str(tmp_path / "demo.toml"))
    names = [c.name for c in settings.channels]
    assert names[-3:] == ["brand-us", "brand-fr", "brand-support"]
    assert "outbox" in names  # the configured accounts stay
    brand_us = next(c for c in settings.channels if c.name == "brand-us")
    assert brand_us.regions == ("US",) and brand_us.max_length == 280
    assert dict(brand_us.options) == {"path": "outbox.jsonl", "counts_as": "x"}
    (feed,) = settings.feeds  # only the local demo feed: no network
    assert (feed.url, feed.kind, feed.interval_seconds) == (
        "http://127.0.0.1:9/news.xml",
        "news",
        15,
    )
    assert settings.monitor.poll_interval == 5.0
    # Another data directory knows nothing of the demo.
    other = make_settings(tmp_path / "elsewhere", database_url)
    assert "brand-us" not in [c.name for c in other.channels]


def test_the_demo_timing_is_a_setting(tmp_path, database_url, frozen):
    settings = demo_layered(
        tmp_path,
        database_url,
        "http://127.0.0.1:9/news.xml",
        demo={"minute_seconds": 2, "feed_interval_seconds": 3},
    )
    assert settings.feeds[0].interval_seconds == 3
    app = Tactful.from_settings(settings)
    try:
        with app.db.session() as session:
            posts.sync_channels(session, settings.channels)
        demo.seed(app)
        with app.db.session() as session:
            due = sorted(p.publish_at for p in session.scalars(select(Post)))
    finally:
        app.close()
    # The demo's schedule runs 10 to 60 "minutes" after start: here 20 s to 120 s.
    assert due[0] == T0 + timedelta(seconds=20) and due[-1] == T0 + timedelta(seconds=120)
    feed = demo.DemoFeed(T0, tragedy_after=0)
    assert "Santa Fe" in feed.render(T0)


def test_the_monitor_holds_the_demo_s_texas_promotions(tmp_path, database_url, frozen):
    feed = demo.DemoFeed(T0)
    feed.start()
    try:
        settings = demo_layered(tmp_path, database_url, feed.url)
        app = Tactful.from_settings(settings)
        with app.db.session() as session:
            posts.sync_channels(session, settings.channels)
            sync_feeds(session, settings)
        demo.seed(app)
        with app.db.session() as session:
            (demo_feed,) = list_feeds(session)
        (first,) = monitor.poll_now(app, [demo_feed.id])
        assert (first.status, len(first.tragedies)) == ("ok", 0)
        frozen.advance(seconds=61)
        (second,) = monitor.poll_now(app, [demo_feed.id])
        assert len(second.tragedies) == 1
        with app.db.session() as session:
            (incident,) = session.scalars(select(Incident)).all()
            assert incident.regions == ["US-TX"] and incident.source == "monitor"
            held = {p.text for p in session.scalars(select(Post).where(holds.held_condition()))}
        assert "48-hour flash sale in Texas: 30% off everything!" in held
        assert "Our Houston store opens late today at 11:00." not in held
        frozen.advance(minutes=15)
        Publisher(app).run_round()
        with app.db.session() as session:
            service = session.scalar(select(Post).where(Post.text.like("Our Houston store%")))
            assert service.status == "published"
        app.close()
    finally:
        feed.stop()
