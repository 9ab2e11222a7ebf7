"""The monitor step on the fixture feeds, against bare feedparser and the ``reader`` library.

For each of the ten fixture feeds in ``shared/fixtures/feeds``, on the same bytes:

- **feedparser**: ``feedparser.parse(io.BytesIO(body))``, nothing else (no fetch, no
  storage): the floor any Python feed tool built on feedparser stands on.
- **tactful**: the real poll path, ``scheduler.feeds.poll.poll_feed`` with
  ``rules.assess.assess`` and the monitor's ``on_reports`` (incident correlation and
  hold fan-out), against a local HTTP server: fetch (httpx, one shared client as in a
  worker round) → parse → dedupe → assess every entry → store the new reports and
  open incidents, committed. Once on a fresh SQLite database, once on a fresh
  PostgreSQL database. The clock is set to the feed's capture time (its newest entry)
  while it is polled, so the entries are assessed as the fresh news they were, not
  skipped as years old. Fetch, parse and assess are also timed on their own; "store"
  is the rest of the poll (dedupe query, INSERTs, incidents, commit).
- **reader** (``pip install 'reader>=3.26' sgmllib3k``; not a tactful dependency):
  ``make_reader(new file)``, ``add_feed(url)`` for the ten feeds, ``update_feeds()``
  timed as a whole; and, on another fresh database, ``update_feed(url)`` timed per
  feed. reader fetches with requests, parses with feedparser and stores every entry
  in SQLite; it assesses nothing.

The server is a ``ThreadingHTTPServer`` on 127.0.0.1 in a process of its own (so it
does not compete for this process's GIL), serving the fixture bytes under any path
ending in the file name. Every repetition uses fresh databases and new URLs, so
every entry is new each time. One full repetition runs first as a warm-up (imports,
the gazetteer, compiled SQL, connections) and is discarded. Within a repetition each
feed's figures are taken back to back (feedparser, tactful SQLite, tactful PostgreSQL,
reader), and ratios are the median of the ratios within each repetition, so a noisy
moment on a shared machine hits both sides of a ratio alike. Times are medians.
Target: tactful ≤ 1.5x bare ``feedparser.parse``.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedparser
import httpx

from bench.accuracy import FEEDS, capture_time, feed_kind
from bench.common import BenchEnv, fresh_env, log, median, server_version, table
from rules.assess import assess
from scheduler import clock
from scheduler.feeds.fetch import fetch, new_client
from scheduler.feeds.manage import add_feed
from scheduler.feeds.parse import parse
from scheduler.feeds.poll import poll_feed
from scheduler.monitor import record_reports, warm_up

REPO = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5
FULL_REPEATS = 7
QUICK_REPEATS = 2


# ------------------------------------------------------------------ feed server
def serve(folder: str, log_path: str = "", validators: bool = True) -> None:
    """Serve the files of ``folder`` over HTTP on 127.0.0.1 (a free port, printed on
    stdout) until killed. Any path is answered with the file named by its last
    segment, read anew on each request (so replacing a file changes the feed at once).
    With ``validators`` an ETag is sent and ``If-None-Match`` answered with 304, as
    news sites do. With ``log_path``, one line per request is appended:
    ``<unix time when answered> <path> <status> <bytes>``."""
    root = Path(folder)
    out = open(log_path, "a", buffering=1) if log_path else None  # noqa: SIM115

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle and
        # the client's delayed ACK add ~40 ms to some responses.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            name = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
            try:
                body = (root / name).read_bytes() if name else None
            except OSError:
                body = None
            if body is None:
                status, payload = 404, b"not found"
                headers = {"Content-Type": "text/plain"}
            else:
                etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
                kind = "atom" if name.endswith(".atom") else "rss"
                headers = {"Content-Type": f"application/{kind}+xml"}
                if validators:
                    headers["ETag"] = etag
                if validators and self.headers.get("If-None-Match") == etag:
                    status, payload = 304, b""
                else:
                    status, payload = 200, body
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if status != 304:
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
            if out is not None:
                out.write(f"{time.time():.6f} {self.path} {status} {len(payload)}\n")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


@dataclass
class FeedServer:
    """``serve`` in a child process; ``url(path)`` addresses it."""

    proc: subprocess.Popen[bytes]
    port: int

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"


@contextmanager
def feed_server(
    folder: Path, log_path: Path | None = None, validators: bool = True
) -> Iterator[FeedServer]:
    code = "import sys; from bench.monitor_speed import serve; serve(*sys.argv[1:3], sys.argv[3] == '1')"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(folder), str(log_path or ""), "1" if validators else "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.strip():
            raise RuntimeError("the feed server did not start")
        yield FeedServer(proc, int(line))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ------------------------------------------------------------------ the feeds
@dataclass(frozen=True)
class Fixture:
    name: str
    kind: str
    body: bytes
    entries: int  # unique entries as tactful reads them (what a first poll stores)
    captured: datetime


def fixtures() -> list[Fixture]:
    out = []
    for path in sorted(FEEDS.iterdir()):
        body = path.read_bytes()
        kind = feed_kind(path.name)
        parsed = parse(body, kind, path.as_uri())
        unique = len({e.guid for e in parsed.entries})
        out.append(Fixture(path.name, kind, body, unique, capture_time(parsed.entries)))
    return out


def _timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


# ------------------------------------------------------------------ one system each
def bare_feedparser(fx: Fixture) -> float:
    start = time.perf_counter()
    parsed = feedparser.parse(io.BytesIO(fx.body))
    seconds = time.perf_counter() - start
    if len(parsed.entries) < fx.entries:
        raise AssertionError(f"feedparser read {len(parsed.entries)} entries of {fx.name}")
    return seconds


# feedparser as ``scheduler.feeds.parse`` calls it (it passes the feed's URL, so
# relative links in every entry's HTML get resolved), and the same with the two
# HTML passes tactful does not need switched off (it keeps only plain text).
_AS_TACTFUL = {
    "content-type": "application/xml; charset=utf-8",
    "content-location": "http://127.0.0.1/feeds/feed.xml",
}


def feedparser_variants(fx: Fixture) -> dict[str, float]:
    start = time.perf_counter()
    feedparser.parse(io.BytesIO(fx.body), response_headers=_AS_TACTFUL)
    middle = time.perf_counter()
    feedparser.parse(
        io.BytesIO(fx.body),
        response_headers=_AS_TACTFUL,
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    return {"fp_as_tactful": middle - start, "fp_lean": time.perf_counter() - middle}


@dataclass
class TactfulSide:
    """A fresh database with the feeds added, and one HTTP client (as a worker round
    shares one)."""

    kind: str
    env: BenchEnv
    client: httpx.Client
    ids: dict[str, int]

    def poll(self, fx: Fixture) -> float:
        """The real poll path for one feed, the clock at the feed's capture time."""
        app = self.env.app
        clock.set_source(lambda: fx.captured)
        try:
            start = time.perf_counter()
            result = poll_feed(
                app,
                self.ids[fx.name],
                assess=assess,
                on_reports=record_reports(app),
                client=self.client,
            )
            seconds = time.perf_counter() - start
        finally:
            clock.set_source(None)
        if result.status != "ok" or len(result.new) != fx.entries:
            raise AssertionError(
                f"{self.kind} poll of {fx.name}: {result.status} {result.error or ''}, "
                f"{len(result.new)} new reports, expected {fx.entries}"
            )
        return seconds

    def components(self, fx: Fixture, url: str) -> dict[str, float]:
        """Fetch alone, parse alone and assess alone (no database)."""
        start = time.perf_counter()
        result = fetch(url, settings=self.env.settings, client=self.client)
        fetched = time.perf_counter()
        assert result.body is not None
        parsed = parse(result.body, fx.kind, url)
        parsed_at = time.perf_counter()
        for entry in parsed.entries:
            assess(entry, fx.captured)
        done = time.perf_counter()
        return {"fetch": fetched - start, "parse": parsed_at - fetched, "assess": done - parsed_at}


@contextmanager
def tactful(kind: str, feeds: list[Fixture], server: FeedServer, tag: str) -> Iterator[TactfulSide]:
    with fresh_env(kind) as env, new_client(env.settings) as client:
        ids = {}
        with env.app.db.session() as session:
            for fx in feeds:
                url = server.url(f"{tag}/{kind}/{fx.name}")
                ids[fx.name] = add_feed(
                    session, env.app.settings, {"url": url, "kind": fx.kind}, None
                ).id
        yield TactfulSide(kind, env, client, ids)


@contextmanager
def reader_each(server: FeedServer, tag: str) -> Iterator[Callable[[Fixture], float]]:
    """reader on a fresh database: ``update_feed(url)`` timed per feed."""
    import reader

    folder = Path(tempfile.mkdtemp(prefix="tactful-bench-reader-"))
    each = reader.make_reader(str(folder / "each.sqlite"))

    def update(fx: Fixture) -> float:
        url = server.url(f"{tag}/reader-each/{fx.name}")
        each.add_feed(url)
        start = time.perf_counter()
        each.update_feed(url)
        seconds = time.perf_counter() - start
        got = each.get_entry_counts(feed=url).total
        if got < fx.entries:
            raise AssertionError(f"reader stored {got} entries of {fx.name}, expected {fx.entries}")
        return seconds

    try:
        yield update
    finally:
        each.close()
        shutil.rmtree(folder, ignore_errors=True)


def reader_update_feeds(feeds: list[Fixture], server: FeedServer, tag: str) -> float:
    """reader's ``make_reader``, ``add_feed`` for each feed, ``update_feeds()`` timed whole."""
    import reader

    folder = Path(tempfile.mkdtemp(prefix="tactful-bench-reader-"))
    try:
        whole = reader.make_reader(str(folder / "all.sqlite"))
        urls = [server.url(f"{tag}/reader-all/{fx.name}") for fx in feeds]
        for url in urls:
            whole.add_feed(url)
        start = time.perf_counter()
        whole.update_feeds()
        seconds = time.perf_counter() - start
        for fx, url in zip(feeds, urls, strict=True):
            got = whole.get_entry_counts(feed=url).total
            if got < fx.entries:
                raise AssertionError(f"reader stored {got} of {fx.name}, expected {fx.entries}")
        whole.close()
        return seconds
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------ the benchmark
SYSTEMS = ("feedparser", "sqlite", "postgres", "reader", "fp_as_tactful", "fp_lean")
PARTS = ("fetch", "parse", "assess")


def repetition(feeds: list[Fixture], server: FeedServer, tag: str) -> dict[str, Any]:
    """Every system on fresh state, feed by feed: each feed's figures are taken
    back to back, so a noisy moment hits them alike."""
    out: dict[str, Any] = {key: {} for key in (*SYSTEMS, "parts")}
    with (
        tactful("sqlite", feeds, server, tag) as lite,
        tactful("postgres", feeds, server, tag) as pg,
        reader_each(server, tag) as update,
    ):
        for fx in feeds:
            out["feedparser"][fx.name] = bare_feedparser(fx)
            out["sqlite"][fx.name] = lite.poll(fx)
            out["postgres"][fx.name] = pg.poll(fx)
            out["reader"][fx.name] = update(fx)
            out["parts"][fx.name] = lite.components(fx, server.url(f"{tag}/parts/{fx.name}"))
            for key, seconds in feedparser_variants(fx).items():
                out[key][fx.name] = seconds
        out["versions"] = {"sqlite": server_version(lite.env), "postgres": server_version(pg.env)}
    out["reader_update_feeds"] = reader_update_feeds(feeds, server, tag)
    return out


def _require_reader() -> Any:
    """reader is not a tactful dependency; its vendored feedparser imports the
    top-level ``sgmllib`` module (package sgmllib3k), which the feedparser installed
    here (6.0.14, depending on feedparser-sgmllib instead) does not bring."""
    try:
        import reader
        import sgmllib  # type: ignore[import-not-found]  # noqa: F401
    except ImportError as exc:
        raise RuntimeError(
            f"monitor_speed needs the reader library ({exc}): pip install 'reader>=3.26' sgmllib3k"
        ) from exc
    return reader


def run(quick: bool = False, repeats: int | None = None) -> dict[str, Any]:
    reader = _require_reader()
    repeats = repeats or (QUICK_REPEATS if quick else FULL_REPEATS)
    feeds = fixtures()
    load_before = os.getloadavg()[0]
    reps = []
    with tempfile.TemporaryDirectory(prefix="tactful-bench-feeds-") as tmp:
        for fx in feeds:
            (Path(tmp) / fx.name).write_bytes(fx.body)
        with feed_server(Path(tmp)) as server:
            log("monitor_speed: warm-up (imports, gazetteer, SQL, connections; discarded)")
            for fx in feeds:
                for entry in parse(fx.body, fx.kind, fx.name).entries:
                    assess(entry, fx.captured)
            repetition(feeds, server, "warm")
            # As a worker does at start-up (``tactful worker``): the long-lived
            # objects out of the collector's reach.
            warm_up()
            for index in range(repeats):
                log(f"monitor_speed: repetition {index + 1}/{repeats}")
                reps.append(repetition(feeds, server, f"r{index}"))
    names = [fx.name for fx in feeds]
    for r in reps:
        for part in PARTS:
            r[part] = {n: r["parts"][n][part] for n in names}
        r["totals"] = {key: sum(r[key].values()) for key in (*SYSTEMS, *PARTS)}
        r["totals"]["reader_update_feeds"] = r["reader_update_feeds"]

    def ratio(key: str, name: str | None = None) -> float:
        """Median over the repetitions of key / bare feedparser, paired per repetition."""
        if name is None:
            return median([r["totals"][key] / r["totals"]["feedparser"] for r in reps])
        return median([r[key][name] / r["feedparser"][name] for r in reps])

    rows = []
    for fx in feeds:
        row: dict[str, Any] = {
            "feed": fx.name,
            "kind": fx.kind,
            "bytes": len(fx.body),
            "entries": fx.entries,
        }
        for key in (*SYSTEMS, *PARTS):
            row[key] = median([r[key][fx.name] for r in reps])
        for key in ("sqlite", "postgres", "reader", "parse"):
            row[f"{key}_x"] = ratio(key, fx.name)
        row["sqlite_reader_x"] = median([r["sqlite"][fx.name] / r["reader"][fx.name] for r in reps])
        rows.append(row)
    totals = {
        key: median([r["totals"][key] for r in reps])
        for key in (*SYSTEMS, *PARTS, "reader_update_feeds")
    }
    ratios = {
        key: ratio(key)
        for key in (
            "sqlite",
            "postgres",
            "reader",
            "reader_update_feeds",
            "parse",
            "fp_as_tactful",
            "fp_lean",
        )
    }
    ratios["sqlite_no_fetch"] = median(
        [(r["totals"]["sqlite"] - r["totals"]["fetch"]) / r["totals"]["feedparser"] for r in reps]
    )
    ratios["sqlite_reader"] = median([r["totals"]["sqlite"] / r["totals"]["reader"] for r in reps])
    ratios["sqlite_update_feeds"] = median(
        [r["totals"]["sqlite"] / r["totals"]["reader_update_feeds"] for r in reps]
    )
    return {
        "quick": quick,
        "repeats": repeats,
        "feeds": len(feeds),
        "entries": sum(fx.entries for fx in feeds),
        "versions": reps[0]["versions"],
        "reader_version": reader.__version__,
        "feedparser_version": feedparser.__version__,
        "rows": rows,
        "totals": totals,
        "ratios": ratios,
        "per_repetition_totals": [r["totals"] for r in reps],
        "load": (load_before, os.getloadavg()[0]),
    }


# ------------------------------------------------------------------ report
def _ms(seconds: float) -> float:
    return seconds * 1000


def _verdict(ratio: float, quick: bool) -> str:
    if quick:
        return "(--quick: not judged)"
    if ratio <= TARGET_RATIO:
        return "met"
    return f"MISSED ({ratio:.2f}x > {TARGET_RATIO:.1f}x)"


def report(result: dict[str, Any]) -> str:
    rows, tot, x = result["rows"], result["totals"], result["ratios"]
    fp = tot["feedparser"]

    def r(value: float) -> str:
        return f"{value:.2f}x"

    lines = [
        f"### Monitor step vs bare feedparser and reader ({result['feeds']} fixture feeds, "
        f"{result['entries']:,} entries, {result['repeats']} repetitions)",
        "",
        f"feedparser {result['feedparser_version']}, reader {result['reader_version']}, "
        f"{result['versions']['sqlite']}, {result['versions']['postgres']}. tactful = "
        "`poll_feed` (fetch from a local HTTP server, parse, dedupe, assess, store, incidents, "
        "commit) on a fresh database; reader = `update_feed(url)` on a fresh database. Times: "
        "medians in ms; ratios: medians of the ratios taken within each repetition (each feed's "
        "figures are measured back to back).",
        "",
        table(
            [
                "feed",
                "entries",
                "KB",
                "feedparser.parse",
                "tactful SQLite",
                "/ feedparser",
                "tactful PostgreSQL",
                "/ feedparser",
                "reader",
                "/ feedparser",
                "tactful SQLite / reader",
            ],
            [
                (
                    row["feed"],
                    row["entries"],
                    row["bytes"] / 1024,
                    _ms(row["feedparser"]),
                    _ms(row["sqlite"]),
                    r(row["sqlite_x"]),
                    _ms(row["postgres"]),
                    r(row["postgres_x"]),
                    _ms(row["reader"]),
                    r(row["reader_x"]),
                    r(row["sqlite_reader_x"]),
                )
                for row in rows
            ]
            + [
                (
                    "**total**",
                    result["entries"],
                    sum(row["bytes"] for row in rows) / 1024,
                    _ms(fp),
                    _ms(tot["sqlite"]),
                    r(x["sqlite"]),
                    _ms(tot["postgres"]),
                    r(x["postgres"]),
                    _ms(tot["reader"]),
                    r(x["reader"]),
                    r(x["sqlite_reader"]),
                )
            ],
        ),
        "",
        f"reader's `update_feeds()` over the ten feeds on a fresh database, timed whole: "
        f"{_ms(tot['reader_update_feeds']):,.0f} ms ({r(x['reader_update_feeds'])} feedparser; "
        f"tactful SQLite is {r(x['sqlite_update_feeds'])} of it).",
        "",
        "Where tactful's time goes (each step timed on its own on the same bytes; store = the "
        "SQLite poll minus the three: dedupe query, INSERT, reloading the reports, incidents, "
        "commit; ms):",
        "",
        table(
            ["feed", "fetch", "parse", "parse / feedparser", "assess", "store + incidents"],
            [
                (
                    row["feed"],
                    _ms(row["fetch"]),
                    _ms(row["parse"]),
                    r(row["parse_x"]),
                    _ms(row["assess"]),
                    _ms(row["sqlite"] - row["fetch"] - row["parse"] - row["assess"]),
                )
                for row in rows
            ]
            + [
                (
                    "**total**",
                    _ms(tot["fetch"]),
                    _ms(tot["parse"]),
                    r(x["parse"]),
                    _ms(tot["assess"]),
                    _ms(tot["sqlite"] - tot["fetch"] - tot["parse"] - tot["assess"]),
                )
            ],
        ),
        "",
        "feedparser alone, three ways, on the same bytes (all ten feeds): "
        f"bare {_ms(fp):.0f} ms; as `scheduler.feeds.parse` calls it (with the feed's URL, so "
        f"relative links in every entry's HTML are resolved) {_ms(tot['fp_as_tactful']):.0f} ms "
        f"({r(x['fp_as_tactful'])}); the same with `resolve_relative_uris=False, "
        f"sanitize_html=False` {_ms(tot['fp_lean']):.0f} ms ({r(x['fp_lean'])}).",
        "",
        table(
            [
                f"target: tactful ≤ {TARGET_RATIO:.1f}x feedparser.parse",
                "tactful / feedparser",
                "verdict",
            ],
            [
                ("SQLite, fetch included", r(x["sqlite"]), _verdict(x["sqlite"], result["quick"])),
                (
                    "PostgreSQL, fetch included",
                    r(x["postgres"]),
                    _verdict(x["postgres"], result["quick"]),
                ),
                (
                    "SQLite, fetch excluded",
                    r(x["sqlite_no_fetch"]),
                    _verdict(x["sqlite_no_fetch"], result["quick"]),
                ),
            ],
        ),
        "",
        "Totals per repetition (ms; feedparser / tactful SQLite / tactful PostgreSQL / reader "
        "update_feed / reader update_feeds): "
        + "; ".join(
            f"{_ms(t['feedparser']):.0f} / {_ms(t['sqlite']):.0f} / {_ms(t['postgres']):.0f} / "
            f"{_ms(t['reader']):.0f} / {_ms(t['reader_update_feeds']):.0f}"
            for t in result["per_repetition_totals"]
        )
        + f". Load average before / after: {result['load'][0]:.1f} / {result['load'][1]:.1f}.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int)
    args = parser.parse_args(argv)
    print(report(run(args.quick, args.repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
