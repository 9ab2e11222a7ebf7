"""``tactful serve --demo``: a demo user, outbox channel accounts, posts due over
the next hour in several regions, and a local news feed, so a new user sees a hold
happen with no accounts and no network.

The demo feed is served from this process on a loopback port. A minute after start
(``demo.tragedy_after_seconds``) it carries a report of a real tragedy in Texas (the
Santa Fe High School shooting of 18 May 2018); the monitor picks it up, opens an
incident and holds the Texas promotions while the service post still goes out.
Resolving the incident on the Incidents page releases them. Declaring an incident
by hand works the same way.

The demo's configuration — its channel accounts and only the local demo feed — is
written to ``demo.toml`` in the data directory, beside the demo's database, so that
every command run from the same directory (``tactful post list`` …) sees the same
configuration as the running demo.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import func, select

from scheduler import clock, posts, users
from scheduler.config import DEMO_CONFIG, ChannelConfig, Settings
from scheduler.context import Tactful
from scheduler.models import Post, User

DEMO_USER = "demo"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed to the person running the demo

DEMO_CHANNELS = (
    ChannelConfig(
        "brand-us",
        "outbox",
        "Brand US (outbox)",
        ("US",),
        True,
        280,
        {"path": "outbox.jsonl", "counts_as": "x"},
    ),
    ChannelConfig(
        "brand-fr",
        "outbox",
        "Brand France (outbox)",
        ("FR",),
        True,
        500,
        {"path": "outbox.jsonl", "counts_as": "mastodon"},
    ),
    ChannelConfig(
        "brand-support",
        "outbox",
        "Brand support (outbox)",
        (),
        True,
        300,
        {"path": "outbox.jsonl", "counts_as": "bluesky"},
    ),
)

# (minutes from now, channel, category, regions, text)
DEMO_POSTS: tuple[tuple[int, str, str, list[str], str], ...] = (
    (10, "brand-us", "promotional", ["US-TX"], "48-hour flash sale in Texas: 30% off everything!"),
    (15, "brand-us", "service", ["US-TX"], "Our Houston store opens late today at 11:00."),
    (20, "brand-us", "promotional", ["US-CA"], "California: new summer collection is here."),
    (25, "brand-us", "informational", ["US"], "We are hiring across the US. Join us."),
    (30, "brand-fr", "promotional", ["FR"], "Soldes flash à Paris ce week-end !"),
    (40, "brand-support", "service", [], "Support is available 24/7 at help.example.com."),
    (50, "brand-us", "promotional", ["US"], "Nationwide free shipping this week only."),
    (60, "brand-fr", "informational", ["FR-IDF"], "Nouvel horaire du magasin de Paris."),
)

# The demo monitor looks for due feeds at least this often (seconds).
DEMO_POLL_INTERVAL = 5.0
DEMO_HOST = "127.0.0.1"

CALM_ITEMS = (
    (
        "Austin approves new downtown park budget",
        "The Austin city council in Texas approved the budget for a new downtown park on Tuesday.",
    ),
    (
        "Lyon hosts annual festival of lights",
        "Millions of visitors are expected in Lyon, France, for the festival this week.",
    ),
)
TRAGEDY_ITEM = (
    "Gunman kills 10 at Santa Fe High School in Texas",
    "A 17-year-old student opened fire at Santa Fe High School in Santa Fe, Texas, "
    "killing ten people and wounding thirteen others, authorities said.",
)


class DemoFeed:
    """An RSS feed on 127.0.0.1 whose content changes ``tragedy_after`` seconds
    (a minute by default) after it starts."""

    def __init__(self, started: datetime, tragedy_after: float = 60.0) -> None:
        self.started = started
        self.tragedy_after = timedelta(seconds=tragedy_after)
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None, "start the feed first"
        return f"http://{DEMO_HOST}:{self.server.server_address[1]}/news.xml"

    def render(self, now: datetime) -> str:
        items = [(i, *item, self.started) for i, item in enumerate(CALM_ITEMS)]
        if now >= self.started + self.tragedy_after:
            items.append((99, *TRAGEDY_ITEM, self.started + self.tragedy_after))
        entries = "".join(
            f"<item><title>{escape(title)}</title><description>{escape(text)}</description>"
            f'<guid isPermaLink="false">demo-{ident}</guid>'
            f"<pubDate>{format_datetime(when)}</pubDate></item>"
            for ident, title, text, when in items
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>Demo News</title><link>http://127.0.0.1/</link>"
            f"<description>tactful demo feed</description>{entries}</channel></rss>"
        )

    def start(self) -> None:
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                body = feed.render(clock.now()).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer((DEMO_HOST, 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def _toml(value: Any) -> str:
    """A TOML value for the simple types a channel or feed table holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _channel_table(channel: ChannelConfig) -> str:
    values: dict[str, Any] = {
        "name": channel.name,
        "network": channel.network,
        "display_name": channel.display_name,
        "regions": list(channel.regions),
        "enabled": channel.enabled,
    }
    if channel.max_length is not None:
        values["max_length"] = channel.max_length
    values.update(channel.options)
    return "[[channels]]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in values.items())


def demo_config_text(settings: Settings, feed_url: str) -> str:
    """The demo's configuration layer: the configured channel accounts plus the
    demo's, and the local demo feed as the only feed (no network)."""
    names = {c.name for c in settings.channels}
    channels = settings.channels + tuple(c for c in DEMO_CHANNELS if c.name not in names)
    interval = settings.demo.feed_interval_seconds
    policy = settings.monitor.allow_private
    allowed = [*(str(n) for n in policy.networks), *sorted(policy.hosts)]
    lines = [
        "# Written by `tactful serve --demo`: the demo's configuration, kept with its",
        "# data. Every tactful command using this data directory reads it. Remove this",
        "# directory to start afresh.",
        "[monitor]",
        f"min_interval_seconds = {min(settings.monitor.min_interval_seconds, interval)}",
        f"poll_interval_seconds = {min(settings.monitor.poll_interval, DEMO_POLL_INTERVAL)}",
        # The demo feed is served on this machine: allow exactly its address.
        f"allow_private = {_toml([*allowed, f'{DEMO_HOST}/32'])}",
        "",
        *(_channel_table(c) for c in channels),
        "[[feeds]]",
        f"url = {_toml(feed_url)}",
        'kind = "news"',
        f"interval_seconds = {interval}",
        'title = "Demo News"',
        "",
    ]
    return "\n".join(lines)


def write_demo_config(settings: Settings, feed_url: str) -> Path:
    """Write ``demo.toml`` into the data directory; return its path."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / DEMO_CONFIG
    staging = path.with_suffix(".tmp")
    staging.write_text(demo_config_text(settings, feed_url), encoding="utf-8")
    staging.replace(path)  # a command reading it never sees half a file
    return path


def seed(app: Tactful) -> str:
    """Create the demo user and posts once; return how to log in."""
    with app.db.session() as session:
        user = session.scalar(select(User).where(User.name == DEMO_USER))
        if user is None:
            user = users.create_user(session, DEMO_USER, DEMO_PASSWORD, "admin")
        queued = session.scalar(
            select(func.count()).select_from(Post).where(Post.status == "queued")
        )
        if not queued:
            start = clock.now().replace(microsecond=0)
            minute = app.settings.demo.minute_seconds
            for minutes, channel, category, regions, text in DEMO_POSTS:
                at = start + timedelta(seconds=minutes * minute)
                posts.create_posts(
                    session,
                    app.settings,
                    {
                        "text": text,
                        "channels": [channel],
                        "category": category,
                        "regions": regions,
                        "publish_at": at.strftime("%Y-%m-%dT%H:%M:%S"),
                        "timezone": "UTC",
                    },
                    user,
                )
    return (
        f"demo: log in as {DEMO_USER!r} with password {DEMO_PASSWORD!r}; published posts "
        f"are appended to {app.settings.data_dir / 'outbox.jsonl'}"
    )
