"""The ``bluesky`` channel: creates an ``app.bsky.feed.post`` record over XRPC.

Options: ``service`` (``https://bsky.social`` unless set), ``handle`` (required) and
``password_env`` (required: the environment variable holding an app password).

The session is created once per adapter and shared by its threads, because
``createSession`` is tightly rate-limited. When a post is refused with an expired or
invalid token the session is refreshed (or, if the refresh token is refused too,
created anew) once and the post sent once more. A failure while getting a session
is at worst ``TransientError``: no post was sent yet. Bluesky has no idempotency key,
so ``supports_idempotency`` is False.

Links in the text become link facets, whose offsets are UTF-8 *byte* offsets.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scheduler.channels.base import (
    AccountSpec,
    ChannelRuntime,
    Delivery,
    OutgoingPost,
    PermanentError,
    TransientError,
    UnknownOutcome,
)
from scheduler.channels.http import HttpChannel, Reply, error_for_status, expect_success

DEFAULT_SERVICE = "https://bsky.social"
# Error names a PDS answers with when the access token is no longer good.
_STALE_TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})
_URL = re.compile(r"(?<![\w/])https?://[^\s<>\"]+")
# Sentence punctuation that follows a link far more often than it ends one.
_TRAILING = ".,;:!?'\")]}"


@dataclass(frozen=True)
class Session:
    access_jwt: str
    refresh_jwt: str
    did: str
    handle: str


def link_facets(text: str) -> list[dict[str, Any]]:
    """Link facets for the http(s) URLs in ``text``, with UTF-8 byte offsets."""
    facets: list[dict[str, Any]] = []
    for match in _URL.finditer(text):
        url = _trim(match.group())
        if len(url) <= len("https://"):
            continue
        start = len(text[: match.start()].encode("utf-8"))
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": start + len(url.encode("utf-8"))},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            }
        )
    return facets


def _trim(url: str) -> str:
    while url and url[-1] in _TRAILING:
        # Keep a closing parenthesis that closes one inside the link (Wikipedia titles).
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class BlueskyChannel(HttpChannel):
    network = "bluesky"
    supports_idempotency = False

    def __init__(self, account: AccountSpec, runtime: ChannelRuntime) -> None:
        super().__init__(account, runtime)
        self._session: Session | None = None
        self._session_lock = threading.Lock()

    @property
    def service(self) -> str:
        return self.option("service", DEFAULT_SERVICE).rstrip("/")

    def publish(self, post: OutgoingPost) -> Delivery:
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": post.text,
            "createdAt": _now_utc(),
        }
        facets = link_facets(post.text)
        if facets:
            record["facets"] = facets
        session = self._current_session()
        reply = self._create_record(session, record)
        if _token_is_stale(reply):
            session = self._renewed_session(session)
            reply = self._create_record(session, record)
        expect_success(reply, self._what("createRecord"))
        uri = reply.json_object().get("uri")
        if not isinstance(uri, str) or not uri:
            return Delivery(remote_id=None)
        rkey = uri.rsplit("/", 1)[-1]
        return Delivery(remote_id=uri, url=f"https://bsky.app/profile/{session.handle}/post/{rkey}")

    def check(self) -> str:
        """Create a session with the handle and app password (the session is kept
        for the posts that follow)."""
        with self._session_lock:
            self._session = self._session_call(self._create_session)
            return f"signed in as {self._session.handle}"

    def _what(self, call: str) -> str:
        return f"bluesky {self.account.name} {call}"

    def _create_record(self, session: Session, record: dict[str, Any]) -> Reply:
        return self.post(
            f"{self.service}/xrpc/com.atproto.repo.createRecord",
            what=self._what("createRecord"),
            headers={"Authorization": f"Bearer {session.access_jwt}"},
            json_body={"repo": session.did, "collection": "app.bsky.feed.post", "record": record},
        )

    def _current_session(self) -> Session:
        with self._session_lock:
            if self._session is None:
                self._session = self._session_call(self._create_session)
            return self._session

    def _renewed_session(self, stale: Session) -> Session:
        """A session to replace ``stale``; only one thread renews, the others reuse."""
        with self._session_lock:
            if self._session is not None and self._session is not stale:
                return self._session
            try:
                fresh = self._session_call(lambda: self._refresh_session(stale))
            except PermanentError:
                # The refresh token was refused too: only a new login can help.
                self._session = None
                fresh = self._session_call(self._create_session)
            self._session = fresh
            return fresh

    def _session_call(self, call: Callable[[], Session]) -> Session:
        # No post has been sent while getting a session, so "unknown" is only "not now".
        try:
            return call()
        except UnknownOutcome as exc:
            raise TransientError(str(exc)) from exc

    def _create_session(self) -> Session:
        handle = self.option("handle")
        password = self.secret_from("password_env")
        what = self._what("createSession")
        reply = expect_success(
            self.post(
                f"{self.service}/xrpc/com.atproto.server.createSession",
                what=what,
                json_body={"identifier": handle, "password": password},
            ),
            what,
        )
        return _session_from(reply, what, handle)

    def _refresh_session(self, stale: Session) -> Session:
        what = self._what("refreshSession")
        reply = self.post(
            f"{self.service}/xrpc/com.atproto.server.refreshSession",
            what=what,
            headers={"Authorization": f"Bearer {stale.refresh_jwt}"},
        )
        if not reply.ok:
            raise error_for_status(reply, what)
        return _session_from(reply, what, stale.handle)


def _token_is_stale(reply: Reply) -> bool:
    if reply.status == 401:
        return True
    return reply.status == 400 and reply.json_object().get("error") in _STALE_TOKEN_ERRORS


def _session_from(reply: Reply, what: str, handle: str) -> Session:
    data = reply.json_object()
    access, refresh, did = data.get("accessJwt"), data.get("refreshJwt"), data.get("did")
    if not (isinstance(access, str) and isinstance(refresh, str) and isinstance(did, str)):
        raise TransientError(f"{what}: reply lacks accessJwt, refreshJwt or did")
    returned_handle = data.get("handle")
    return Session(
        access_jwt=access,
        refresh_jwt=refresh,
        did=did,
        handle=returned_handle if isinstance(returned_handle, str) and returned_handle else handle,
    )
