"""Channel accounts added by a person (the Channels page, ``POST /api/v1/channels``)
and the connection test of any account.

Accounts named in the configuration file are synced from it (``scheduler.accounts``)
and are read-only here apart from enabling and disabling. An account added here has
``origin = "ui"``: the sync never updates, disables or deletes it. If the
configuration later names an account of the same name, the configuration takes it
over (it becomes ``config``) and its posts stay.

Secrets are never stored: an account names the environment variables holding them,
and an account added here may only name ``TACTFUL_CHANNEL_…`` variables
(``config.is_channel_secret_name``), so that it cannot send another secret of the
process to a server it names. Its addresses are held to the feed address rule
(public addresses unless ``monitor.allow_private`` lists the network or host), and
an outbox file is a plain file name inside the data directory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from marshmallow import ValidationError as MarshmallowError
from marshmallow import fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.text import LIMITS
from scheduler import audit, clock
from scheduler.channels import AccountSpec, ChannelError, build_channel
from scheduler.config import NETWORKS, Settings, is_channel_secret_name
from scheduler.context import Tactful
from scheduler.db import get_or_raise
from scheduler.errors import ValidationError
from scheduler.feeds.address import url_problem
from scheduler.models import ChannelAccount, User
from scheduler.posts import resolve_regions
from scheduler.schemas import StrictSchema, load_collecting

# JSON Schema patterns of the same rules, for the API's document (ECMA syntax).
NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$"
OUTBOX_FILE_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}[.]jsonl$"
HANDLE_PATTERN = "^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$"
SECRET_NAME_PATTERN = "^TACTFUL_CHANNEL_[A-Z0-9]+(_[A-Z0-9]+)*$"  # noqa: S105 - a pattern, not a secret


def _doc(**schema: Any) -> dict[str, Any]:
    return {"openapi": schema}


# The options each network takes (besides counts_as); the *_env ones name secrets.
NETWORK_OPTIONS: dict[str, tuple[str, ...]] = {
    "outbox": ("path",),
    "webhook": ("url", "secret_env"),
    "mastodon": ("base_url", "token_env", "visibility"),
    "bluesky": ("service", "handle", "password_env"),
}
REQUIRED_OPTIONS: dict[str, tuple[str, ...]] = {
    "outbox": (),
    "webhook": ("url",),
    "mastodon": ("base_url", "token_env"),
    "bluesky": ("handle", "password_env"),
}
URL_OPTIONS = ("url", "base_url", "service")
COUNTS_AS = tuple(sorted(set(LIMITS) | set(NETWORKS)))
# A connection test waits at most this long to connect and for an answer.
CHECK_TIMEOUT_SECONDS = 5.0
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}\Z")
_OUTBOX_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.jsonl\Z")
_HANDLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.:-]{0,252}\Z")


class ChannelCreateSchema(StrictSchema):
    """A channel account a person adds. Options other networks take are refused."""

    name = fields.String(
        required=True,
        validate=validate.Regexp(_NAME, error="Use 1-80 letters, digits, '-' or '_'."),
        metadata=_doc(type="string", pattern=NAME_PATTERN),
    )
    network = fields.String(required=True, validate=validate.OneOf(NETWORKS))
    display_name = fields.String(load_default="", validate=validate.Length(max=200))
    regions = fields.List(
        fields.String(validate=validate.Length(max=200)),
        load_default=list,
        validate=validate.Length(max=100),
    )
    max_length = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=100_000)
    )
    counts_as = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(COUNTS_AS)
    )
    enabled = fields.Boolean(load_default=True)
    path = fields.String(
        validate=validate.Regexp(
            _OUTBOX_FILE, error="A file name ending in .jsonl, kept in the data directory."
        ),
        metadata=_doc(type="string", pattern=OUTBOX_FILE_PATTERN, description="outbox only"),
    )
    url = fields.String(validate=validate.Length(min=1, max=2000))
    base_url = fields.String(validate=validate.Length(min=1, max=2000))
    service = fields.String(validate=validate.Length(min=1, max=2000))
    handle = fields.String(
        validate=validate.Regexp(_HANDLE, error="A handle such as brand.bsky.social."),
        metadata=_doc(type="string", pattern=HANDLE_PATTERN, description="bluesky only"),
    )
    visibility = fields.String(validate=validate.OneOf(("public", "unlisted", "private")))
    secret_env = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata=_doc(type="string", maxLength=100, pattern=SECRET_NAME_PATTERN),
    )
    token_env = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata=_doc(type="string", maxLength=100, pattern=SECRET_NAME_PATTERN),
    )
    password_env = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata=_doc(type="string", maxLength=100, pattern=SECRET_NAME_PATTERN),
    )

    @validates_schema
    def _per_network(self, data: dict[str, Any], **kwargs: Any) -> None:
        network = data.get("network")
        if network not in NETWORK_OPTIONS:
            return
        errors: dict[str, list[str]] = {}
        allowed = NETWORK_OPTIONS[network]
        every = {key for keys in NETWORK_OPTIONS.values() for key in keys}
        for key in sorted(every - set(allowed)):
            if data.get(key) not in (None, ""):
                errors[key] = [f"A {network} account takes no {key}."]
        for key in REQUIRED_OPTIONS[network]:
            if not data.get(key):
                errors[key] = [f"A {network} account needs {key}."]
        for key in allowed:
            value = data.get(key)
            if key.endswith("_env") and value and not is_channel_secret_name(value):
                errors[key] = [
                    "Name an environment variable TACTFUL_CHANNEL_… in capitals "
                    "(e.g. TACTFUL_CHANNEL_BRAND_TOKEN); its value is never stored here."
                ]
        if errors:
            raise MarshmallowError(errors)


@dataclass(frozen=True)
class CheckResult:
    """What a connection test found, for a person."""

    channel_id: int
    name: str
    network: str
    ok: bool
    message: str


def add_account(
    session: Session, settings: Settings, data: Any, user: User | None
) -> ChannelAccount:
    """Add a channel account (``origin = "ui"``). Refuses a name already taken or
    named in the configuration, an address the feed rule refuses, and secrets given
    as anything but a ``TACTFUL_CHANNEL_…`` variable name; each error names its field."""
    # Every bad field is named at once: the checks below run on the valid ones.
    fields_, errors = load_collecting(ChannelCreateSchema(), data)
    name = fields_.get("name", "")
    if not name:
        pass
    elif name in {c.name for c in settings.channels}:
        errors["name"] = [f"{name} is an account of the configuration file; pick another name."]
    elif session.scalar(select(ChannelAccount.id).where(ChannelAccount.name == name)) is not None:
        errors["name"] = [f"A channel account named {name} exists already."]
    for key in URL_OPTIONS:
        value = fields_.get(key)
        if value:
            problem = _address_problem(value, settings)
            if problem:
                errors[key] = [problem]
    try:
        regions = resolve_regions(fields_.get("regions", []))
    except ValidationError as exc:
        errors.update(exc.errors)
        regions = []
    if errors:
        raise ValidationError(errors)
    network = fields_["network"]
    options = {
        key: fields_[key].strip()
        for key in NETWORK_OPTIONS[network]
        if isinstance(fields_.get(key), str) and fields_[key].strip()
    }
    if fields_["counts_as"]:
        options["counts_as"] = fields_["counts_as"]
    if network == "outbox":
        options.setdefault("path", f"outbox-{name}.jsonl")
    now = clock.now()
    row = ChannelAccount(
        name=name,
        network=network,
        display_name=fields_["display_name"].strip() or name,
        options=options,
        max_length=fields_["max_length"],
        enabled=fields_["enabled"],
        regions=regions,
        created_at=now,
        updated_at=now,
        origin="ui",
    )
    session.add(row)
    session.flush()
    actor = user.name if user is not None else audit.SYSTEM
    audit.record(
        session,
        actor,
        "channel.created",
        "channel",
        row.id,
        "added by a person",
        {"network": network, "regions": regions, "options": sorted(options)},
    )
    return row


def _address_problem(url: str, settings: Settings) -> str | None:
    if "@" in url.split("//", 1)[-1].split("/", 1)[0]:
        return "Credentials in an address are refused: name an environment variable instead."
    return url_problem(url, settings.monitor.allow_private)


def get_account(session: Session, channel_id: int) -> ChannelAccount:
    return get_or_raise(session, ChannelAccount, channel_id, "channel account")


def check_account(app: Tactful, channel_id: int, user: User | None) -> CheckResult:
    """Test an account's connection (``Channel.check``) with short timeouts, and audit
    the outcome. Nothing is published; a failure is a result, not an error."""
    with app.db.session() as session:
        row = get_account(session, channel_id)
        spec = AccountSpec(
            id=row.id,
            name=row.name,
            network=row.network,
            options=dict(row.options),
            max_length=row.max_length,
        )
    runtime = replace(
        app.runtime,
        connect_timeout=min(app.runtime.connect_timeout, CHECK_TIMEOUT_SECONDS),
        read_timeout=min(app.runtime.read_timeout, CHECK_TIMEOUT_SECONDS),
    )
    try:
        adapter = build_channel(spec, runtime)
    except ChannelError as exc:
        ok, message = False, str(exc)
    else:
        try:
            ok, message = True, adapter.check()
        except ChannelError as exc:
            ok, message = False, str(exc)
        finally:
            adapter.close()
    with app.db.session() as session:
        audit.record(
            session,
            user.name if user is not None else audit.SYSTEM,
            "channel.checked",
            "channel",
            spec.id,
            message[:500],
            {"ok": ok},
        )
    return CheckResult(spec.id, spec.name, spec.network, ok, message)
