"""Condolence drafts: managers draft them; approvers and admins approve or decline.

Nothing here publishes a condolence: only ``condolences.approve`` queues one, for a
person with the approver role.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, g, render_template, request
from werkzeug.datastructures import MultiDict

from rules.text import LIMITS
from scheduler import condolences, posts, queries
from scheduler.errors import ValidationError
from scheduler.models import ChannelAccount
from scheduler.schemas import load
from web import auth
from web.api_schemas import CondolenceQuerySchema
from web.auth import login_required, role_required
from web.ui.common import COMMON_ZONES, Page, bp, count, db_session, other_errors, see_other

CONDOLENCE_FIELDS = ("texts", "channels", "publish_at", "timezone", "version", "reason")
# How each network counts, for the hint under a condolence text box.
COUNTING = {
    "x": "as X counts: links 23, emoji and CJK 2",
    "mastodon": "as Mastodon counts: links 23",
    "bluesky": "graphemes, links in full",
}


def _length_hint(account: ChannelAccount) -> str:
    network = posts.length_rule(account)
    limit = account.max_length or LIMITS.get(network)
    if limit is None:
        return "no length limit"
    return f"at most {limit}, {COUNTING.get(network, 'characters')}"


def _draft_values(detail: queries.DraftDetail) -> dict[str, Any]:
    return {
        "texts": dict(detail.row.draft.texts),
        "channels": list(detail.row.channels),
        "publish_at": "",
        "timezone": "UTC",
        "reason": "",
    }


def _render_condolence(
    draft_id: int,
    changes: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The draft's page; ``changes`` are submitted values shown instead of the stored
    ones (after a refused form). Opens its own transaction."""
    errors = errors or {}
    settings = auth.tactful().settings
    with db_session() as db:
        detail = queries.draft_detail(db, draft_id)
        draft = detail.row.draft
        user = g.user
        html = render_template(
            "condolence.html",
            detail=detail,
            draft=draft,
            incident=detail.row.incident,
            values={**_draft_values(detail), **(changes or {})},
            errors=errors,
            other_errors=other_errors(errors, CONDOLENCE_FIELDS),
            hints={a.name: _length_hint(a) for a in detail.accounts},
            two_person=settings.condolences.two_person_approval,
            wrote_this_version=user.id in condolences.authors(db, draft),
            zones=COMMON_ZONES,
            open_statuses=condolences.OPEN_DRAFT,
        )
    return html, status


@bp.get("/condolences")
@login_required
def condolences_page() -> Page:
    raw = {key: value for key in ("status",) if (value := request.args.get(key, "").strip())}
    try:
        query = load(CondolenceQuerySchema(), raw)
    except ValidationError as exc:
        html = render_template(
            "condolences.html",
            rows=None,
            query=raw,
            errors=exc.errors,
            statuses=queries.DRAFT_FILTERS,
        )
        return html, 400
    with db_session() as db:
        rows = queries.drafts(db, status=query.get("status"), limit=query["limit"])
        return render_template(
            "condolences.html", rows=rows, query=raw, errors={}, statuses=queries.DRAFT_FILTERS
        )


@bp.get("/condolences/<id:draft_id>")
@login_required
def condolence_page(draft_id: int) -> Page:
    return _render_condolence(draft_id)


def _edit_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """The edit form as submitted: a text box per account (``text-<name>``) and the
    ticked accounts."""
    return {
        # Browsers send textarea newlines as CRLF; people typed one character.
        "texts": {
            key.removeprefix("text-"): value.replace("\r\n", "\n")
            for key, value in form.items()
            if key.startswith("text-")
        },
        "channels": list(dict.fromkeys(form.getlist("channels"))),
    }


@bp.post("/condolences/<id:draft_id>/edit")
@login_required
def edit_condolence(draft_id: int) -> Page:
    values = _edit_form(request.form)
    submit = request.form.get("action") == "submit"
    data = {
        # Only the ticked accounts' texts: the others are kept out of the draft.
        "texts": {name: values["texts"].get(name, "") for name in values["channels"]},
        "channels": values["channels"],
        "submit": submit,
    }
    try:
        with db_session() as db:
            draft = condolences.edit(db, draft_id, data, g.user)
            version = draft.version
    except ValidationError as exc:
        return _render_condolence(draft_id, values, exc.errors, 400)
    if submit:
        flash(f"Version {version} submitted for approval. Nothing is published yet.", "success")
    else:
        flash(f"Version {version} saved as a draft.", "success")
    return see_other("ui.condolence_page", draft_id=draft_id)


@bp.post("/condolences/<id:draft_id>/approve")
@login_required
@role_required("approver")
def approve_condolence(draft_id: int) -> Page:
    form = request.form
    data: dict[str, Any] = {}
    version = form.get("version", "").strip()
    if version:
        data["version"] = int(version) if version.isdecimal() and len(version) < 10 else version
    shown: dict[str, Any] = {}
    if form.get("when") == "later":
        shown = {
            "publish_at": form.get("publish_at", "").strip(),
            "timezone": form.get("timezone", "").strip() or "UTC",
        }
        data.update(shown)
    try:
        with db_session() as db:
            created = condolences.approve(db, auth.tactful().settings, draft_id, data, g.user)
            queued = [f"{p.channel.name} at {p.local_time[:16]} {p.timezone}" for p in created]
    except ValidationError as exc:
        return _render_condolence(draft_id, shown, exc.errors, 400)
    flash(
        f"Approved: {count(len(queued), 'condolence post')} queued ({'; '.join(queued)}).",
        "success",
    )
    return see_other("ui.condolence_page", draft_id=draft_id)


@bp.post("/condolences/<id:draft_id>/decline")
@login_required
@role_required("approver")
def decline_condolence(draft_id: int) -> Page:
    reason = request.form.get("reason", "").strip()
    try:
        with db_session() as db:
            condolences.decline(db, draft_id, {"reason": reason}, g.user)
    except ValidationError as exc:
        return _render_condolence(draft_id, {"reason": reason}, exc.errors, 400)
    flash("Declined: nothing will be published for this incident.", "success")
    return see_other("ui.condolence_page", draft_id=draft_id)
