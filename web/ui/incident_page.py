"""One incident's page: what it is, the reports behind it with their evidence, its
regions named and drawn on a small map, the posts it holds, and the approver's
actions (confirm, resolve, dismiss, edit and extend).

Every form carries the status the page showed; an action on an incident that has
changed status since (someone else ended or confirmed it) is refused with 409 and
the page as it is now, never applied to a state the person did not see.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, g, render_template, request

from rules.correlate import affected_area
from scheduler import incident_detail, incidents
from scheduler.errors import Conflict, ValidationError
from scheduler.models import Incident
from scheduler.schemas import INCIDENT_KINDS
from web import auth
from web.auth import login_required, role_required
from web.ui import incident_map
from web.ui.common import Page, bp, db_session, other_errors, see_other
from web.ui.incidents import SEVERITIES, _amendment

EDIT_FIELDS = ("title", "kind", "severity", "regions", "extend_hours", "reason")


def _shown_values(incident: Incident) -> dict[str, str]:
    return {
        "title": incident.title,
        "kind": incident.kind,
        "severity": str(incident.severity),
        "regions": ", ".join(incident.regions),
        "extend_hours": "",
        "reason": "",
    }


def _render(
    incident_id: int,
    status: int = 200,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    problem: str | None = None,
) -> tuple[str, int]:
    with db_session() as db:
        incident = incidents.get_incident(db, incident_id)
        reports = incidents.reports_for(db, incident_id)
        held = incident_detail.held_posts(db, incident_id)
        reported = [code for r in reports for code in affected_area(r.regions)]
        places, drawn = incident_map.draw(incident.regions, reported)
        errors = errors or {}
        html = render_template(
            "incident.html",
            incident=incident,
            reports=reports,
            held=held,
            places=places,
            map=drawn,
            values=values or _shown_values(incident),
            errors=errors,
            edit_other_errors=other_errors(errors, EDIT_FIELDS),
            problem=problem,
            kinds=INCIDENT_KINDS,
            severities=SEVERITIES,
        )
    return html, status


@bp.get("/incidents/<id:incident_id>")
@login_required
def incident_page(incident_id: int) -> Page:
    return _render(incident_id)


def _changes(incident: Incident, values: Mapping[str, str]) -> dict[str, Any]:
    """Only what the person changed: the list's amendment (severity, regions,
    extension) plus the title and kind this page also edits."""
    data: dict[str, Any] = {
        key: values[key] for key in ("title", "kind") if values[key] != getattr(incident, key)
    }
    data.update(_amendment(incident, values))
    if data and values["reason"]:
        data["reason"] = values["reason"]
    return data


@bp.post("/incidents/<id:incident_id>/edit")
@login_required
@role_required("approver")
def edit_incident(incident_id: int) -> Page:
    values = {key: request.form.get(key, "").strip() for key in EDIT_FIELDS}
    seen = request.form.get("seen_status", "")
    try:
        with db_session() as db:
            incident = incidents.get_incident(db, incident_id, lock=True)
            if seen and seen != incident.status:
                raise Conflict(
                    f"incident {incident_id} is now {incident.status} (the page showed {seen}): "
                    "nothing was changed"
                )
            data = _changes(incident, values)
            if data:
                incidents.amend(db, auth.tactful().settings, incident_id, data, g.user)
    except ValidationError as exc:
        return _render(incident_id, 400, values, exc.errors)
    except Conflict as exc:
        return _render(incident_id, 409, problem=str(exc))
    if data:
        changed = ", ".join(sorted(key for key in data if key != "reason"))
        flash(f"Incident {incident_id} changed: {changed}.", "success")
    else:
        flash(f"Incident {incident_id}: nothing changed.", "info")
    return see_other("ui.incident_page", incident_id=incident_id)
