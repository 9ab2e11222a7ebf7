"""The composition root: the ``tactful`` package builds the application objects and
hands them to the web app; the web app never builds its own, and gunicorn loads the
root's factory."""

import os
import subprocess
import sys
import urllib.request

import pytest
from sqlalchemy import func, select

from scheduler import cli as scheduler_cli
from scheduler.models import ChannelAccount
from tactful import cli, wsgi
from web import create_app


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith("TACTFUL_")]:
        monkeypatch.delenv(name)
    path = tmp_path / "config.toml"
    path.write_text(
        f'[paths]\ndata_dir = "{tmp_path / "var"}"\n'
        '[[channels]]\nname = "outbox"\nnetwork = "outbox"\nregions = ["US"]\n'
    )
    monkeypatch.setenv("TACTFUL_CONFIG", str(path))
    return path


def test_the_wsgi_factory_builds_the_app_from_the_settings(config, tmp_path):
    flask_app = wsgi.create_app()
    tactful = flask_app.extensions["tactful"]
    try:
        assert tactful.settings.data_dir == tmp_path / "var"
        client = flask_app.test_client()
        assert client.get("/login").status_code == 200
        assert "/api/v1/posts" in client.get("/api/v1/openapi.json").json["paths"]
        # The SQLite database was migrated; the configured accounts were not applied:
        # web processes never sync the configuration, the workers do.
        with tactful.db.session() as session:
            assert session.scalar(select(func.count()).select_from(ChannelAccount)) == 0
    finally:
        tactful.close()


def test_the_web_app_needs_application_objects():
    with pytest.raises(TypeError, match="tactful"):
        create_app()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="Tactful"):
        create_app(None)  # type: ignore[arg-type]


def test_the_web_commands_belong_to_the_root():
    args = cli.build_parser().parse_args(["serve", "--demo", "--port", "0"])
    assert args.func is cli.cmd_serve and args.demo and args.port == 0
    assert cli.build_parser().parse_args(["web"]).func is cli.cmd_web
    # Every other command is scheduler's own, and reachable through the root too.
    assert cli.build_parser().parse_args(["worker"]).func is scheduler_cli.cmd_worker
    with pytest.raises(SystemExit):
        scheduler_cli.build_parser().parse_args(["serve"])


def test_the_root_command_runs_the_scheduler_commands(config, capsys):
    assert cli.main(["config", "check"]) == 0
    assert cli.main(["config", "apply"]) == 0
    assert cli.main(["channel", "list"]) == 0
    assert "outbox" in capsys.readouterr().out


@pytest.mark.slow
def test_gunicorn_serves_the_roots_factory(config, tmp_path):
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    if not os.path.exists(gunicorn):
        reason = "gunicorn is not installed (the dev extra has it)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: required under CI")
        pytest.skip(reason)
    proc = subprocess.Popen(
        [gunicorn, "-w", "1", "-b", "127.0.0.1:0", "tactful.wsgi:create_app()"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = None
        lines = []
        for line in proc.stderr:  # gunicorn logs the address it bound
            lines.append(line)
            if "Booting worker" in line and url:
                break
            if "Listening at: " in line:
                url = line.split("Listening at: ")[1].split()[0]
        assert url, "".join(lines)
        with urllib.request.urlopen(f"{url}/api/v1/openapi.json", timeout=20) as response:
            assert response.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stderr.close()
