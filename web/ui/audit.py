"""The audit log: approvers and admins read it and export it as CSV."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from werkzeug.wrappers import Response

from scheduler import audit
from scheduler.errors import ValidationError
from scheduler.schemas import load
from web.api_schemas import AUDIT_EXPORT, AUDIT_PAGE, AuditQuerySchema, audit_csv
from web.api_schemas.audit import AUDIT_MAX_OFFSET
from web.auth import login_required, role_required
from web.ui.common import Page, bp, db_session, other_errors

AUDIT_FILTERS = ("since", "until", "object_type", "object_id", "actor", "action")
# Offered in the audit filters; any other value may be typed.
AUDIT_OBJECT_TYPES = ("post", "incident", "condolence", "feed", "channel", "user")
AUDIT_KINDS = ("post.", "incident.", "condolence.", "feed.", "channel.", "login.", "token.")


def _audit_filters() -> tuple[dict[str, str], dict[str, Any]]:
    """The filters as typed (for the form and the export link) and as loaded. Raises
    ``ValidationError`` naming each bad filter."""
    raw = {key: value for key in AUDIT_FILTERS if (value := request.args.get(key, "").strip())}
    return raw, load(AuditQuerySchema(), raw)


def _page_number() -> int:
    """``page`` of the query string: 1 (the newest events) unless given."""
    raw = request.args.get("page", "").strip()
    if not raw:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= AUDIT_MAX_OFFSET // AUDIT_PAGE:
        raise ValidationError.single(
            "page", f"Must be a whole number from 1 to {AUDIT_MAX_OFFSET // AUDIT_PAGE}."
        )
    return int(raw)


@bp.get("/audit")
@login_required
@role_required("approver")
def audit_page() -> Page:
    shared = {"object_types": AUDIT_OBJECT_TYPES, "kinds": AUDIT_KINDS, "page_size": AUDIT_PAGE}
    try:
        raw, query = _audit_filters()
        page = _page_number()
    except ValidationError as exc:
        raw = {key: value for key in AUDIT_FILTERS if (value := request.args.get(key, ""))}
        html = render_template(
            "audit.html", events=None, raw=raw, errors=exc.errors, page=1, more=False, **shared
        )
        return html, 400
    with db_session() as db:
        # One more than a page tells whether an older page exists.
        found = audit.list_events(db, **query, limit=AUDIT_PAGE + 1, offset=(page - 1) * AUDIT_PAGE)
        return render_template(
            "audit.html",
            events=found[:AUDIT_PAGE],
            raw=raw,
            errors={},
            page=page,
            more=len(found) > AUDIT_PAGE,
            **shared,
        )


@bp.get("/audit.csv")
@login_required
@role_required("approver")
def audit_export() -> Page:
    try:
        _, query = _audit_filters()
    except ValidationError as exc:
        message = " ".join(other_errors(exc.errors, ()))
        return render_template("error.html", status=400, message=message), 400
    with db_session() as db:
        body = audit_csv(audit.list_events(db, **query, limit=AUDIT_EXPORT))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
