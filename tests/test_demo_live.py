"""The README's first promise, end to end: ``tactful serve --demo`` runs as its own
process on a free port; every read-only command run beside it, from the same
directory, sees the demo's data and configuration and changes nothing; and once the
demo feed reports its tragedy, the Texas promotion is held while the service post
goes out.

The demo runs at a fast, pinned pace (``[demo]`` and worker intervals set through
the environment). Nothing here sleeps: each wait blocks on the next line the demo
logs, with a deadline, and then asks the database through the CLI."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest

from scheduler import cli
from tests.test_read_only import READ_ONLY

pytestmark = pytest.mark.slow

# One demo "minute" lasts 1.5 s: the Texas promotion is due 15 s after start, the
# Houston service post 22.5 s after start; the feed reports the tragedy at once.
PACE = {
    "TACTFUL_DEMO__TRAGEDY_AFTER_SECONDS": "0",
    "TACTFUL_DEMO__MINUTE_SECONDS": "1.5",
    "TACTFUL_DEMO__FEED_INTERVAL_SECONDS": "1",
    "TACTFUL_MONITOR__POLL_INTERVAL_SECONDS": "0.5",
    "TACTFUL_WORKER__PUBLISH_INTERVAL_SECONDS": "0.5",
}
DEADLINE = 90.0
TEXAS_PROMOTION = "48-hour flash sale in Texas: 30% off everything!"
HOUSTON_SERVICE = "Our Houston store opens late today at 11:00."


class Demo:
    """The demo process and the lines it prints, as they come."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, pattern: str, *, earlier: bool = False) -> re.Match[str]:
        """Block until the demo prints a line matching ``pattern``; with ``earlier``,
        a line it printed before this call counts too (whichever of two threads
        logs first)."""
        if earlier:
            for line in self.seen:
                found = re.search(pattern, line)
                if found:
                    return found
        end = time.monotonic() + DEADLINE
        while (left := end - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"the demo never printed {pattern!r}:\n{''.join(self.seen)}")


@pytest.fixture
def demo(tmp_path) -> Iterator[Demo]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TACTFUL_")}
    env.update(PACE)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tactful", "serve", "--demo", "--port", "0"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = Demo(proc)
    try:
        yield running
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        running.reader.join(timeout=30)  # reads to the end of the output, then stops
        assert proc.stdout is not None
        proc.stdout.close()
    assert proc.returncode == 0, "".join(running.seen)


def tactful(capsys, *argv: str) -> tuple[str, str]:
    """A command run beside the demo, from its directory, with no settings of its own."""
    capsys.readouterr()
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, (argv, out, err)
    return out, err


def statuses(capsys) -> dict[str, str]:
    out, _ = tactful(capsys, "post", "list")
    return {line.split("\t")[0]: line.split("\t")[1] for line in out.splitlines()}


def test_the_demo_holds_its_texas_promotion_and_publishes_its_service_post(
    demo, tmp_path, monkeypatch, capsys
):
    for name in [k for k in os.environ if k.startswith("TACTFUL_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    url = demo.wait_for(r"tactful is running at (http://127\.0\.0\.1:\d+)/").group(1)
    with urllib.request.urlopen(f"{url}/login", timeout=10) as response:
        assert response.status == 200

    # Every read-only command sees the demo's configuration and data.
    for argv in READ_ONLY:
        tactful(capsys, *argv)
    out, err = tactful(capsys, "post", "list")
    assert err.strip() == "8 posts"
    assert "brand-us" in out and "brand-support" in out
    channels, _ = tactful(capsys, "channel", "list")
    assert channels.count("\tenabled\t") == 4  # the configured outbox and the demo's three
    feeds, _ = tactful(capsys, "feed", "list")
    (feed,) = feeds.splitlines()  # only the local demo feed: no internet feeds
    assert "\tenabled\tnews\t" in feed and "Demo News" in feed
    check, _ = tactful(capsys, "config", "check")
    assert json.loads(check)["source"] == "var/demo.toml over defaults"

    # The feed reports the shooting: the incident holds the Texas promotion. The
    # worker polls as soon as it starts, which may be before the web server says
    # where it listens.
    demo.wait_for(r"feed \d+: \d+ new reports, 1 tragedies", earlier=True)
    incidents, _ = tactful(capsys, "incident", "list")
    assert "\tUS-TX\t" in incidents and "Santa Fe" in incidents
    shown = statuses(capsys)
    assert shown["1"] == "held"
    held, _ = tactful(capsys, "post", "show", "1")
    assert TEXAS_PROMOTION in held and "held by incident 1" in held
    # The condolence prompt covers the demo's accounts with a US audience.
    prompts, _ = tactful(capsys, "condolence", "list")
    (prompt,) = prompts.splitlines()
    _, status, incident, _, covered, _ = prompt.split("\t")
    assert (status, incident) == ("awaiting_draft", "incident 1")
    assert {"brand-us", "brand-support"} <= set(covered.split(",")) and "brand-fr" not in covered

    # The service post for Houston still goes out, when its time comes.
    demo.wait_for(r"published [1-9]")
    shown = statuses(capsys)
    assert shown["2"] == "published"
    assert shown["1"] == "held"
    lines = (tmp_path / "var" / "outbox.jsonl").read_text(encoding="utf-8").splitlines()
    outbox = [json.loads(line) for line in lines]
    assert HOUSTON_SERVICE in [entry["text"] for entry in outbox]
    assert TEXAS_PROMOTION not in [entry["text"] for entry in outbox]
    # Nothing the commands above did disabled an account or added a feed.
    channels, _ = tactful(capsys, "channel", "list")
    assert channels.count("\tenabled\t") == 4
    feeds, _ = tactful(capsys, "feed", "list")
    assert len(feeds.splitlines()) == 1
