"""The ``outbox`` channel: appends one JSON line per published post to a local file.

The embedded default: a new install publishes somewhere visible with no account and
no network. Several worker processes may append to one file: each line is written
with a single ``write`` under an exclusive ``flock``.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from scheduler.channels.base import Channel, Delivery, OutgoingPost, PermanentError, TransientError


class OutboxChannel(Channel):
    network = "outbox"
    supports_idempotency = False
    local = True

    @property
    def path(self) -> Path:
        raw = Path(str(self.account.options.get("path", "outbox.jsonl"))).expanduser()
        return raw if raw.is_absolute() else Path(self.runtime.data_dir) / raw

    def publish(self, post: OutgoingPost) -> Delivery:
        record = {
            "post_id": post.post_id,
            "account": self.account.name,
            "idempotency_key": post.idempotency_key,
            "category": post.category,
            "regions": list(post.regions),
            "publish_at": post.publish_at.isoformat(),
            "text": post.text,
        }
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        path = self.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        except PermissionError as exc:
            raise PermanentError(f"cannot open outbox {path}: {exc.strerror}") from exc
        except OSError as exc:
            raise TransientError(f"cannot open outbox {path}: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line)
        except OSError as exc:
            raise TransientError(f"cannot write outbox {path}: {exc.strerror}") from exc
        finally:
            os.close(fd)
        return Delivery(remote_id=f"outbox:{post.idempotency_key}")
