"""Load, layer and validate tactful's settings.

This is the only module that reads ``os.environ``. It returns a frozen ``Settings``;
nothing downstream re-reads files or the environment. A bad value raises
``ConfigError`` naming the key and what was expected, before anything starts.

Layers, lowest first: the packaged ``defaults.toml`` (the repository's ``config.toml``),
the user's file (``--config``, else ``TACTFUL_CONFIG``, else ``./config.toml`` if it
exists), the demo's ``demo.toml`` when the data directory holds one (written by
``serve --demo``, so that every command run beside the demo sees its channel
accounts and feed), then ``TACTFUL_<SECTION>__<KEY>`` environment variables. A file
that lists ``[[channels]]`` or ``[[feeds]]`` replaces those lists.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rules.correlate import Coverage
from rules.policy import CATEGORIES, HoldPolicy, Thresholds
from scheduler.errors import ConfigError
from scheduler.feeds.address import AddressPolicy, url_problem

ENV_PREFIX = "TACTFUL_"
NETWORKS = ("outbox", "webhook", "mastodon", "bluesky")
# The environment variables a channel account added by a person (Channels page, API)
# may name for its secrets: only these, so that such an account cannot send another
# secret of the process (the database URL, the session key) to a server it names.
CHANNEL_SECRET_PREFIX = "TACTFUL_CHANNEL_"  # noqa: S105 - a prefix, not a secret
_CHANNEL_SECRET_NAME = re.compile(r"TACTFUL_CHANNEL_[A-Z0-9]+(?:_[A-Z0-9]+)*")


def is_channel_secret_name(name: str) -> bool:
    """Whether ``name`` may hold a secret of an account added by a person:
    ``TACTFUL_CHANNEL_`` then capital letters and digits in words joined by one
    ``_`` (never ``__``, which is a configuration override)."""
    return bool(_CHANNEL_SECRET_NAME.fullmatch(name))


@dataclass(frozen=True)
class ChannelConfig:
    name: str
    network: str
    display_name: str
    regions: tuple[str, ...]
    enabled: bool
    max_length: int | None
    # Network-specific settings (url, base_url, handle, path, *_env names...).
    options: Mapping[str, Any]
    # Every post to this account waits for an approver (scheduler/approval.py).
    require_approval: bool = False


@dataclass(frozen=True)
class ImportLimits:
    """Bounds of one CSV import of posts (scheduler/imports.py)."""

    max_rows: int = 500
    max_bytes: int = 524_288


@dataclass(frozen=True)
class CondolenceConfig:
    prompt_severity: int
    two_person_approval: bool
    remind_after_minutes: float
    escalate_after: int
    base_url: str
    # {tone: {kind: text}}
    templates: Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class NotifyConfig:
    smtp_host: str
    smtp_port: int
    smtp_from: str
    smtp_starttls: bool
    smtp_user_env: str
    smtp_password_env: str
    slack_webhook_env: str
    timeout: float


# Words a suggested condolence must never contain: it must not sell anything.
PROMOTIONAL_WORDS = (
    "sale",
    "offer",
    "discount",
    "deal",
    "shop",
    "buy",
    "order",
    "coupon",
    "promo",
    "% off",
    "free shipping",
    "price",
    "product",
    "code",
)


@dataclass(frozen=True)
class MonitorSettings:
    """The feed monitor: how often to look for due feeds and how to fetch them."""

    poll_interval: float
    batch_size: int
    lease_seconds: int
    min_interval_seconds: int
    default_interval_seconds: int
    connect_timeout: float
    read_timeout: float
    fetch_deadline: float
    max_body_bytes: int
    max_redirects: int
    # Who to contact about our requests (URL or e-mail), sent in the User-Agent.
    contact: str
    error_backoff_max: float
    # The most a server's Retry-After / Cache-Control / Expires may delay a poll.
    max_server_delay: float
    # Internal networks and host names feeds may be fetched from (everything else
    # must be a public address): an ``AddressPolicy``.
    allow_private: AddressPolicy = field(default_factory=AddressPolicy)


@dataclass(frozen=True)
class LoginLimits:
    """Failed logins allowed per account and per client address in a window."""

    per_account: int
    per_address: int
    window_seconds: int


@dataclass(frozen=True)
class DemoSettings:
    """``[demo]``: the timing of ``serve --demo``."""

    tragedy_after_seconds: float
    feed_interval_seconds: int
    minute_seconds: float


@dataclass(frozen=True)
class FeedConfig:
    """A feed listed in ``[[feeds]]``; synced into the database by URL."""

    url: str
    kind: str
    interval_seconds: int
    enabled: bool
    title: str | None
    # The environment variable holding a bearer token sent to this feed.
    token_env: str | None = None
    # The publisher's country or subdivision ("US", "US-LA"), when given.
    home: str | None = None


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    sqlite_busy_timeout: float
    pool_size: int
    publish_interval: float
    batch_size: int
    lease_seconds: int
    maintenance_interval: float
    concurrency: int
    retry_max_attempts: int
    retry_base_delay: float
    retry_max_delay: float
    late_grace_seconds: int
    connect_timeout: float
    read_timeout: float
    incident_ttl_hours: float
    incident_quiet_hours: float
    correlation_window_hours: float
    incident_min_severity: int
    review_below_confidence: float
    # An event whose reports make up this share of one feed's news within
    # ``broad_coverage_hours`` (and at least ``broad_coverage_minimum`` of them) is
    # broadly felt: severity 2 becomes 3. A share of 0 turns this off.
    broad_coverage: Coverage
    broad_coverage_hours: float
    policy: HoldPolicy
    web_host: str
    web_port: int
    secret_key_env: str
    max_content_length: int
    secure_cookies: bool
    login: LoginLimits
    channels: tuple[ChannelConfig, ...]
    condolences: CondolenceConfig
    notify: NotifyConfig
    monitor: MonitorSettings
    feeds: tuple[FeedConfig, ...]
    demo: DemoSettings
    # Values of environment variables named by *_env keys, read once here.
    secrets: Mapping[str, str] = field(default_factory=dict)
    source: str = "defaults"
    imports: ImportLimits = field(default_factory=ImportLimits)
    # The zone times are shown in for a user who chose none (``web.default_timezone``).
    default_timezone: str = "UTC"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def follow_up_window(self) -> timedelta:
        """How long after its last report an incident built from feeds is still
        joined by reports of the same event: it ends after its quiet time, and a
        report joins it only within the correlation window."""
        return timedelta(hours=min(self.incident_quiet_hours, self.correlation_window_hours))

    def secret(self, env_name: str) -> str | None:
        """The value of the environment variable ``env_name`` named by the config, or
        of a ``TACTFUL_CHANNEL_…`` one, named by an account a person added while
        the process runs, read when asked."""
        found = self.secrets.get(env_name)
        if found is None and is_channel_secret_name(env_name):
            found = os.environ.get(env_name) or None
        return found


def _zone(section: _Reader, name: str) -> str:
    """An IANA time zone name, checked against the zone database."""
    value = section.text(name, "UTC").strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{section.key(name)}: unknown IANA time zone {value!r} (e.g. 'Europe/Paris')"
        ) from None
    return value


# Written by ``serve --demo`` into the data directory; read by every command there.
DEMO_CONFIG = "demo.toml"


def default_config_text() -> str:
    return resources.files("scheduler").joinpath("defaults.toml").read_text("utf-8")


def _parse_toml(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not valid TOML: {exc}") from exc


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _env_value(raw: str) -> Any:
    """Read an env override as a TOML value when it is one, else as a plain string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _apply_env(data: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if environ.get("DATABASE_URL"):
        overrides = _merge(overrides, {"database": {"url": environ["DATABASE_URL"]}})
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        path = [p.lower() for p in name[len(ENV_PREFIX) :].split("__")]
        if not all(path):
            raise ConfigError(f"{name}: empty key segment in environment override")
        node: dict[str, Any] = {}
        cursor = node
        for part in path[:-1]:
            cursor[part] = {}
            cursor = cursor[part]
        cursor[path[-1]] = _env_value(raw)
        overrides = _merge(overrides, node)
    return _merge(data, overrides)


class _Reader:
    """Typed access to a nested dict that names the full key in every error."""

    def __init__(self, data: Mapping[str, Any], prefix: str = "") -> None:
        self.data = data
        self.prefix = prefix

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def section(self, name: str) -> _Reader:
        value = self.data.get(name, {})
        if not isinstance(value, Mapping):
            raise ConfigError(f"{self.key(name)}: expected a table, got {value!r}")
        return _Reader(value, f"{self.key(name)}.")

    def _get(self, name: str) -> Any:
        if name not in self.data:
            raise ConfigError(f"{self.key(name)}: missing")
        return self.data[name]

    def text(self, name: str, default: str | None = None) -> str:
        value = self.data.get(name, default) if default is not None else self._get(name)
        if not isinstance(value, str):
            raise ConfigError(f"{self.key(name)}: expected a string, got {value!r}")
        return value

    def flag(self, name: str, default: bool | None = None) -> bool:
        value = self.data.get(name, default) if default is not None else self._get(name)
        if not isinstance(value, bool):
            raise ConfigError(f"{self.key(name)}: expected true or false, got {value!r}")
        return value

    def whole(self, name: str, minimum: int = 0, maximum: int | None = None) -> int:
        value = self._get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{self.key(name)}: expected a whole number, got {value!r}")
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise ConfigError(
                f"{self.key(name)}: expected a number at least {minimum}{upper}, got {value}"
            )
        return value

    def number(self, name: str, minimum: float = 0.0, exclusive: bool = True) -> float:
        value = self._get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{self.key(name)}: expected a number, got {value!r}")
        if value < minimum or (exclusive and value == minimum):
            relation = "greater than" if exclusive else "at least"
            raise ConfigError(
                f"{self.key(name)}: expected a number {relation} {minimum}, got {value}"
            )
        return float(value)


def _coverage(incidents: _Reader) -> Coverage:
    share = incidents.number("broad_coverage_share", 0.0, exclusive=False)
    if share > 1:
        raise ConfigError(f"{incidents.key('broad_coverage_share')}: expected a share from 0 to 1")
    return Coverage(share, incidents.whole("broad_coverage_minimum", 1))


def _policy(reader: _Reader) -> HoldPolicy:
    section = reader.section("policy")
    unknown = set(section.data) - set(CATEGORIES)
    if unknown:
        raise ConfigError(
            f"policy.{sorted(unknown)[0]}: unknown post category "
            f"(expected one of {', '.join(CATEGORIES)})"
        )
    table = {}
    for category in CATEGORIES:
        row = section.section(category)
        table[category] = Thresholds(
            inside=row.whole("inside", 0, 4), containing=row.whole("containing", 0, 4)
        )
    return HoldPolicy(table)


def _channels(raw: Any, known_region: Any) -> tuple[ChannelConfig, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"channels: expected an array of tables, got {raw!r}")
    seen: set[str] = set()
    out = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise ConfigError(f"channels[{index}]: expected a table, got {item!r}")
        reader = _Reader(item, f"channels[{index}].")
        name = reader.text("name")
        if not name or not name.replace("-", "").replace("_", "").isalnum():
            raise ConfigError(f"channels[{index}].name: expected letters, digits, - or _")
        if name in seen:
            raise ConfigError(f"channels[{index}].name: duplicate channel name {name!r}")
        seen.add(name)
        network = reader.text("network")
        if network not in NETWORKS:
            raise ConfigError(
                f"channels[{index}].network: expected one of {', '.join(NETWORKS)}, got {network!r}"
            )
        regions = item.get("regions", [])
        if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
            raise ConfigError(f"channels[{index}].regions: expected a list of region codes")
        for code in regions:
            if not known_region(code):
                raise ConfigError(f"channels[{index}].regions: unknown region code {code!r}")
        max_length = item.get("max_length")
        if max_length is not None and (
            isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1
        ):
            raise ConfigError(f"channels[{index}].max_length: expected a positive whole number")
        options = {
            k: v
            for k, v in item.items()
            if k
            not in {
                "name",
                "network",
                "display_name",
                "regions",
                "enabled",
                "max_length",
                "require_approval",
            }
        }
        out.append(
            ChannelConfig(
                name=name,
                network=network,
                display_name=reader.text("display_name", name),
                regions=tuple(r.upper() for r in regions),
                enabled=reader.flag("enabled", True),
                max_length=max_length,
                require_approval=reader.flag("require_approval", False),
                options=options,
            )
        )
    return tuple(out)


def _condolences(section: _Reader) -> CondolenceConfig:
    raw = section.section("templates")
    templates: dict[str, dict[str, str]] = {}
    for tone in raw.data:
        texts = raw.section(tone)
        templates[tone] = {}
        for kind in texts.data:
            text = texts.text(kind)
            key = texts.key(kind)
            try:
                text.format(place="X")
            except (KeyError, IndexError, ValueError):
                raise ConfigError(f"{key}: only {{place}} may be used in a template") from None
            lowered = text.lower()
            for word in PROMOTIONAL_WORDS:
                if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", lowered):
                    raise ConfigError(f"{key}: a condolence must not mention {word!r}")
            templates[tone][kind] = text
    if "default" not in templates.get("formal", {}):
        raise ConfigError("condolences.templates.formal.default: missing")
    return CondolenceConfig(
        prompt_severity=section.whole("prompt_severity", 1, 4),
        two_person_approval=section.flag("two_person_approval", True),
        remind_after_minutes=section.number("remind_after_minutes"),
        escalate_after=section.whole("escalate_after", 0, 100),
        base_url=section.text("base_url").rstrip("/"),
        templates=templates,
    )


def _notify(section: _Reader) -> NotifyConfig:
    return NotifyConfig(
        smtp_host=section.text("smtp_host", ""),
        smtp_port=section.whole("smtp_port", 1, 65535),
        smtp_from=section.text("smtp_from"),
        smtp_starttls=section.flag("smtp_starttls", False),
        smtp_user_env=section.text("smtp_user_env", ""),
        smtp_password_env=section.text("smtp_password_env", ""),
        slack_webhook_env=section.text("slack_webhook_env", ""),
        timeout=section.number("timeout_seconds"),
    )


def _monitor(section: _Reader) -> MonitorSettings:
    monitor = MonitorSettings(
        poll_interval=section.number("poll_interval_seconds"),
        batch_size=section.whole("batch_size", 1, 1000),
        lease_seconds=section.whole("lease_seconds", 5),
        min_interval_seconds=section.whole("min_interval_seconds", 1),
        default_interval_seconds=section.whole("default_interval_seconds", 1),
        connect_timeout=section.number("connect_timeout_seconds"),
        read_timeout=section.number("read_timeout_seconds"),
        fetch_deadline=section.number("fetch_deadline_seconds"),
        max_body_bytes=section.whole("max_body_bytes", 1024),
        max_redirects=section.whole("max_redirects", 0, 30),
        contact=section.text("contact", "").strip(),
        error_backoff_max=section.number("error_backoff_max_seconds"),
        max_server_delay=section.number("max_server_delay_seconds", 0.0, exclusive=False),
        allow_private=_allow_private(section),
    )
    if monitor.default_interval_seconds < monitor.min_interval_seconds:
        raise ConfigError(
            "monitor.default_interval_seconds: expected at least monitor.min_interval_seconds"
        )
    if monitor.lease_seconds <= monitor.fetch_deadline:
        raise ConfigError(
            "monitor.lease_seconds: expected more than monitor.fetch_deadline_seconds "
            "(a feed must not be claimed again while it is still being fetched)"
        )
    return monitor


def _allow_private(section: _Reader) -> AddressPolicy:
    raw = section.data.get("allow_private", [])
    key = section.key("allow_private")
    if not isinstance(raw, list) or not all(isinstance(e, str) for e in raw):
        raise ConfigError(f"{key}: expected a list of networks or host names, got {raw!r}")
    try:
        return AddressPolicy.parse(raw)
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc}") from None


FEED_KEYS = {"url", "kind", "interval_seconds", "enabled", "title", "token_env", "home"}


def _feeds(raw: Any, monitor: MonitorSettings) -> tuple[FeedConfig, ...]:
    from rules.kinds import FEED_KINDS
    from scheduler.feeds.parse import home_code, home_problem

    if not isinstance(raw, list):
        raise ConfigError(f"feeds: expected an array of tables, got {raw!r}")
    seen: set[str] = set()
    out = []
    for index, item in enumerate(raw):
        prefix = f"feeds[{index}]"
        if not isinstance(item, Mapping):
            raise ConfigError(f"{prefix}: expected a table, got {item!r}")
        unknown = sorted(set(item) - FEED_KEYS)
        if unknown:
            raise ConfigError(
                f"{prefix}.{unknown[0]}: unknown key (expected {', '.join(sorted(FEED_KEYS))})"
            )
        reader = _Reader(item, f"{prefix}.")
        url = reader.text("url").strip()
        problem = url_problem(url, monitor.allow_private)
        if problem:
            raise ConfigError(f"{prefix}.url: {problem}")
        if url in seen:
            raise ConfigError(f"{prefix}.url: the same feed is listed twice ({url})")
        seen.add(url)
        kind = reader.text("kind")
        if kind not in FEED_KINDS:
            raise ConfigError(
                f"{prefix}.kind: expected one of {', '.join(FEED_KINDS)}, got {kind!r}"
            )
        interval = (
            reader.whole("interval_seconds", monitor.min_interval_seconds)
            if "interval_seconds" in item
            else monitor.default_interval_seconds
        )
        title = item.get("title")
        if title is not None and (not isinstance(title, str) or not title.strip()):
            raise ConfigError(f"{prefix}.title: expected a non-empty string")
        token_env = reader.text("token_env", "").strip() or None
        home = home_code(reader.text("home", ""))
        if home is not None:
            problem = home_problem(home)
            if problem:
                raise ConfigError(f"{prefix}.home: {problem}")
        out.append(
            FeedConfig(
                url=url,
                kind=kind,
                interval_seconds=interval,
                enabled=reader.flag("enabled", True),
                title=title.strip() if title else None,
                token_env=token_env,
                home=home,
            )
        )
    return tuple(out)


def _secret_names(data: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(data, Mapping):
        for key, value in data.items():
            if isinstance(key, str) and key.endswith("_env") and isinstance(value, str):
                names.add(value)
            else:
                names |= _secret_names(value)
    elif isinstance(data, list):
        for item in data:
            names |= _secret_names(item)
    return names


def _layer(data: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``data``; its channel and feed lists replace, not extend."""
    data = dict(data)
    for whole in ("channels", "feeds"):
        if whole in over:
            data.pop(whole, None)
    return _merge(data, over)


def _data_dir_of(data: Mapping[str, Any]) -> Path:
    paths = data.get("paths")
    raw = paths.get("data_dir") if isinstance(paths, Mapping) else None
    return Path(raw if isinstance(raw, str) and raw else "var").expanduser()


def resolve_config_path(explicit: str | None, environ: Mapping[str, str]) -> Path | None:
    """``--config``, else ``TACTFUL_CONFIG``, else ``./config.toml`` if present."""
    if explicit:
        return Path(explicit)
    if environ.get("TACTFUL_CONFIG"):
        return Path(environ["TACTFUL_CONFIG"])
    local = Path("config.toml")
    return local if local.is_file() else None


def load_settings(
    path: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the settings from the layers; raise ``ConfigError`` on any bad value.

    ``path`` is an explicit file (``--config``); ``None`` falls back to
    ``TACTFUL_CONFIG`` and ``./config.toml``. ``overrides`` is a nested dict applied
    last (used by tests and by ``serve --demo``).
    """
    from rules.regions import is_known_region

    env = os.environ if environ is None else environ
    data = _parse_toml(default_config_text(), "packaged defaults")
    source = "defaults"
    chosen = resolve_config_path(str(path) if path else None, env)
    if chosen is not None:
        try:
            text = chosen.read_text("utf-8")
        except OSError as exc:
            raise ConfigError(f"{chosen}: cannot read config file: {exc.strerror}") from exc
        user = _parse_toml(text, str(chosen))
        data = _layer(data, user)
        source = str(chosen)
    # The demo's own configuration travels with its data: found in the data
    # directory that every layer together names.
    demo_file = _data_dir_of(_merge(_apply_env(data, env), overrides or {})) / DEMO_CONFIG
    if demo_file.is_file():
        try:
            text = demo_file.read_text("utf-8")
        except OSError as exc:
            raise ConfigError(f"{demo_file}: cannot read config file: {exc.strerror}") from exc
        data = _layer(data, _parse_toml(text, str(demo_file)))
        source = f"{demo_file} over {source}"
    data = _apply_env(data, env)
    if overrides:
        data = _merge(data, overrides)

    root = _Reader(data)
    known_sections = {
        "paths",
        "database",
        "worker",
        "retry",
        "publishing",
        "incidents",
        "policy",
        "web",
        "channels",
        "condolences",
        "notify",
        "monitor",
        "feeds",
        "demo",
        "imports",
    }
    for key in data:
        if key not in known_sections:
            raise ConfigError(f"{key}: unknown setting")
    paths = root.section("paths")
    database = root.section("database")
    worker = root.section("worker")
    retry = root.section("retry")
    publishing = root.section("publishing")
    incidents = root.section("incidents")
    web = root.section("web")
    demo = root.section("demo")

    data_dir = Path(paths.text("data_dir")).expanduser()
    url = database.text("url", "")
    if not url:
        url = f"sqlite:///{(data_dir / 'tactful.db').absolute()}"
    elif not url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
        raise ConfigError(
            f"database.url: expected a sqlite:/// or postgresql:// URL, got {url.split(':')[0]!r}"
        )
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]

    base_delay = retry.number("base_delay_seconds")
    max_delay = retry.number("max_delay_seconds")
    if max_delay < base_delay:
        raise ConfigError("retry.max_delay_seconds: expected at least retry.base_delay_seconds")

    monitor = _monitor(root.section("monitor"))
    secrets = {name: env[name] for name in _secret_names(data) if name in env}
    return Settings(
        data_dir=data_dir,
        database_url=url,
        sqlite_busy_timeout=database.number("sqlite_busy_timeout"),
        pool_size=database.whole("pool_size", 1, 100),
        publish_interval=worker.number("publish_interval_seconds"),
        batch_size=worker.whole("batch_size", 1, 10_000),
        lease_seconds=worker.whole("lease_seconds", 5),
        maintenance_interval=worker.number("maintenance_interval_seconds"),
        concurrency=worker.whole("concurrency", 1, 64),
        retry_max_attempts=retry.whole("max_attempts", 1, 100),
        retry_base_delay=base_delay,
        retry_max_delay=max_delay,
        late_grace_seconds=publishing.whole("late_grace_seconds", 0),
        connect_timeout=publishing.number("connect_timeout_seconds"),
        read_timeout=publishing.number("read_timeout_seconds"),
        incident_ttl_hours=incidents.number("default_ttl_hours"),
        incident_quiet_hours=incidents.number("quiet_hours"),
        correlation_window_hours=incidents.number("correlation_window_hours"),
        incident_min_severity=incidents.whole("min_severity", 1, 4),
        review_below_confidence=incidents.number("review_below_confidence", 0.0, exclusive=False),
        broad_coverage=_coverage(incidents),
        broad_coverage_hours=incidents.number("broad_coverage_hours"),
        policy=_policy(root),
        web_host=web.text("host"),
        web_port=web.whole("port", 1, 65535),
        secret_key_env=web.text("secret_key_env"),
        max_content_length=web.whole("max_content_length", 1024),
        secure_cookies=web.flag("secure_cookies", False),
        login=LoginLimits(
            per_account=web.whole("login_failures_per_account", 1, 10_000),
            per_address=web.whole("login_failures_per_address", 1, 1_000_000),
            window_seconds=web.whole("login_window_seconds", 1, 7 * 24 * 3600),
        ),
        channels=_channels(data.get("channels", []), is_known_region),
        condolences=_condolences(root.section("condolences")),
        notify=_notify(root.section("notify")),
        monitor=monitor,
        feeds=_feeds(data.get("feeds", []), monitor),
        demo=DemoSettings(
            tragedy_after_seconds=demo.number("tragedy_after_seconds", 0.0, exclusive=False),
            feed_interval_seconds=demo.whole("feed_interval_seconds", 1),
            minute_seconds=demo.number("minute_seconds"),
        ),
        secrets=secrets,
        source=source,
        imports=_imports(root.section("imports")),
        default_timezone=_zone(web, "default_timezone"),
    )


def _imports(section: _Reader) -> ImportLimits:
    defaults = ImportLimits()
    values = {
        name: section.data.get(name, getattr(defaults, name)) for name in ("max_rows", "max_bytes")
    }
    reader = _Reader(values, section.prefix)
    return ImportLimits(
        max_rows=reader.whole("max_rows", 1, 100_000),
        max_bytes=reader.whole("max_bytes", 1024, 100 * 1_048_576),
    )
