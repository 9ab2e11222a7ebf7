"""Read-only look-ups for the web pages and the API: a condolence draft with its
incident, account names and editors; the reports behind several incidents at once.

Nothing here inserts, updates, deletes or locks, and nothing decides anything: each
function only SELECTs and groups, so a view can show a draft in one call without
holding a query of its own. State changes stay in the services.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import condolences, incidents, pages
from scheduler.models import (
    DRAFT_STATUSES,
    INCIDENT_OPEN,
    ChannelAccount,
    CondolenceDraft,
    Incident,
    Report,
    User,
)

# ``status=open`` lists the prompts still waiting for a person.
OPEN = "open"
DRAFT_FILTERS = (OPEN, *DRAFT_STATUSES)


@dataclass(frozen=True)
class DraftRow:
    """A condolence draft with what a list shows next to it."""

    draft: CondolenceDraft
    incident: Incident
    # The chosen accounts' names, in the draft's order.
    channels: list[str]
    last_editor: str | None
    approved_by: str | None


@dataclass(frozen=True)
class RevisionRow:
    version: int
    editor: str | None
    at: datetime
    texts: dict[str, Any]


@dataclass(frozen=True)
class DraftDetail:
    """A draft with its evidence, its history and the accounts a person may choose."""

    row: DraftRow
    reports: list[Report]
    revisions: list[RevisionRow]
    # Enabled accounts, plus any chosen account since disabled, by name.
    accounts: list[ChannelAccount]


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in rows}


def _account_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(ChannelAccount.id, ChannelAccount.name).where(ChannelAccount.id.in_(wanted))
    )
    return {account_id: name for account_id, name in rows}


def _rows(session: Session, drafts: list[CondolenceDraft]) -> list[DraftRow]:
    incident_ids = {d.incident_id for d in drafts}
    found = session.scalars(select(Incident).where(Incident.id.in_(incident_ids)))
    by_id = {i.id: i for i in found}
    names = user_names(session, [i for d in drafts for i in (d.last_editor_id, d.approved_by_id)])
    accounts = _account_names(session, [c for d in drafts for c in d.channel_ids])
    return [
        DraftRow(
            draft=d,
            incident=by_id[d.incident_id],
            channels=[accounts.get(c, f"#{c}") for c in d.channel_ids],
            last_editor=names.get(d.last_editor_id) if d.last_editor_id else None,
            approved_by=names.get(d.approved_by_id) if d.approved_by_id else None,
        )
        for d in drafts
    ]


def drafts(
    session: Session,
    *,
    status: str | None = None,
    incident_open: bool = False,
    limit: int = 200,
    after: tuple[Any, ...] | None = None,
) -> list[DraftRow]:
    """Condolence drafts, newest prompt first; ``status`` is a draft status or
    ``"open"`` (awaiting a draft or an approval); ``incident_open`` keeps only drafts
    whose incident is still open (the dashboard's to-do list); ``after``: the sort key
    (``draft_key``) of the last draft already seen."""
    query = pages.after(select(CondolenceDraft), DRAFT_ORDER, after, descending=True).limit(limit)
    if incident_open:
        query = query.join(Incident, Incident.id == CondolenceDraft.incident_id).where(
            Incident.status.in_(INCIDENT_OPEN)
        )
    if status == OPEN:
        query = query.where(CondolenceDraft.status.in_(condolences.OPEN_DRAFT))
    elif status:
        query = query.where(CondolenceDraft.status == status)
    return _rows(session, list(session.scalars(query)))


# Newest prompt first: the keyset of the draft list (``scheduler.pages``).
DRAFT_ORDER = (CondolenceDraft.prompted_at, CondolenceDraft.id)


def draft_key(row: DraftRow) -> tuple[Any, ...]:
    return row.draft.prompted_at, row.draft.id


def draft_row(session: Session, draft: CondolenceDraft) -> DraftRow:
    return _rows(session, [draft])[0]


def draft_detail(session: Session, draft_id: int) -> DraftDetail:
    """One draft for its page. Raises ``NotFound`` for an unknown id.

    Sessions do not autoflush: the caller's own pending changes (a revision just
    added by ``condolences.edit`` in this transaction) are flushed first so that they
    are listed. Nothing else is written."""
    session.flush()
    draft = condolences.get_draft(session, draft_id)
    history = condolences.revisions(session, draft_id)
    editors = user_names(session, [r.editor_id for r in history])
    chosen = set(draft.channel_ids)
    accounts = [
        a
        for a in session.scalars(select(ChannelAccount).order_by(ChannelAccount.name))
        if a.enabled or a.id in chosen
    ]
    return DraftDetail(
        row=draft_row(session, draft),
        reports=incidents.reports_for(session, draft.incident_id),
        revisions=[
            RevisionRow(
                r.version, editors.get(r.editor_id) if r.editor_id else None, r.created_at, r.texts
            )
            for r in reversed(history)
        ],
        accounts=accounts,
    )


def reports_by_incident(session: Session, incident_ids: Iterable[int]) -> dict[int, list[Report]]:
    """The reports behind each incident (oldest first); incidents built by hand have
    none."""
    wanted = set(incident_ids)
    out: dict[int, list[Report]] = {}
    if not wanted:
        return out
    rows = session.scalars(
        select(Report).where(Report.incident_id.in_(wanted)).order_by(Report.seen_at, Report.id)
    )
    for report in rows:
        if report.incident_id is not None:
            out.setdefault(report.incident_id, []).append(report)
    return out
