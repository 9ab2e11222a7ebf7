"""Shared HTTP plumbing for the network adapters.

One client recipe, one status map and the one place where httpx exceptions become
channel errors, so the webhook, Mastodon and Bluesky adapters agree on what "try
again", "give up" and "we cannot know" mean:

- 2xx is success; 408, 425, 429 and 5xx are ``TransientError`` (with the network's
  ``Retry-After`` in seconds when it sent one); every other status is
  ``PermanentError``.
- A failure to connect (refused, connect timeout, no pooled connection free) is
  ``TransientError``: nothing left this machine.
- A failure after the request may have been written (read or write timeout, a
  connection dropped before the status line) is ``UnknownOutcome``.

It knows no network's endpoints or payloads, never retries and never sleeps: the
publisher decides what to do with the typed error.
"""

from __future__ import annotations

import email.utils
import json
import math
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from scheduler.channels.base import (
    AccountSpec,
    Channel,
    ChannelError,
    ChannelRuntime,
    PermanentError,
    TransientError,
    UnknownOutcome,
)

# Statuses below 500 that mean "not now" rather than "never".
TRANSIENT_STATUSES = frozenset({408, 425, 429})
# API replies are a few kilobytes; a bigger body is not an answer we need to read.
MAX_RESPONSE_BYTES = 1 << 20
# Enough of an error body to tell why, short enough for an attempt row.
EXCERPT_CHARS = 300

# Nothing was sent: the connection never came up or no pooled connection was free.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
# The request was malformed on our side or aimed at something that is not HTTP(S).
_OUR_FAULT = (
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
    httpx.TooManyRedirects,
    httpx.InvalidURL,
)


@dataclass(frozen=True)
class Reply:
    """A response with its body already read (at most ``MAX_RESPONSE_BYTES``)."""

    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object, or ``{}`` when it is not one."""
        try:
            value = json.loads(self.body)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


def make_client(runtime: ChannelRuntime) -> httpx.Client:
    timeout = httpx.Timeout(
        connect=runtime.connect_timeout,
        read=runtime.read_timeout,
        write=runtime.read_timeout,
        pool=runtime.connect_timeout,
    )
    return httpx.Client(
        timeout=timeout,
        headers={"User-Agent": runtime.user_agent},
        follow_redirects=False,
    )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP-date.

    ``now`` is the reference for a date (the response's own ``Date`` header is the
    best one: it shares the server's clock); the wall clock when not given. Returns
    ``None`` for a missing or unreadable value, never a negative number.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    when = _parse_http_date(value)
    if when is None:
        return None
    reference = now if now is not None else datetime.now(UTC)
    return max(0.0, (when - reference).total_seconds())


def _parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    # HTTP dates are always GMT; a zone-less parse ("-0000") means the same.
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def excerpt(body: bytes, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(body.decode("utf-8", errors="replace").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_for_status(reply: Reply, what: str) -> ChannelError:
    """The typed error for a non-2xx reply (the caller has checked ``reply.ok``)."""
    detail = f"{what}: HTTP {reply.status}"
    body = excerpt(reply.body)
    if body:
        detail = f"{detail}: {body}"
    if reply.status in TRANSIENT_STATUSES or reply.status >= 500:
        retry_after = parse_retry_after(
            reply.headers.get("Retry-After"), now=_parse_http_date(reply.headers.get("Date"))
        )
        return TransientError(detail, retry_after=retry_after)
    return PermanentError(detail)


def expect_success(reply: Reply, what: str) -> Reply:
    """Return ``reply`` when it is 2xx; raise its typed error otherwise."""
    if not reply.ok:
        raise error_for_status(reply, what)
    return reply


def error_for_exception(exc: Exception, what: str) -> ChannelError:
    """The typed error for an exception httpx raised while sending a request."""
    reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, _NOT_SENT):
        return TransientError(f"{what}: could not connect ({reason})")
    if isinstance(exc, _OUR_FAULT):
        return PermanentError(f"{what}: bad request ({reason})")
    # Read/write timeouts, dropped connections and anything unforeseen: the request
    # may have reached the network, so only an idempotent retry is safe.
    return UnknownOutcome(f"{what}: no answer after sending ({reason})")


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    what: str,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    json_body: Any = None,
) -> Reply:
    """Send one request and return the reply, whatever its status.

    Raises ``TransientError``, ``PermanentError`` or ``UnknownOutcome`` for transport
    failures (see the module docstring); ``what`` names the call in messages. Once the
    status line has arrived the status alone decides the outcome, so a body that
    breaks off is kept as far as it was read.
    """
    try:
        with client.stream(
            method, url, headers=headers, content=content, json=json_body
        ) as response:
            return Reply(response.status_code, response.headers, _read_capped(response))
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise error_for_exception(exc, what) from exc


def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= MAX_RESPONSE_BYTES:
                break
    except httpx.TransportError:
        pass  # the status is already known; a truncated body does not change it
    return b"".join(chunks)[:MAX_RESPONSE_BYTES]


class HttpChannel(Channel):
    """Base for adapters that talk HTTP: one lazily created client per instance,
    shared by the worker threads (httpx.Client is thread-safe), and the option and
    secret look-ups that turn missing configuration into ``PermanentError``."""

    def __init__(self, account: AccountSpec, runtime: ChannelRuntime) -> None:
        super().__init__(account, runtime)
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()

    def client(self) -> httpx.Client:
        with self._client_lock:
            if self._client is None:
                self._client = make_client(self.runtime)
            return self._client

    def close(self) -> None:
        with self._client_lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def option(self, name: str, default: str | None = None) -> str:
        """A string option of the account; ``PermanentError`` naming it if missing."""
        value = self.account.options.get(name, default)
        if value is None or not str(value).strip():
            raise PermanentError(
                f"{self.network} account {self.account.name!r}: option {name!r} is not set"
            )
        return str(value).strip()

    def secret_from(self, option_name: str) -> str:
        """The secret in the environment variable that option ``option_name`` names."""
        env_name = self.option(option_name)
        value = self.runtime.secret(env_name)
        if not value:
            raise PermanentError(
                f"{self.network} account {self.account.name!r}: environment variable "
                f"{env_name} (option {option_name!r}) is not set"
            )
        return value

    def get(self, url: str, *, what: str, headers: dict[str, str] | None = None) -> Reply:
        return send(self.client(), "GET", url, what=what, headers=headers)

    def post(
        self,
        url: str,
        *,
        what: str,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        json_body: Any = None,
    ) -> Reply:
        return send(
            self.client(),
            "POST",
            url,
            what=what,
            headers=headers,
            content=content,
            json_body=json_body,
        )
