"""Looking never changes anything: every read-only command, run against a database
with rows in its tables and a configuration that no longer matches it, leaves every
table exactly as it was; only ``config apply`` (like ``serve`` and ``worker``)
brings the database in line, and never disables an account that still has queued
posts without a person saying so."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from scheduler import cli
from scheduler.config import load_settings
from scheduler.context import Tactful
from scheduler.models import AuditEvent, Base, ChannelAccount
from tests import locate

OUTBOX = '[[channels]]\nname = "outbox"\nnetwork = "outbox"\nregions = ["US"]\n'
BRAND_FR = (
    '[[channels]]\nname = "brand-fr"\nnetwork = "outbox"\npath = "fr.jsonl"\nregions = ["FR"]\n'
)
FEED = '[[feeds]]\nurl = "https://feeds.example.org/{name}.xml"\nkind = "news"\n'


def write_config(path, tmp_path, database_url, channels, feeds):
    path.write_text(
        f'[paths]\ndata_dir = "{tmp_path}"\n'
        f'[database]\nurl = "{database_url}"\n' + channels + "".join(feeds)
    )


@pytest.fixture
def config(tmp_path, database_url, monkeypatch):
    """A database made by applying one configuration and using it; then the file is
    changed (an account and a feed removed, another feed added), as when a person
    edits config.toml while tactful runs."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "tactful.toml"
    write_config(
        path,
        tmp_path,
        database_url,
        OUTBOX + BRAND_FR,
        [FEED.format(name="a"), FEED.format(name="b")],
    )
    assert cli.main(["--config", str(path), "config", "apply"]) == 0
    for channel, category, region in (
        ("outbox", "promotional", "US-TX"),
        ("outbox", "service", "US-TX"),
        ("brand-fr", "promotional", "FR"),
    ):
        assert (
            run(
                path,
                "post",
                "create",
                "--text",
                f"A {category} post",
                "--channel",
                channel,
                "--at",
                "2099-01-01T09:00",
                "--category",
                category,
                "--region",
                region,
            )
            == 0
        )
    declared = run(
        path,
        "incident",
        "declare",
        "--kind",
        "shooting",
        "--severity",
        "3",
        "--region",
        "US-TX",
        "--title",
        "Gunman kills 5 in Uvalde",
    )
    assert declared == 0
    write_config(path, tmp_path, database_url, OUTBOX, [FEED.format(name="c")])
    return path


def run(config, *argv):
    return cli.main(["--config", str(config), *argv])


def dump(config) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in primary-key order."""
    app = Tactful.from_settings(load_settings(config, environ={}), read_only=True)
    try:
        with app.db.session() as session:
            return {
                table.name: [
                    tuple(row)
                    for row in session.execute(
                        select(table).order_by(*table.primary_key.columns)
                    ).all()
                ]
                for table in Base.metadata.sorted_tables
            }
    finally:
        app.close()


READ_ONLY = [
    ("post", "list"),
    ("post", "list", "--status", "held"),
    ("post", "show", "1"),
    ("incident", "list"),
    ("incident", "list", "--all"),
    ("feed", "list"),
    ("channel", "list"),
    ("policy", "list"),
    ("condolence", "list"),
    ("condolence", "list", "--all"),
    ("config", "check"),
    ("assess", str(locate.own_feed("news.rss"))),
    ("assess", "--json", str(locate.own_feed("cap.atom"))),
    ("assess", "--replay", str(locate.OWN_FEEDS)),
    ("assess", "--version"),
    ("geoparse", "--json", str(locate.DATA / "geoparse.jsonl")),
]


def test_every_read_only_command_leaves_every_table_as_it_was(config, capsys):
    before = dump(config)
    assert before["posts"] and before["holds"] and before["feeds"] and before["audit_events"]
    capsys.readouterr()
    for argv in READ_ONLY:
        assert run(config, *argv) == 0, argv
    out = capsys.readouterr().out
    assert dump(config) == before
    # They still see everything: the held post, the incident, the old feeds.
    assert "incident 1 (promotional/inside/severity>=2)" in out
    assert "Gunman kills 5 in Uvalde" in out
    assert "https://feeds.example.org/a.xml" in out
    assert "brand-fr\tenabled\toutbox\t1 queued\tnot in the configuration" in out


def test_a_read_only_database_refuses_a_write(config):
    app = Tactful.from_settings(load_settings(config, environ={}), read_only=True)
    try:
        with pytest.raises(DBAPIError), app.db.session() as session:
            session.execute(text("UPDATE channel_accounts SET enabled = false"))
    finally:
        app.close()


def test_a_read_only_command_creates_no_database(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "tactful.toml"
    path.write_text(f'[paths]\ndata_dir = "{tmp_path / "var"}"\n')
    assert run(path, "post", "list") == 1
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "var").exists()


def accounts(config) -> dict[str, bool]:
    return {name: enabled for name, enabled, _ in rows(config, ChannelAccount)}


def rows(config, model):
    app = Tactful.from_settings(load_settings(config, environ={}), read_only=True)
    try:
        with app.db.session() as session:
            if model is ChannelAccount:
                return [(r.name, r.enabled, r.id) for r in session.scalars(select(ChannelAccount))]
            return list(session.scalars(select(model).order_by(model.id)))
    finally:
        app.close()


def test_config_apply_asks_before_disabling_an_account_with_queued_posts(config, capsys):
    capsys.readouterr()
    assert run(config, "config", "apply") == 1
    err = capsys.readouterr().err
    assert "channel account brand-fr is no longer in the configuration but has 1 queued post" in err
    assert accounts(config) == {"outbox": True, "brand-fr": True}
    # The feeds follow the configuration at once: nothing waits on them.
    assert run(config, "feed", "list") == 0
    listed = capsys.readouterr().out
    assert "https://feeds.example.org/c.xml" in listed
    assert run(config, "config", "apply", "--yes") == 0
    assert accounts(config) == {"outbox": True, "brand-fr": False}
    (event,) = [e for e in rows(config, AuditEvent) if e.action == "channel.disabled"]
    assert event.actor == "system" and event.reason == "no longer in the configuration"
    assert event.details == {"waiting_posts": 1}


def test_disabling_an_account_from_the_cli_needs_yes_when_posts_wait(config, capsys):
    capsys.readouterr()
    assert run(config, "channel", "disable", "outbox") == 1
    err = capsys.readouterr().err
    assert "channel account outbox has 2 queued posts" in err and "--yes" in err
    assert accounts(config)["outbox"] is True
    assert run(config, "channel", "disable", "outbox", "--yes", "--reason", "rebrand") == 0
    assert accounts(config)["outbox"] is False
    assert run(config, "channel", "enable", "outbox") == 0
    assert accounts(config)["outbox"] is True
    actions = [(e.action, e.reason) for e in rows(config, AuditEvent) if e.object_type == "channel"]
    assert actions[-2:] == [("channel.disabled", "rebrand"), ("channel.enabled", None)]


def test_user_create_without_a_terminal_says_how_to_pass_a_password(config, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    capsys.readouterr()
    assert run(config, "user", "create", "erin", "--role", "manager") == 2
    err = capsys.readouterr().err
    assert "error: password:" in err and "--password-stdin" in err
    assert "Traceback" not in err


def test_commands_print_no_library_info_lines_unless_verbose(config):
    def tactful(*argv):
        return subprocess.run(
            [sys.executable, "-m", "scheduler.cli", "--config", str(config), *argv],
            capture_output=True,
            text=True,
            timeout=120,
            env={k: v for k, v in os.environ.items() if not k.startswith("TACTFUL_")},
        )

    quiet = tactful("db", "upgrade")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == "" and quiet.stdout.startswith("database at revision")
    loud = tactful("-v", "db", "upgrade")
    assert "Context impl" in loud.stderr
