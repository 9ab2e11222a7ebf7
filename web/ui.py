"""The HTML UI: login, the queue, the post form, incidents, condolences, the audit
log and feeds.

Views read the form into the shape the services take, open one transaction, call a
service, and render. On a ``ValidationError`` the form comes back with HTTP 400, each
message next to its field and the submitted values kept. Managers queue, edit and
cancel posts and draft condolences; approvers and admins also declare, review and end
incidents, approve or decline condolences and read the audit log; admins manage
feeds. Nothing here publishes a condolence: only ``condolences.approve`` queues one,
for a person with the approver role.
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
from rules.reports import FEED_KINDS
from rules.text import LIMITS
from scheduler import audit, condolences, holds, incidents, posts, queries, users
from scheduler.errors import ValidationError
from scheduler.feeds import manage as feeds
from scheduler.models import POST_CATEGORIES, POST_STATUSES, ChannelAccount, Incident, Post
from scheduler.schemas import INCIDENT_KINDS, load
from web import auth
from web.api_schemas import (
    AUDIT_EXPORT,
    AUDIT_PAGE,
    AuditQuerySchema,
    CondolenceQuerySchema,
    audit_csv,
)
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
AMEND_FIELDS = ("severity", "regions", "extend_hours", "reason")
AUDIT_FILTERS = ("since", "until", "object_type", "object_id", "actor", "action")
# Offered in the audit filters; any other value may be typed.
AUDIT_OBJECT_TYPES = ("post", "incident", "condolence", "feed", "channel", "user")
AUDIT_KINDS = ("post.", "incident.", "condolence.", "feed.", "channel.", "login.", "token.")
CONDOLENCE_FIELDS = ("texts", "channels", "publish_at", "timezone", "version", "reason")
FEED_FIELDS = ("url", "kind", "interval_seconds", "title")
NEW_FEED = {"url": "", "kind": "news", "interval_seconds": "", "title": ""}
# How each network counts, for the hint under a condolence text box.
COUNTING = {
    "x": "as X counts: links 23, emoji and CJK 2",
    "mastodon": "as Mastodon counts: links 23",
    "bluesky": "graphemes, links in full",
}


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
        "is_admin": user is not None and users.has_role(user, "admin"),
    }


@bp.app_template_filter("http_link")
def _http_link(url: str | None) -> str | None:
    """Only an http(s) address becomes a link: a feed could carry ``javascript:``."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


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
        # The dashboard's to-do: unanswered condolence prompts of ongoing incidents
        # (those of ended incidents stay on the condolences page).
        shared["prompts"] = queries.drafts(db, status=queries.OPEN, incident_open=True)
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


def _post_summary(db: Session, post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "channel": post.channel.name,
        "status": holds.current_status(db, post),
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
            summary = _post_summary(db, post)
            if request.method == "GET":
                return _render_post_form(_edit_values(post), {}, post=summary)
            # The diff and the update see the same row, in one transaction.
            changes = _changes(post, values)
            if changes:
                settings = auth.tactful().settings
                updated = posts.update_post(db, settings, post_id, changes, g.user)
                status = holds.current_status(db, updated)
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
    values: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    status: int = 200,
    amend: tuple[int, Mapping[str, str], Mapping[str, list[str]]] | None = None,
) -> tuple[str, int]:
    """The incident list and the declare form. ``amend`` is (incident id, submitted
    values, errors) of a refused change, shown in that incident's row."""
    with _db() as db:
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
            other_errors=_other_errors(errors, INCIDENT_FIELDS),
            amending=amending,
            amend_values=amend_values,
            amend_errors=amend_errors,
            amend_other_errors=_other_errors(amend_errors, AMEND_FIELDS),
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


@bp.post("/incidents/<int:incident_id>/confirm")
@login_required
@role_required("approver")
def confirm_incident(incident_id: int) -> Page:
    with _db() as db:
        incidents.confirm(db, incident_id, g.user)
    flash(f"Incident {incident_id} confirmed.", "success")
    return _see_other("ui.incidents_page")


def _amendment(incident: Incident, values: Mapping[str, str]) -> dict[str, Any]:
    """Only what the person changed: the form shows the current severity and regions,
    and an unchanged field must not count as a change."""
    data: dict[str, Any] = {}
    if values["severity"] != str(incident.severity):
        data["severity"] = values["severity"]
    regions = _split(values["regions"])
    if sorted(r.upper() for r in regions) != sorted(incident.regions):
        data["regions"] = regions
    if values["extend_hours"]:
        data["extend_hours"] = values["extend_hours"]
    if data and values["reason"]:
        data["reason"] = values["reason"]
    return data


@bp.post("/incidents/<int:incident_id>/amend")
@login_required
@role_required("approver")
def amend_incident(incident_id: int) -> Page:
    values = {key: request.form.get(key, "").strip() for key in AMEND_FIELDS}
    try:
        with _db() as db:
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
    return _see_other("ui.incidents_page")


# --------------------------------------------------------------- condolences
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
    with _db() as db:
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
            other_errors=_other_errors(errors, CONDOLENCE_FIELDS),
            hints={a.name: _length_hint(a) for a in detail.accounts},
            two_person=settings.condolences.two_person_approval,
            last_editor_is_me=draft.last_editor_id == user.id,
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
    with _db() as db:
        rows = queries.drafts(db, status=query.get("status"), limit=query["limit"])
        return render_template(
            "condolences.html", rows=rows, query=raw, errors={}, statuses=queries.DRAFT_FILTERS
        )


@bp.get("/condolences/<int:draft_id>")
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


@bp.post("/condolences/<int:draft_id>/edit")
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
        with _db() as db:
            draft = condolences.edit(db, draft_id, data, g.user)
            version = draft.version
    except ValidationError as exc:
        return _render_condolence(draft_id, values, exc.errors, 400)
    if submit:
        flash(f"Version {version} submitted for approval. Nothing is published yet.", "success")
    else:
        flash(f"Version {version} saved as a draft.", "success")
    return _see_other("ui.condolence_page", draft_id=draft_id)


@bp.post("/condolences/<int:draft_id>/approve")
@login_required
@role_required("approver")
def approve_condolence(draft_id: int) -> Page:
    form = request.form
    data: dict[str, Any] = {}
    if form.get("version", "").strip():
        data["version"] = form["version"].strip()
    shown: dict[str, Any] = {}
    if form.get("when") == "later":
        shown = {
            "publish_at": form.get("publish_at", "").strip(),
            "timezone": form.get("timezone", "").strip() or "UTC",
        }
        data.update(shown)
    try:
        with _db() as db:
            created = condolences.approve(db, auth.tactful().settings, draft_id, data, g.user)
            queued = [f"{p.channel.name} at {p.local_time[:16]} {p.timezone}" for p in created]
    except ValidationError as exc:
        return _render_condolence(draft_id, shown, exc.errors, 400)
    flash(
        f"Approved: {_count(len(queued), 'condolence post')} queued ({'; '.join(queued)}).",
        "success",
    )
    return _see_other("ui.condolence_page", draft_id=draft_id)


@bp.post("/condolences/<int:draft_id>/decline")
@login_required
@role_required("approver")
def decline_condolence(draft_id: int) -> Page:
    reason = request.form.get("reason", "").strip()
    try:
        with _db() as db:
            condolences.decline(db, draft_id, {"reason": reason}, g.user)
    except ValidationError as exc:
        return _render_condolence(draft_id, {"reason": reason}, exc.errors, 400)
    flash("Declined: nothing will be published for this incident.", "success")
    return _see_other("ui.condolence_page", draft_id=draft_id)


# --------------------------------------------------------------------- audit
def _audit_filters() -> tuple[dict[str, str], dict[str, Any]]:
    """The filters as typed (for the form and the export link) and as loaded. Raises
    ``ValidationError`` naming each bad filter."""
    raw = {key: value for key in AUDIT_FILTERS if (value := request.args.get(key, "").strip())}
    return raw, load(AuditQuerySchema(), raw)


@bp.get("/audit")
@login_required
@role_required("approver")
def audit_page() -> Page:
    shared = {"object_types": AUDIT_OBJECT_TYPES, "kinds": AUDIT_KINDS, "page_size": AUDIT_PAGE}
    try:
        raw, query = _audit_filters()
    except ValidationError as exc:
        raw = {key: value for key in AUDIT_FILTERS if (value := request.args.get(key, ""))}
        html = render_template("audit.html", events=None, raw=raw, errors=exc.errors, **shared)
        return html, 400
    with _db() as db:
        events = audit.list_events(db, **query, limit=AUDIT_PAGE)
        return render_template("audit.html", events=events, raw=raw, errors={}, **shared)


@bp.get("/audit.csv")
@login_required
@role_required("approver")
def audit_export() -> Page:
    try:
        _, query = _audit_filters()
    except ValidationError as exc:
        message = " ".join(_other_errors(exc.errors, ()))
        return render_template("error.html", status=400, message=message), 400
    with _db() as db:
        body = audit_csv(audit.list_events(db, **query, limit=AUDIT_EXPORT))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


# --------------------------------------------------------------------- feeds
def _render_feeds(
    values: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    status: int = 200,
    row: tuple[int, Mapping[str, list[str]]] | None = None,
) -> tuple[str, int]:
    """The feed list and the add form; ``row`` is (feed id, errors) of a refused
    change to one feed."""
    settings = auth.tactful().settings
    with _db() as db:
        html = render_template(
            "feeds.html",
            feeds=feeds.list_feeds(db),
            values=values,
            errors=errors,
            other_errors=_other_errors(errors, FEED_FIELDS),
            row_id=row[0] if row else None,
            row_errors=row[1] if row else {},
            kinds=FEED_KINDS,
            min_interval=settings.monitor.min_interval_seconds,
            default_interval=settings.monitor.default_interval_seconds,
        )
    return html, status


@bp.get("/feeds")
@login_required
@role_required("admin")
def feeds_page() -> Page:
    return _render_feeds(NEW_FEED, {})


@bp.post("/feeds")
@login_required
@role_required("admin")
def add_feed() -> Page:
    values = {key: request.form.get(key, "").strip() for key in FEED_FIELDS}
    data = {key: value for key, value in values.items() if value or key in ("url", "kind")}
    try:
        with _db() as db:
            feed_id = feeds.add_feed(db, auth.tactful().settings, data, g.user).id
    except ValidationError as exc:
        return _render_feeds(values, exc.errors, 400)
    flash(f"Feed {feed_id} added; it is polled at once.", "success")
    return _see_other("ui.feeds_page")


def _change_feed(feed_id: int, data: dict[str, Any], done: str) -> Page:
    try:
        with _db() as db:
            feeds.update_feed(db, auth.tactful().settings, feed_id, data, g.user)
    except ValidationError as exc:
        return _render_feeds(NEW_FEED, {}, 400, row=(feed_id, exc.errors))
    flash(f"Feed {feed_id} {done}.", "success")
    return _see_other("ui.feeds_page")


@bp.post("/feeds/<int:feed_id>/enable")
@login_required
@role_required("admin")
def enable_feed(feed_id: int) -> Page:
    return _change_feed(feed_id, {"enabled": True}, "enabled")


@bp.post("/feeds/<int:feed_id>/disable")
@login_required
@role_required("admin")
def disable_feed(feed_id: int) -> Page:
    with _db() as db:
        feeds.disable_feed(db, feed_id, g.user, request.form.get("reason", "").strip())
    flash(f"Feed {feed_id} disabled.", "success")
    return _see_other("ui.feeds_page")


@bp.post("/feeds/<int:feed_id>/interval")
@login_required
@role_required("admin")
def feed_interval(feed_id: int) -> Page:
    interval = request.form.get("interval_seconds", "").strip()
    return _change_feed(feed_id, {"interval_seconds": interval}, f"now polled every {interval} s")
