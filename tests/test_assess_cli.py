"""``tactful assess``: the stable dry-run format, without touching any database."""

import json

import pytest

from scheduler import cli
from tests import locate

KEYS = {"id", "title", "tragedy", "kind", "severity", "confidence", "regions", "evidence", "event"}


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


def test_version_names_the_model_and_its_training_set(capsys):
    assert cli.main(["assess", "--version"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("news model news-lr-") and "training set sha256" in out


def _feed(tmp_path, name, items):
    body = "".join(
        f'<item><guid isPermaLink="false">{guid}</guid><title>{title}</title><pubDate>{when}</pubDate></item>'
        for guid, title, when in items
    )
    path = tmp_path / name
    path.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'
    )
    return path


ITEMS = [
    ("a", "Gunman kills 5 at a school in Uvalde, Texas", "Mon, 04 Aug 2025 10:00:00 +0000"),
    ("b", "Vigil held for the victims in Uvalde, Texas", "Mon, 04 Aug 2025 20:00:00 +0000"),
    ("c", "Gunman kills 3 at a mall in Fresno, California", "Tue, 05 Aug 2025 09:00:00 +0000"),
]


def test_replay_and_as_of_judge_the_feed_at_their_moments(tmp_path, capsys):
    path = _feed(tmp_path, "day.xml", ITEMS)
    assert cli.main(["assess", "--json", "--replay", str(path)]) == 0
    rows = {r["id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert rows["a"]["tragedy"] and rows["a"]["event"] == "a"
    assert rows["b"]["event"] == "a" and rows["b"]["tragedy"]
    assert rows["c"]["event"] == "c"
    assert cli.main(["assess", "--json", "--as-of", "2025-08-04T12:00:00Z", str(path)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == ["a"]  # the later entries were not published yet
    assert cli.main(["assess", "--json", "--as-of", "2025-09-01T00:00:00Z", str(path)]) == 0
    rows = {r["id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert not rows["a"]["tragedy"]  # four weeks on, old news holds nothing


def test_a_directory_is_read_file_by_file(tmp_path, capsys):
    folder = tmp_path / "archive"
    folder.mkdir()
    _feed(folder, "one.xml", ITEMS[:1])
    _feed(folder, "two.xml", ITEMS[2:])
    (folder / "broken.xml").write_text("<html>no feed</html>")
    assert cli.main(["assess", "--json", "--replay", str(folder)]) == 1  # one file failed
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert sorted(r["id"] for r in rows) == ["a", "c"]
    assert {r["source"].rsplit("/", 1)[-1] for r in rows} == {"one.xml", "two.xml"}
    assert "broken.xml" in captured.err


def test_captures_of_one_feed_are_read_as_one_timeline(tmp_path, capsys):
    folder = tmp_path / "captures"
    folder.mkdir()
    # Two days' captures of one feed: the second repeats the first day's vigil.
    _feed(folder, "2025-08-04.xml", ITEMS[:2])
    vigil, victims = ITEMS[1], ("d", "Victims named", "Tue, 05 Aug 2025 08:00:00 +0000")
    _feed(folder, "2025-08-05.xml", [vigil, victims])
    assert cli.main(["assess", "--json", "--replay", "--one-feed", str(folder)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "d"]  # the vigil once, as first captured
    by_id = {r["id"]: r for r in rows}
    assert by_id["b"]["source"].endswith("2025-08-04.xml")
    assert by_id["d"]["source"].endswith("2025-08-05.xml")
    assert by_id["b"]["event"] == "a"
    # File by file, the second day's vigil is read without the shooting it follows.
    assert cli.main(["assess", "--json", "--replay", str(folder)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "b", "d"]
    assert rows[2]["event"] != "a"


def test_one_feed_refuses_a_capture_of_another_kind(tmp_path, capsys):
    folder = tmp_path / "captures"
    folder.mkdir()
    _feed(folder, "a.xml", ITEMS[:1])
    (folder / "b.xml").write_bytes(locate.own_feed("usgs.atom").read_bytes())
    assert cli.main(["assess", "--json", "--one-feed", str(folder)]) == 1
    captured = capsys.readouterr()
    assert "b.xml: a usgs feed" in captured.err and "--one-feed" in captured.err
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["a"]


@pytest.mark.parametrize(
    ("args", "field"),
    [(["--as-of", "yesterday", "x.xml"], "--as-of"), ([], "source")],
)
def test_bad_assess_arguments_are_named(capsys, args, field):
    assert cli.main(["assess", *args]) == 2
    assert field in capsys.readouterr().err


def test_assess_takes_the_publishers_country(tmp_path, capsys):
    feed = tmp_path / "f.rss"
    feed.write_bytes(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><guid>a</guid><title>Gunman kills 5 at a school, police say</title></item>"
        b"</channel></rss>"
    )
    assert cli.main(["assess", "--json", "--home-country", "gb", str(feed)]) == 0
    line = json.loads(capsys.readouterr().out.splitlines()[0])
    assert line["regions"] == ["GB"]
    assert cli.main(["assess", "--home-country", "XX", str(feed)]) == 2
    assert "--home-country" in capsys.readouterr().err


def test_assess_takes_a_local_publishers_subdivision(tmp_path, capsys):
    feed = tmp_path / "f.rss"
    feed.write_bytes(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><guid>a</guid><title>Fire in Alexandria kills three</title></item>"
        b"</channel></rss>"
    )
    assert cli.main(["assess", "--json", str(feed)]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["regions"][-1] == "EG"
    assert cli.main(["assess", "--json", "--home-region", "us-la", str(feed)]) == 0
    line = json.loads(capsys.readouterr().out.splitlines()[0])
    assert line["regions"] == ["US-LA", "US"]
    for bad in (["--home-region", "Louisiana"], ["--home-region", "US-LA", "--home-country", "GB"]):
        assert cli.main(["assess", *bad, str(feed)]) == 2
        assert "--home-region" in capsys.readouterr().err


def test_a_follow_up_joins_while_the_monitors_incident_would_be_open(tmp_path, capsys, monkeypatch):
    # The vigil comes 34 hours after the shooting: past the default quiet time of a
    # day, the monitor's incident has ended, and the dry run says the same.
    late = [ITEMS[0], ("b", ITEMS[1][1], "Tue, 05 Aug 2025 20:00:00 +0000")]
    path = _feed(tmp_path, "late.xml", late)
    assert cli.main(["assess", "--json", "--replay", str(path)]) == 0
    rows = {r["id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert rows["b"]["event"] is None
    # With a longer quiet time configured, the incident is still open.
    monkeypatch.setenv("TACTFUL_INCIDENTS__QUIET_HOURS", "48")
    assert cli.main(["assess", "--json", "--replay", str(path)]) == 0
    rows = {r["id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert rows["b"]["event"] == "a"
