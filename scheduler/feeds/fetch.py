"""Fetch one feed over HTTP, defensively.

feedparser's own fetching has no timeout and no size limit, and httpx's timeouts
are per connect and per read with no overall deadline, so this module owns the
download: a connect and a read timeout, an overall deadline checked in the read
loop, a cap on the *decoded* size (a gzip bomb is cut as it inflates, never held
whole), conditional GET, a bounded number of redirects, and the server's
``Retry-After`` / ``Cache-Control`` / ``Expires`` turned into numbers for the caller.

Every connection goes through ``scheduler.feeds.address``: only public addresses
(and the internal ones ``monitor.allow_private`` lists) are connected to, checked on
the address actually used, on every redirect hop.

It does no parsing and touches no database. Every failure is one ``FeedError``
with a message a person can read; httpx errors are wrapped here, once. Messages say
what failed, never what an answering server said (no body, no reason phrase, no
socket error text), so the feed list cannot be used to probe what listens where.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from importlib import metadata

import httpx

from scheduler import clock
from scheduler.config import MonitorSettings, Settings
from scheduler.feeds import FeedError
from scheduler.feeds.address import guarded_transport, url_problem

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/cap+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
# Only encodings we inflate ourselves, chunk by chunk with a bound (httpx's own
# decoders inflate a whole network chunk at once, ~1000x its size for zeros).
ACCEPT_ENCODING = "gzip, deflate"
# Inflate at most this much per step, so the size cap is checked often.
_INFLATE_STEP = 256 * 1024


@dataclass(frozen=True)
class FetchResult:
    """What the server answered. ``body`` is ``None`` on 304 Not Modified."""

    status: int
    body: bytes | None
    etag: str | None
    last_modified: str | None
    final_url: str
    # Seconds the server asked us to wait (Retry-After on a successful answer).
    retry_after: float | None = None
    # Seconds the answer stays fresh (Cache-Control max-age, else Expires).
    cache_max_age: float | None = None
    content_type: str | None = None


def user_agent(contact: str) -> str:
    """``tactful/VERSION (+contact)``: NWS asks clients to identify themselves."""
    try:
        version = metadata.version("tactful")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        version = "0"
    detail = f"+{contact}" if contact else "crisis-aware publishing scheduler"
    return f"tactful/{version} ({detail})"


def new_client(settings: Settings) -> httpx.Client:
    """An httpx client set up for feeds; the caller closes it. One client can serve
    many ``fetch`` calls (and threads), reusing connections."""
    monitor = settings.monitor
    return httpx.Client(
        headers={
            "User-Agent": user_agent(monitor.contact),
            "Accept": ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
        },
        timeout=_timeouts(monitor),
        follow_redirects=True,
        max_redirects=monitor.max_redirects,
        # Behaviour comes from config alone: no proxy, netrc or CA bundle picked up
        # from the environment behind the settings' back.
        trust_env=False,
        transport=guarded_transport(monitor.allow_private, trust_env=False),
    )


def _timeouts(monitor: MonitorSettings) -> httpx.Timeout:
    # No single wait may outlast the whole deadline.
    deadline = monitor.fetch_deadline
    return httpx.Timeout(
        connect=min(monitor.connect_timeout, deadline),
        read=min(monitor.read_timeout, deadline),
        write=min(monitor.read_timeout, deadline),
        pool=min(monitor.connect_timeout, deadline),
    )


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    settings: Settings,
    client: httpx.Client | None = None,
    token: str | None = None,
) -> FetchResult:
    """GET ``url`` (conditionally, when an ETag or Last-Modified is known), sending
    ``token`` as a bearer token when given (never to another host after a redirect).

    Returns a ``FetchResult`` for 200 (and other 2xx) and 304. Raises ``FeedError``
    for everything else: connection failures, timeouts, the deadline, a body over
    the size cap, redirect loops, HTTP errors (429 and 503 carry ``retry_after``).
    An address refused by ``monitor.allow_private`` rules is a ``FeedError`` too.
    Closes everything it opens; a ``client`` passed in is left open.
    """
    problem = url_problem(url, settings.monitor.allow_private)
    if problem:
        raise FeedError(f"refused: {problem}")
    own = client is None
    http = client if client is not None else new_client(settings)
    try:
        return _fetch(http, url, etag, last_modified, settings.monitor, token)
    finally:
        if own:
            http.close()


def _fetch(
    client: httpx.Client,
    url: str,
    etag: str | None,
    last_modified: str | None,
    monitor: MonitorSettings,
    token: str | None = None,
) -> FetchResult:
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    started = time.monotonic()
    deadline = started + monitor.fetch_deadline
    try:
        with client.stream("GET", url, headers=headers, timeout=_timeouts(monitor)) as response:
            return _read(response, etag, last_modified, monitor, deadline)
    except FeedError:
        raise
    except httpx.TooManyRedirects as exc:
        raise FeedError(
            f"too many redirects (more than {monitor.max_redirects}): a redirect loop?"
        ) from exc
    except httpx.TimeoutException as exc:
        # Each wait is capped at the deadline, so a timeout past it is the deadline's.
        if time.monotonic() >= deadline - 0.01:
            raise FeedError(_deadline_message(monitor)) from exc
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            raise FeedError(f"timed out connecting after {monitor.connect_timeout:g} s") from exc
        raise FeedError(f"the server sent nothing for {monitor.read_timeout:g} s") from exc
    except httpx.UnsupportedProtocol as exc:
        raise FeedError("unsupported URL (only http and https)") from exc
    except (httpx.TransportError, httpx.DecodingError) as exc:
        # One message for a refused connection, a reset and a server that does not
        # speak HTTP: telling them apart would map what listens on each port.
        raise FeedError(NO_HTTP_ANSWER) from exc
    except httpx.HTTPError as exc:
        raise FeedError("the HTTP request failed") from exc
    except httpx.InvalidURL as exc:
        raise FeedError("invalid URL") from exc


NO_HTTP_ANSWER = "no HTTP answer (the connection was refused or broken, or it is no web server)"


def _status_text(status: int) -> str:
    """``HTTP 404 Not Found`` with the standard phrase, never the server's own."""
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _deadline_message(monitor: MonitorSettings) -> str:
    return (
        f"the download did not finish within the {monitor.fetch_deadline:g} s deadline "
        "(the server sends too slowly or never stops)"
    )


def _read(
    response: httpx.Response,
    sent_etag: str | None,
    sent_last_modified: str | None,
    monitor: MonitorSettings,
    deadline: float,
) -> FetchResult:
    status = response.status_code
    headers = response.headers
    now = clock.now()
    retry_after = _retry_after(headers.get("Retry-After"), now, monitor.max_server_delay)
    if status == 304:
        return FetchResult(
            status=304,
            body=None,
            etag=headers.get("ETag") or sent_etag,
            last_modified=headers.get("Last-Modified") or sent_last_modified,
            final_url=str(response.url),
            retry_after=retry_after,
            cache_max_age=_cache_max_age(headers, now, monitor.max_server_delay),
        )
    if status in (429, 503):
        wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
        raise FeedError(f"{_status_text(status)}{wait}", retry_after=retry_after)
    if status >= 300:
        raise FeedError(_status_text(status))
    declared = headers.get("Content-Length")
    encoding = headers.get("Content-Encoding", "identity").strip().lower()
    if (
        encoding == "identity"
        and declared
        and declared.isdigit()
        and int(declared) > monitor.max_body_bytes
    ):
        raise FeedError(_too_large(monitor, int(declared)))
    body = _bounded_body(response.iter_raw(), encoding, monitor, deadline)
    return FetchResult(
        status=status,
        body=body,
        etag=headers.get("ETag"),
        last_modified=headers.get("Last-Modified"),
        final_url=str(response.url),
        retry_after=retry_after,
        cache_max_age=_cache_max_age(headers, now, monitor.max_server_delay),
        content_type=headers.get("Content-Type"),
    )


def _too_large(monitor: MonitorSettings, size: int | None = None) -> str:
    told = f" ({size} bytes)" if size is not None else ""
    return f"the feed is larger than the {monitor.max_body_bytes} byte limit{told}"


class _Inflater:
    """Inflate gzip or zlib/raw deflate in bounded steps (multi-member gzip too)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._new()

    def _new(self) -> None:
        # 32+: zlib or gzip header, auto-detected; raw deflate is tried on failure.
        self.obj = zlib.decompressobj(47 if self.encoding != "raw" else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self.obj.decompress(data, _INFLATE_STEP)
            except zlib.error:
                if self.encoding == "deflate":
                    # Some servers send raw deflate under "deflate".
                    self.encoding = "raw"
                    self._new()
                    out = self.obj.decompress(data, _INFLATE_STEP)
                else:
                    raise
            if out:
                yield out
            if self.obj.eof and self.obj.unused_data:
                data = self.obj.unused_data
                self._new()
            else:
                data = self.obj.unconsumed_tail


def _bounded_body(
    raw: Iterator[bytes], encoding: str, monitor: MonitorSettings, deadline: float
) -> bytes:
    if encoding in ("identity", ""):
        inflater = None
    elif encoding in ("gzip", "x-gzip", "deflate"):
        inflater = _Inflater(encoding)
    else:
        raise FeedError(f"unsupported Content-Encoding {encoding!r}")
    parts: list[bytes] = []
    size = 0
    for chunk in raw:
        if time.monotonic() > deadline:
            raise FeedError(_deadline_message(monitor))
        try:
            pieces = list(inflater.feed(chunk)) if inflater else [chunk]
        except zlib.error as exc:
            raise FeedError(f"the {encoding} body is corrupt: {exc}") from exc
        for piece in pieces:
            size += len(piece)
            if size > monitor.max_body_bytes:
                raise FeedError(_too_large(monitor))
            parts.append(piece)
    return b"".join(parts)


def _parse_delay(value: str, now: datetime) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return (when - now).total_seconds()


def _retry_after(value: str | None, now: datetime, cap: float) -> float | None:
    """Retry-After as seconds from now (a number or an HTTP date), within [0, cap]."""
    if not value:
        return None
    delay = _parse_delay(value, now)
    if delay is None:
        return None
    return min(max(delay, 0.0), cap)


def _cache_max_age(headers: httpx.Headers, now: datetime, cap: float) -> float | None:
    """Seconds until the answer goes stale: Cache-Control max-age minus Age, else
    Expires relative to the server's Date. ``None`` when the server says nothing."""
    control = headers.get("Cache-Control", "")
    directives = {}
    for part in control.split(","):
        name, _, value = part.strip().partition("=")
        if name:
            directives[name.lower()] = value.strip().strip('"')
    fresh: float | None = None
    if "no-store" in directives or "no-cache" in directives:
        fresh = 0.0
    elif directives.get("max-age", "").isdigit():
        fresh = float(directives["max-age"])
        age = headers.get("Age", "").strip()
        if age.isdigit():
            fresh -= float(age)
    elif headers.get("Expires"):
        expires = _parse_delay(headers["Expires"], now)
        # Measured against the server's own Date when it sends one (clock skew).
        server_now = _parse_delay(headers.get("Date", ""), now)
        # An invalid Expires means "already expired" (RFC 9111).
        fresh = 0.0 if expires is None else expires - (server_now or 0.0)
    if fresh is None:
        return None
    return min(max(fresh, 0.0), cap)
