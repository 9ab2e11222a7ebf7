"""Feed fixtures: a real local HTTP server serving feeds and scripted bad answers,
settings with short network limits, and a simple assessor.

``own_bytes`` reads the small feeds written for the tests (``tests/data/feeds``);
``fixture_bytes`` the captured real feeds of the development corpus, for tests
marked ``corpus``."""

from __future__ import annotations

import gzip
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rules.reports import NOT_A_TRAGEDY, Assessment, Entry
from tests import locate
from tests.conftest import make_settings

# Short limits so the hostile cases end in about a second, never a minute.
FAST_MONITOR = {
    "connect_timeout_seconds": 2.0,
    "read_timeout_seconds": 2.0,
    "fetch_deadline_seconds": 1.0,
    "max_body_bytes": 1_000_000,
    "lease_seconds": 60,
    "max_redirects": 3,
    "contact": "https://example.org/tactful-test",
    # The test servers listen on this machine, which feeds may only reach when the
    # configuration allows it (tests/feeds/test_address.py checks the refusal).
    "allow_private": ["127.0.0.1/32"],
}
# An upper bound for the server's stalled handlers, released at teardown.
STALL = 30


def fixture_bytes(name: str) -> bytes:
    """A captured real feed (development corpus; the test must be marked ``corpus``)."""
    return locate.fixture_feed(name).read_bytes()


def own_bytes(name: str) -> bytes:
    """A feed written for the tests, in every clone."""
    return locate.own_feed(name).read_bytes()


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class FeedServer:
    """Routes: path -> handler(request). Every request is recorded."""

    routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    sent: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def requests_to(self, path: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path == path]

    # ------------------------------------------------------------ route makers
    def serve(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        content_type: str = "application/xml",
        headers: dict[str, str] | None = None,
        etag: str | None = None,
    ) -> str:
        def handle(request: BaseHTTPRequestHandler) -> None:
            if etag and request.headers.get("If-None-Match") == etag:
                request.send_response(304)
                request.send_header("ETag", etag)
                request.end_headers()
                return
            request.send_response(status)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(body)))
            if etag:
                request.send_header("ETag", etag)
            for name, value in (headers or {}).items():
                request.send_header(name, value)
            request.end_headers()
            request.wfile.write(body)

        self.routes[path] = handle
        return self.url(path)

    def sequence(self, path: str, *handlers: Callable[[BaseHTTPRequestHandler], None]) -> str:
        """Answer the n-th request with the n-th handler (the last one repeats)."""
        calls = iter(handlers)
        last = [handlers[-1]]

        def handle(request: BaseHTTPRequestHandler) -> None:
            with self.lock:
                handler = next(calls, last[0])
            handler(request)

        self.routes[path] = handle
        return self.url(path)

    def endless(self, path: str, *, gzipped: bool = False) -> str:
        """A body of up to 1 GB generated on the fly (never held), gzip-encoded or not.
        Stops as soon as the client hangs up; ``sent[path]`` counts what went out."""
        chunk = b"\0" * 65536

        def handle(request: BaseHTTPRequestHandler) -> None:
            request.send_response(200)
            request.send_header("Content-Type", "application/xml")
            if gzipped:
                request.send_header("Content-Encoding", "gzip")
            request.end_headers()
            compressor = zlib.compressobj(9, zlib.DEFLATED, 31) if gzipped else None
            total = 0
            try:
                head = b"<rss><channel><title>"
                request.wfile.write(compressor.compress(head) if compressor else head)
                for _ in range(2**30 // len(chunk)):
                    data = compressor.compress(chunk) if compressor else chunk
                    if data:
                        request.wfile.write(data)
                        total += len(data)
                    if self.release.is_set():
                        break
            except OSError:
                pass  # the client hung up: what we want
            with self.lock:
                self.sent[path] = total

        self.routes[path] = handle
        return self.url(path)

    def stall(self, path: str, *, trickle: bool = False) -> str:
        """Send the headers and one byte, then hang (or, with ``trickle``, one more
        byte every 50 ms, forever) until the test ends."""

        def handle(request: BaseHTTPRequestHandler) -> None:
            request.send_response(200)
            request.send_header("Content-Type", "application/xml")
            request.send_header("Content-Length", "100000")
            request.end_headers()
            try:
                request.wfile.write(b"<")
                request.wfile.flush()
                if not trickle:
                    self.release.wait(STALL)
                    return
                while not self.release.wait(0.05):
                    request.wfile.write(b" ")
                    request.wfile.flush()
            except OSError:
                pass

        self.routes[path] = handle
        return self.url(path)

    def redirect(self, path: str, target: str, status: int = 302) -> str:
        def handle(request: BaseHTTPRequestHandler) -> None:
            request.send_response(status)
            request.send_header("Location", target)
            request.send_header("Content-Length", "0")
            request.end_headers()

        self.routes[path] = handle
        return self.url(path)


def make_handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            with server.lock:
                server.seen.append(Seen(path, dict(self.headers.items())))
            route = server.routes.get(path)
            if route is None:
                self.send_error(404)
                return
            route(self)

    return Handler


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer()

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # socketserver's default of 5 drops parallel polls

    httpd = Server(("127.0.0.1", 0), make_handler(state))
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(STALL)


@pytest.fixture
def settings(tmp_path: Path, database_url: str):
    """The shared settings with short network limits and no configured feeds."""
    return make_settings(tmp_path, database_url, monitor=FAST_MONITOR, feeds=[])


def assess_by_words(entry: Entry, now: datetime) -> Assessment:
    """A small real assessor for pipeline tests: a few words, and USGS magnitude."""
    magnitude = entry.fields.get("magnitude")
    if magnitude and float(magnitude) >= 6:
        return Assessment(True, "earthquake", 3, 0.9, ("SB",), (f"magnitude {magnitude}",))
    text = f"{entry.title} {entry.summary}".lower()
    for word, kind in (("explosion", "explosion"), ("blast", "explosion"), ("flood", "flood")):
        if word in text:
            return Assessment(True, kind, 2, 0.7, ("LB",), (f"{word!r} in text",))
    return NOT_A_TRAGEDY


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)


@pytest.fixture
def net_settings(tmp_path: Path):
    """Settings for tests that fetch and parse without a database."""
    return make_settings(tmp_path, "", monitor=FAST_MONITOR, feeds=[])


# Three wire entries, the first with NUL bytes in its title and description: one bad
# entry among good ones.
NUL_FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
    b"<item><title>Shooting in Uvalde\x00, Texas</title><guid>urn:wire:g1</guid>"
    b"<description>Police say\x00 five dead</description></item>"
    b"<item><title>Explosion in Beirut port</title><guid>urn:wire:g2</guid></item>"
    b"<item><title>Flood warning for the Bekaa</title><guid>urn:wire:g3</guid></item>"
    b"</channel></rss>"
)


def add_news_feed(app, url: str) -> int:
    """A news feed at ``url``, added as an admin would; its id."""
    from scheduler.feeds import manage

    with app.db.session() as session:
        return manage.add_feed(session, app.settings, {"url": url, "kind": "news"}, None).id
