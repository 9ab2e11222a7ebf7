"""``tactful post approve | reject | import``: post approval and the CSV import at
the command line, through the same services as the page and the API."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from scheduler import approval, imports, posts, users
from scheduler.config import Settings
from scheduler.errors import ValidationError
from scheduler.models import Post, User

EXIT_USAGE = 2


def _decision(settings: Settings, args: argparse.Namespace, decide: str) -> int:
    from scheduler.cli import build_app

    app = build_app(settings)
    try:
        with app.db.session() as session:
            user = users.user_by_name(session, args.acting_as)
            post = posts.get_post(session, args.id)
            data: dict[str, Any] = {
                "version": args.version if args.version is not None else post.version
            }
            if decide == "approve":
                post = approval.approve(session, settings, args.id, data, user)
            else:
                data["reason"] = args.reason
                post = approval.reject(session, args.id, data, user)
            print(f"post {post.id} {post.status} (version {post.version}) by {user.name}")
    finally:
        app.close()
    return 0


def cmd_post_approve(settings: Settings, args: argparse.Namespace) -> int:
    return _decision(settings, args, "approve")


def cmd_post_reject(settings: Settings, args: argparse.Namespace) -> int:
    return _decision(settings, args, "reject")


def cmd_post_import(settings: Settings, args: argparse.Namespace) -> int:
    from scheduler.cli import build_app

    path = Path(args.file)
    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else path.read_bytes()
    except OSError as exc:
        raise ValidationError.single("file", f"cannot read {args.file}: {exc.strerror}") from None
    app = build_app(settings)
    try:
        with app.db.session() as session:
            user = users.user_by_name(session, args.acting_as) if args.acting_as else None
            result = imports.import_posts(
                session,
                settings,
                raw,
                user,
                filename=path.name if args.file != "-" else "",
                dry_run=args.dry_run,
            )
            if args.dry_run:
                print(f"{result.rows} rows valid: {result.count} posts would be queued")
                return 0
            for post in result.posts:
                print(
                    f"post {post.id} {post.status} for {post.channel.name} at {post.publish_at.isoformat()}"
                )
            print(f"imported {len(result.posts)} posts from {result.rows} rows", file=sys.stderr)
    finally:
        app.close()
    return 0


def approval_note(session: Session, post: Post) -> str:
    """``post show``'s word on approval: who approved this version, or that it waits."""
    if not approval.required(post.channel, post.category):
        return ""
    if approval.is_approved(post):
        approver = session.get(User, post.approved_by_id)
        return f", approved by {approver.name if approver else 'a removed user'}"
    return ", not approved (the account requires approval)"


def add_commands(post: Any) -> None:
    """Add the approval and import commands to ``tactful post``'s subparsers."""
    for name, func, what in (
        ("approve", cmd_post_approve, "approve a post waiting for approval"),
        ("reject", cmd_post_reject, "send a post waiting for approval back, with a reason"),
    ):
        p = post.add_parser(name, help=what)
        p.add_argument("id", type=int)
        p.add_argument("--as", dest="acting_as", metavar="USER", required=True, help="the approver")
        p.add_argument(
            "--version",
            type=int,
            help="the version read (`post show` prints it); default: the current one",
        )
        if name == "reject":
            p.add_argument("--reason", required=True)
        p.set_defaults(func=func)
    p = post.add_parser("import", help="queue posts from a CSV file (all rows, or none)")
    p.add_argument("file", help="the CSV file, or - for standard input")
    p.add_argument(
        "--as", dest="acting_as", metavar="USER", help="the author (default: the system)"
    )
    p.add_argument("--dry-run", action="store_true", help="check every row, store nothing")
    p.set_defaults(func=cmd_post_import)
