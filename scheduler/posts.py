"""The queue: create, edit, reschedule, cancel and list posts.

Used alike by the web form, the JSON API and the CLI, so that every door validates
the same way. Every status change is a conditional update on the old status, and
every change is audited. Publishing lives in ``scheduler.publisher``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, exists, func, literal, select, tuple_
from sqlalchemy.orm import Session

from rules.policy import HoldPolicy
from rules.regions import WORLD
from rules.regions import find as find_region
from rules.regions import search as search_regions
from rules.text import length_error
from rules.timing import LocalTimeError, localize
from scheduler import accounts, approval, audit, clock, holds, pagination, users
from scheduler import policy as hold_policy
from scheduler.accounts import Withheld
from scheduler.config import ChannelConfig, Settings
from scheduler.db import UTCDateTime, get_or_raise
from scheduler.errors import Conflict, PermissionDenied, ValidationError
from scheduler.models import ChannelAccount, Hold, Post, PostRegion, User
from scheduler.schemas import (
    PostCreateSchema,
    PostQuerySchema,
    PostUpdateSchema,
    load,
    load_collecting,
)

# A publish time this far in the past is still accepted as "now" (clock skew between
# the author's browser and the server, and time spent filling in the form).
PAST_TOLERANCE = timedelta(seconds=60)
EDITABLE = (
    "draft",
    "queued",
    "held",
    "needs_review",
    "failed",
    "unconfirmed",
    approval.PENDING,
    approval.REJECTED,
)
CANCELLABLE = EDITABLE
# Changing one of these changes what goes out: a new version, to approve again.
CONTENT_FIELDS = ("category", "text", "regions", "publish_at", "timezone")


def actor_name(user: User | None) -> str:
    return user.name if user is not None else audit.SYSTEM


def sync_channels(
    session: Session, channels: Sequence[ChannelConfig], *, confirm_disable: bool = False
) -> list[Withheld]:
    """Make the channel accounts match the configuration (``scheduler.accounts``)."""
    return accounts.sync_channels(session, channels, confirm_disable=confirm_disable)


def list_channels(session: Session, enabled_only: bool = False) -> list[ChannelAccount]:
    query = select(ChannelAccount).order_by(ChannelAccount.name)
    if enabled_only:
        query = query.where(ChannelAccount.enabled.is_(True))
    return list(session.scalars(query))


def length_rule(channel: ChannelAccount) -> str:
    """Which network's counting applies: a webhook relaying to X can say
    ``counts_as = "x"`` in its options."""
    return str(channel.options.get("counts_as", channel.network))


def network_field(network: str) -> str:
    """The error key of a network's variant text: ``network_variants.x``."""
    return f"network_variants.{network}"


def text_field(
    channel: ChannelAccount, variants: dict[str, str], by_network: dict[str, str]
) -> str:
    """Which field gives ``channel`` its text: its own variant, its network's, or
    the main text."""
    if channel.name in variants:
        return "variants"
    if length_rule(channel) in by_network:
        return network_field(length_rule(channel))
    return "text"


def text_for(
    channel: ChannelAccount, variants: dict[str, str], by_network: dict[str, str], main: Any
) -> Any:
    """The text ``channel`` publishes: its own variant, else its network's, else ``main``."""
    if channel.name in variants:
        return variants[channel.name]
    return by_network.get(length_rule(channel), main)


def network_variant_errors(
    by_network: dict[str, str], channels: Sequence[ChannelAccount], channels_bad: bool
) -> dict[str, list[str]]:
    """Problems with per-network texts that no length check finds: a blank one, or
    one for a network none of the chosen accounts is counted as (not reported while
    the accounts themselves are wrong, since the networks then are unknown)."""
    errors: dict[str, list[str]] = {}
    chosen = {length_rule(channel) for channel in channels}
    stray = sorted(set(by_network) - chosen)
    if stray and not channels_bad:
        errors["network_variants"] = [
            f"No chosen channel account is counted as {', '.join(stray)}; "
            f"the chosen accounts' networks are {', '.join(sorted(chosen)) or 'none'}."
        ]
    for network, text in sorted(by_network.items()):
        if not text.strip():
            errors[network_field(network)] = [
                f"The text for {network} is empty; leave the variant out to use the main text."
            ]
    return errors


def _unknown_region(token: str) -> str:
    """``Unknown region: Spokane.``, with the regions a search by that name finds (a
    town offers the region it lies in), so a form without the picker still helps."""
    found = search_regions(token[:100], limit=4) if len(token.strip()) >= 2 else []
    if not found:
        return f"Unknown region: {token}."
    options = [
        r.label if r.label.endswith(f"({r.code})") else f"{r.label} ({r.code})" for r in found
    ]
    return f"Unknown region: {token}. Did you mean {'; '.join(options)}? Give the code."


def resolve_regions(raw: Sequence[str] | None, field: str = "regions") -> list[str]:
    """Region codes from codes or names; raises naming ``field`` for unknown ones."""
    if not raw:
        return []
    codes: list[str] = []
    unknown: list[str] = []
    ambiguous: list[str] = []
    for token in raw:
        found = find_region(token) if isinstance(token, str) and token.strip() else None
        if found is None or (found.region is None and not found.candidates):
            unknown.append(str(token).strip())
        elif found.region is None:
            ambiguous.append(found.problem() or "")
        elif found.region.code not in codes:
            codes.append(found.region.code)
    messages = [_unknown_region(token) for token in unknown]
    if unknown or ambiguous:
        raise ValidationError({field: messages + ambiguous})
    return codes


def _instant(wall: datetime, zone_name: str, field: str = "publish_at") -> tuple[datetime, str]:
    zone = ZoneInfo(zone_name)
    try:
        instant = localize(wall, zone) if wall.tzinfo is None else wall.astimezone(ZoneInfo("UTC"))
    except LocalTimeError as exc:
        raise ValidationError.single(field, str(exc)) from None
    local = instant.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S")
    return instant, local


def instant_of(wall: datetime, zone_name: str) -> tuple[datetime, str]:
    """The instant a wall time in a zone means, and the wall time as stored; raises
    ``ValidationError`` on ``publish_at`` for a time skipped by a DST change."""
    return _instant(wall, zone_name)


def _check_future(instant: datetime, field: str = "publish_at") -> None:
    if instant < clock.now() - PAST_TOLERANCE:
        raise ValidationError.single(field, "The publish time is in the past.")


def _apply_hold_check(session: Session, post: Post, policy: HoldPolicy, actor: str) -> None:
    if post.status != "queued":
        return
    decision = holds.check_post(session, post, policy)
    if decision.hold:
        holds.hold_post(session, post, decision, actor)


@dataclass(frozen=True)
class PostDraft:
    """A validated post ready to insert (used by the condolence flow too)."""

    channel: ChannelAccount
    text: str
    category: str
    regions: list[str]
    publish_at: datetime
    timezone: str
    local_time: str


def create_posts(
    session: Session,
    settings: Settings,
    data: Any,
    user: User | None,
    *,
    allow_condolence: bool = False,
) -> list[Post]:
    """Validate ``data`` and queue one post per channel account named in it.

    A ``condolence`` post can only come from an approved condolence draft
    (``allow_condolence``), never from the queue form or the API. Raises
    ``ValidationError`` naming each bad field; nothing is stored then.
    """
    fields, errors = load_collecting(PostCreateSchema(), data)
    if fields.get("category") == "condolence" and not allow_condolence:
        errors["category"] = [
            "Condolence posts are published only from an approved condolence draft."
        ]
    channels: list[ChannelAccount] = []
    for name in fields.get("channels", []):
        channel = session.scalar(select(ChannelAccount).where(ChannelAccount.name == name))
        if channel is None:
            errors.setdefault("channels", []).append(f"Unknown channel account {name!r}.")
        elif not channel.enabled:
            errors.setdefault("channels", []).append(f"Channel account {name!r} is disabled.")
        elif channel not in channels:
            channels.append(channel)
    variants: dict[str, str] = fields.get("variants", {})
    unknown_variants = set(variants) - set(fields.get("channels", []))
    if unknown_variants:
        errors["variants"] = [f"Not a chosen channel: {', '.join(sorted(unknown_variants))}."]
    by_network: dict[str, str] = fields.get("network_variants", {})
    errors.update(network_variant_errors(by_network, channels, "channels" in errors))
    try:
        regions = resolve_regions(fields.get("regions"))
    except ValidationError as exc:
        errors.update(exc.errors)
        regions = []
    if "publish_at" in fields and "timezone" not in errors:
        try:
            instant, local = _instant(fields["publish_at"], fields.get("timezone", "UTC"))
            _check_future(instant)
        except ValidationError as exc:
            errors.update(exc.errors)
    for channel in channels:
        field = text_field(channel, variants, by_network)
        text = text_for(channel, variants, by_network, fields.get("text"))
        if text is None or (field.startswith("network_variants.") and field in errors):
            continue
        problem = length_error(text, length_rule(channel), channel.max_length)
        if problem:
            errors.setdefault(field, []).append(f"{channel.name}: {problem}")
    if errors:
        raise ValidationError(errors)

    now = clock.now()
    group = uuid.uuid4().hex
    actor = actor_name(user)
    rules = hold_policy.effective(session, settings)
    created = []
    for channel in channels:
        audience = regions or list(channel.regions) or [WORLD]
        post = Post(
            group_key=group,
            channel_id=channel.id,
            text=text_for(channel, variants, by_network, fields["text"]),
            category=fields["category"],
            status="draft" if fields["draft"] else "queued",
            publish_at=instant,
            timezone=fields["timezone"],
            local_time=local,
            due_at=instant,
            attempts=0,
            idempotency_key=uuid.uuid4().hex,
            author_id=user.id if user else None,
            created_at=now,
            updated_at=now,
        )
        post.region_rows = [PostRegion(region=code) for code in audience]
        session.add(post)
        session.flush()
        audit.record(
            session,
            actor,
            "post.created",
            "post",
            post.id,
            details={
                "status": post.status,
                "channel": channel.name,
                "publish_at": instant.isoformat(),
            },
        )
        if post.status == "queued":
            approval.route(session, post, actor)
        _apply_hold_check(session, post, rules, actor)
        created.append(post)
    return created


def get_post(session: Session, post_id: int, *, lock: bool = False) -> Post:
    return get_or_raise(session, Post, post_id, "post", lock=lock)


def update_post(
    session: Session, settings: Settings, post_id: int, data: Any, user: User | None
) -> Post:
    """Edit or reschedule a post that is not being published or done.

    Rescheduling a post that needs review, failed or is unconfirmed puts it back in
    the queue. Holds are re-decided against open incidents after the edit.
    """
    fields = load(PostUpdateSchema(), data)
    if not fields:
        raise ValidationError.single("_schema", "Nothing to change.")
    post = get_post(session, post_id, lock=True)
    holds.park_if_held(session, post)
    if post.status not in EDITABLE:
        raise Conflict(f"post {post.id} is {post.status} and can no longer be edited")
    actor = actor_name(user)
    changes: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}

    if "category" in fields and fields["category"] != post.category:
        if "condolence" in (fields["category"], post.category):
            errors["category"] = ["A post cannot be turned into or out of a condolence."]
        else:
            changes["category"] = fields["category"]
    if "text" in fields:
        problem = length_error(fields["text"], length_rule(post.channel), post.channel.max_length)
        if problem:
            errors["text"] = [problem]
        elif post.category == "condolence":
            errors["text"] = ["Condolence text is edited on its draft, which needs approval."]
        else:
            changes["text"] = fields["text"]
    if "regions" in fields:
        try:
            changes["regions"] = resolve_regions(fields["regions"]) or [WORLD]
        except ValidationError as exc:
            errors.update(exc.errors)
    if "publish_at" in fields or "timezone" in fields:
        zone = fields.get("timezone", post.timezone)
        wall = fields.get("publish_at") or datetime.fromisoformat(post.local_time)
        try:
            instant, local = _instant(wall, zone)
            _check_future(instant)
            changes.update(publish_at=instant, timezone=zone, local_time=local)
        except ValidationError as exc:
            errors.update(exc.errors)
    if "regions" in changes and sorted(changes["regions"]) == post.regions:
        del changes["regions"]
    status = fields.get("status")
    if status == "draft" and post.status not in ("draft", "queued", *approval.WAITING):
        errors["status"] = [f"A {post.status} post cannot go back to draft."]
    if errors:
        raise ValidationError(errors)
    _check_reach_change(session, post, changes, user)

    now = clock.now()
    for key in ("category", "text", "timezone", "local_time", "publish_at"):
        if key in changes:
            setattr(post, key, changes[key])
    if "regions" in changes:
        post.region_rows = [PostRegion(region=code) for code in changes["regions"]]
    if "publish_at" in changes:
        post.due_at = changes["publish_at"]
    if any(key in changes for key in CONTENT_FIELDS):
        approval.note_change(post, user)
    old_status = post.status
    if status == "draft":
        post.status = "draft"
    elif (
        status == "queued"
        or ("publish_at" in changes and post.status in ("needs_review", "failed", "unconfirmed"))
        # Editing a post an approver sent back resubmits it.
        or (post.status == approval.REJECTED and changes)
    ):
        if post.due_at < now - timedelta(seconds=settings.late_grace_seconds):
            raise ValidationError.single(
                "publish_at", "Give a new publish time: this one has passed."
            )
        post.status = "queued" if post.status != "held" else "held"
        post.attempts = 0
        post.last_error = None
    post.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "post.updated",
        "post",
        post.id,
        details={
            "fields": sorted(set(fields) - {"status"}),
            "from": old_status,
            "to": post.status,
            "version": post.version,
        },
    )
    # A post about to go out again, changed since its approval, waits for one (and
    # its holds are decided again when it is approved).
    approval.route(session, post, actor)
    _redecide_holds(session, hold_policy.effective(session, settings), post, actor)
    # Sessions do not autoflush: without this, the caller's next read (the answer it
    # shows) would still see the holds this edit released.
    session.flush()
    return post


# Changing one of these on a held post can move it out of an incident's reach and
# release it: that is a decision about the incident, so it is an approver's.
REACH_FIELDS = ("category", "regions")


def _check_reach_change(
    session: Session, post: Post, changes: dict[str, Any], user: User | None
) -> None:
    """Raise ``PermissionDenied`` when a user below the approver role changes the
    category or audience of a post under an open hold. ``None`` (the operator at the
    command line, acting as the system) may."""
    moved = [field for field in REACH_FIELDS if field in changes]
    if not moved or user is None or users.has_role(user, "approver"):
        return
    if not holds.posts_under_hold(session, [post.id]):
        return
    raise PermissionDenied(
        f"post {post.id} is held by an open incident: changing its "
        f"{' or '.join('audience' if f == 'regions' else f for f in moved)} could release "
        "it, which only an approver may decide"
    )


def _redecide_holds(session: Session, policy: HoldPolicy, post: Post, actor: str) -> None:
    """After an edit: hold for newly matching incidents, release ones that no longer
    match, and return a post with no hold left to the queue."""
    if post.status not in ("queued", "held"):
        return
    decision = holds.redecide_post(session, post, policy, actor)
    if not decision.hold and post.status == "held":
        post.status = "queued"
        audit.record(session, actor, "post.requeued", "post", post.id, "no hold left after edit")


def cancel_post(session: Session, post_id: int, user: User | None, reason: str = "") -> Post:
    post = get_post(session, post_id, lock=True)
    holds.park_if_held(session, post)
    if post.status not in CANCELLABLE:
        raise Conflict(f"post {post.id} is {post.status} and cannot be cancelled")
    actor = actor_name(user)
    open_holds = holds.open_hold_reasons(session, [post.id]).get(post.id, [])
    if open_holds:
        holds.release_post_holds(
            session, post, [h.incident_id for h in open_holds], "post cancelled", actor
        )
    old = post.status
    post.status = "cancelled"
    post.updated_at = clock.now()
    audit.record(session, actor, "post.cancelled", "post", post.id, reason or None, {"from": old})
    session.flush()
    return post


# A page counts the posts matching its filters up to this many, so that no page
# counts a whole large table: beyond it, ``total_exact`` is false ("10,000+").
COUNT_CAP = 10_000
# The query parameters that say which page, not which posts.
PAGE_PARAMETERS = ("limit", "cursor", "offset")


@dataclass(frozen=True)
class PostPage:
    """One page of a listing, in (``due_at``, ``id``) order. ``next_cursor`` and
    ``previous_cursor`` fetch the neighbouring pages (``None``: there is none)."""

    posts: list[Post]
    total: int
    holds: dict[int, list[Hold]]
    total_exact: bool = True
    next_cursor: str | None = None
    previous_cursor: str | None = None

    def status_of(self, post: Post) -> str:
        return holds.shown_status(post, bool(self.holds.get(post.id)))


def _sort_key() -> Any:
    return tuple_(Post.due_at, Post.id)


def _position(cursor: pagination.Cursor) -> Any:
    return tuple_(literal(cursor.at, UTCDateTime()), literal(cursor.id, Integer()))


def _audience_includes(code: str) -> Any:
    """Posts whose audience names ``code`` or, for a country, one of its subdivisions
    (``US`` finds the posts aimed at ``US-TX``)."""
    named = PostRegion.region == code
    if "-" not in code and code != WORLD:
        named = named | PostRegion.region.like(f"{code}-%")
    return exists().where(PostRegion.post_id == Post.id, named)


def _exists(session: Session, stmt: Any) -> bool:
    """Whether the ordered statement ``stmt`` has a first row (one index probe)."""
    return session.scalar(stmt.with_only_columns(Post.id).limit(1)) is not None


def list_posts(session: Session, query: Any = None, *, cursor_key: bytes | None = None) -> PostPage:
    """A page of posts, due first, matching the filters of ``query`` (``status``,
    ``category``, ``channel``, ``region``) after or before its ``cursor`` (or, the old way and
    costing more the deeper it goes, skipping ``offset`` posts). ``cursor_key`` signs
    the cursors (web processes give their secret key). Raises ``ValidationError``
    naming the field, ``cursor`` for a bad cursor."""
    params = load(PostQuerySchema(), dict(query or {}))
    if "cursor" in params and "offset" in params:
        raise ValidationError.single("cursor", "Give a cursor or an offset, not both.")
    # Every filter, so that one added later is part of the cursor's fingerprint too.
    filters: dict[str, Any] = {
        key: value for key, value in params.items() if key not in PAGE_PARAMETERS
    }
    key = cursor_key or pagination.DEFAULT_KEY
    position = pagination.decode(params["cursor"], filters, key) if "cursor" in params else None
    limit = params["limit"]
    stmt = select(Post)
    if "status" in params:
        stmt = stmt.where(holds.status_condition(params["status"]))
    if "category" in params:
        stmt = stmt.where(Post.category == params["category"])
    if "channel" in params:
        channel_id = select(ChannelAccount.id).where(ChannelAccount.name == params["channel"])
        stmt = stmt.where(Post.channel_id == channel_id.scalar_subquery())
    if "region" in params:
        stmt = stmt.where(_audience_includes(resolve_regions([params["region"]], "region")[0]))
    counted = (
        session.scalar(
            select(func.count()).select_from(
                stmt.with_only_columns(Post.id).limit(COUNT_CAP + 1).subquery()
            )
        )
        or 0
    )
    forward = stmt.order_by(Post.due_at, Post.id)
    backward = stmt.order_by(Post.due_at.desc(), Post.id.desc())
    has_previous = False
    if position is None or position.direction == pagination.AFTER:
        if position is not None:
            forward = forward.where(_sort_key() > _position(position))
        elif params.get("offset"):
            forward = forward.offset(params["offset"])
        rows = list(session.scalars(forward.limit(limit + 1)))
        has_next = len(rows) > limit
        rows = rows[:limit]
        if rows and (position is not None or params.get("offset")):
            first = pagination.Cursor(rows[0].due_at, rows[0].id)
            has_previous = _exists(session, backward.where(_sort_key() < _position(first)))
    else:
        rows = list(
            session.scalars(backward.where(_sort_key() < _position(position)).limit(limit + 1))
        )
        has_previous = len(rows) > limit
        rows = rows[:limit][::-1]
        if not has_previous:
            # Back at the start: show a full first page rather than a short one.
            rows = list(session.scalars(forward.limit(limit + 1)))
            has_next = len(rows) > limit
            rows = rows[:limit]
        else:
            last = pagination.Cursor(rows[-1].due_at, rows[-1].id)
            has_next = _exists(session, forward.where(_sort_key() > _position(last)))

    def cursor(post: Post, direction: str) -> str:
        return pagination.encode(pagination.Cursor(post.due_at, post.id, direction), filters, key)

    return PostPage(
        rows,
        min(counted, COUNT_CAP),
        holds.open_hold_reasons(session, [p.id for p in rows]),
        total_exact=counted <= COUNT_CAP,
        next_cursor=cursor(rows[-1], pagination.AFTER) if rows and has_next else None,
        previous_cursor=cursor(rows[0], pagination.BEFORE) if rows and has_previous else None,
    )
