"""The ``outbox`` channel: appends one JSON line per published post to a local file.

The embedded default: a new install publishes somewhere visible with no account and
no network. Several worker processes may append to one file: the lines of a batch
are written under one exclusive ``flock``, so lines never interleave.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Sequence
from pathlib import Path

from scheduler.channels.base import (
    Channel,
    ChannelError,
    Delivery,
    OutgoingPost,
    PermanentError,
    TransientError,
)


class OutboxChannel(Channel):
    network = "outbox"
    supports_idempotency = False
    local = True

    @property
    def path(self) -> Path:
        raw = Path(str(self.account.options.get("path", "outbox.jsonl"))).expanduser()
        return raw if raw.is_absolute() else Path(self.runtime.data_dir) / raw

    def _line(self, post: OutgoingPost) -> bytes:
        record = {
            "post_id": post.post_id,
            "account": self.account.name,
            "idempotency_key": post.idempotency_key,
            "category": post.category,
            "regions": list(post.regions),
            "publish_at": post.publish_at.isoformat(),
            "text": post.text,
        }
        return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")

    def publish(self, post: OutgoingPost) -> Delivery:
        self._append(self._line(post))
        return Delivery(remote_id=f"outbox:{post.idempotency_key}")

    def publish_many(self, posts: Sequence[OutgoingPost]) -> list[Delivery | ChannelError]:
        """All the lines in one write under one lock: all of them land, or none
        does and every post gets the error."""
        if not posts:
            return []
        try:
            self._append(b"".join(self._line(post) for post in posts))
        except ChannelError as exc:
            return [exc for _ in posts]
        return [Delivery(remote_id=f"outbox:{post.idempotency_key}") for post in posts]

    def check(self) -> str:
        """The file is writable, or can be created: nothing is written or made."""
        path = self.path
        if path.exists():
            if not path.is_file():
                raise PermanentError(f"outbox {path} is not a regular file")
            if not os.access(path, os.W_OK):
                raise PermanentError(f"outbox {path} is not writable")
            return f"{path} is writable"
        parent = path.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
            raise PermanentError(f"outbox {path} cannot be created: {parent} is not writable")
        return f"{path} will be created on the first post"

    def _append(self, data: bytes) -> None:
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
            start = os.fstat(fd).st_size
            try:
                view = memoryview(data)
                while view:  # a regular file may take a large write in parts
                    view = view[os.write(fd, view) :]
            except OSError:
                # A write cut short (a full disk) leaves no partial batch behind:
                # the whole batch is retried, so nothing may stay from this try.
                os.ftruncate(fd, start)
                raise
        except OSError as exc:
            raise TransientError(f"cannot write outbox {path}: {exc.strerror}") from exc
        finally:
            os.close(fd)
