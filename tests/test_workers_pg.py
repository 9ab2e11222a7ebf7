"""Several real worker processes on one PostgreSQL database: each post exactly once,
even when a worker is killed with SIGKILL mid-publish."""

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, insert, select

from scheduler import posts
from scheduler.models import Post, PostRegion, PublishAttempt

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["postgres"])]
WAIT = 180  # seconds: an upper bound for the wait, never a sleep


class CountingWebhook:
    """A webhook receiver that creates a post once per Idempotency-Key, replays the
    same answer for a repeated key, and can hold requests open (a slow network)."""

    def __init__(self, expected: int):
        self.expected = expected
        self.requests = Counter()
        self.created = Counter()
        self.lock = threading.Lock()
        self.all_created = threading.Event()
        self.stall = threading.Event()  # set: hold every request open until released
        self.release = threading.Event()
        self.stalled_count = 0
        self.stalled_enough = threading.Event()
        self.stall_target = 0
        self.request_target = 0  # set: an event fires once this many requests came
        self.enough_requests = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                key = self.headers["Idempotency-Key"]
                json.loads(body)
                with outer.lock:
                    outer.requests[key] += 1
                    if (
                        outer.request_target
                        and sum(outer.requests.values()) >= outer.request_target
                    ):
                        outer.enough_requests.set()
                    if outer.created[key] == 0:
                        outer.created[key] = 1
                    if len(outer.created) >= outer.expected:
                        outer.all_created.set()
                    stalled = outer.stall.is_set()
                    if stalled:
                        outer.stalled_count += 1
                        if outer.stalled_count >= outer.stall_target:
                            outer.stalled_enough.set()
                if stalled:
                    outer.release.wait(WAIT)
                try:
                    payload = json.dumps({"id": key}).encode()
                    self.send_response(201)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client died while we held its request

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # a real receiver's backlog, not socketserver's 5
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def write_config(tmp_path, url, lease=60):
    path = tmp_path / "workers.toml"
    path.write_text(
        f"""
feeds = []
[paths]
data_dir = "{tmp_path}"
[worker]
publish_interval_seconds = 0.2
batch_size = 100
lease_seconds = {lease}
maintenance_interval_seconds = 0.5
concurrency = 8
[[channels]]
name = "hook"
network = "webhook"
url = "{url}"
"""
    )
    return path


def insert_due_posts(app, count):
    now = datetime.now(UTC) - timedelta(seconds=1)
    with app.db.session() as session:
        posts.sync_channels(session, app.settings.channels)
    with app.db.session() as session:
        channel = next(c for c in posts.list_channels(session) if c.name == "hook")
        rows = [
            {
                "group_key": f"g{i}",
                "channel_id": channel.id,
                "text": f"Post {i}",
                "category": "service",
                "status": "queued",
                "publish_at": now,
                "timezone": "UTC",
                "local_time": "x",
                "due_at": now,
                "attempts": 0,
                "idempotency_key": f"key-{i:05d}",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(count)
        ]
        ids = session.scalars(insert(Post).returning(Post.id), rows).all()
        session.execute(insert(PostRegion), [{"post_id": i, "region": "WORLD"} for i in ids])


def start_worker(config, database_url):
    env = dict(os.environ, TACTFUL_DATABASE__URL=database_url, PYTHONUNBUFFERED="1")
    log = open(config.parent / f"worker-{os.urandom(4).hex()}.log", "wb")  # noqa: SIM115
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "scheduler.cli", "--config", str(config), "worker"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    finally:
        log.close()


def problems(app, hook, count):
    with app.db.session() as session:
        rows = session.execute(
            select(Post.status, Post.last_error).where(Post.status != "published")
        ).all()
    return f"{len(hook.created)} of {count} arrived; not published: {rows[:10]}"


def stop(procs):
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait(60)
    return [proc.returncode for proc in procs]


def settings_with_hook(tmp_path, database_url, url, lease=60):
    from scheduler.config import load_settings

    return load_settings(
        write_config(tmp_path, url, lease), environ={"TACTFUL_DATABASE__URL": database_url}
    )


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_publish_two_thousand_simultaneous_posts_each_exactly_once(
    tmp_path, database_url, workers
):
    from scheduler.context import Tactful

    count = 2000
    with CountingWebhook(count) as hook:
        settings = settings_with_hook(tmp_path, database_url, hook.url)
        app = Tactful.from_settings(settings)
        insert_due_posts(app, count)
        procs = [
            start_worker(write_config(tmp_path, hook.url), database_url) for _ in range(workers)
        ]
        try:
            assert hook.all_created.wait(WAIT), problems(app, hook, count)
        finally:
            codes = stop(procs)
        assert codes == [0] * workers  # SIGTERM: finished in-flight work, clean exit
        assert len(hook.created) == count
        assert max(hook.requests.values()) == 1, "a post was sent twice"
        with app.db.session() as session:
            statuses = dict(
                session.execute(select(Post.status, func.count()).group_by(Post.status)).all()
            )
            attempts = session.scalar(select(func.count()).select_from(PublishAttempt))
            workers_used = session.scalar(select(func.count(func.distinct(PublishAttempt.worker))))
        app.close()
    assert statuses == {"published": count}
    assert attempts == count
    assert workers_used == workers


def test_a_killed_worker_s_claims_are_published_by_another_after_the_lease(tmp_path, database_url):
    from scheduler.context import Tactful

    count = 300
    lease = 5
    with CountingWebhook(count) as hook:
        settings = settings_with_hook(tmp_path, database_url, hook.url, lease)
        app = Tactful.from_settings(settings)
        insert_due_posts(app, count)
        hook.stall_target = 8  # the first worker has 8 calls on the wire when killed
        hook.stall.set()
        first = start_worker(write_config(tmp_path, hook.url, lease), database_url)
        assert hook.stalled_enough.wait(WAIT)
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        with app.db.session() as session:
            in_flight = session.scalar(
                select(func.count()).select_from(Post).where(Post.status == "publishing")
            )
        assert in_flight >= 8  # claims left behind by the dead worker
        # Every post once, plus one resend for each call the dead worker had on the wire.
        with hook.lock:
            hook.request_target = count + hook.stalled_count
        hook.stall.clear()
        hook.release.set()
        second = start_worker(write_config(tmp_path, hook.url, lease), database_url)
        try:
            assert hook.enough_requests.wait(WAIT), problems(app, hook, count)
        finally:
            # SIGTERM lets the worker finish (and commit) the calls in flight.
            assert stop([second]) == [0]
        with app.db.session() as session:
            statuses = dict(
                session.execute(select(Post.status, func.count()).group_by(Post.status)).all()
            )
            abandoned = session.scalar(
                select(func.count())
                .select_from(PublishAttempt)
                .where(PublishAttempt.outcome == "abandoned")
            )
        app.close()
    assert statuses == {"published": count}
    assert abandoned >= 8
    assert len(hook.created) == count
    assert set(hook.created.values()) == {1}  # created once per key, resends were replays
    resent = [k for k, n in hook.requests.items() if n > 1]
    assert len(resent) == hook.stalled_count  # each call on the wire resent with its key
