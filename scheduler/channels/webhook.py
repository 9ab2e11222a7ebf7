"""The ``webhook`` channel: POSTs each post as JSON to a URL the operator runs.

Options: ``url`` (required) and ``secret_env`` (optional: the environment variable
holding an HMAC key). With a key, ``X-Tactful-Signature: sha256=<hex>`` carries the
HMAC-SHA256 of the exact body bytes, so the receiver can check them before parsing.
Delivery is at-least-once: after a worker crash mid-call the post is sent again with
the same key. Every request carries ``Idempotency-Key`` — the post's key, the same on
every try, and repeated as ``idempotency_key`` in the body, so the signature covers
it — and a receiver that deduplicates on it gets each post exactly once. HTTP
failures map to typed errors in ``channels.http``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from scheduler.channels.base import Delivery, OutgoingPost
from scheduler.channels.http import HttpChannel, expect_success

SIGNATURE_HEADER = "X-Tactful-Signature"
# Set on a connection test: the body has ``"check": true`` and no text, and the
# receiver answers 2xx without publishing anything.
CHECK_HEADER = "X-Tactful-Check"


def sign(key: str, body: bytes) -> str:
    """The signature header value for ``body``: ``sha256=`` and the hex HMAC."""
    return "sha256=" + hmac.new(key.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookChannel(HttpChannel):
    network = "webhook"
    supports_idempotency = True

    def check(self) -> str:
        """A signed ping (``"check": true``, no text) that the receiver answers with
        2xx and does not publish."""
        url = self.option("url")
        key = self.secret_from("secret_env") if self.account.options.get("secret_env") else None
        body = json.dumps(
            {"check": True, "account": self.account.name}, separators=(",", ":")
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": "check-" + secrets.token_hex(8),
            CHECK_HEADER: "1",
        }
        if key is not None:
            headers[SIGNATURE_HEADER] = sign(key, body)
        what = f"webhook {self.account.name}"
        reply = expect_success(self.post(url, what=what, headers=headers, content=body), what)
        signed = "signed" if key is not None else "unsigned"
        return f"{url} answered HTTP {reply.status} to a {signed} test call"

    def publish(self, post: OutgoingPost) -> Delivery:
        url = self.option("url")
        key = self.secret_from("secret_env") if self.account.options.get("secret_env") else None
        body = json.dumps(
            {
                "post_id": post.post_id,
                "account": self.account.name,
                "text": post.text,
                "category": post.category,
                "regions": list(post.regions),
                "publish_at": post.publish_at.isoformat(),
                "idempotency_key": post.idempotency_key,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": post.idempotency_key,
        }
        if key is not None:
            headers[SIGNATURE_HEADER] = sign(key, body)
        reply = expect_success(
            self.post(url, what=f"webhook {self.account.name}", headers=headers, content=body),
            f"webhook {self.account.name}",
        )
        remote_id = reply.json_object().get("id")
        if remote_id is None or remote_id == "":
            return Delivery(remote_id=post.idempotency_key)
        return Delivery(remote_id=str(remote_id))
