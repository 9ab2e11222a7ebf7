"""The ``mastodon`` channel: posts a status through the Mastodon REST API.

Options: ``base_url`` (required, e.g. ``https://mastodon.social``), ``token_env``
(required: the environment variable holding an access token with ``write:statuses``)
and ``visibility`` (``public`` unless set). Mastodon keeps an ``Idempotency-Key`` for
about an hour, so a resend after an unknown outcome within that window does not post
twice. HTTP failures map to typed errors in ``channels.http``; text length is the
publisher's business (``AccountSpec.max_length``), not checked here.
"""

from __future__ import annotations

from scheduler.channels.base import Delivery, OutgoingPost, PermanentError
from scheduler.channels.http import HttpChannel, expect_success

VISIBILITIES = frozenset({"public", "unlisted", "private", "direct"})


class MastodonChannel(HttpChannel):
    network = "mastodon"
    supports_idempotency = True

    def check(self) -> str:
        """``GET /api/v1/accounts/verify_credentials``: the token works, and whose it is."""
        base_url = self.option("base_url").rstrip("/")
        token = self.secret_from("token_env")
        what = f"mastodon {self.account.name}"
        reply = expect_success(
            self.get(
                f"{base_url}/api/v1/accounts/verify_credentials",
                what=what,
                headers={"Authorization": f"Bearer {token}"},
            ),
            what,
        )
        acct = reply.json_object().get("acct")
        return f"signed in as @{acct}" if isinstance(acct, str) and acct else "signed in"

    def publish(self, post: OutgoingPost) -> Delivery:
        base_url = self.option("base_url").rstrip("/")
        visibility = self.option("visibility", "public")
        if visibility not in VISIBILITIES:
            raise PermanentError(
                f"mastodon account {self.account.name!r}: option 'visibility' must be one of "
                f"{', '.join(sorted(VISIBILITIES))}, not {visibility!r}"
            )
        token = self.secret_from("token_env")
        what = f"mastodon {self.account.name}"
        reply = expect_success(
            self.post(
                f"{base_url}/api/v1/statuses",
                what=what,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Idempotency-Key": post.idempotency_key,
                },
                json_body={"status": post.text, "visibility": visibility},
            ),
            what,
        )
        # A 2xx means the status exists; an unreadable body must not turn that into an
        # error (a retry would be answered from the idempotency cache at best).
        status = reply.json_object()
        remote_id = status.get("id")
        url = status.get("url")
        return Delivery(
            remote_id=str(remote_id) if remote_id is not None else None,
            url=url if isinstance(url, str) and url else None,
        )
