"""The JSON API under ``/api/v1``: bearer-token auth, no cookies, no CSRF.

Every view reads the body, opens one transaction, calls a service and dumps the
result with ``web.api_schemas``. Every error has one shape,
``{"errors": {field: [messages]}}``; the services name the fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from flask import Blueprint, Response, g, request, url_for
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, UnsupportedMediaType

from rules.regions import search as search_regions
from scheduler import audit, condolences, holds, incidents, pages, posts, queries, users
from scheduler.context import Tactful
from scheduler.errors import Conflict, NotFound, PermissionDenied, ValidationError
from scheduler.feeds import manage as feeds
from scheduler.models import Incident, Post
from scheduler.schemas import bad_text, load
from web import auth, http_error_body, http_error_headers
from web.api_schemas import (
    AUDIT_EXPORT,
    AUDIT_PAGE,
    AuditEventSchema,
    AuditQuerySchema,
    CondolenceQuerySchema,
    CondolenceSchema,
    FeedQuerySchema,
    FeedSchema,
    IncidentQuerySchema,
    IncidentSchema,
    PasswordChangeSchema,
    PasswordResetSchema,
    PostSchema,
    RegionQuerySchema,
    RegionSchema,
    ReleaseSchema,
    TokenQuerySchema,
    TokenSchema,
    UserQuerySchema,
    UserSchema,
    audit_csv,
    openapi_document,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

Body = tuple[dict[str, Any], int] | dict[str, Any]
CSV = "text/csv"
# Views anyone may read without a token.
PUBLIC = {"api.openapi"}


Row = TypeVar("Row")


def _app() -> Tactful:
    return auth.tactful()


def _errors(status: int, field: str, message: str) -> tuple[dict[str, Any], int]:
    return {"errors": {field: [message]}}, status


@bp.before_request
def _authenticate() -> tuple[dict[str, Any], int, dict[str, str]] | None:
    if request.endpoint in PUBLIC:
        return None
    user, problem = auth.bearer_user()
    if user is None:
        body, status = _errors(401, "authorization", problem)
        return body, status, {"WWW-Authenticate": 'Bearer realm="tactful"'}
    g.user = user
    return None


@bp.errorhandler(ValidationError)
def _invalid(exc: ValidationError) -> tuple[dict[str, Any], int]:
    return {"errors": exc.errors}, 400


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound) -> tuple[dict[str, Any], int]:
    return _errors(404, "id", str(exc))


@bp.errorhandler(Conflict)
def _conflict(exc: Conflict) -> tuple[dict[str, Any], int]:
    return _errors(409, "status", str(exc))


@bp.errorhandler(PermissionDenied)
def _denied(exc: PermissionDenied) -> tuple[dict[str, Any], int]:
    return _errors(403, "role", str(exc))


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> tuple[dict[str, Any], int, dict[str, str]]:
    body, status = http_error_body(exc)
    return body, status, http_error_headers(exc)


def _body(*, optional: bool = False) -> dict[str, Any]:
    """The request body as a JSON object. Raises ``ValidationError`` on ``_schema``
    for a missing (unless ``optional``), malformed or non-object body; a body over
    the size limit raises 413 while being read, one sent as another type than JSON
    415 (a body with no ``Content-Type`` is read as JSON)."""
    mimetype = request.mimetype
    raw = request.get_data(cache=True)
    # A form body was read into ``request.form`` already (the text check before
    # every view), so its length says a body came, not the data left.
    sent = bool(request.content_length or raw.strip() or request.form)
    if sent and mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType(
            f"The body is {mimetype}; send it as JSON with Content-Type: application/json."
        )
    if not raw.strip():
        if optional:
            return {}
        raise ValidationError.single("_schema", "Send a JSON object in the request body.")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ValidationError.single("_schema", f"Malformed JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValidationError.single("_schema", "Expected a JSON object.")
    errors = bad_text(data)
    if errors:
        raise ValidationError(errors)
    return data


def _after(query: dict[str, Any], *kinds: type) -> tuple[Any, ...] | None:
    """The sort key the query's ``cursor`` holds (a 400 naming ``cursor`` when it is
    not one of this list), or ``None`` for the first page."""
    cursor = query.pop("cursor", None)
    return None if cursor is None else pages.decode(cursor, kinds)


def _page(
    rows: Sequence[Row], limit: int, key_of: Callable[[Row], tuple[Any, ...]]
) -> tuple[list[Row], str | None]:
    """A page of ``rows`` (fetched as ``limit + 1``) and the next page's cursor."""
    return pages.cut(rows, limit, key_of)


# --------------------------------------------------------------------- posts
@bp.post("/posts")
def create_posts() -> Body:
    data = _body()
    with _app().db.session() as db:
        created = posts.create_posts(db, _app().settings, data, g.user)
        reasons = holds.open_hold_reasons(db, [p.id for p in created])
        return {"posts": PostSchema(holds=reasons, many=True).dump(created)}, 201


def _page_link(args: dict[str, str], cursor: str | None) -> str | None:
    """The list's URL with the same filters and ``cursor`` (``None`` for no cursor)."""
    query: dict[str, Any] = {k: v for k, v in args.items() if k not in ("cursor", "offset")}
    if cursor is not None:
        query["cursor"] = cursor
    return url_for("api.list_posts", **query)


@bp.get("/posts")
def list_posts() -> Body:
    args = request.args.to_dict()
    with _app().db.session() as db:
        page = posts.list_posts(db, args, cursor_key=auth.cursor_key())
        return {
            "posts": PostSchema(holds=page.holds, many=True).dump(page.posts),
            "total": page.total,
            "total_exact": page.total_exact,
            "next_cursor": page.next_cursor,
            "previous_cursor": page.previous_cursor,
            "links": {
                "first": _page_link(args, None),
                "next": page.next_cursor and _page_link(args, page.next_cursor),
                "previous": page.previous_cursor and _page_link(args, page.previous_cursor),
            },
        }


def _dump_post(db: Session, post: Post) -> dict[str, Any]:
    reasons = holds.open_hold_reasons(db, [post.id])
    result: dict[str, Any] = PostSchema(holds=reasons).dump(post)
    return result


@bp.get("/posts/<id:post_id>")
def get_post(post_id: int) -> Body:
    with _app().db.session() as db:
        return _dump_post(db, posts.get_post(db, post_id))


@bp.patch("/posts/<id:post_id>")
def update_post(post_id: int) -> Body:
    data = _body()
    with _app().db.session() as db:
        post = posts.update_post(db, _app().settings, post_id, data, g.user)
        return _dump_post(db, post)


@bp.delete("/posts/<id:post_id>")
def cancel_post(post_id: int) -> Body:
    with _app().db.session() as db:
        post = posts.cancel_post(db, post_id, g.user, "cancelled through the API")
        return _dump_post(db, post)


# ----------------------------------------------------------------- incidents
@bp.post("/incidents")
@auth.role_required("approver")
def declare_incident() -> Body:
    data = _body()
    with _app().db.session() as db:
        declared = incidents.declare(db, _app().settings, data, g.user)
        incident = declared.incident
        held = {incident.id: declared.fan_out.holds_created}
        return IncidentSchema(held=held).dump(incident), 201


@bp.get("/incidents")
def list_incidents() -> Body:
    query = load(IncidentQuerySchema(), request.args.to_dict())
    after = _after(query, datetime, int)
    with _app().db.session() as db:
        found = incidents.list_incidents(
            db, open_only=query["open"], limit=query["limit"] + 1, after=after
        )
        rows, next_cursor = _page(found, query["limit"], incidents.list_key)
        counts = incidents.held_counts(db, [i.id for i in rows])
        schema = IncidentSchema(held=counts, many=True, exclude=("reports",))
        return {"incidents": schema.dump(rows), "next_cursor": next_cursor}


def _dump_incident(db: Session, incident: Incident) -> dict[str, Any]:
    counts = incidents.held_counts(db, [incident.id])
    reports = {incident.id: incidents.reports_for(db, incident.id)}
    dumped: dict[str, Any] = IncidentSchema(held=counts, reports=reports).dump(incident)
    return dumped


@bp.get("/incidents/<id:incident_id>")
def get_incident(incident_id: int) -> Body:
    with _app().db.session() as db:
        return _dump_incident(db, incidents.get_incident(db, incident_id))


@bp.patch("/incidents/<id:incident_id>")
@auth.role_required("approver")
def amend_incident(incident_id: int) -> Body:
    data = _body()
    with _app().db.session() as db:
        incident = incidents.amend(db, _app().settings, incident_id, data, g.user)
        return _dump_incident(db, incident)


@bp.post("/incidents/<id:incident_id>/confirm")
@auth.role_required("approver")
def confirm_incident(incident_id: int) -> Body:
    with _app().db.session() as db:
        return _dump_incident(db, incidents.confirm(db, incident_id, g.user))


def _end(incident_id: int, status: str) -> Body:
    data = _body(optional=True)
    with _app().db.session() as db:
        release = incidents.end(db, _app().settings, incident_id, status, data, g.user)
    result: dict[str, Any] = ReleaseSchema().dump(
        {
            "id": incident_id,
            "status": status,
            "released": release.released,
            "requeued": release.requeued,
            "needs_review": release.needs_review,
        }
    )
    return result


@bp.post("/incidents/<id:incident_id>/resolve")
@auth.role_required("approver")
def resolve_incident(incident_id: int) -> Body:
    return _end(incident_id, "resolved")


@bp.post("/incidents/<id:incident_id>/dismiss")
@auth.role_required("approver")
def dismiss_incident(incident_id: int) -> Body:
    return _end(incident_id, "dismissed")


# --------------------------------------------------------------- condolences
def _dump_draft(db: Session, draft_id: int) -> dict[str, Any]:
    detail = queries.draft_detail(db, draft_id)
    schema = CondolenceSchema(revisions={draft_id: detail.revisions})
    dumped: dict[str, Any] = schema.dump(detail.row)
    return dumped


@bp.get("/condolences")
def list_condolences() -> Body:
    query = load(CondolenceQuerySchema(), request.args.to_dict())
    after = _after(query, datetime, int)
    with _app().db.session() as db:
        found = queries.drafts(
            db, status=query.get("status"), limit=query["limit"] + 1, after=after
        )
        rows, next_cursor = _page(found, query["limit"], queries.draft_key)
        schema = CondolenceSchema(many=True, exclude=("revisions",))
        return {"condolences": schema.dump(rows), "next_cursor": next_cursor}


@bp.get("/condolences/<id:draft_id>")
def get_condolence(draft_id: int) -> Body:
    with _app().db.session() as db:
        return _dump_draft(db, draft_id)


@bp.patch("/condolences/<id:draft_id>")
def edit_condolence(draft_id: int) -> Body:
    data = _body()
    with _app().db.session() as db:
        condolences.edit(db, draft_id, data, g.user)
        return _dump_draft(db, draft_id)


@bp.post("/condolences/<id:draft_id>/approve")
@auth.role_required("approver")
def approve_condolence(draft_id: int) -> Body:
    data = _body(optional=True)
    with _app().db.session() as db:
        created = condolences.approve(db, _app().settings, draft_id, data, g.user)
        reasons = holds.open_hold_reasons(db, [p.id for p in created])
        return {
            "condolence": _dump_draft(db, draft_id),
            "posts": PostSchema(holds=reasons, many=True).dump(created),
        }


@bp.post("/condolences/<id:draft_id>/decline")
@auth.role_required("approver")
def decline_condolence(draft_id: int) -> Body:
    data = _body()
    with _app().db.session() as db:
        condolences.decline(db, draft_id, data, g.user)
        return _dump_draft(db, draft_id)


# --------------------------------------------------------------------- audit
def _wants_csv(fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "csv"
    return request.accept_mimetypes.best_match(["application/json", CSV]) == CSV


@bp.get("/audit")
@auth.role_required("approver")
def audit_log() -> Body | Response:
    """Read only: the audit log has no write endpoint, by design."""
    # Unlike the page's filter form, the API takes no empty values (``limit=``).
    query = load(AuditQuerySchema(), request.args.to_dict())
    as_csv = _wants_csv(query.pop("format", None))
    after = _after(query, datetime, int)
    limit = query.pop("limit", AUDIT_EXPORT if as_csv else AUDIT_PAGE)
    with _app().db.session() as db:
        found = audit.list_events(db, **query, limit=limit + 1, after=after)
        events, next_cursor = _page(found, limit, audit.event_key)
        if as_csv:
            return Response(audit_csv(events), mimetype=CSV)
        return {"events": AuditEventSchema(many=True).dump(events), "next_cursor": next_cursor}


# --------------------------------------------------------------------- feeds
@bp.get("/feeds")
@auth.role_required("admin")
def list_feeds() -> Body:
    query = load(FeedQuerySchema(), request.args.to_dict())
    after = _after(query, int)
    with _app().db.session() as db:
        found = feeds.list_feeds(
            db, enabled=query.get("enabled"), limit=query["limit"] + 1, after=after
        )
        rows, next_cursor = _page(found, query["limit"], lambda feed: (feed.id,))
        return {"feeds": FeedSchema(many=True).dump(rows), "next_cursor": next_cursor}


@bp.post("/feeds")
@auth.role_required("admin")
def add_feed() -> Body:
    data = _body()
    with _app().db.session() as db:
        return FeedSchema().dump(feeds.add_feed(db, _app().settings, data, g.user)), 201


@bp.get("/feeds/<id:feed_id>")
@auth.role_required("admin")
def get_feed(feed_id: int) -> Body:
    with _app().db.session() as db:
        dumped: dict[str, Any] = FeedSchema().dump(feeds.get_feed(db, feed_id))
        return dumped


@bp.patch("/feeds/<id:feed_id>")
@auth.role_required("admin")
def update_feed(feed_id: int) -> Body:
    data = _body()
    with _app().db.session() as db:
        feed = feeds.update_feed(db, _app().settings, feed_id, data, g.user)
        dumped: dict[str, Any] = FeedSchema().dump(feed)
        return dumped


@bp.delete("/feeds/<id:feed_id>")
@auth.role_required("admin")
def delete_feed(feed_id: int) -> Response:
    with _app().db.session() as db:
        feeds.delete_feed(db, feed_id, g.user)
    return Response(status=204)


# ------------------------------------------------------------- credentials
@bp.get("/tokens")
def list_tokens() -> Body:
    """One's own API tokens; an admin sees everyone's."""
    query = load(TokenQuerySchema(), request.args.to_dict())
    after = _after(query, int)
    with _app().db.session() as db:
        mine = None if users.has_role(g.user, "admin") else g.user.id
        found = users.list_tokens(
            db, mine, active=query.get("active"), limit=query["limit"] + 1, after=after
        )
        rows, next_cursor = _page(found, query["limit"], lambda token: (token.id,))
        return {"tokens": TokenSchema(many=True).dump(rows), "next_cursor": next_cursor}


@bp.delete("/tokens/<id:token_id>")
def revoke_token(token_id: int) -> Body:
    with _app().db.session() as db:
        dumped: dict[str, Any] = TokenSchema().dump(users.revoke_token_as(db, token_id, g.user))
        return dumped


@bp.post("/account/password")
def change_password() -> Response:
    """Change one's own password: every session of this user ends (tokens stay)."""
    data = load(PasswordChangeSchema(), _body())
    with _app().db.session() as db:
        user = users.get_user(db, g.user.id)
        users.change_password(db, user, data["current_password"], data["new_password"])
    return Response(status=204)


@bp.get("/users")
@auth.role_required("admin")
def list_users() -> Body:
    query = load(UserQuerySchema(), request.args.to_dict())
    after = _after(query, str)
    with _app().db.session() as db:
        found = users.list_users(
            db,
            active=query.get("active"),
            role=query.get("role"),
            limit=query["limit"] + 1,
            after=after,
        )
        rows, next_cursor = _page(found, query["limit"], lambda user: (user.name,))
        return {"users": UserSchema(many=True).dump(rows), "next_cursor": next_cursor}


@bp.post("/users/<id:user_id>/deactivate")
@auth.role_required("admin")
def deactivate_user(user_id: int) -> Body:
    with _app().db.session() as db:
        dumped: dict[str, Any] = UserSchema().dump(users.set_active(db, user_id, False, g.user))
        return dumped


@bp.post("/users/<id:user_id>/reactivate")
@auth.role_required("admin")
def reactivate_user(user_id: int) -> Body:
    with _app().db.session() as db:
        dumped: dict[str, Any] = UserSchema().dump(users.set_active(db, user_id, True, g.user))
        return dumped


@bp.post("/users/<id:user_id>/password")
@auth.role_required("admin")
def reset_password(user_id: int) -> Body:
    data = load(PasswordResetSchema(), _body())
    with _app().db.session() as db:
        user = users.reset_password(db, user_id, data["password"], g.user)
        dumped: dict[str, Any] = UserSchema().dump(user)
        return dumped


# ------------------------------------------------------------------- regions
@bp.get("/regions")
def regions() -> Body:
    query = load(RegionQuerySchema(), request.args.to_dict())
    found: list[dict[str, Any]] = RegionSchema(many=True).dump(search_regions(query["q"]))
    return {"regions": found}


@bp.get("/openapi.json")
def openapi() -> Body:
    return openapi_document(_app().settings)


# Further operations on this blueprint, each area in a module of its own.
from web import api_admin, api_approval, api_composer, api_imports, api_overview  # noqa: E402, F401
