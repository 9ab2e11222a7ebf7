"""One local HTTP server that plays the webhook receiver, a Mastodon instance and a
Bluesky PDS, for the channel contract tests.

It records every request (method, path, headers, body), counts the posts it created
(by ``Idempotency-Key`` where the network honours one), and can be scripted per path
to answer the next requests with a given status, to hang past the client's read
timeout after reading the request, or to drop the connection without answering.
``Blackhole`` and ``closed_port_url`` give addresses where connecting itself fails.

Nothing here sleeps: a hanging handler waits on an Event that teardown sets.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl

import pytest

WEBHOOK_PATH = "/hooks/tactful"
MASTODON_PATH = "/api/v1/statuses"
VERIFY_CREDENTIALS_PATH = "/api/v1/accounts/verify_credentials"
CREATE_SESSION_PATH = "/xrpc/com.atproto.server.createSession"
REFRESH_SESSION_PATH = "/xrpc/com.atproto.server.refreshSession"
CREATE_RECORD_PATH = "/xrpc/com.atproto.repo.createRecord"

MASTODON_TOKEN = "mastodon-access-token"
BLUESKY_HANDLE = "alice.test"
BLUESKY_PASSWORD = "abcd-efgh-ijkl-mnop"
BLUESKY_DID = "did:plc:alicefake"

# Upper bound on how long a hanging handler keeps its thread if teardown never
# releases it; teardown does release it, so tests never wait this long.
HANG_LIMIT_SECONDS = 30.0


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of_json(cls, status: int, payload: Any, *headers: tuple[str, str]) -> Answer:
        body = json.dumps(payload).encode()
        return cls(status, body, (("Content-Type", "application/json"), *headers))


# "hang": read the request, then answer nothing until released (a read timeout after
# the request was sent). "drop": read the request and close the connection unanswered.
Scripted = Answer | Literal["hang", "drop"]


@dataclass
class _BlueskyState:
    sessions_created: int = 0
    access: dict[str, bool] = field(default_factory=dict)  # token -> still valid
    refresh: set[str] = field(default_factory=set)


class FakeNetworks:
    def __init__(self) -> None:
        self.release = threading.Event()
        self._lock = threading.Condition()
        self._requests: list[Recorded] = []
        self._scripts: dict[str, deque[Scripted]] = {}
        self._created: dict[str, list[str]] = {"webhook": [], "mastodon": [], "bluesky": []}
        self._by_key: dict[tuple[str, str], dict[str, Any]] = {}
        self._bluesky = _BlueskyState()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        # A short poll interval only makes shutdown() at teardown quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-networks"
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()  # joins the handler threads
        self._thread.join()

    # -- scripting and inspection -------------------------------------------------

    def script(self, path: str, *answers: Scripted) -> None:
        """Answer the next requests to ``path`` with ``answers``, in order."""
        with self._lock:
            self._scripts.setdefault(path, deque()).extend(answers)

    def requests(self, path: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self._requests if path is None or r.path == path]

    def wait_for_requests(self, path: str, count: int, timeout: float = 5.0) -> list[Recorded]:
        with self._lock:
            self._lock.wait_for(lambda: len(self._matching(path)) >= count, timeout=timeout)
            return self._matching(path)

    def creations(self, network: str) -> list[str]:
        """What each created post was keyed by: Idempotency-Key, or the record uri."""
        with self._lock:
            return list(self._created[network])

    @property
    def sessions_created(self) -> int:
        with self._lock:
            return self._bluesky.sessions_created

    def expire_access_tokens(self) -> None:
        with self._lock:
            for token in self._bluesky.access:
                self._bluesky.access[token] = False

    def revoke_refresh_tokens(self) -> None:
        with self._lock:
            self._bluesky.refresh.clear()

    def _matching(self, path: str) -> list[Recorded]:
        return [r for r in self._requests if r.path == path]

    # -- request handling (handler threads) -------------------------------------

    def _receive(self, request: Recorded) -> Scripted:
        with self._lock:
            self._requests.append(request)
            self._lock.notify_all()
            queued = self._scripts.get(request.path)
            if queued:
                return queued.popleft()
            return self._default_answer(request)

    def _default_answer(self, request: Recorded) -> Answer:
        if request.method == "GET" and request.path == VERIFY_CREDENTIALS_PATH:
            if request.headers.get("authorization") != f"Bearer {MASTODON_TOKEN}":
                return Answer.of_json(401, {"error": "The access token is invalid"})
            return Answer.of_json(200, {"id": "1", "username": "alice", "acct": "alice"})
        if request.method != "POST":
            return Answer.of_json(405, {"error": "MethodNotAllowed"})
        if request.path == WEBHOOK_PATH:
            return self._webhook(request)
        if request.path == MASTODON_PATH:
            return self._mastodon(request)
        if request.path == CREATE_SESSION_PATH:
            return self._create_session(request)
        if request.path == REFRESH_SESSION_PATH:
            return self._refresh_session(request)
        if request.path == CREATE_RECORD_PATH:
            return self._create_record(request)
        return Answer.of_json(404, {"error": "NotFound"})

    def _idempotent(self, network: str, request: Recorded, make: dict[str, Any]) -> dict[str, Any]:
        key = request.headers.get("idempotency-key")
        if key is None:
            self._created[network].append("")
            return make
        stored = self._by_key.setdefault((network, key), make)
        if stored is make:
            self._created[network].append(key)
        return stored

    def _webhook(self, request: Recorded) -> Answer:
        number = len(self._created["webhook"]) + 1
        made = self._idempotent("webhook", request, {"id": f"hook-{number}"})
        return Answer.of_json(200, made)

    def _mastodon(self, request: Recorded) -> Answer:
        if request.headers.get("authorization") != f"Bearer {MASTODON_TOKEN}":
            return Answer.of_json(401, {"error": "The access token is invalid"})
        if request.headers.get("content-type", "").startswith("application/json"):
            form = request.json()
        else:
            form = dict(parse_qsl(request.body.decode()))
        if not form.get("status"):
            return Answer.of_json(422, {"error": "Validation failed: Text can't be blank"})
        number = 110_000 + len(self._created["mastodon"]) + 1
        made = self._idempotent(
            "mastodon",
            request,
            {
                "id": str(number),
                "url": f"{self.url}/@alice/{number}",
                "content": form["status"],
                "visibility": form.get("visibility", "public"),
            },
        )
        return Answer.of_json(200, made)

    def _new_bluesky_session(self) -> dict[str, str]:
        access, refresh = f"access-{secrets.token_hex(4)}", f"refresh-{secrets.token_hex(4)}"
        self._bluesky.access[access] = True
        self._bluesky.refresh.add(refresh)
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "did": BLUESKY_DID,
            "handle": BLUESKY_HANDLE,
        }

    def _create_session(self, request: Recorded) -> Answer:
        body = request.json()
        if body.get("identifier") != BLUESKY_HANDLE or body.get("password") != BLUESKY_PASSWORD:
            return Answer.of_json(
                401,
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
            )
        self._bluesky.sessions_created += 1
        return Answer.of_json(200, self._new_bluesky_session())

    def _refresh_session(self, request: Recorded) -> Answer:
        token = _bearer(request)
        if token not in self._bluesky.refresh:
            return Answer.of_json(400, {"error": "ExpiredToken", "message": "Token has expired"})
        self._bluesky.refresh.discard(token)
        return Answer.of_json(200, self._new_bluesky_session())

    def _create_record(self, request: Recorded) -> Answer:
        token = _bearer(request)
        if token not in self._bluesky.access:
            return Answer.of_json(401, {"error": "InvalidToken", "message": "Bad token"})
        if not self._bluesky.access[token]:
            return Answer.of_json(400, {"error": "ExpiredToken", "message": "Token has expired"})
        body = request.json()
        if body.get("repo") != BLUESKY_DID or body.get("collection") != "app.bsky.feed.post":
            return Answer.of_json(400, {"error": "InvalidRequest", "message": "bad repo"})
        rkey = f"3k{len(self._created['bluesky']) + 1:011d}"
        uri = f"at://{BLUESKY_DID}/app.bsky.feed.post/{rkey}"
        self._created["bluesky"].append(uri)
        return Answer.of_json(200, {"uri": uri, "cid": f"bafy{rkey}"})


def _bearer(request: Recorded) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ")


class _Server(ThreadingHTTPServer):
    # Non-daemon handler threads, so server_close() waits for them to finish.
    daemon_threads = False
    # Room for a burst of concurrent connects: a full accept queue drops SYNs, which
    # the client would see as a connect timeout.
    request_queue_size = 128


def _handler_for(fake: FakeNetworks) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, so no handler idles on keep-alive.
        protocol_version = "HTTP/1.0"

        def do_POST(self) -> None:
            self._handle()

        def do_GET(self) -> None:
            self._handle()

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Recorded(
                method=self.command,
                path=self.path.split("?", 1)[0],
                headers={name.lower(): value for name, value in self.headers.items()},
                body=body,
            )
            answer = fake._receive(request)
            if answer == "drop":
                self.close_connection = True
                return
            if answer == "hang":
                fake.release.wait(HANG_LIMIT_SECONDS)
                answer = Answer.of_json(200, {"id": "too-late"})
            try:
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:
                pass  # the client gave up waiting; that is what the test arranged

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class Blackhole:
    """A listening socket whose accept queue is already full, so a new connection
    attempt to it on 127.0.0.1 hangs until the client's connect timeout."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        # The first connection fills the queue (Linux admits backlog + 1); the kernel
        # then drops further SYNs, so their connect never completes.
        self._fillers = [socket.create_connection(self._listener.getsockname(), timeout=5)]
        spare = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        spare.setblocking(False)
        spare.connect_ex(self._listener.getsockname())
        self._fillers.append(spare)

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}"

    def bytes_received(self) -> int:
        """Bytes that arrived on any connection the kernel completed to this socket."""
        total = 0
        self._listener.setblocking(False)
        while True:
            try:
                conn, _ = self._listener.accept()
            except BlockingIOError:
                return total
            with conn:
                conn.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    total += len(conn.recv(65536))

    def close(self) -> None:
        for filler in self._fillers:
            filler.close()
        self._listener.close()


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens (connect is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        host, port = probe.getsockname()[:2]
    return f"http://{host}:{port}"


@pytest.fixture
def fake_networks() -> Iterator[FakeNetworks]:
    fake = FakeNetworks()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def blackhole() -> Iterator[Blackhole]:
    hole = Blackhole()
    try:
        yield hole
    finally:
        hole.close()
