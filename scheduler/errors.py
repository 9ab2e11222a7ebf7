"""One exception hierarchy for tactful. Third-party errors are wrapped once, at the
edge where they arise (``raise ChannelError(...) from exc``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class TactfulError(Exception):
    """Base class of every error tactful raises on purpose."""


class ConfigError(TactfulError):
    """A configuration value is missing or wrong; the message names the key."""


class ValidationError(TactfulError):
    """Input was rejected. ``errors`` maps each field name to its messages."""

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.errors = {field: list(messages) for field, messages in errors.items()}
        summary = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in self.errors.items())
        super().__init__(summary)

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: [message]})


class NotFound(TactfulError):
    """The object asked for does not exist."""

    def __init__(self, kind: str, ident: object) -> None:
        self.kind = kind
        self.ident = ident
        super().__init__(f"{kind} {ident} not found")


class Conflict(TactfulError):
    """The object is not in a state that allows the change (e.g. editing a published
    post); nothing was changed."""


class PermissionDenied(TactfulError):
    """The acting user's role does not allow this."""
