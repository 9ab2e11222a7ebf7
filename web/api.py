"""The JSON API under ``/api/v1``: bearer-token auth, no cookies, no CSRF.

Every view reads the body, opens one transaction, calls a service and dumps the
result with ``web.api_schemas``. Every error has one shape,
``{"errors": {field: [messages]}}``; the services name the fields.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, g, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from rules.regions import search as search_regions
from scheduler import holds, incidents, posts
from scheduler.context import Tactful
from scheduler.errors import Conflict, NotFound, PermissionDenied, ValidationError
from scheduler.models import Post
from scheduler.schemas import load
from web import auth
from web.api_schemas import (
    IncidentQuerySchema,
    IncidentSchema,
    PostSchema,
    RegionQuerySchema,
    RegionSchema,
    ReleaseSchema,
    openapi_document,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

Body = tuple[dict[str, Any], int] | dict[str, Any]
# Views anyone may read without a token.
PUBLIC = {"api.openapi"}


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
def _http_error(exc: HTTPException) -> tuple[dict[str, Any], int]:
    status = exc.code or 500
    field = {404: "path", 405: "method", 413: "body"}.get(status, "_schema")
    return _errors(status, field, exc.description or exc.name)


def _body(*, optional: bool = False) -> dict[str, Any]:
    """The request body as a JSON object. Raises ``ValidationError`` on ``_schema``
    for a missing (unless ``optional``), malformed or non-object body; a body over
    the size limit raises 413 while being read."""
    raw = request.get_data(cache=True)
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
    return data


# --------------------------------------------------------------------- posts
@bp.post("/posts")
def create_posts() -> Body:
    data = _body()
    with _app().db.session() as db:
        created = posts.create_posts(db, _app().settings, data, g.user)
        reasons = holds.open_hold_reasons(db, [p.id for p in created])
        return {"posts": PostSchema(holds=reasons, many=True).dump(created)}, 201


@bp.get("/posts")
def list_posts() -> Body:
    with _app().db.session() as db:
        page = posts.list_posts(db, request.args.to_dict())
        return {
            "posts": PostSchema(holds=page.holds, many=True).dump(page.posts),
            "total": page.total,
        }


def _dump_post(db: Session, post: Post) -> dict[str, Any]:
    reasons = holds.open_hold_reasons(db, [post.id])
    result: dict[str, Any] = PostSchema(holds=reasons).dump(post)
    return result


@bp.get("/posts/<int:post_id>")
def get_post(post_id: int) -> Body:
    with _app().db.session() as db:
        return _dump_post(db, posts.get_post(db, post_id))


@bp.patch("/posts/<int:post_id>")
def update_post(post_id: int) -> Body:
    data = _body()
    with _app().db.session() as db:
        post = posts.update_post(db, _app().settings, post_id, data, g.user)
        return _dump_post(db, post)


@bp.delete("/posts/<int:post_id>")
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
    with _app().db.session() as db:
        rows = incidents.list_incidents(db, open_only=query["open"], limit=query["limit"])
        counts = incidents.held_counts(db, [i.id for i in rows])
        return {"incidents": IncidentSchema(held=counts, many=True).dump(rows)}


@bp.get("/incidents/<int:incident_id>")
def get_incident(incident_id: int) -> Body:
    with _app().db.session() as db:
        incident = incidents.get_incident(db, incident_id)
        counts = incidents.held_counts(db, [incident.id])
        dumped: dict[str, Any] = IncidentSchema(held=counts).dump(incident)
        return dumped


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


@bp.post("/incidents/<int:incident_id>/resolve")
@auth.role_required("approver")
def resolve_incident(incident_id: int) -> Body:
    return _end(incident_id, "resolved")


@bp.post("/incidents/<int:incident_id>/dismiss")
@auth.role_required("approver")
def dismiss_incident(incident_id: int) -> Body:
    return _end(incident_id, "dismissed")


# ------------------------------------------------------------------- regions
@bp.get("/regions")
def regions() -> Body:
    query = load(RegionQuerySchema(), request.args.to_dict())
    found: list[dict[str, Any]] = RegionSchema(many=True).dump(search_regions(query["q"]))
    return {"regions": found}


@bp.get("/openapi.json")
def openapi() -> Body:
    return openapi_document()
