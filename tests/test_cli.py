"""The command line: every command against a real SQLite database, and bad input
answered with an error naming the field and nothing stored changed."""

import io
import json

import pytest
from sqlalchemy import func, select

from scheduler import cli
from scheduler.config import load_settings
from scheduler.context import Tactful
from scheduler.models import AuditEvent, Incident, Post, User


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "config.toml"
    path.write_text(
        f'[paths]\ndata_dir = "{tmp_path / "var"}"\n'
        '[[channels]]\nname = "outbox"\nnetwork = "outbox"\nregions = ["US"]\n'
    )
    # Channel accounts come from the configuration only when it is applied.
    assert cli.main(["--config", str(path), "config", "apply"]) == 0
    return path


def run(config, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(["--config", str(config), *argv])


def count(config, model):
    app = Tactful.from_settings(load_settings(config, environ={}))
    with app.db.session() as session:
        n = session.scalar(select(func.count()).select_from(model))
    app.close()
    return n


def queue_service_post(config, text="Hi"):
    assert (
        run(
            config,
            "post",
            "create",
            "--text",
            text,
            "--channel",
            "outbox",
            "--at",
            "2099-01-01T09:00",
            "--category",
            "service",
        )
        == 0
    )


def test_db_upgrade_and_config_check(config, capsys):
    assert run(config, "db", "upgrade") == 0
    assert "revision 0008" in capsys.readouterr().out
    assert run(config, "config", "check") == 0
    assert json.loads(capsys.readouterr().out)["channels"] == ["outbox"]


def test_a_user_and_a_token_are_created(config, capsys, monkeypatch):
    assert (
        run(
            config,
            "user",
            "create",
            "dana",
            "--role",
            "approver",
            "--password-stdin",
            stdin="long-enough-password\n",
            monkeypatch=monkeypatch,
        )
        == 0
    )
    assert "created approver dana" in capsys.readouterr().out
    assert run(config, "token", "create", "dana") == 0
    assert capsys.readouterr().out.startswith("tft_")
    assert run(config, "token", "create", "nobody") == 2
    assert "name" in capsys.readouterr().err


def test_a_short_password_is_refused_naming_the_field(config, capsys, monkeypatch):
    assert (
        run(
            config,
            "user",
            "create",
            "dana",
            "--role",
            "admin",
            "--password-stdin",
            stdin="short\n",
            monkeypatch=monkeypatch,
        )
        == 2
    )
    assert "error: password:" in capsys.readouterr().err
    assert count(config, User) == 0


def test_declare_holds_and_resolve_releases(config, capsys):
    assert (
        run(
            config,
            "post",
            "create",
            "--text",
            "Sale!",
            "--channel",
            "outbox",
            "--at",
            "2099-01-01T09:00",
            "--tz",
            "America/Chicago",
            "--category",
            "promotional",
            "--region",
            "Texas",
        )
        == 0
    )
    assert "queued" in capsys.readouterr().out
    assert (
        run(
            config,
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
        == 0
    )
    assert "1 posts held" in capsys.readouterr().out
    assert run(config, "post", "list", "--status", "held") == 0
    out = capsys.readouterr().out
    assert "promotional/inside/severity>=2" in out
    assert run(config, "incident", "resolve", "1", "--reason", "over") == 0
    assert "1 posts queued" in capsys.readouterr().out
    assert run(config, "incident", "resolve", "1") == 1
    assert "already resolved" in capsys.readouterr().err


def test_edit_reschedules_and_cancel_cancels(config, capsys):
    queue_service_post(config)
    capsys.readouterr()
    assert run(config, "post", "edit", "1", "--at", "2099-01-02T10:00", "--tz", "Europe/Paris") == 0
    assert "2099-01-02T09:00:00+00:00" in capsys.readouterr().out
    assert run(config, "post", "cancel", "1") == 0
    assert run(config, "post", "edit", "1", "--text", "again") == 1


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (
            [
                "post",
                "create",
                "--text",
                "",
                "--channel",
                "outbox",
                "--at",
                "2099-01-01T09:00",
                "--category",
                "service",
            ],
            "text",
        ),
        (
            [
                "post",
                "create",
                "--text",
                "x",
                "--channel",
                "nope",
                "--at",
                "2099-01-01T09:00",
                "--category",
                "service",
            ],
            "channels",
        ),
        (
            [
                "post",
                "create",
                "--text",
                "x",
                "--channel",
                "outbox",
                "--at",
                "2099-01-01",
                "--category",
                "service",
            ],
            "publish_at",
        ),
        (
            [
                "post",
                "create",
                "--text",
                "x",
                "--channel",
                "outbox",
                "--at",
                "2000-01-01T09:00",
                "--category",
                "service",
            ],
            "publish_at",
        ),
        (
            [
                "post",
                "create",
                "--text",
                "x",
                "--channel",
                "outbox",
                "--at",
                "2099-01-01T09:00",
                "--tz",
                "Mars/Olympus",
                "--category",
                "service",
            ],
            "timezone",
        ),
        (
            [
                "post",
                "create",
                "--text",
                "x",
                "--channel",
                "outbox",
                "--at",
                "2099-01-01T09:00",
                "--category",
                "condolence",
            ],
            "category",
        ),
        (
            [
                "post",
                "create",
                "--text",
                "x",
                "--channel",
                "outbox",
                "--at",
                "2099-01-01T09:00",
                "--category",
                "service",
                "--region",
                "XX-NOPE",
            ],
            "regions",
        ),
        (
            [
                "incident",
                "declare",
                "--kind",
                "shooting",
                "--severity",
                "9",
                "--region",
                "US-TX",
                "--title",
                "x",
            ],
            "severity",
        ),
        (
            [
                "incident",
                "declare",
                "--kind",
                "rumour",
                "--severity",
                "2",
                "--region",
                "US-TX",
                "--title",
                "x",
            ],
            "kind",
        ),
        (["incident", "declare", "--kind", "flood", "--severity", "2", "--title", "x"], "regions"),
    ],
)
def test_bad_cli_input_names_the_field_and_stores_nothing(config, capsys, argv, field):
    queue_service_post(config, "kept")
    capsys.readouterr()
    before = (count(config, Post), count(config, Incident))
    assert run(config, *argv) == 2
    assert f"error: {field}:" in capsys.readouterr().err
    assert (count(config, Post), count(config, Incident)) == before == (1, 0)


def test_a_bad_config_stops_every_command_naming_the_key(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[worker]\nbatch_size = -3\n")
    assert cli.main(["--config", str(bad), "db", "upgrade"]) == 2
    assert "worker.batch_size" in capsys.readouterr().err


def test_every_cli_change_is_audited(config, capsys):
    queue_service_post(config)
    assert count(config, AuditEvent) >= 2  # channel created from config, post created


def test_condolence_prompts_are_listed_but_not_approvable_from_the_cli(config, capsys):
    run(
        config,
        "post",
        "create",
        "--text",
        "Sale!",
        "--channel",
        "outbox",
        "--at",
        "2099-01-01T09:00",
        "--category",
        "promotional",
        "--region",
        "US-TX",
    )
    run(
        config,
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
    capsys.readouterr()
    assert run(config, "condolence", "list") == 0
    assert "\tawaiting_draft\tincident 1\tv0\toutbox\t" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["--config", str(config), "condolence", "approve", "1"])
    assert count(config, Post) == 1  # nothing but the promotion was ever queued
