"""``tactful post approve | reject | import`` against a real SQLite database: the
same rules as the page and the API (approver role, not one's own post, the version
read; every row valid or nothing stored)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from scheduler import cli
from scheduler.config import load_settings
from scheduler.context import Tactful
from scheduler.models import Post

HEADER = "text,accounts,time,time_zone,category,regions\n"


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "config.toml"
    path.write_text(
        f'[paths]\ndata_dir = "{tmp_path / "var"}"\n'
        '[[channels]]\nname = "outbox"\nnetwork = "outbox"\n'
        '[[channels]]\nname = "gated"\nnetwork = "outbox"\npath = "gated.jsonl"\n'
        "require_approval = true\n"
    )
    assert cli.main(["--config", str(path), "config", "apply"]) == 0
    return path


def run(config, *argv):
    return cli.main(["--config", str(config), *argv])


def statuses(config):
    app = Tactful.from_settings(load_settings(config, environ={}))
    with app.db.session() as session:
        rows = session.execute(select(Post.id, Post.status).order_by(Post.id)).all()
    app.close()
    return [tuple(row) for row in rows]


def count(config):
    app = Tactful.from_settings(load_settings(config, environ={}))
    with app.db.session() as session:
        n = session.scalar(select(func.count()).select_from(Post))
    app.close()
    return n


@pytest.fixture
def people(config, monkeypatch):
    for name, role in (("alice", "manager"), ("bob", "approver")):
        monkeypatch.setattr("sys.stdin", io.StringIO(f"{name}-password-123\n"))
        assert run(config, "user", "create", name, "--role", role, "--password-stdin") == 0
    return config


def test_import_then_approve_and_reject_at_the_command_line(people, tmp_path, capsys):
    config = people
    csv = tmp_path / "posts.csv"
    csv.write_text(
        HEADER + "Launch,gated,2099-01-01 09:00,UTC,promotional,FR\n"
        "Hours,gated outbox,2099-01-02 09:00,Europe/Paris,service,\n"
    )
    assert run(config, "channel", "list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.endswith("approval required") for line in listed] == [True, False]
    assert run(config, "post", "import", str(csv), "--as", "alice", "--dry-run") == 0
    assert count(config) == 0
    assert run(config, "post", "import", str(csv), "--as", "alice") == 0
    assert statuses(config) == [(1, "pending_approval"), (2, "pending_approval"), (3, "queued")]
    capsys.readouterr()

    # A manager cannot approve; an approver can, the version read or the current one.
    assert run(config, "post", "approve", "1", "--as", "alice") == 1
    assert "approver role" in capsys.readouterr().err
    assert run(config, "post", "approve", "1", "--as", "bob", "--version", "3") == 1
    assert "changed" in capsys.readouterr().err
    assert run(config, "post", "approve", "1", "--as", "bob") == 0
    assert "post 1 queued (version 1) by bob" in capsys.readouterr().out
    assert run(config, "post", "reject", "2", "--as", "bob", "--reason", "Not now.") == 0
    assert statuses(config)[:2] == [(1, "queued"), (2, "rejected")]
    assert run(config, "post", "show", "2") == 0
    shown = capsys.readouterr().out
    assert "why: rejected by bob: Not now." in shown
    assert "not approved (the account requires approval)" in shown
    assert run(config, "post", "show", "1") == 0
    assert "version 1, approved by bob" in capsys.readouterr().out


def test_an_approver_cannot_approve_their_own_imported_post(people, tmp_path, capsys):
    csv = tmp_path / "mine.csv"
    csv.write_text(HEADER + "Launch,gated,2099-01-01 09:00,UTC,promotional,\n")
    assert run(people, "post", "import", str(csv), "--as", "bob") == 0
    capsys.readouterr()
    assert run(people, "post", "approve", "1", "--as", "bob") == 1
    assert "another approver must approve it" in capsys.readouterr().err
    assert statuses(people) == [(1, "pending_approval")]


def test_a_bad_file_prints_each_problem_by_row_and_column_and_stores_nothing(
    config, tmp_path, capsys
):
    csv = tmp_path / "bad.csv"
    csv.write_text(
        HEADER + "Fine,outbox,2099-01-01 09:00,UTC,service,\n"
        "Bad,nowhere,2099-01-01 09:00,Mars/Base,service,\n"
    )
    assert run(config, "post", "import", str(csv)) == 2
    err = capsys.readouterr().err.splitlines()
    assert "error: row 3: accounts: Unknown channel account 'nowhere'." in err
    assert any(line.startswith("error: row 3: time_zone:") for line in err)
    assert count(config) == 0
    assert run(config, "post", "import", str(tmp_path / "absent.csv")) == 2
    assert "error: file: cannot read" in capsys.readouterr().err
