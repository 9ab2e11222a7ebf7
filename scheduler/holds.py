"""Apply hold decisions: hold posts for incidents and release them when incidents end.

The decisions come from ``rules.policy``; this module turns them into rows. A post
is held while a hold row on it is open. Fan-out and release are set-based: a few
statements per incident, whatever the number of posts; the fan-out writes hold rows
only, and the release rewrites only the posts whose row must change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    ColumnElement,
    Insert,
    Integer,
    Select,
    String,
    Table,
    any_,
    bindparam,
    case,
    exists,
    false,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import BindParameter

from rules.policy import Decision, HoldPolicy, IncidentFacts, PostFacts, decide, hold_targets
from rules.timing import release_cutoff
from scheduler import audit, clock
from scheduler.db import UTCDateTime, id_among
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
    are skipped) and park it as ``held``. The caller has checked its current status."""
    now = now or clock.now()
    existing = set(
        session.scalars(
            select(Hold.incident_id).where(Hold.post_id == post.id, Hold.released_at.is_(None))
        )
    )
    new = [r for r in decision.reasons if r.incident_id not in existing]
    for reason in new:
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
    if not new and post.status != "held":
        # Held already by a fan-out, which leaves post rows alone: now parked.
        audit.record(
            session,
            actor,
            "post.parked",
            "post",
            post.id,
            "came due while held",
            {"incident_ids": sorted(existing)},
            at=now,
        )
    post.status = "held"
    post.lease_until = None
    post.claimed_by = None
    post.updated_at = now


def check_post(session: Session, post: Post, policy: HoldPolicy) -> Decision:
    return decide(post_facts(post), open_incidents(session), policy)


def redecide_post(session: Session, post: Post, policy: HoldPolicy, actor: str) -> Decision:
    """A post just queued or edited, judged again against the open incidents: held for
    those that now cover it, its holds for those that no longer do released. Returns
    the decision, for callers that act on a post left without a hold."""
    session.expire(post, ["region_rows"])
    decision = check_post(session, post, policy)
    matching = {r.incident_id for r in decision.reasons}
    current = {h.incident_id for h in open_hold_reasons(session, [post.id]).get(post.id, [])}
    stale = current - matching
    if stale:
        release_post_holds(session, post, stale, "post edited out of the incident's reach", actor)
    if decision.hold:
        hold_post(session, post, decision, actor)
    return decision


@dataclass(frozen=True)
class FanOut:
    holds_created: int
    posts_held: int  # of those, posts no other incident was holding already


# ``session.info`` key: the transaction in which ``_set_based_plans`` took effect.
_PLANS_SET = "holds.set_based_plans"


def _set_based_plans(session: Session) -> None:
    """On PostgreSQL, keep the planner off nested loops for this transaction: with
    statistics taken while no hold was open (the normal state between incidents) it
    plans "no other open hold" as a scan per freed post, quadratic in the incident's
    size (over 20 s for 100,000 posts instead of about 4 s).

    Sent once per transaction: a poll that opens several incidents fans out each.
    Set inside a savepoint it is not remembered, since rolling the savepoint back
    undoes it."""
    if session.get_bind().dialect.name != "postgresql":
        return
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(_PLANS_SET) is transaction:
        return
    session.execute(text("SET LOCAL enable_nestloop = off"))
    if not session.in_nested_transaction():
        session.info[_PLANS_SET] = transaction


def _open_hold_on_post() -> ColumnElement[bool]:
    return exists().where(Hold.post_id == Post.id, Hold.released_at.is_(None))


def _under_open_hold() -> ColumnElement[bool]:
    # IN (subquery), not a correlated EXISTS: filtering a whole queue, PostgreSQL
    # hashes the open holds once instead of probing the index once per post.
    return Post.id.in_(select(Hold.post_id).where(Hold.released_at.is_(None)))


def held_condition() -> ColumnElement[bool]:
    """True for the posts that are held: parked (``held``: they came due, or were
    written, while held) or ``queued`` under an open hold (the fan-out leaves the
    post rows alone)."""
    return (Post.status == "held") | ((Post.status == "queued") & _under_open_hold())


def status_condition(status: str) -> ColumnElement[bool]:
    """The condition for posts whose shown status (``shown_status``) is ``status``."""
    if status == "held":
        return held_condition()
    if status == "queued":
        return (Post.status == "queued") & ~_under_open_hold()
    return Post.status == status


def shown_status(post: Post, under_hold: bool) -> str:
    """A post's status as people see it: ``held`` while any hold is open on it."""
    return "held" if post.status == "queued" and under_hold else post.status


def park_if_held(session: Session, post: Post) -> None:
    """Store a fan-out-held post's status as ``held`` before code that reads or
    writes it (an edit, a cancel): its shown status does not change."""
    if post.status == "queued" and posts_under_hold(session, [post.id]):
        post.status = "held"


def current_status(session: Session, post: Post) -> str:
    return shown_status(post, post.id in posts_under_hold(session, [post.id]))


def _per_rule(which: ColumnElement[bool]) -> Select[str, int]:
    """The hold rows matching ``which``, counted per policy rule, in rule order."""
    return select(Hold.rule, func.count()).where(which).group_by(Hold.rule).order_by(Hold.rule)


def _audit_per_rule(
    session: Session,
    rows: Iterable[Any],
    action: str,
    incident_id: int,
    actor: str,
    now: datetime,
    into: audit.Pending | None = None,
    **details: Any,
) -> int:
    """Record one ``action`` event on the incident per ``(rule, count)`` of ``rows``
    (a ``_per_rule`` query's result), with the count; returns the total."""
    total = 0
    for rule, count in rows:
        audit.record(
            session,
            actor,
            action,
            "incident",
            incident_id,
            rule,
            {"incident_id": incident_id, "rule": rule, "posts": count, **details},
            at=now,
            into=into,
        )
        total += count
    return total


# The fan-out's statements, built once per dialect: the same statement objects for
# every incident, their values all bound at execution.
_FAN_OUT: dict[str, tuple[Insert, Select[str, int], Select[int]]] = {}


def _fan_out_statements(dialect: str) -> tuple[Insert, Select[str, int], Select[int]]:
    """(the INSERT … SELECT of one target's hold rows, the count of the incident's
    new holds per rule, the count of those on posts no other incident holds)."""
    found = _FAN_OUT.get(dialect)
    if found is not None:
        return found
    incident_id = bindparam("incident_id", type_=Integer)
    now = bindparam("now", type_=UTCDateTime())
    if dialect == "postgresql":
        # One array parameter, so that a target's statements run as one executemany.
        in_regions = PostRegion.region == any_(bindparam("regions", type_=ARRAY(String)))
    else:
        in_regions = PostRegion.region.in_(bindparam("regions", expanding=True))
    candidates = select(incident_id, Post.id, bindparam("rule", type_=String), now).where(
        Post.status.in_([literal_column("'queued'"), literal_column("'held'")]),
        Post.category == bindparam("category", type_=String),
        exists().where(PostRegion.post_id == Post.id, in_regions),
        ~exists().where(
            Hold.post_id == Post.id,
            Hold.incident_id == incident_id,
            Hold.released_at.is_(None),
        ),
    )
    # The table, not the entity: a list of parameters is then an executemany of the
    # statement, not the ORM's bulk insert of rows.
    # ``preserve_rowcount``: SQLAlchemy keeps the driver's rowcount only for UPDATE
    # and DELETE unless asked.
    add = (
        insert(cast(Table, Hold.__table__))
        .from_select(["incident_id", "post_id", "rule", "created_at"], candidates)
        .execution_options(preserve_rowcount=True)
    )
    new_holds = (Hold.incident_id == incident_id) & (Hold.created_at == now)
    new_holds &= Hold.released_at.is_(None)
    per_rule = _per_rule(new_holds)
    other = aliased(Hold)
    newly_held = (
        select(func.count())
        .select_from(Hold)
        .where(
            new_holds,
            ~exists().where(
                other.post_id == Hold.post_id,
                other.incident_id != incident_id,
                other.released_at.is_(None),
            ),
        )
    )
    _FAN_OUT[dialect] = (add, per_rule, newly_held)
    return _FAN_OUT[dialect]


def fan_out(
    session: Session,
    incident: Incident,
    policy: HoldPolicy,
    actor: str,
    audits: audit.Pending | None = None,
) -> FanOut:
    """Hold every queued (or already held) post the incident matches, set-based: one
    ``INSERT … SELECT`` of hold rows per target of the policy, in the policy's order
    (on PostgreSQL sent together, as one executemany). The post rows are not
    rewritten (a queued post with an open hold is held; the claim parks it if it
    comes due), and the audit log gets one event per incident and rule, with the
    hold rows as the per-post record (into ``audits`` when given). See
    docs/design.md, "Data"."""
    targets = hold_targets(incident_facts(incident), policy)
    if not targets:
        return FanOut(0, 0)
    _set_based_plans(session)
    now = clock.now()
    dialect = session.get_bind().dialect.name
    add, per_rule, newly_held = _fan_out_statements(dialect)
    rows = [
        {
            "incident_id": incident.id,
            "rule": target.rule,
            "now": now,
            "category": target.category,
            "regions": sorted(target.regions),
        }
        for target in targets
    ]
    if dialect == "postgresql":
        inserted = _rowcount(session.execute(add, rows), many=len(rows) > 1)
    else:
        # In process, no round trips to save; an expanding IN is not executemany's.
        counts_each = [_rowcount(session.execute(add, row), many=False) for row in rows]
        inserted = None if None in counts_each else sum(c or 0 for c in counts_each)
    if inserted == 0:
        # Nothing matched: no rows to count per rule, nothing to audit.
        return FanOut(0, 0)
    # The rule of each row is not in the rowcount: counted here.
    counted = {"incident_id": incident.id, "now": now}
    counts = session.execute(per_rule, counted)
    created = _audit_per_rule(
        session, counts, "incident.posts_held", incident.id, actor, now, into=audits
    )
    if not created:
        return FanOut(0, 0)
    return FanOut(created, session.scalar(newly_held, counted) or 0)


def _rowcount(result: Any, *, many: bool) -> int | None:
    """The rows an ``INSERT … SELECT`` inserted, or ``None`` where the driver does
    not report it reliably (then the caller counts)."""
    dialect = result.context.dialect
    reliable = dialect.supports_sane_multi_rowcount if many else dialect.supports_sane_rowcount
    count = result.rowcount
    return int(count) if reliable and count is not None and count >= 0 else None


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
    ``keep`` (when an incident is narrowed). A post left with no hold is queued
    again if due at or after ``now - grace`` (at ``now`` if its time has passed),
    else it goes to ``needs_review``. Only the posts whose row must change (parked
    ones, and ones whose time passed) are rewritten, each with its audit event."""
    _set_based_plans(session)
    now = clock.now()
    cutoff = release_cutoff(now, grace_seconds)
    open_holds = (Hold.incident_id == incident_id) & Hold.released_at.is_(None)
    if keep is not None:
        open_holds = open_holds & Hold.post_id.in_(select(Post.id).where(~keep))
    # Counted (and recorded) while still open: the update below closes them.
    released = _audit_per_rule(
        session,
        session.execute(_per_rule(open_holds)),
        "incident.posts_released",
        incident_id,
        actor,
        now,
        why=reason,
    )
    if not released:
        return Release(0, 0, 0)
    session.execute(
        update(Hold).where(open_holds).values(released_at=now, release_reason=reason[:200])
    )

    freed = (
        Post.status.in_(("queued", "held"))
        & exists().where(
            Hold.post_id == Post.id, Hold.incident_id == incident_id, Hold.released_at == now
        )
        & ~_open_hold_on_post()
    )
    late = Post.due_at < _at(cutoff)
    overdue = Post.due_at < _at(now)
    rewrite = freed & ((Post.status == "held") | overdue)
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
        ).where(rewrite),
    )
    freed_count, late_count = session.execute(
        select(func.count(), func.count(case((late, 1)))).select_from(Post).where(freed)
    ).one()
    session.execute(
        update(Post)
        .where(rewrite)
        .values(
            status=case((late, "needs_review"), else_="queued"),
            due_at=case((overdue, _at(now)), else_=Post.due_at),
            # Why a person is asked, shown with the post (queue, API, CLI).
            last_error=case(
                (late, literal(f"its moment passed while held by incident {incident_id}")),
                else_=Post.last_error,
            ),
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


def posts_under_hold(session: Session, post_ids: Sequence[int]) -> set[int]:
    """Those of ``post_ids`` with an open hold."""
    if not post_ids:
        return set()
    return set(
        session.scalars(
            select(Hold.post_id).where(
                id_among(session, Hold.post_id, post_ids), Hold.released_at.is_(None)
            )
        )
    )


def open_hold_reasons(session: Session, post_ids: Sequence[int]) -> dict[int, list[Hold]]:
    """Open holds per post, with their incident loaded, for display."""
    out: dict[int, list[Hold]] = {}
    if not post_ids:
        return out
    for hold in session.scalars(
        select(Hold)
        .where(id_among(session, Hold.post_id, post_ids), Hold.released_at.is_(None))
        .order_by(Hold.id)
    ):
        out.setdefault(hold.post_id, []).append(hold)
    return out
