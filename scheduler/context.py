"""The running application's shared objects, built once from settings.

``Tactful`` bundles the settings, the database and the channel adapters so that
services, jobs, the CLI and the web app receive one object instead of globals.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from scheduler.channels import AccountSpec, Channel, ChannelRuntime, build_channel
from scheduler.config import Settings
from scheduler.db import Database


@dataclass
class Tactful:
    settings: Settings
    db: Database
    _channels: dict[tuple[int, str], Channel] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings: Settings, *, read_only: bool = False) -> Tactful:
        """``read_only``: a database that refuses every write (see ``scheduler.db``)."""
        return cls(settings=settings, db=Database(settings, read_only=read_only))

    @property
    def runtime(self) -> ChannelRuntime:
        return ChannelRuntime(
            connect_timeout=self.settings.connect_timeout,
            read_timeout=self.settings.read_timeout,
            data_dir=self.settings.data_dir,
            secret=self.settings.secret,
        )

    def channel(self, spec: AccountSpec) -> Channel:
        """The adapter for an account, built once per account configuration."""
        key = (spec.id, repr(sorted(spec.options.items())) + spec.network + str(spec.max_length))
        with self._lock:
            adapter = self._channels.get(key)
            if adapter is None:
                adapter = build_channel(spec, self.runtime)
                self._channels[key] = adapter
            return adapter

    def close(self) -> None:
        with self._lock:
            for adapter in self._channels.values():
                adapter.close()
            self._channels.clear()
        self.db.dispose()
