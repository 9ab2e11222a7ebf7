"""The dashboard: what goes out next, what is held and why, the incidents holding
posts, the condolence prompts waiting for a person, and the feeds' health.

Every section is a short list (``SHOWN`` rows, with a link to the full list) read
through an index, and its counts are capped (``COUNT_CAP``), so the page costs the
same handful of statements with a thousand posts or a million. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, literal, select, union_all
from sqlalchemy.orm import Session

from scheduler import queries, users
from scheduler.db import id_among
from scheduler.models import INCIDENT_OPEN, Feed, Hold, Incident, Post, Report, User

SHOWN = 10
# Counts past this read "1000+": counting further would read every row.
COUNT_CAP = 1000
# Below this many open holds, the held posts are found from the holds (few rows);
# above it they are so many that walking the queue in time order meets them soon.
FEW_HOLDS = 2000


@dataclass(frozen=True)
class IncidentRow:
    incident: Incident
    # Posts it holds, counted up to COUNT_CAP.
    held: int
    # The words and figures that decided, from its latest report (none if declared).
    evidence: list[str]

    @property
    def capped(self) -> bool:
        return self.held >= COUNT_CAP


@dataclass(frozen=True)
class PromptRow:
    row: queries.DraftRow
    # What the viewer can do about it, in words.
    step: str
    # The viewer can act on it now.
    yours: bool


@dataclass(frozen=True)
class Dashboard:
    next_out: list[Post]
    held: list[Post]
    holds: dict[int, list[Hold]]
    incidents: list[IncidentRow]
    open_incidents: int
    prompts: list[PromptRow]
    feeds: list[Feed]
    feeds_total: int
    feeds_failing: int
    # The evidence of each incident holding a shown post, by incident id.
    evidence: dict[int, list[str]]


def _open_hold() -> ColumnElement[bool]:
    return exists().where(Hold.post_id == Post.id, Hold.released_at.is_(None))


def next_out(session: Session, limit: int = SHOWN) -> list[Post]:
    """The queued posts due soonest that nothing holds (``ix_posts_status_due``)."""
    return list(
        session.scalars(
            select(Post)
            .where(Post.status == "queued", ~_open_hold())
            .order_by(Post.due_at, Post.id)
            .limit(limit)
        )
    )


def held_soonest(session: Session, limit: int = SHOWN) -> list[Post]:
    """The held posts due soonest: parked ones and queued ones under an open hold."""
    few = list(
        session.scalars(select(Hold.post_id).where(Hold.released_at.is_(None)).limit(FEW_HOLDS + 1))
    )
    if len(few) <= FEW_HOLDS:
        # Few holds (the open-holds index): their posts by primary key.
        if not few:
            return []
        query = select(Post).where(
            Post.status.in_(("queued", "held")), id_among(session, Post.id, set(few))
        )
        return list(session.scalars(query.order_by(Post.due_at, Post.id).limit(limit)))
    # So many that walking the queue in due order meets held ones soon: parked posts
    # and queued ones under a hold, each an ordered walk of ``(status, due_at)``.
    found = [
        *session.scalars(
            select(Post).where(Post.status == "held").order_by(Post.due_at, Post.id).limit(limit)
        ),
        *session.scalars(
            select(Post)
            .where(Post.status == "queued", _open_hold())
            .order_by(Post.due_at, Post.id)
            .limit(limit)
        ),
    ]
    return sorted(found, key=lambda p: (p.due_at, p.id))[:limit]


def held_counts(session: Session, incident_ids: list[int]) -> dict[int, int]:
    """Open holds per incident, each counted up to ``COUNT_CAP``, in one statement."""
    if not incident_ids:
        return {}
    parts = []
    for incident_id in incident_ids:
        inner = (
            select(Hold.post_id)
            .where(Hold.incident_id == incident_id, Hold.released_at.is_(None))
            .limit(COUNT_CAP)
            .subquery()
        )
        parts.append(
            select(literal(incident_id).label("incident"), func.count().label("n")).select_from(
                inner
            )
        )
    statement = parts[0] if len(parts) == 1 else union_all(*parts)
    return {incident: n for incident, n in session.execute(statement)}


def latest_evidence(session: Session, incident_ids: list[int]) -> dict[int, list[str]]:
    """Each incident's latest report's evidence, in one statement."""
    if not incident_ids:
        return {}
    latest = (
        select(func.max(Report.id))
        .where(Report.incident_id.in_(incident_ids))
        .group_by(Report.incident_id)
    )
    rows = session.execute(select(Report.incident_id, Report.evidence).where(Report.id.in_(latest)))
    return {incident: [str(e) for e in evidence or []] for incident, evidence in rows}


def _prompt_step(row: queries.DraftRow, viewer: User, two_person: bool) -> tuple[str, bool]:
    draft = row.draft
    approver = users.has_role(viewer, "approver")
    if draft.status == "awaiting_draft":
        if approver:
            return "write a message, or decide to say nothing", True
        return "write a message for an approver", True
    if not approver:
        return "waiting for an approver", False
    if two_person and draft.last_editor_id == viewer.id:
        return "waiting for another approver (you edited it last)", False
    return "approve or decline", True


def build(session: Session, viewer: User, *, two_person: bool = True) -> Dashboard:
    next_posts = next_out(session)
    held = held_soonest(session)
    hold_rows: dict[int, list[Hold]] = {}
    if held:
        for hold in session.scalars(
            select(Hold)
            .where(
                id_among(session, Hold.post_id, [p.id for p in held]), Hold.released_at.is_(None)
            )
            .order_by(Hold.id)
        ):
            hold_rows.setdefault(hold.post_id, []).append(hold)

    open_incidents = list(
        session.scalars(
            select(Incident)
            .where(Incident.status.in_(INCIDENT_OPEN))
            .order_by(Incident.severity.desc(), Incident.last_seen.desc(), Incident.id.desc())
            .limit(SHOWN)
        )
    )
    open_total = session.scalar(select(func.count()).where(Incident.status.in_(INCIDENT_OPEN))) or 0
    shown_ids = [i.id for i in open_incidents]
    holding_ids = sorted({h.incident_id for rows in hold_rows.values() for h in rows})
    evidence = latest_evidence(session, sorted(set(shown_ids) | set(holding_ids)))
    counts = held_counts(session, shown_ids)
    incident_rows = [
        IncidentRow(i, counts.get(i.id, 0), evidence.get(i.id, [])) for i in open_incidents
    ]

    prompts = [
        PromptRow(row, *_prompt_step(row, viewer, two_person))
        for row in queries.drafts(session, status=queries.OPEN, incident_open=True, limit=SHOWN)
    ]
    prompts.sort(key=lambda p: not p.yours)

    failing = Feed.enabled.is_(True) & (Feed.error_count > 0)
    feeds = list(
        session.scalars(
            select(Feed)
            .order_by(
                failing.desc(),
                Feed.enabled.desc(),
                Feed.last_polled_at.desc().nulls_last(),
                Feed.id,
            )
            .limit(SHOWN)
        )
    )
    feeds_total, feeds_failing = session.execute(
        select(func.count(), func.count().filter(failing)).select_from(Feed)
    ).one()
    return Dashboard(
        next_out=next_posts,
        held=held,
        holds=hold_rows,
        incidents=incident_rows,
        open_incidents=open_total,
        prompts=prompts,
        feeds=feeds,
        feeds_total=feeds_total,
        feeds_failing=feeds_failing,
        evidence=evidence,
    )
