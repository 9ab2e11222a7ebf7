"""``tactful serve --demo`` on a fresh directory: migrates, seeds, serves, stops."""

import json
import os
import signal
import subprocess
import sys
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def test_serve_demo_runs_the_web_and_worker_and_stops_on_sigterm(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TACTFUL_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tactful", "serve", "--demo", "--port", "0"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        url = None
        for line in proc.stdout:  # blocks until the server says where it listens
            lines.append(line)
            if "tactful is running at http://127.0.0.1:" in line:
                url = line.split(" at ")[1].split("/ ")[0]
                break
        assert url, "".join(lines)
        assert any("log in as 'demo'" in line for line in lines)
        with urllib.request.urlopen(f"{url}/login", timeout=10) as response:
            assert response.status == 200
            assert b"password" in response.read().lower()
        with urllib.request.urlopen(f"{url}/api/v1/openapi.json", timeout=10) as response:
            assert "/api/v1/posts" in json.loads(response.read())["paths"]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert (tmp_path / "var" / "tactful.db").exists()
