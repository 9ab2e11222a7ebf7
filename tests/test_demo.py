"""The demo: seeded posts, and a local feed whose tragedy a minute after start is
picked up by the monitor and holds the Texas promotions."""

from datetime import timedelta

from sqlalchemy import select

from scheduler import demo, feeds, holds, monitor, posts
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


def test_the_monitor_holds_the_demo_s_texas_promotions(tmp_path, database_url, frozen):
    feed = demo.DemoFeed(T0)
    feed.start()
    try:
        settings = demo.demo_settings(make_settings(tmp_path, database_url), feed.url)
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
