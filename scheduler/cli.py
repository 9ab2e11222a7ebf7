"""The ``tactful`` command line, less the commands that run the web app.

It loads the settings, builds the application objects and calls services; it holds
no rules and no queries of its own. ``serve`` and ``web`` need the web app, which
lies above ``scheduler``: the composition root (the top-level ``tactful`` package)
adds them to this parser through ``main(extend=…)``, so ``scheduler`` never refers to
``web``, not even by name. ``python -m scheduler.cli`` runs every other command.

Looking never changes anything: the listing commands (``… list``, ``… show``,
``assess``, ``config check``) open the database read-only, so the database itself
refuses a write. Only ``serve``, ``worker`` and ``config apply`` bring the channel
accounts and feeds in line with the configuration; the other commands that change
something (``post create``, ``incident declare``, …) change only that.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from rules.kinds import FEED_KINDS
from scheduler import accounts, cli_posts, clock, incidents, migrate, posts, users
from scheduler.config import Settings, load_settings
from scheduler.context import Tactful
from scheduler.db import sqlite_path
from scheduler.errors import (
    ConfigError,
    Conflict,
    NotFound,
    PermissionDenied,
    TactfulError,
    ValidationError,
)
from scheduler.worker import Worker

# PostgreSQL advisory lock held while syncing configured channels and feeds.
SYNC_LOCK_KEY = 0x7AC7F01
EXIT_USAGE = 2


def _print_errors(exc: ValidationError) -> None:
    for field, messages in exc.errors.items():
        for message in messages:
            print(f"error: {field}: {message}", file=sys.stderr)


def build_app(settings: Settings, *, migrate_sqlite: bool = True) -> Tactful:
    """Create the application objects for a command that changes something, and
    migrate a SQLite database. The channel accounts and feeds are left as they are."""
    app = _opened(Tactful.from_settings(settings))
    if migrate_sqlite and app.db.is_sqlite:
        migrate.upgrade(app.db)
    return app


# Every application object a command opens is closed when ``main`` returns,
# whichever way the command ends.
_OPEN: list[Tactful] = []


def _opened(app: Tactful) -> Tactful:
    _OPEN.append(app)
    return app


def apply_configuration(app: Tactful, *, confirm_disable: bool = False) -> list[accounts.Withheld]:
    """Sync the channel accounts and feeds named in the configuration into the
    database. An account that would be disabled while posts wait on it is left
    enabled unless ``confirm_disable``; those are returned."""
    from scheduler.feeds.manage import sync_feeds

    with app.db.session() as session:
        if not app.db.is_sqlite:
            # Several workers starting at once would race to insert the same
            # configured rows; SQLite's BEGIN IMMEDIATE already serialises this.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SYNC_LOCK_KEY})
        withheld = accounts.sync_channels(
            session, app.settings.channels, confirm_disable=confirm_disable
        )
        sync_feeds(session, app.settings)
    return withheld


def start_app(settings: Settings) -> Tactful:
    """``serve`` and ``worker``: migrate (SQLite), then apply the configuration,
    never disabling an account that still has queued posts without a person."""
    app = build_app(settings)
    for item in apply_configuration(app):
        print(f"warning: {accounts.describe_withheld(item)}", file=sys.stderr)
    return app


def open_read_only(settings: Settings) -> Tactful:
    """The application objects over a database that refuses writes. A SQLite file
    that does not exist yet is an error, not created."""
    path = sqlite_path(settings.database_url)
    if path is not None:
        from pathlib import Path

        if not Path(path).is_file():
            raise TactfulError(
                f"no database at {path} yet: `tactful serve` or `tactful db upgrade` creates it"
            )
    return _opened(Tactful.from_settings(settings, read_only=True))


def make_worker(app: Tactful) -> Worker:
    """A worker with the publishing, maintenance and feed-polling jobs."""
    from scheduler.monitor import poll_job, warm_up

    worker = Worker(app)
    worker.add_job(
        "poll_due_feeds", poll_job(app, worker.worker_id), app.settings.monitor.poll_interval
    )
    # Before the first poll: the first tragedy is not held up by loading, nor a
    # later one by a collection of what the loading made (``warm_up``).
    warm_up()
    return worker


# ------------------------------------------------------------------ commands
def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    app = Tactful.from_settings(settings)
    migrate.upgrade(app.db)
    print(f"database at revision {migrate.current(app.db)}")
    app.close()
    return 0


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    app = start_app(settings)
    make_worker(app).run_forever()
    app.close()
    return 0


def cmd_user_create(settings: Settings, args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif not sys.stdin.isatty():
        print(
            "error: password: there is no terminal to ask for it; pass it on standard "
            "input with --password-stdin, e.g.\n"
            f"  printf '%s\\n' \"$PASSWORD\" | tactful user create {args.name} "
            f"--role {args.role} --password-stdin",
            file=sys.stderr,
        )
        return EXIT_USAGE
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            print("error: password: the two entries differ", file=sys.stderr)
            return EXIT_USAGE
    app = build_app(settings)
    with app.db.session() as session:
        user = users.create_user(session, args.name, password, args.role, email=args.email)
        print(f"created {user.role} {user.name} (id {user.id})")
    return 0


def _read_password(args: argparse.Namespace) -> str | None:
    """The new password from stdin (``--password-stdin``) or typed twice; ``None``
    (after an error message) when the two typed entries differ."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != password:
        print("error: password: the two entries differ", file=sys.stderr)
        return None
    return password


def cmd_user_list(settings: Settings, args: argparse.Namespace) -> int:
    app = build_app(settings)
    try:
        with app.db.session() as session:
            for user in users.list_users(session):
                state = "active" if user.active else "inactive"
                print(f"{user.id}\t{user.name}\t{user.role}\t{state}\t{user.email or ''}")
    finally:
        app.close()
    return 0


def _cmd_user_active(active: bool) -> Callable[[Settings, argparse.Namespace], int]:
    def run(settings: Settings, args: argparse.Namespace) -> int:
        app = build_app(settings)
        try:
            with app.db.session() as session:
                user = users.set_active(
                    session, users.user_by_name(session, args.name).id, active, None
                )
                state = "reactivated" if active else "deactivated: every session ended"
                print(f"user {user.name} {state}")
        finally:
            app.close()
        return 0

    return run


def cmd_user_password(settings: Settings, args: argparse.Namespace) -> int:
    password = _read_password(args)
    if password is None:
        return EXIT_USAGE
    app = build_app(settings)
    try:
        with app.db.session() as session:
            user = users.user_by_name(session, args.name)
            users.reset_password(session, user.id, password, None)
            print(f"password of {user.name} reset: every session ended")
    finally:
        app.close()
    return 0


def cmd_token_list(settings: Settings, args: argparse.Namespace) -> int:
    app = build_app(settings)
    try:
        with app.db.session() as session:
            owner = users.user_by_name(session, args.name).id if args.name else None
            for token in users.list_tokens(session, owner):
                used = token.last_used_at.isoformat() if token.last_used_at else "never used"
                state = f"revoked {token.revoked_at.isoformat()}" if token.revoked_at else "active"
                print(
                    f"{token.id}\t{token.user.name}\t{token.name}\t"
                    f"created {token.created_at.isoformat()}\tlast used {used}\t{state}"
                )
    finally:
        app.close()
    return 0


def cmd_token_revoke(settings: Settings, args: argparse.Namespace) -> int:
    app = build_app(settings)
    try:
        with app.db.session() as session:
            users.revoke_token(session, args.id, "cli")
            print(f"token {args.id} revoked")
    finally:
        app.close()
    return 0


def cmd_token_create(settings: Settings, args: argparse.Namespace) -> int:
    app = build_app(settings)
    with app.db.session() as session:
        try:
            user = users.user_by_name(session, args.name)
        except NotFound:
            print(f"error: name: no user named {args.name!r}", file=sys.stderr)
            return EXIT_USAGE
        token = users.create_token(session, user, args.label or "cli")
    print(token)
    return 0


def cmd_incident_declare(settings: Settings, args: argparse.Namespace) -> int:
    app = build_app(settings)
    data: dict[str, Any] = {
        "kind": args.kind,
        "severity": args.severity,
        "regions": args.region or [],
        "title": args.title,
    }
    if args.expires_in_hours is not None:
        data["expires_in_hours"] = args.expires_in_hours
    with app.db.session() as session:
        declared = incidents.declare(session, settings, data, None)
        print(
            f"incident {declared.incident.id} declared: {declared.fan_out.posts_held} posts held "
            f"({declared.fan_out.holds_created} holds)"
        )
    return 0


def _cmd_incident_end(status: str) -> Callable[[Settings, argparse.Namespace], int]:
    def run(settings: Settings, args: argparse.Namespace) -> int:
        app = build_app(settings)
        with app.db.session() as session:
            result = incidents.end(
                session, settings, args.id, status, {"reason": args.reason}, None
            )
        print(
            f"incident {args.id} {status}: {result.released} holds released, "
            f"{result.requeued} posts queued, {result.needs_review} need review"
        )
        return 0

    return run


def cmd_incident_list(settings: Settings, args: argparse.Namespace) -> int:
    app = open_read_only(settings)
    with app.db.session() as session:
        rows = incidents.list_incidents(session, open_only=not args.all)
        counts = incidents.held_counts(session, [i.id for i in rows])
        for inc in rows:
            print(
                f"{inc.id}\t{inc.status}\tseverity {inc.severity}\t{inc.kind}\t"
                f"{','.join(inc.regions)}\t{counts.get(inc.id, 0)} held\t{inc.title}"
            )
    return 0


def cmd_post_create(settings: Settings, args: argparse.Namespace) -> int:
    app = build_app(settings)
    data: dict[str, Any] = {
        "text": args.text,
        "channels": args.channel or [],
        "publish_at": args.at,
        "timezone": args.tz,
        "category": args.category,
    }
    if args.region:
        data["regions"] = args.region
    with app.db.session() as session:
        if not accounts.list_accounts(session):
            print(
                "error: channels: there are no channel accounts in the database yet; "
                "`tactful config apply` (or starting `tactful serve`) brings in those "
                "of the configuration",
                file=sys.stderr,
            )
            return EXIT_USAGE
        created = posts.create_posts(session, settings, data, None)
        for post in created:
            print(
                f"post {post.id} {post.status} for {post.channel.name} at {post.publish_at.isoformat()}"
            )
    return 0


def cmd_post_list(settings: Settings, args: argparse.Namespace) -> int:
    app = open_read_only(settings)
    query = {"status": args.status} if args.status else {}
    with app.db.session() as session:
        page = posts.list_posts(session, query)
        for post in page.posts:
            reasons = "; ".join(
                f"incident {h.incident_id} ({h.rule})" for h in page.holds.get(post.id, [])
            )
            if not reasons and post.status in ("needs_review", "failed", "unconfirmed", "rejected"):
                reasons = post.last_error or ""
            print(
                f"{post.id}\t{page.status_of(post)}\t{post.category}\t{post.channel.name}\t"
                f"{post.publish_at.isoformat()}\t{','.join(post.regions)}\t{reasons}"
            )
        print(f"{page.total}{'' if page.total_exact else '+'} posts", file=sys.stderr)
    return 0


def cmd_post_show(settings: Settings, args: argparse.Namespace) -> int:
    """Read-only: one post, its open holds and, when a person must act, why."""
    from scheduler.holds import open_hold_reasons, shown_status

    app = open_read_only(settings)
    with app.db.session() as session:
        post = posts.get_post(session, args.id)
        open_holds = open_hold_reasons(session, [post.id]).get(post.id, [])
        status = shown_status(post, bool(open_holds))
        print(f"post {post.id}\t{status}\t{post.category}\t{post.channel.name}")
        print(f"publish at {post.local_time[:16]} {post.timezone} ({post.publish_at.isoformat()})")
        print(f"regions {','.join(post.regions) or '-'}")
        print(f"version {post.version}{cli_posts.approval_note(session, post)}")
        for hold in open_holds:
            print(f"held by incident {hold.incident_id} ({hold.rule})")
        if post.last_error and status in ("needs_review", "failed", "unconfirmed", "rejected"):
            print(f"why: {post.last_error}")
        print(post.text)
    app.close()
    return 0


def cmd_channel_list(settings: Settings, args: argparse.Namespace) -> int:
    """Read-only: the channel accounts in the database, with their waiting posts."""
    app = open_read_only(settings)
    configured = {c.name for c in settings.channels}
    with app.db.session() as session:
        waiting = accounts.waiting_posts(session)
        for row in accounts.list_accounts(session):
            state = "enabled" if row.enabled else "disabled"
            note = "" if row.name in configured else "\tnot in the configuration"
            if row.require_approval:
                note = f"\tapproval required{note}"
            print(
                f"{row.id}\t{row.name}\t{state}\t{row.network}\t"
                f"{waiting.get(row.id, 0)} queued{note}"
            )
    app.close()
    return 0


def cmd_policy_list(settings: Settings, args: argparse.Namespace) -> int:
    """Read-only: the hold policy in force, a line per post category."""
    from scheduler import policy as hold_policy

    app = open_read_only(settings)
    with app.db.session() as session:
        for line in hold_policy.lines(session, settings):
            source = (
                f"changed by {line.changed_by} {line.changed_at:%Y-%m-%d %H:%M} UTC "
                f"(configured {line.configured.inside}/{line.configured.containing})"
                if line.overridden and line.changed_at
                else "configured"
            )
            print(f"{line.category}\tinside {line.inside}\tcontaining {line.containing}\t{source}")
    app.close()
    return 0


def cmd_policy_set(settings: Settings, args: argparse.Namespace) -> int:
    from scheduler import policy as hold_policy

    app = build_app(settings)
    data = {"inside": args.inside, "containing": args.containing, "reason": args.reason or ""}
    try:
        with app.db.session() as session:
            if args.reset:
                done = hold_policy.reset(session, settings, args.category, None)
            else:
                done = hold_policy.update(session, settings, args.category, data, None)
    finally:
        app.close()
    print(
        f"{args.category}: inside {done.line.inside}, containing {done.line.containing}; "
        f"{done.held} hold(s) added, {done.released} released"
    )
    return 0


def _cmd_channel_set(enabled: bool) -> Callable[[Settings, argparse.Namespace], int]:
    def run(settings: Settings, args: argparse.Namespace) -> int:
        app = build_app(settings)
        confirm = bool(getattr(args, "yes", False))
        try:
            with app.db.session() as session:
                row = accounts.account_by_name(session, args.name)
                accounts.set_enabled(
                    session, row.id, enabled, None, reason=args.reason or "", confirm=confirm
                )
        except accounts.ConfirmationNeeded as exc:
            print(f"warning: {exc}; run again with --yes to disable it", file=sys.stderr)
            return 1
        finally:
            app.close()
        print(f"channel account {args.name} {'enabled' if enabled else 'disabled'}")
        return 0

    return run


def cmd_config_apply(settings: Settings, args: argparse.Namespace) -> int:
    """Bring channel accounts and feeds in line with the configuration."""
    app = build_app(settings)
    try:
        withheld = apply_configuration(app, confirm_disable=args.yes)
    finally:
        app.close()
    for item in withheld:
        print(f"warning: {accounts.describe_withheld(item)}", file=sys.stderr)
    print(
        f"applied {settings.source}: {len(settings.channels)} channel accounts, "
        f"{len(settings.feeds)} feeds"
        + (f"; {len(withheld)} accounts left enabled (see above)" if withheld else "")
    )
    return 1 if withheld else 0


def cmd_post_edit(settings: Settings, args: argparse.Namespace) -> int:
    app = build_app(settings)
    data: dict[str, Any] = {}
    for key, value in (
        ("text", args.text),
        ("publish_at", args.at),
        ("timezone", args.tz),
        ("category", args.category),
        ("regions", args.region),
        ("status", args.status),
    ):
        if value is not None:
            data[key] = value
    try:
        with app.db.session() as session:
            actor = users.user_by_name(session, args.acting_as) if args.acting_as else None
            post = posts.update_post(session, settings, args.id, data, actor)
            print(f"post {post.id} {post.status} at {post.publish_at.isoformat()}")
    finally:
        app.close()
    return 0


def cmd_post_cancel(settings: Settings, args: argparse.Namespace) -> int:
    app = build_app(settings)
    with app.db.session() as session:
        post = posts.cancel_post(session, args.id, None, args.reason or "")
        print(f"post {post.id} cancelled")
    return 0


# The assessor the monitor uses, loaded by name so a missing one is a clear error.
def _feed_app(settings: Settings) -> Tactful:
    return build_app(settings)


def cmd_feed_add(settings: Settings, args: argparse.Namespace) -> int:
    from scheduler.feeds.manage import add_feed

    app = _feed_app(settings)
    data: dict[str, Any] = {"url": args.url, "kind": args.kind}
    if args.interval is not None:
        data["interval_seconds"] = args.interval
    if args.title:
        data["title"] = args.title
    if args.home:
        data["home"] = args.home
    with app.db.session() as session:
        feed = add_feed(session, settings, data, None)
        area = f", published from {feed.home}" if feed.home else ""
        print(f"feed {feed.id} added: {feed.kind} every {feed.interval_seconds} s {feed.url}{area}")
    app.close()
    return 0


def cmd_feed_list(settings: Settings, args: argparse.Namespace) -> int:
    from scheduler.feeds.manage import list_feeds

    app = open_read_only(settings)
    with app.db.session() as session:
        for feed in list_feeds(session):
            state = "enabled" if feed.enabled else "disabled"
            print(
                f"{feed.id}\t{state}\t{feed.kind}\t{feed.interval_seconds}s\t"
                f"next {feed.next_poll_at.isoformat()}\t{feed.error_count} errors\t"
                f"{feed.title or ''}\t{feed.url}\t{feed.last_error or ''}\t{feed.home or ''}"
            )
    app.close()
    return 0


def cmd_feed_disable(settings: Settings, args: argparse.Namespace) -> int:
    from scheduler.feeds.manage import disable_feed

    app = _feed_app(settings)
    with app.db.session() as session:
        feed = disable_feed(session, args.id, None, args.reason or "")
        print(f"feed {feed.id} disabled")
    if any(cfg.url == feed.url and cfg.enabled for cfg in settings.feeds):
        print(
            "note: this feed is enabled in the configuration, which re-enables it at the next start"
        )
    app.close()
    return 0


def cmd_feed_poll(settings: Settings, args: argparse.Namespace) -> int:
    from scheduler.feeds.manage import get_feed, list_feeds
    from scheduler.monitor import poll_now

    app = _feed_app(settings)
    with app.db.session() as session:
        if args.id is not None:
            ids = [get_feed(session, args.id).id]
        else:
            ids = [feed.id for feed in list_feeds(session, enabled_only=True)]
    failed = 0
    for result in poll_now(app, ids):
        if result.status == "error":
            failed += 1
            print(f"feed {result.feed_id} error: {result.error}")
            continue
        print(
            f"feed {result.feed_id} {result.status}: {result.entries} entries, "
            f"{len(result.new)} new, {len(result.tragedies)} tragedies"
        )
        for found in result.new:
            label = (
                f"tragedy {found.kind or 'other'} severity {found.severity} "
                f"{','.join(found.regions) or '-'}"
                if found.tragedy
                else "-"
            )
            print(f"  [{label}] {found.title}")
    app.close()
    return 1 if failed else 0


def _as_of(text: str) -> datetime:
    """An ISO 8601 moment; one without an offset is read as UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError({"--as-of": [f"not an ISO 8601 time: {text!r}"]}) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _feed_sources(source: str) -> list[str]:
    """The feed files a source names: itself, or every file of a directory."""
    from pathlib import Path

    path = Path(source)
    if not source.startswith(("http://", "https://")) and path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            raise ValidationError({"source": [f"{source} holds no files"]})
        return [str(p) for p in files]
    return [source]


def cmd_assess(settings: Settings, args: argparse.Namespace) -> int:
    """A dry run: what tactful would conclude for each entry, the entries of a feed
    read together; the database is not touched (not even opened)."""
    from pathlib import Path

    from rules.assess import assess
    from rules.news.model import model
    from rules.regions import is_known_region
    from rules.reports import Entry
    from rules.session import one_timeline, read_together
    from scheduler.feeds import FeedError
    from scheduler.feeds.fetch import fetch
    from scheduler.feeds.parse import guess_kind, home_of, parse

    if args.version:
        current = model()
        print(f"news model {current.version} (training set sha256 {current.training_set_sha256})")
        return 0
    if not args.source:
        raise ValidationError({"source": ["give a feed file, a directory or an http(s) URL"]})
    if args.as_of and args.replay:
        raise ValidationError({"--as-of": ["--as-of and --replay exclude each other"]})
    as_of = _as_of(args.as_of) if args.as_of else None
    home = args.home_country
    if home is not None and (len(home) != 2 or not is_known_region(home)):
        raise ValidationError({"--home-country": [f"{home!r} is no ISO 3166-1 alpha-2 code"]})
    region_problem = _home_region_problem(args.home_region, home)
    if region_problem:
        raise ValidationError({"--home-region": [region_problem]})
    region_country, region = home_of(args.home_region)
    home = home or region_country
    failed = 0
    sources = _feed_sources(args.source)
    feeds: list[tuple[str, str, list[Entry]]] = []  # (source, kind, entries)
    for source in sources:
        if source.startswith(("http://", "https://")):
            result = fetch(source, settings=settings)
            if result.body is None:
                print(f"error: {source}: answered {result.status} with no body", file=sys.stderr)
                failed += 1
                continue
            body = result.body
        else:
            try:
                body = Path(source).read_bytes()
            except OSError as exc:
                if len(sources) == 1:
                    print(f"error: source: cannot read {source}: {exc.strerror}", file=sys.stderr)
                    return EXIT_USAGE
                print(f"error: {source}: cannot read: {exc.strerror}", file=sys.stderr)
                failed += 1
                continue
        kind = args.kind or guess_kind(body)
        try:
            parsed = parse(body, kind, source, home_country=home, home_region=region)
        except FeedError as exc:
            print(f"error: {source}: {exc}", file=sys.stderr)
            failed += 1
            continue
        if args.one_feed and feeds and kind != feeds[0][1]:
            print(
                f"error: {source}: a {kind} feed, where {feeds[0][0]} is {feeds[0][1]}: "
                "--one-feed reads captures of one feed",
                file=sys.stderr,
            )
            failed += 1
            continue
        feeds.append((source, kind, list(parsed.entries)))
    moment = None if args.replay else (as_of or clock.now())
    if args.one_feed and feeds:
        timeline = one_timeline((source, entries) for source, _, entries in feeds)
        readings = [(feeds[0][1], timeline)]
    else:
        readings = [(kind, [(source, e) for e in entries]) for source, kind, entries in feeds]
    window = settings.follow_up_window
    for kind, sourced in readings:
        source_of = {entry.guid: source for source, entry in sourced}
        entries = [entry for _, entry in sourced]
        coverage = settings.broad_coverage if kind == "news" else None
        for judged in read_together(
            entries, assess, as_of=moment, coverage=coverage, window=window
        ):
            entry, verdict = judged.entry, judged.assessment
            if args.json:
                line = verdict.as_json(entry)
                line["event"] = judged.event
                if len(sources) > 1:
                    line["source"] = source_of[entry.guid]
                print(json.dumps(line, ensure_ascii=False))
            else:
                label = (
                    f"TRAGEDY {verdict.kind} sev {verdict.severity} "
                    f"{','.join(verdict.regions) or '-'} ({verdict.confidence:.2f})"
                    if verdict.tragedy
                    else "-"
                )
                print(f"{label:<40} {entry.title[:100]}")
    return 1 if failed else 0


def _home_region_problem(region: str | None, country: str | None) -> str | None:
    """Why ``region`` is no publisher's subdivision (for ``--home-region``), or None."""
    from scheduler.feeds.parse import home_of, home_problem

    if region is None:
        return None
    region_country, subdivision = home_of(region)
    if subdivision is None or home_problem(region):
        return f"{region!r} is no ISO 3166-2 subdivision code (such as US-LA)"
    if country is not None and region_country != country:
        return f"{region} is not in the --home-country {country}"
    return None


def cmd_geoparse(settings: Settings, args: argparse.Namespace) -> int:
    """Place mentions of JSON lines ``{"id": ..., "text": ...}``, one result per line."""
    from rules.geo import parse
    from rules.regions import get_region

    home = args.home_country
    if home is not None and (len(home) != 2 or get_region(home) is None):
        print(f"error: --home-country: {home!r} is no ISO 3166-1 alpha-2 code", file=sys.stderr)
        return EXIT_USAGE
    region_problem = _home_region_problem(args.home_region, home)
    if region_problem:
        print(f"error: --home-region: {region_problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.path in (None, "-"):
        stream = sys.stdin
        name = "stdin"
    else:
        try:
            stream = open(args.path, encoding="utf-8")  # noqa: SIM115 -- closed below
        except OSError as exc:
            print(f"error: path: cannot read {args.path}: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
        name = args.path
    bad = 0
    try:
        for number, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
            except json.JSONDecodeError as exc:
                item, problem = None, f"not JSON ({exc.msg} at column {exc.colno})"
            else:
                problem = ""
                if not isinstance(item, dict):
                    problem = "not a JSON object"
                elif not isinstance(item.get("text"), str):
                    problem = 'no "text" string'
            if problem or not isinstance(item, dict):
                print(f"error: {name} line {number}: {problem}", file=sys.stderr)
                bad += 1
                continue
            result = parse(item["text"], home_country=home, home_region=args.home_region)
            if args.json:
                print(json.dumps({"id": item.get("id"), **result.as_json()}, ensure_ascii=False))
                continue
            print(f"{item.get('id')}: {item['text'][:80]}")
            for k, place in enumerate(result.places):
                mark = "*" if k == result.event_place else " "
                print(
                    f"  {mark} {place.start:>5}-{place.end:<5} {place.text[:28]:<28} "
                    f"{place.kind:<8} {place.name[:28]:<28} "
                    f"{place.admin1 or place.country or ' '.join(place.countries) or '-':<8} "
                    f"{place.lat},{place.lon}"
                )
    except UnicodeDecodeError:
        print(f"error: {name}: not UTF-8 text", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if stream is not sys.stdin:
            stream.close()
    return EXIT_USAGE if bad else 0


def cmd_condolence_list(settings: Settings, args: argparse.Namespace) -> int:
    """Read-only: approving or declining needs a person signed in (web or API)."""
    from scheduler import condolences

    app = open_read_only(settings)
    with app.db.session() as session:
        for draft in condolences.list_drafts(session, open_only=not args.all):
            print(
                f"{draft.id}\t{draft.status}\tincident {draft.incident_id}\tv{draft.version}\t"
                f"{','.join(sorted(draft.texts))}\t{draft.prompted_at.isoformat()}"
            )
    app.close()
    return 0


def cmd_config_check(settings: Settings, args: argparse.Namespace) -> int:
    print(
        json.dumps(
            {
                "source": settings.source,
                "database": settings.database_url.split("@")[-1],
                "channels": [c.name for c in settings.channels],
            }
        )
    )
    return 0


# -------------------------------------------------------------------- parser
Extend = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def build_parser(extend: Extend | None = None) -> argparse.ArgumentParser:
    """The parser; ``extend`` adds the commands of the layers above to its
    subcommands."""
    parser = argparse.ArgumentParser(
        prog="tactful", description="Crisis-aware publishing scheduler"
    )
    parser.add_argument("--config", help="config file (default: $TACTFUL_CONFIG, ./config.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="migrate to the latest schema").set_defaults(func=cmd_db_upgrade)

    sub.add_parser("worker", help="run a publishing worker").set_defaults(func=cmd_worker)

    user = sub.add_parser("user", help="users").add_subparsers(dest="user_command", required=True)
    p = user.add_parser("create", help="create a user")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=["manager", "approver", "admin"])
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--email", help="where condolence prompts are sent")
    p.set_defaults(func=cmd_user_create)
    user.add_parser("list", help="list users").set_defaults(func=cmd_user_list)
    for verb, active, summary in (
        ("deactivate", False, "deactivate a user: every session ends, tokens stop working"),
        ("reactivate", True, "reactivate a user"),
    ):
        p = user.add_parser(verb, help=summary)
        p.add_argument("name")
        p.set_defaults(func=_cmd_user_active(active))
    p = user.add_parser("password", help="reset a user's password: every session ends")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(func=cmd_user_password)

    token = sub.add_parser("token", help="API tokens").add_subparsers(
        dest="token_command", required=True
    )
    p = token.add_parser("create", help="create an API token for a user and print it")
    p.add_argument("name", help="the user's name")
    p.add_argument("--label", help="what the token is for")
    p.set_defaults(func=cmd_token_create)
    p = token.add_parser("list", help="list API tokens with their last use")
    p.add_argument("name", nargs="?", help="only this user's tokens")
    p.set_defaults(func=cmd_token_list)
    p = token.add_parser("revoke", help="revoke an API token by id")
    p.add_argument("id", type=int)
    p.set_defaults(func=cmd_token_revoke)

    inc = sub.add_parser("incident", help="incidents").add_subparsers(
        dest="incident_command", required=True
    )
    p = inc.add_parser("declare", help="declare an incident and hold matching posts")
    p.add_argument("--kind", required=True)
    p.add_argument("--severity", required=True, type=int)
    p.add_argument("--region", action="append", help="region code or name (repeatable)")
    p.add_argument("--title", required=True)
    p.add_argument("--expires-in-hours", type=float)
    p.set_defaults(func=cmd_incident_declare)
    for verb, status in (("resolve", "resolved"), ("dismiss", "dismissed")):
        p = inc.add_parser(verb, help=f"{verb} an incident and release its holds")
        p.add_argument("id", type=int)
        p.add_argument("--reason", default="")
        p.set_defaults(func=_cmd_incident_end(status))
    p = inc.add_parser("list", help="list incidents")
    p.add_argument("--all", action="store_true", help="include ended incidents")
    p.set_defaults(func=cmd_incident_list)

    post = sub.add_parser("post", help="posts").add_subparsers(dest="post_command", required=True)
    p = post.add_parser("create", help="queue a post")
    p.add_argument("--text", required=True)
    p.add_argument("--channel", action="append", help="channel account name (repeatable)")
    p.add_argument("--at", required=True, help="publish time, YYYY-MM-DDTHH:MM in --tz")
    p.add_argument("--tz", default="UTC", help="IANA time zone (default UTC)")
    p.add_argument("--category", required=True)
    p.add_argument("--region", action="append", help="audience region (repeatable)")
    p.set_defaults(func=cmd_post_create)
    p = post.add_parser("list", help="list posts")
    p.add_argument("--status")
    p.set_defaults(func=cmd_post_list)
    p = post.add_parser("show", help="one post, its holds and why it needs a person")
    p.add_argument("id", type=int)
    p.set_defaults(func=cmd_post_show)
    p = post.add_parser("edit", help="edit or reschedule a post")
    p.add_argument("id", type=int)
    p.add_argument("--text")
    p.add_argument("--at", help="new publish time, YYYY-MM-DDTHH:MM in --tz")
    p.add_argument("--tz", help="IANA time zone")
    p.add_argument("--category")
    p.add_argument("--region", action="append", help="audience region (repeatable)")
    p.add_argument("--status", choices=["queued", "draft"], help="submit a draft or requeue")
    p.add_argument(
        "--as",
        dest="acting_as",
        metavar="USER",
        help="act as this user, with their role (default: the operator, as the system)",
    )
    p.set_defaults(func=cmd_post_edit)
    p = post.add_parser("cancel", help="cancel a post")
    p.add_argument("id", type=int)
    p.add_argument("--reason")
    p.set_defaults(func=cmd_post_cancel)
    cli_posts.add_commands(post)

    feed = sub.add_parser("feed", help="news and alert feeds").add_subparsers(
        dest="feed_command", required=True
    )
    p = feed.add_parser("add", help="monitor a feed")
    p.add_argument("url")
    p.add_argument("--kind", required=True, help=" | ".join(FEED_KINDS))
    p.add_argument("--interval", type=int, help="seconds between polls")
    p.add_argument("--title")
    p.add_argument(
        "--home",
        metavar="CODE",
        help="the publisher's country or subdivision (ISO 3166-1 or 3166-2: US, US-LA)",
    )
    p.set_defaults(func=cmd_feed_add)
    feed.add_parser("list", help="list feeds").set_defaults(func=cmd_feed_list)
    p = feed.add_parser("disable", help="stop polling a feed")
    p.add_argument("id", type=int)
    p.add_argument("--reason")
    p.set_defaults(func=cmd_feed_disable)
    p = feed.add_parser("poll", help="poll one feed (or every enabled one) now")
    p.add_argument("id", type=int, nargs="?")
    p.set_defaults(func=cmd_feed_poll)

    chan = sub.add_parser("channel", help="channel accounts").add_subparsers(
        dest="channel_command", required=True
    )
    chan.add_parser("list", help="list channel accounts").set_defaults(func=cmd_channel_list)
    p = chan.add_parser("enable", help="enable a channel account")
    p.add_argument("name")
    p.add_argument("--reason")
    p.set_defaults(func=_cmd_channel_set(True))
    p = chan.add_parser("disable", help="disable a channel account (its posts go to review)")
    p.add_argument("name")
    p.add_argument("--reason")
    p.add_argument("--yes", action="store_true", help="even if posts are queued on it")
    p.set_defaults(func=_cmd_channel_set(False))

    pol = sub.add_parser("policy", help="the hold policy").add_subparsers(
        dest="policy_command", required=True
    )
    pol.add_parser("list", help="the policy in force").set_defaults(func=cmd_policy_list)
    p = pol.add_parser("set", help="change one line; open incidents hold and release to match")
    p.add_argument("category")
    p.add_argument("--inside", type=int, required=True, help="severity 1-4, or 0 for never")
    p.add_argument("--containing", type=int, required=True, help="severity 1-4, or 0 for never")
    p.add_argument("--reason")
    p.set_defaults(func=cmd_policy_set, reset=False)
    p = pol.add_parser("reset", help="go back to the configuration's line")
    p.add_argument("category")
    p.set_defaults(func=cmd_policy_set, reset=True, inside=None, containing=None, reason=None)

    cond = sub.add_parser("condolence", help="condolence prompts").add_subparsers(
        dest="condolence_command", required=True
    )
    p = cond.add_parser("list", help="open prompts (approve or decline on the web or API)")
    p.add_argument("--all", action="store_true", help="include answered ones")
    p.set_defaults(func=cmd_condolence_list)

    p = sub.add_parser("assess", help="dry run: what tactful concludes for each feed entry")
    p.add_argument("source", nargs="?", help="a feed file, a directory of them, or an http(s) URL")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--as-of", metavar="TIME", help="judge the feed as at this ISO 8601 moment")
    when.add_argument(
        "--replay", action="store_true", help="judge each entry at its own publication time"
    )
    p.add_argument(
        "--one-feed",
        action="store_true",
        help="the files are captures of one feed: read them as one timeline, each entry once",
    )
    p.add_argument("--version", action="store_true", help="print the news model's version")
    p.add_argument(
        "--kind",
        choices=list(FEED_KINDS),
        help="the feed kind (default: guessed from the content)",
    )
    p.add_argument(
        "--home-country",
        type=str.upper,
        help="the publisher's country (ISO 3166-1 alpha-2; default: the feed's language tag)",
    )
    p.add_argument(
        "--home-region",
        type=str.upper,
        help="a local publisher's subdivision (ISO 3166-2, such as US-LA; implies its country)",
    )
    p.set_defaults(func=cmd_assess)

    p = sub.add_parser("geoparse", help="place mentions of JSON lines {id, text}")
    p.add_argument("path", nargs="?", default="-", help="a JSON-lines file, or - for stdin")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument(
        "--home-country", type=str.upper, help="the publisher's country (ISO 3166-1 alpha-2)"
    )
    p.add_argument(
        "--home-region",
        type=str.upper,
        help="a local publisher's subdivision (ISO 3166-2, such as US-LA; implies its country)",
    )
    p.set_defaults(func=cmd_geoparse)

    config = sub.add_parser("config", help="configuration").add_subparsers(
        dest="config_command", required=True
    )
    config.add_parser("check", help="load and validate the configuration").set_defaults(
        func=cmd_config_check
    )
    p = config.add_parser(
        "apply", help="bring channel accounts and feeds in line with the configuration"
    )
    p.add_argument(
        "--yes", action="store_true", help="also disable accounts that have queued posts"
    )
    p.set_defaults(func=cmd_config_apply)
    if extend is not None:
        extend(sub)
    return parser


def main(argv: Sequence[str] | None = None, *, extend: Extend | None = None) -> int:
    parser = build_parser(extend)
    args = parser.parse_args(argv)
    # Our jobs log what they did at INFO; libraries (Alembic's "Context impl …",
    # APScheduler's every tick, httpx's every request, the development server's every
    # hit) only their warnings, unless -v asks for everything.
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        logging.getLogger("scheduler").setLevel(logging.INFO)
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
    try:
        settings = load_settings(args.config)
        result: int = args.func(settings, args)
        return result
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as exc:
        _print_errors(exc)
        return EXIT_USAGE
    except (NotFound, Conflict, PermissionDenied) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except TactfulError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    finally:
        while _OPEN:
            _OPEN.pop().close()


if __name__ == "__main__":
    sys.exit(main())
