"""``tactful assess``: the stable dry-run format, without touching any database."""

import json

import pytest

from scheduler import cli
from tests import locate

KEYS = {"id", "title", "tragedy", "kind", "severity", "confidence", "regions", "evidence"}


def own(name, entries):
    return pytest.param(locate.own_feed(name), entries, id=name)


def captured(name, entries):
    return pytest.param(locate.fixture_feed(name), entries, id=name, marks=pytest.mark.corpus)


@pytest.mark.parametrize(
    ("path", "entries"),
    [
        own("usgs.atom", 5),
        own("gdacs.xml", 2),
        own("cap.atom", 3),
        own("emsc.xml", 3),
        own("news.rss", 10),
        own("news.atom", 3),
        captured("usgs_2.5_day_2015-08-11.atom", 37),
        captured("gdacs_rss_2019-12-30.xml", 4),
        captured("nws_cap_us_2018-08-15.atom", 163),
        captured("bbc_news_home_2020-08-04.xml", 48),
    ],
)
def test_assess_prints_one_json_object_per_entry(tmp_path, monkeypatch, capsys, path, entries):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["assess", "--json", str(path)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == entries
    for line in lines:
        assert set(line) == KEYS
        assert isinstance(line["tragedy"], bool)
        assert 0 <= line["severity"] <= 4
        assert (line["severity"] == 0) is (not line["tragedy"])
        assert 0.0 <= line["confidence"] <= 1.0
        assert all(isinstance(code, str) for code in line["regions"])
        assert all(isinstance(reason, str) for reason in line["evidence"])
    assert not (tmp_path / "var").exists()  # a dry run: no database was created


def test_a_missing_file_is_named(tmp_path, capsys):
    assert cli.main(["assess", str(tmp_path / "nope.xml")]) == 2
    assert "error: source:" in capsys.readouterr().err


def test_a_broken_feed_is_a_readable_error(tmp_path, capsys):
    path = tmp_path / "page.html"
    path.write_text("<html><body>Not a feed</body></html>")
    assert cli.main(["assess", str(path)]) == 1
    assert "error:" in capsys.readouterr().err
