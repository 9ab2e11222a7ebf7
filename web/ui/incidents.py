"""Incidents: approvers and admins declare, review and end them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, g, render_template, request

from scheduler import incidents, queries
from scheduler.errors import ValidationError
from scheduler.models import Incident
from scheduler.schemas import INCIDENT_KINDS
from web import auth
from web.auth import login_required, role_required
from web.ui.common import Page, bp, count, db_session, other_errors, see_other, split

SEVERITIES = (
    (1, "1 minor: shown, never held by default"),
    (2, "2 serious: a regional tragedy"),
    (3, "3 major: broadly felt"),
    (4, "4 catastrophic: national mourning"),
)
INCIDENT_FIELDS = ("kind", "severity", "regions", "title", "expires_in_hours")
NEW_INCIDENT = {"kind": "", "severity": "2", "regions": "", "title": "", "expires_in_hours": ""}
AMEND_FIELDS = ("severity", "regions", "extend_hours", "reason")


def _render_incidents(
    values: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    status: int = 200,
    amend: tuple[int, Mapping[str, str], Mapping[str, list[str]]] | None = None,
) -> tuple[str, int]:
    """The incident list and the declare form. ``amend`` is (incident id, submitted
    values, errors) of a refused change, shown in that incident's row."""
    with db_session() as db:
        rows = incidents.list_incidents(db)
        counts = incidents.held_counts(db, [i.id for i in rows])
        reports = queries.reports_by_incident(db, [i.id for i in rows if i.source == "monitor"])
        amending, amend_values, amend_errors = amend or (None, {}, {})
        html = render_template(
            "incidents.html",
            incidents=rows,
            held=counts,
            reports=reports,
            values=values,
            errors=errors,
            other_errors=other_errors(errors, INCIDENT_FIELDS),
            amending=amending,
            amend_values=amend_values,
            amend_errors=amend_errors,
            amend_other_errors=other_errors(amend_errors, AMEND_FIELDS),
            kinds=INCIDENT_KINDS,
            severities=SEVERITIES,
        )
    return html, status


@bp.get("/incidents")
@login_required
def incidents_page() -> Page:
    return _render_incidents(NEW_INCIDENT, {})


@bp.post("/incidents")
@login_required
@role_required("approver")
def declare_incident() -> Page:
    values = {key: request.form.get(key, "").strip() for key in INCIDENT_FIELDS}
    data: dict[str, Any] = {
        "kind": values["kind"],
        "severity": values["severity"],
        "regions": split(values["regions"]),
        "title": values["title"],
    }
    if values["expires_in_hours"]:
        data["expires_in_hours"] = values["expires_in_hours"]
    try:
        with db_session() as db:
            declared = incidents.declare(db, auth.tactful().settings, data, g.user)
            incident_id = declared.incident.id
    except ValidationError as exc:
        return _render_incidents(values, exc.errors, 400)
    held = count(declared.fan_out.posts_held, "post")
    flash(f"Incident {incident_id} declared: {held} held.", "success")
    return see_other("ui.incidents_page")


def _back(incident_id: int) -> Page:
    """After an action: back to the incident's page when it was pressed there."""
    if request.form.get("back") == "detail":
        return see_other("ui.incident_page", incident_id=incident_id)
    return see_other("ui.incidents_page")


def _end_incident(incident_id: int, status: str) -> Page:
    reason = request.form.get("reason", "").strip()
    try:
        with db_session() as db:
            release = incidents.end(
                db, auth.tactful().settings, incident_id, status, {"reason": reason}, g.user
            )
    except ValidationError as exc:
        return render_template(
            "error.html", status=400, message=" ".join(other_errors(exc.errors, ()))
        ), 400
    flash(
        f"Incident {incident_id} {status}: {count(release.released, 'hold')} released, "
        f"{count(release.requeued, 'post')} back in the queue, "
        f"{release.needs_review} to review.",
        "success",
    )
    return _back(incident_id)


@bp.post("/incidents/<id:incident_id>/resolve")
@login_required
@role_required("approver")
def resolve_incident(incident_id: int) -> Page:
    return _end_incident(incident_id, "resolved")


@bp.post("/incidents/<id:incident_id>/dismiss")
@login_required
@role_required("approver")
def dismiss_incident(incident_id: int) -> Page:
    return _end_incident(incident_id, "dismissed")


@bp.post("/incidents/<id:incident_id>/confirm")
@login_required
@role_required("approver")
def confirm_incident(incident_id: int) -> Page:
    with db_session() as db:
        incidents.confirm(db, incident_id, g.user)
    flash(f"Incident {incident_id} confirmed.", "success")
    return _back(incident_id)


def _amendment(incident: Incident, values: Mapping[str, str]) -> dict[str, Any]:
    """Only what the person changed: the form shows the current severity and regions,
    and an unchanged field must not count as a change."""
    data: dict[str, Any] = {}
    if values["severity"] != str(incident.severity):
        data["severity"] = values["severity"]
    regions = split(values["regions"])
    if sorted(r.upper() for r in regions) != sorted(incident.regions):
        data["regions"] = regions
    if values["extend_hours"]:
        data["extend_hours"] = values["extend_hours"]
    if data and values["reason"]:
        data["reason"] = values["reason"]
    return data


@bp.post("/incidents/<id:incident_id>/amend")
@login_required
@role_required("approver")
def amend_incident(incident_id: int) -> Page:
    values = {key: request.form.get(key, "").strip() for key in AMEND_FIELDS}
    try:
        with db_session() as db:
            # The diff and the change see the same row, in one transaction.
            data = _amendment(incidents.get_incident(db, incident_id), values)
            if data:
                incidents.amend(db, auth.tactful().settings, incident_id, data, g.user)
    except ValidationError as exc:
        return _render_incidents(NEW_INCIDENT, {}, 400, amend=(incident_id, values, exc.errors))
    if data:
        changed = ", ".join(sorted(key for key in data if key != "reason"))
        flash(f"Incident {incident_id} changed: {changed}.", "success")
    else:
        flash(f"Incident {incident_id}: nothing changed.", "info")
    return see_other("ui.incidents_page")
