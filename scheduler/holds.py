"""Apply hold decisions: hold posts for incidents and release them when incidents end.

The decisions come from ``rules.policy``; this module turns them into rows. Fan-out
and release are set-based: a few statements per incident, whatever the number of
posts, each with its audit events written by ``INSERT … SELECT``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    JSON,
    ColumnElement,
    String,
    case,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from rules.policy import Decision, HoldPolicy, IncidentFacts, PostFacts, decide, hold_targets
from rules.timing import release_cutoff
from scheduler import audit, clock
from scheduler.db import UTCDateTime
from scheduler.models import INCIDENT_OPEN, Hold, Incident, Post, PostRegion


def incident_facts(incident: Incident) -> IncidentFacts:
    return IncidentFacts(incident.id, incident.severity, tuple(incident.regions))


def post_facts(post: Post) -> PostFacts:
    return PostFacts(post.category, tuple(post.regions))


def open_incidents(session: Session) -> list[IncidentFacts]:
    rows = session.execute(
        select(Incident.id, Incident.severity, Incident.regions).where(
            Incident.status.in_(INCIDENT_OPEN)
        )
    )
    return [IncidentFacts(i, s, tuple(r)) for i, s, r in rows]


def _at(now: datetime) -> BindParameter[datetime]:
    return literal(now, UTCDateTime())


def hold_post(
    session: Session, post: Post, decision: Decision, actor: str, now: datetime | None = None
) -> None:
    """Hold one post for the incidents named in ``decision`` (already-held incidents
    are skipped) and mark it ``held``. The caller has checked its current status."""
    now = now or clock.now()
    existing = set(
        session.scalars(
            select(Hold.incident_id).where(Hold.post_id == post.id, Hold.released_at.is_(None))
        )
    )
    for reason in decision.reasons:
        if reason.incident_id in existing:
            continue
        session.add(
            Hold(incident_id=reason.incident_id, post_id=post.id, rule=reason.rule, created_at=now)
        )
        audit.record(
            session,
            actor,
            "post.held",
            "post",
            post.id,
            reason.rule,
            {"incident_id": reason.incident_id},
            at=now,
        )
    post.status = "held"
    post.lease_until = None
    post.claimed_by = None
    post.updated_at = now


def check_post(session: Session, post: Post, policy: HoldPolicy) -> Decision:
    return decide(post_facts(post), open_incidents(session), policy)


@dataclass(frozen=True)
class FanOut:
    holds_created: int
    posts_held: int


def _set_based_plans(session: Session) -> None:
    """On PostgreSQL, keep the planner off nested loops for this transaction: with
    statistics taken while no hold was open (the normal state between incidents) it
    plans "no other open hold" as a scan per freed post, quadratic in the incident's
    size (over 20 s for 100,000 posts instead of about 4 s)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL enable_nestloop = off"))


def fan_out(session: Session, incident: Incident, policy: HoldPolicy, actor: str) -> FanOut:
    """Hold every queued (or already held) post the incident matches, set-based."""
    _set_based_plans(session)
    now = clock.now()
    targets = hold_targets(incident_facts(incident), policy)
    for target in targets:
        candidates = select(
            literal(incident.id), Post.id, literal(target.rule, String()), _at(now)
        ).where(
            Post.status.in_(("queued", "held")),
            Post.category == target.category,
            exists().where(PostRegion.post_id == Post.id, PostRegion.region.in_(target.regions)),
            ~exists().where(
                Hold.post_id == Post.id,
                Hold.incident_id == incident.id,
                Hold.released_at.is_(None),
            ),
        )
        # INSERT … SELECT reports no reliable rowcount on every driver: count below.
        session.execute(
            insert(Hold).from_select(["incident_id", "post_id", "rule", "created_at"], candidates)
        )
    if not targets:
        return FanOut(0, 0)
    new_holds = (
        (Hold.incident_id == incident.id)
        & (Hold.created_at == _at(now))
        & Hold.released_at.is_(None)
    )
    created = session.scalar(select(func.count()).select_from(Hold).where(new_holds)) or 0
    if not created:
        return FanOut(0, 0)
    audit.record_from_select(
        session,
        select(
            _at(now),
            literal(actor, String()),
            literal("post.held", String()),
            literal("post", String()),
            Hold.post_id,
            Hold.rule,
            literal({"incident_id": incident.id}, JSON()),
        ).where(new_holds),
    )
    result = session.execute(
        update(Post)
        .where(
            Post.status == "queued",
            Post.id.in_(select(Hold.post_id).where(new_holds)),
        )
        .values(status="held", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return FanOut(created, max(result.rowcount or 0, 0))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Release:
    released: int
    requeued: int
    needs_review: int


def matching_posts(incident: IncidentFacts, policy: HoldPolicy) -> ColumnElement[bool]:
    """A condition true for the posts the incident holds under ``policy``."""
    terms = [
        (Post.category == target.category)
        & exists().where(PostRegion.post_id == Post.id, PostRegion.region.in_(target.regions))
        for target in hold_targets(incident, policy)
    ]
    return or_(*terms) if terms else false()


def release_incident(
    session: Session,
    incident_id: int,
    reason: str,
    actor: str,
    grace_seconds: int,
    keep: ColumnElement[bool] | None = None,
) -> Release:
    """End the incident's open holds — all of them, or those on posts not matching
    ``keep`` (when an incident is narrowed). A post left with no hold goes back to
    ``queued`` if due at or after ``now - grace``, else to ``needs_review``."""
    _set_based_plans(session)
    now = clock.now()
    cutoff = release_cutoff(now, grace_seconds)
    open_holds = (Hold.incident_id == incident_id) & Hold.released_at.is_(None)
    if keep is not None:
        open_holds = open_holds & Hold.post_id.in_(select(Post.id).where(~keep))
    audit.record_from_select(
        session,
        select(
            _at(now),
            literal(actor, String()),
            literal("post.released", String()),
            literal("post", String()),
            Hold.post_id,
            Hold.rule,
            literal({"incident_id": incident_id, "why": reason}, JSON()),
        ).where(open_holds),
    )
    released = session.execute(
        update(Hold).where(open_holds).values(released_at=now, release_reason=reason[:200])
    ).rowcount  # type: ignore[attr-defined]
    if not released:
        return Release(0, 0, 0)

    freed = (
        (Post.status == "held")
        & exists().where(
            Hold.post_id == Post.id, Hold.incident_id == incident_id, Hold.released_at == now
        )
        & ~exists().where(Hold.post_id == Post.id, Hold.released_at.is_(None))
    )
    late = Post.due_at < _at(cutoff)
    audit.record_from_select(
        session,
        select(
            _at(now),
            literal(actor, String()),
            case(
                (late, literal("post.needs_review", String())),
                else_=literal("post.requeued", String()),
            ),
            literal("post", String()),
            Post.id,
            literal(f"incident {incident_id}: {reason}"[:500], String()),
            literal({"incident_id": incident_id}, JSON()),
        ).where(freed),
    )
    late_count = session.scalar(select(func.count()).select_from(Post).where(freed & late)) or 0
    freed_count = session.scalar(select(func.count()).select_from(Post).where(freed)) or 0
    session.execute(
        update(Post)
        .where(freed)
        .values(
            status=case((late, "needs_review"), else_="queued"),
            due_at=case((Post.due_at < _at(now), _at(now)), else_=Post.due_at),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return Release(released, freed_count - late_count, late_count)


def release_post_holds(
    session: Session, post: Post, incident_ids: Iterable[int], reason: str, actor: str
) -> None:
    """Release one post's holds for the given incidents (used when an edit moves a
    post out of an incident's reach). Leaves the post's status to the caller."""
    now = clock.now()
    for hold in session.scalars(
        select(Hold).where(
            Hold.post_id == post.id,
            Hold.incident_id.in_(list(incident_ids)),
            Hold.released_at.is_(None),
        )
    ):
        hold.released_at = now
        hold.release_reason = reason[:200]
        audit.record(
            session,
            actor,
            "post.released",
            "post",
            post.id,
            hold.rule,
            {"incident_id": hold.incident_id, "why": reason},
            at=now,
        )


def open_hold_reasons(session: Session, post_ids: Sequence[int]) -> dict[int, list[Hold]]:
    """Open holds per post, with their incident loaded, for display."""
    out: dict[int, list[Hold]] = {}
    if not post_ids:
        return out
    for hold in session.scalars(
        select(Hold)
        .where(Hold.post_id.in_(list(post_ids)), Hold.released_at.is_(None))
        .order_by(Hold.id)
    ):
        out.setdefault(hold.post_id, []).append(hold)
    return out
