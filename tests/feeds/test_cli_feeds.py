"""``tactful feed …`` against a real SQLite file and the local feed server."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from scheduler import cli, clock
from scheduler.config import load_settings
from scheduler.context import Tactful
from scheduler.models import Feed, Report
from tests.feeds.conftest import fixture_bytes, own_bytes
from tests.feeds.test_poll import unreachable_url


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "config.toml"
    path.write_text(
        "feeds = []\n"
        f'[paths]\ndata_dir = "{tmp_path / "var"}"\n'
        "[monitor]\nfetch_deadline_seconds = 2.0\nread_timeout_seconds = 2.0\n"
        'allow_private = ["127.0.0.1/32"]\n'
        '[[channels]]\nname = "outbox"\nnetwork = "outbox"\nregions = ["LB"]\n'
    )
    return path


def run(config, *argv):
    return cli.main(["--config", str(config), *argv])


def rows(config, model):
    app = Tactful.from_settings(load_settings(config, environ={}))
    with app.db.session() as session:
        found = list(session.scalars(select(model)))
    app.close()
    return found


FEEDS = [
    # The feed written for the tests, read at the time it was written for.
    pytest.param(
        lambda: own_bytes("news.rss"),
        datetime(2026, 6, 1, 12, 0, tzinfo=UTC),
        10,
        "Explosion at Beirut",
        id="own",
    ),
    # The BBC capture is from the night of the Beirut explosion: read it as then
    # (assessment ignores news older than a week).
    pytest.param(
        lambda: fixture_bytes("bbc_news_home_2020-08-04.xml"),
        datetime(2020, 8, 4, 23, 0, tzinfo=UTC),
        48,
        "Beirut",
        id="bbc",
        marks=pytest.mark.corpus,
    ),
]


@pytest.mark.parametrize(("body", "when", "entries", "headline"), FEEDS)
def test_add_list_poll_and_disable_a_feed(
    config, feed_server, capsys, body, when, entries, headline
):
    clock.set_source(clock.FrozenClock(when))
    try:
        _add_list_poll_and_disable(config, feed_server, capsys, body(), entries, headline)
    finally:
        clock.set_source(None)


def _add_list_poll_and_disable(config, feed_server, capsys, body, entries, headline):
    url = feed_server.serve("/news", body)
    assert run(config, "feed", "add", url, "--kind", "news", "--interval", "120") == 0
    assert capsys.readouterr().out.startswith("feed 1 added: news every 120 s")
    assert run(config, "feed", "list") == 0
    assert "1\tenabled\tnews\t120s" in capsys.readouterr().out
    assert run(config, "feed", "poll", "1") == 0
    out = capsys.readouterr().out
    assert f"feed 1 ok: {entries} entries, {entries} new" in out
    # the real assessment: the Beirut port explosion is a tragedy in Lebanon
    assert re.search(rf"\[tragedy explosion severity [2-4] (LB-\w+,)?LB\] {headline}", out), out
    assert len(rows(config, Report)) == entries
    assert run(config, "feed", "poll") == 0
    assert f"feed 1 ok: {entries} entries, 0 new, 0 tragedies" in capsys.readouterr().out
    assert run(config, "feed", "disable", "1") == 0
    assert [f.enabled for f in rows(config, Feed)] == [False]


def test_bad_input_names_the_fields_and_stores_nothing(config, capsys):
    assert run(config, "feed", "add", "ftp://example.org/x", "--kind", "tweets") == 2
    err = capsys.readouterr().err
    assert "error: url:" in err and "error: kind:" in err
    assert rows(config, Feed) == []
    # "LA" would be Laos: a state's name or postal code is no area code.
    home = ["--home", "Louisiana"]
    assert run(config, "feed", "add", "https://example.org/x", "--kind", "news", *home) == 2
    assert "error: home:" in capsys.readouterr().err
    assert rows(config, Feed) == []
    assert run(config, "feed", "disable", "7") == 1
    assert "feed 7 not found" in capsys.readouterr().err


def test_a_feed_is_added_with_its_publishers_area(config, capsys):
    url = "https://example.org/local.xml"
    assert run(config, "feed", "add", url, "--kind", "news", "--home", "us-la") == 0
    assert capsys.readouterr().out.rstrip().endswith(f"{url}, published from US-LA")
    assert [f.home for f in rows(config, Feed)] == ["US-LA"]
    assert run(config, "feed", "list") == 0
    assert capsys.readouterr().out.rstrip("\n").endswith("\tUS-LA")


def test_an_unreachable_feed_is_reported_and_stored(config, capsys):
    assert run(config, "feed", "add", unreachable_url(), "--kind", "usgs") == 0
    capsys.readouterr()
    assert run(config, "feed", "poll") == 1
    assert "feed 1 error: no HTTP answer" in capsys.readouterr().out
    (feed,) = rows(config, Feed)
    assert feed.error_count == 1 and feed.last_error.startswith("no HTTP answer")
