"""Condolences: prompt staff, draft, approve, publish — never automatically.

An incident at or above the prompt severity that touches a region where a channel
account has an audience opens one prompt (a ``CondolenceDraft`` in
``awaiting_draft``) with a suggested text per account. Staff edit it (every edit is
a revision), an approver approves it — not the last editor when two-person approval
is on — and only then are ``condolence`` posts queued, which holds never stop.
"Say nothing" (decline) is a recorded answer. Notifications are sent by
``scheduler.notify`` from the prompt's own schedule (``next_reminder_at``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from marshmallow import fields, validate
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from rules.condolence import suggest
from rules.policy import relation
from rules.regions import WORLD, get_region
from rules.text import length_error
from scheduler import audit, clock, posts, users
from scheduler.config import Settings
from scheduler.db import get_or_raise
from scheduler.errors import Conflict, PermissionDenied, ValidationError
from scheduler.models import (
    ChannelAccount,
    CondolenceDraft,
    CondolenceRevision,
    Incident,
    Post,
    PostRegion,
    User,
)
from scheduler.schemas import StrictSchema, TimeZoneField, WallTimeField, load

OPEN_DRAFT = ("awaiting_draft", "awaiting_approval")


class DraftEditSchema(StrictSchema):
    texts = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    channels = fields.List(fields.String(), validate=validate.Length(min=1))
    # Submit for approval (default) or keep drafting.
    submit = fields.Boolean(load_default=True)


class ApproveSchema(StrictSchema):
    publish_at = WallTimeField(load_default=None, allow_none=True)
    timezone = TimeZoneField(load_default="UTC")
    # The version the approver read: approving another one is a conflict.
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class DeclineSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


def _touches(audience: Sequence[str], area: Sequence[str]) -> bool:
    return any(relation(a, b) is not None for a in (audience or [WORLD]) for b in area)


@dataclass
class Prompts:
    """What the prompts of one poll's incidents have read or written within the
    poll's transaction, so that the poll's later prompts need not ask again.

    ``drafts``: an incident's open prompt as this transaction holds it (locked by
    ``prompt_for``, or inserted), or ``None`` for an incident this transaction
    inserted and has prompted for nothing yet: no other transaction can see that
    incident, so no other can have prompted for it. ``channels``: the enabled
    accounts, read at the first prompt (nothing in a poll changes them).
    ``audits``: where the prompts' audit events go, when the caller writes them
    together (``audit.Pending``)."""

    drafts: dict[int, CondolenceDraft | None] = field(default_factory=dict)
    channels: list[ChannelAccount] | None = None
    audits: audit.Pending | None = None

    def enabled_channels(self, session: Session) -> list[ChannelAccount]:
        if self.channels is None:
            self.channels = posts.list_channels(session, enabled_only=True)
        return self.channels


def accounts_concerned(
    session: Session, incident: Incident, prompts: Prompts | None = None
) -> list[ChannelAccount]:
    """Enabled accounts whose default audience, or whose queued or held posts,
    overlap the incident's area."""
    area = list(incident.regions)
    out = []
    channels = (
        prompts.enabled_channels(session)
        if prompts is not None
        else posts.list_channels(session, enabled_only=True)
    )
    for account in channels:
        if _touches(account.regions, area):
            out.append(account)
            continue
        post_regions = session.scalars(
            select(PostRegion.region)
            .join(Post, Post.id == PostRegion.post_id)
            .where(Post.channel_id == account.id, Post.status.in_(("queued", "held")))
            .distinct()
        ).all()
        if post_regions and any(_touches([r], area) for r in post_regions):
            out.append(account)
    return out


def place_name(regions: Sequence[str]) -> str:
    """How a condolence names the incident's area: an area of several countries or
    states by its own name ("Southeast Asia"), otherwise its first three regions' names."""
    from rules.geo import area_named

    area = area_named(regions)
    if area is not None:
        return area
    names = []
    for code in regions:
        region = get_region(code)
        names.append(region.name if region else code)
    return " and ".join(names[:3]) or "the affected area"


def _suggestions(
    settings: Settings, incident: Incident, accounts: Sequence[ChannelAccount]
) -> dict[str, str]:
    place = place_name(incident.regions)
    out = {}
    for account in accounts:
        tone = str(account.options.get("tone", "formal"))
        out[account.name] = suggest(
            settings.condolences.templates,
            tone,
            incident.kind,
            place,
            posts.length_rule(account),
            account.max_length,
        )
    return out


def prompt_for(
    session: Session, settings: Settings, incident: Incident, prompts: Prompts | None = None
) -> CondolenceDraft | None:
    """Open (or widen) the condolence prompt for an incident; ``None`` when the
    incident is below the prompt severity or touches no audience. ``prompts``:
    what this transaction's earlier prompts know (``Prompts``)."""
    if not incident.is_open or incident.severity < settings.condolences.prompt_severity:
        return None
    accounts = accounts_concerned(session, incident, prompts)
    if not accounts:
        return None
    now = clock.now()
    known = prompts is not None and incident.id in prompts.drafts
    if prompts is not None and known:
        draft = prompts.drafts[incident.id]
    else:
        draft = session.scalar(
            select(CondolenceDraft)
            .where(
                CondolenceDraft.incident_id == incident.id, CondolenceDraft.status.in_(OPEN_DRAFT)
            )
            .with_for_update()
        )
        if prompts is not None and draft is not None:
            prompts.drafts[incident.id] = draft
    suggested = _suggestions(settings, incident, accounts)
    ids = [a.id for a in accounts]
    if draft is None:
        if not known and session.scalar(
            select(exists().where(CondolenceDraft.incident_id == incident.id))
        ):
            return None  # already answered (approved, published or declined)
        draft = CondolenceDraft(
            incident_id=incident.id,
            status="awaiting_draft",
            texts=suggested,
            channel_ids=ids,
            regions=list(incident.regions),
            version=0,
            prompted_at=now,
            reminders_sent=0,
            next_reminder_at=now,
            created_at=now,
            updated_at=now,
        )
        session.add(draft)
        session.flush()
        if prompts is not None:
            prompts.drafts[incident.id] = draft
        audit.record(
            session,
            audit.SYSTEM,
            "condolence.prompted",
            "condolence",
            draft.id,
            f"incident {incident.id} severity {incident.severity}",
            {"incident_id": incident.id, "channels": sorted(suggested)},
            into=prompts.audits if prompts is not None else None,
        )
        return draft
    added = [i for i in ids if i not in draft.channel_ids]
    if added or set(incident.regions) != set(draft.regions):
        texts = dict(draft.texts)
        if draft.version == 0:
            texts = suggested  # nobody has written anything yet: refresh every text
        else:
            for name, text in suggested.items():
                texts.setdefault(name, text)
        draft.texts = texts
        draft.channel_ids = list(dict.fromkeys([*draft.channel_ids, *ids]))
        draft.regions = list(incident.regions)
        draft.updated_at = now
        audit.record(
            session,
            audit.SYSTEM,
            "condolence.widened",
            "condolence",
            draft.id,
            "the incident widened",
            {"regions": list(incident.regions), "added_channels": added},
            into=prompts.audits if prompts is not None else None,
        )
    return draft


def get_draft(session: Session, draft_id: int, *, lock: bool = False) -> CondolenceDraft:
    return get_or_raise(session, CondolenceDraft, draft_id, "condolence", lock=lock)


def list_drafts(
    session: Session, *, open_only: bool = False, limit: int = 200
) -> list[CondolenceDraft]:
    query = select(CondolenceDraft).order_by(CondolenceDraft.prompted_at.desc()).limit(limit)
    if open_only:
        query = query.where(CondolenceDraft.status.in_(OPEN_DRAFT))
    return list(session.scalars(query))


def revisions(session: Session, draft_id: int) -> list[CondolenceRevision]:
    return list(
        session.scalars(
            select(CondolenceRevision)
            .where(CondolenceRevision.draft_id == draft_id)
            .order_by(CondolenceRevision.version)
        )
    )


def authors(session: Session, draft: CondolenceDraft) -> set[int]:
    """The users who wrote any change in the draft's current version: the editors of
    every revision up to it (a re-save of the same words makes no revision)."""
    return set(
        session.scalars(
            select(CondolenceRevision.editor_id).where(
                CondolenceRevision.draft_id == draft.id,
                CondolenceRevision.version <= draft.version,
                CondolenceRevision.editor_id.is_not(None),
            )
        )
    )


def _accounts_by_name(session: Session, names: Sequence[str]) -> dict[str, ChannelAccount]:
    rows = session.scalars(select(ChannelAccount).where(ChannelAccount.name.in_(list(names))))
    return {a.name: a for a in rows}


def edit(session: Session, draft_id: int, data: Any, user: User) -> CondolenceDraft:
    """Save a new version of the texts (and chosen accounts); by default submit it
    for approval. Raises ``ValidationError`` naming the field; nothing changes then."""
    fields_ = load(DraftEditSchema(), data)
    draft = get_draft(session, draft_id, lock=True)
    if draft.status not in OPEN_DRAFT:
        raise Conflict(f"condolence {draft.id} is {draft.status}")
    current = {
        a.id: a.name
        for a in session.scalars(
            select(ChannelAccount).where(ChannelAccount.id.in_(draft.channel_ids))
        )
    }
    names = list(dict.fromkeys(fields_.get("channels") or list(fields_["texts"])))
    accounts = _accounts_by_name(session, names)
    errors: dict[str, list[str]] = {}
    if not names:
        errors["channels"] = ["Choose at least one channel account (or decline to say nothing)."]
    for name in names:
        account = accounts.get(name)
        if account is None or not account.enabled:
            errors.setdefault("channels", []).append(
                f"Unknown or disabled channel account {name!r}."
            )
    texts = {name: fields_["texts"].get(name, draft.texts.get(name, "")) for name in names}
    for name, text in texts.items():
        account = accounts.get(name)
        if account is None:
            continue
        problem = length_error(text, posts.length_rule(account), account.max_length)
        if problem:
            errors.setdefault("texts", []).append(f"{name}: {problem}")
    extra = set(fields_["texts"]) - set(names)
    if extra:
        errors["texts"] = [
            *errors.get("texts", []),
            f"Not a chosen channel: {', '.join(sorted(extra))}.",
        ]
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    channel_ids = [accounts[n].id for n in names]
    if draft.version > 0 and texts == draft.texts and channel_ids == list(draft.channel_ids):
        # The same words re-saved: no new version, and no new author of it.
        if fields_["submit"] and draft.status != "awaiting_approval":
            draft.status = "awaiting_approval"
            draft.updated_at = now
            audit.record(
                session,
                user.name,
                "condolence.submitted",
                "condolence",
                draft.id,
                details={"version": draft.version, "unchanged": True},
            )
        return draft
    draft.version += 1
    draft.texts = texts
    draft.channel_ids = channel_ids
    draft.last_editor_id = user.id
    draft.updated_at = now
    if fields_["submit"]:
        draft.status = "awaiting_approval"
    session.add(
        CondolenceRevision(
            draft_id=draft.id, version=draft.version, texts=texts, editor_id=user.id, created_at=now
        )
    )
    audit.record(
        session,
        user.name,
        "condolence.edited",
        "condolence",
        draft.id,
        details={
            "version": draft.version,
            "status": draft.status,
            "channels": names,
            "previous_channels": sorted(current.values()),
        },
    )
    return draft


def approve(
    session: Session, settings: Settings, draft_id: int, data: Any, user: User
) -> list[Post]:
    """A person approves the version they read (``version``, required): condolence
    posts are queued for every chosen account, now or at the chosen time. Needs the
    approver role; with two-person approval on, the approver cannot be the author of
    any change in that version (any of its revisions). Raises ``Conflict`` when the
    draft is not awaiting approval or has moved past ``version``."""
    if not users.has_role(user, "approver"):
        raise PermissionDenied("approving a condolence needs the approver role")
    draft = get_draft(session, draft_id, lock=True)
    if draft.status != "awaiting_approval":
        raise Conflict(f"condolence {draft.id} is {draft.status}, not awaiting approval")
    fields_ = load(ApproveSchema(), data or {})
    if fields_["version"] != draft.version:
        raise Conflict(
            f"condolence {draft.id} changed (now version {draft.version}); review it again"
        )
    if settings.condolences.two_person_approval and user.id in authors(session, draft):
        raise PermissionDenied(
            f"two-person approval: you wrote part of version {draft.version}; "
            "another approver must approve it"
        )
    accounts = {
        a.id: a
        for a in session.scalars(
            select(ChannelAccount).where(ChannelAccount.id.in_(draft.channel_ids))
        )
    }
    when: datetime | None = fields_["publish_at"]
    publish_at = (
        (when or clock.now()).strftime("%Y-%m-%dT%H:%M:%S")
        if when is None or when.tzinfo is None
        else when.isoformat()
    )
    now = clock.now()
    draft.status = "approved"
    draft.approved_by_id = user.id
    draft.approved_at = now
    draft.updated_at = now
    session.flush()
    audit.record(
        session,
        user.name,
        "condolence.approved",
        "condolence",
        draft.id,
        details={"version": draft.version, "publish_at": publish_at},
    )
    created: list[Post] = []
    for channel_id in draft.channel_ids:
        account = accounts[channel_id]
        created += posts.create_posts(
            session,
            settings,
            {
                "text": draft.texts[account.name],
                "channels": [account.name],
                "publish_at": publish_at,
                "timezone": fields_["timezone"] if when else "UTC",
                "category": "condolence",
                "regions": list(draft.regions),
            },
            user,
            allow_condolence=True,
        )
    for post in created:
        post.condolence_id = draft.id
    draft.publish_at = created[0].publish_at if created else None
    return created


def decline(session: Session, draft_id: int, data: Any, user: User) -> CondolenceDraft:
    """ "Say nothing": a recorded answer that closes the prompt."""
    fields_ = load(DeclineSchema(), data)
    if not users.has_role(user, "approver"):
        raise PermissionDenied("declining a condolence needs the approver role")
    draft = get_draft(session, draft_id, lock=True)
    if draft.status not in OPEN_DRAFT:
        raise Conflict(f"condolence {draft.id} is {draft.status}")
    draft.status = "declined"
    draft.decline_reason = fields_["reason"]
    draft.updated_at = clock.now()
    audit.record(
        session, user.name, "condolence.declined", "condolence", draft.id, fields_["reason"]
    )
    return draft


def incident_ended(session: Session, incident_id: int, status: str) -> None:
    """An incident ended: a dismissed one (a false alarm) closes its open prompt as
    "say nothing"; a resolved or expired one stops the reminders but leaves the prompt
    open for staff to answer."""
    now = clock.now()
    for draft in session.scalars(
        select(CondolenceDraft)
        .where(CondolenceDraft.incident_id == incident_id, CondolenceDraft.status.in_(OPEN_DRAFT))
        .with_for_update()
    ):
        draft.next_reminder_at = None
        draft.updated_at = now
        if status == "dismissed":
            draft.status = "declined"
            draft.decline_reason = "the incident was dismissed"
            audit.record(
                session,
                audit.SYSTEM,
                "condolence.declined",
                "condolence",
                draft.id,
                draft.decline_reason,
                {"incident_id": incident_id},
            )
        else:
            audit.record(
                session,
                audit.SYSTEM,
                "condolence.reminders_stopped",
                "condolence",
                draft.id,
                f"the incident was {status}",
                {"incident_id": incident_id},
            )


def mark_published(session: Session) -> int:
    """Approved drafts whose every post is published become ``published``."""
    now = clock.now()
    pending = exists().where(Post.condolence_id == CondolenceDraft.id, Post.status != "published")
    any_post = exists().where(Post.condolence_id == CondolenceDraft.id)
    ids = list(
        session.scalars(
            select(CondolenceDraft.id).where(
                CondolenceDraft.status == "approved", any_post, ~pending
            )
        )
    )
    if ids:
        session.execute(
            update(CondolenceDraft)
            .where(CondolenceDraft.id.in_(ids))
            .values(status="published", updated_at=now)
        )
        for draft_id in ids:
            audit.record(session, audit.SYSTEM, "condolence.published", "condolence", draft_id)
    return len(ids)


def is_approved(session: Session, draft_id: int | None) -> bool:
    """The publish-time check: a condolence post may go out only for a draft a person
    approved."""
    if draft_id is None:
        return False
    draft = session.get(CondolenceDraft, draft_id)
    return bool(draft and draft.status in ("approved", "published") and draft.approved_by_id)
