"""The HTML UI: login, the queue, the post form, and incidents.

Views read the form into the shape the services take, open one transaction, call a
service, and render. On a ``ValidationError`` the form comes back with HTTP 400, each
message next to its field and the submitted values kept. Managers queue, edit and
cancel posts; approvers and admins also declare, resolve and dismiss incidents.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from rules.regions import search as search_regions
from scheduler import incidents, posts, users
from scheduler.errors import ValidationError
from scheduler.models import POST_CATEGORIES, POST_STATUSES, Post
from scheduler.schemas import INCIDENT_KINDS
from web import auth
from web.auth import login_required, role_required

bp = Blueprint("ui", __name__)

Page = str | Response | tuple[str, int]

# A condolence is only published from an approved condolence draft, never typed here.
FORM_CATEGORIES = tuple(c for c in POST_CATEGORIES if c != "condolence")
COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Istanbul",
    "Europe/Kyiv",
    "Africa/Cairo",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Bangkok",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "America/New_York",
    "America/Toronto",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
)
SEVERITIES = (
    (1, "1 minor: shown, never held by default"),
    (2, "2 serious: a regional tragedy"),
    (3, "3 major: broadly felt"),
    (4, "4 catastrophic: national mourning"),
)
POST_FIELDS = ("text", "channels", "publish_at", "timezone", "category", "regions", "draft")
INCIDENT_FIELDS = ("kind", "severity", "regions", "title", "expires_in_hours")
LIST_FILTERS = ("status", "category", "channel", "offset")
# The list shows this many posts a page (the service's default page size).
PAGE_SIZE = 100
NEW_POST = {
    "text": "",
    "channels": [],
    "publish_at": "",
    "timezone": "UTC",
    "category": "promotional",
    "regions": "",
    "draft": False,
}
NEW_INCIDENT = {"kind": "", "severity": "2", "regions": "", "title": "", "expires_in_hours": ""}


def _db() -> AbstractContextManager[Session]:
    return auth.tactful().db.session()


def _see_other(endpoint: str, **values: Any) -> Response:
    return redirect(url_for(endpoint, **values), 303)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _split(raw: str) -> list[str]:
    """``"US-TX, France"`` → ``["US-TX", "France"]``."""
    return [token.strip() for token in raw.split(",") if token.strip()]


def _other_errors(errors: Mapping[str, list[str]], shown: tuple[str, ...]) -> list[str]:
    """Messages for fields the form has no place for (``_schema``, ``variants``)."""
    return [
        f"{field}: {message}" if not field.startswith("_") else message
        for field, messages in errors.items()
        if field not in shown
        for message in messages
    ]


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    user = auth.current_user()
    return {
        "current_user": user,
        "can_approve": user is not None and users.has_role(user, "approver"),
    }


# ---------------------------------------------------------------- login/out
@bp.route("/login", methods=["GET", "POST"])
def login() -> Page:
    target = request.values.get("next", "")
    target = target if auth.is_safe_next(target) else ""
    if request.method == "GET":
        return render_template("login.html", name="", next=target, error=None)
    name = request.form.get("name", "")
    with _db() as db:
        user = users.authenticate(db, name, request.form.get("password", ""))
    if user is None:
        error = "Wrong name or password."
        return render_template("login.html", name=name, next=target, error=error), 401
    auth.log_in(user)
    flash(f"Signed in as {user.name}.", "success")
    return redirect(target or url_for("ui.queue"), 303)


@bp.post("/logout")
def logout() -> Response:
    auth.log_out()
    flash("Signed out.", "success")
    return _see_other("ui.login")


# --------------------------------------------------------------------- queue
@bp.get("/")
@login_required
def queue() -> Page:
    query = {key: value for key in LIST_FILTERS if (value := request.args.get(key, "").strip())}
    shared = {
        "query": query,
        "statuses": POST_STATUSES,
        "categories": POST_CATEGORIES,
        "editable": posts.EDITABLE,
    }
    with _db() as db:
        channels = posts.list_channels(db)
        try:
            page = posts.list_posts(db, {**query, "limit": PAGE_SIZE})
        except ValidationError as exc:
            html = render_template(
                "queue.html", page=None, channels=channels, errors=exc.errors, **shared
            )
            return html, 400
        offset = int(query.get("offset", 0))
        return render_template(
            "queue.html",
            page=page,
            channels=channels,
            errors={},
            offset=offset,
            previous=max(0, offset - PAGE_SIZE) if offset else None,
            next=offset + PAGE_SIZE if offset + len(page.posts) < page.total else None,
            **shared,
        )


# ---------------------------------------------------------------- post form
def _post_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """The submitted form, as re-rendered on error."""
    return {
        # Browsers send textarea newlines as CRLF; people typed one character.
        "text": form.get("text", "").replace("\r\n", "\n"),
        "channels": form.getlist("channels"),
        "publish_at": form.get("publish_at", "").strip(),
        "timezone": form.get("timezone", "").strip() or "UTC",
        "category": form.get("category", ""),
        "regions": form.get("regions", ""),
        "draft": "draft" in form,
    }


def _render_post_form(
    values: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    status: int = 200,
    post: Mapping[str, Any] | None = None,
) -> tuple[str, int]:
    """The new-post form (``post`` is None: lists the channels in a transaction of its
    own, so never call it inside one) or the edit form of the post ``post`` sums up."""
    channels = []
    if post is None:
        with _db() as db:
            channels = posts.list_channels(db, enabled_only=True)
    html = render_template(
        "post_form.html",
        values=values,
        errors=errors,
        other_errors=_other_errors(errors, (*POST_FIELDS, "status")),
        post=post,
        channels=channels,
        zones=COMMON_ZONES,
        categories=FORM_CATEGORIES,
    )
    return html, status


@bp.route("/posts/new", methods=["GET", "POST"])
@login_required
def new_post() -> Page:
    if request.method == "GET":
        return _render_post_form(NEW_POST, {})
    values = _post_values(request.form)
    data = {key: values[key] for key in POST_FIELDS if key != "regions"}
    if _split(values["regions"]):
        data["regions"] = _split(values["regions"])
    try:
        with _db() as db:
            created = posts.create_posts(db, auth.tactful().settings, data, g.user)
            held = sum(1 for p in created if p.status == "held")
    except ValidationError as exc:
        return _render_post_form(values, exc.errors, 400)
    message = f"Saved {_count(len(created), 'draft' if values['draft'] else 'post')}."
    if held:
        message += f" {held} held by an open incident: see the hold reasons below."
    flash(message, "success")
    return _see_other("ui.queue")


def _post_summary(post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "channel": post.channel.name,
        "status": post.status,
        "category": post.category,
        "editable": post.status in posts.EDITABLE,
    }


def _edit_values(post: Post) -> dict[str, Any]:
    return {
        "text": post.text,
        "publish_at": post.local_time[:16],
        "timezone": post.timezone,
        "category": post.category,
        "regions": ", ".join(post.regions),
        "draft": post.status == "draft",
    }


def _changes(post: Post, values: Mapping[str, Any]) -> dict[str, Any]:
    """Only what the person changed, so an untouched field is never re-validated
    (an unchanged past publish time must not block a text fix)."""
    current = _edit_values(post)
    changes = {
        key: values[key]
        for key in ("text", "publish_at", "timezone", "category")
        if values[key] != current[key]
    }
    regions = _split(values["regions"])
    if sorted(r.upper() for r in regions) != sorted(post.regions):
        changes["regions"] = regions
    if values["draft"] and post.status == "queued":
        changes["status"] = "draft"
    elif not values["draft"] and post.status == "draft":
        changes["status"] = "queued"
    return changes


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int) -> Page:
    values = _post_values(request.form)
    summary: dict[str, Any] = {}
    status = None
    try:
        with _db() as db:
            post = posts.get_post(db, post_id)
            summary = _post_summary(post)
            if request.method == "GET":
                return _render_post_form(_edit_values(post), {}, post=summary)
            # The diff and the update see the same row, in one transaction.
            changes = _changes(post, values)
            if changes:
                settings = auth.tactful().settings
                status = posts.update_post(db, settings, post_id, changes, g.user).status
    except ValidationError as exc:
        return _render_post_form(values, exc.errors, 400, post=summary)
    if status is None:
        flash(f"Post {post_id}: nothing changed.", "info")
    else:
        flash(f"Post {post_id} saved; it is {status.replace('_', ' ')}.", "success")
    return _see_other("ui.queue")


@bp.post("/posts/<int:post_id>/cancel")
@login_required
def cancel_post(post_id: int) -> Response:
    with _db() as db:
        posts.cancel_post(db, post_id, g.user, request.form.get("reason", "").strip())
    flash(f"Post {post_id} cancelled.", "success")
    return _see_other("ui.queue")


@bp.get("/regions.json")
@login_required
def region_suggestions() -> dict[str, Any]:
    """Suggestions for the audience field (the page's script asks as you type)."""
    found = search_regions(request.args.get("q", "")[:100], limit=12)
    return {"regions": [{"code": r.code, "label": r.label} for r in found]}


# ----------------------------------------------------------------- incidents
def _render_incidents(
    values: Mapping[str, Any], errors: Mapping[str, list[str]], status: int = 200
) -> tuple[str, int]:
    with _db() as db:
        rows = incidents.list_incidents(db)
        counts = incidents.held_counts(db, [i.id for i in rows])
        html = render_template(
            "incidents.html",
            incidents=rows,
            held=counts,
            values=values,
            errors=errors,
            other_errors=_other_errors(errors, INCIDENT_FIELDS),
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
        "regions": _split(values["regions"]),
        "title": values["title"],
    }
    if values["expires_in_hours"]:
        data["expires_in_hours"] = values["expires_in_hours"]
    try:
        with _db() as db:
            declared = incidents.declare(db, auth.tactful().settings, data, g.user)
            incident_id = declared.incident.id
    except ValidationError as exc:
        return _render_incidents(values, exc.errors, 400)
    held = _count(declared.fan_out.posts_held, "post")
    flash(f"Incident {incident_id} declared: {held} held.", "success")
    return _see_other("ui.incidents_page")


def _end_incident(incident_id: int, status: str) -> Page:
    reason = request.form.get("reason", "").strip()
    try:
        with _db() as db:
            release = incidents.end(
                db, auth.tactful().settings, incident_id, status, {"reason": reason}, g.user
            )
    except ValidationError as exc:
        return render_template(
            "error.html", status=400, message=" ".join(_other_errors(exc.errors, ()))
        ), 400
    flash(
        f"Incident {incident_id} {status}: {_count(release.released, 'hold')} released, "
        f"{_count(release.requeued, 'post')} back in the queue, "
        f"{release.needs_review} to review.",
        "success",
    )
    return _see_other("ui.incidents_page")


@bp.post("/incidents/<int:incident_id>/resolve")
@login_required
@role_required("approver")
def resolve_incident(incident_id: int) -> Page:
    return _end_incident(incident_id, "resolved")


@bp.post("/incidents/<int:incident_id>/dismiss")
@login_required
@role_required("approver")
def dismiss_incident(incident_id: int) -> Page:
    return _end_incident(incident_id, "dismissed")
