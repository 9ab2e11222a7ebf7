"""The API's admin doors: channel accounts (list, add, test, enable, disable), users
(create, change role) and creating one's own API tokens; and the posts an incident
holds, as its page lists them. Registered on the ``api``
blueprint (``web.api`` imports this module), so it shares its token check and its
error handlers."""

from __future__ import annotations

from typing import Any

from flask import g

from scheduler import accounts, channel_admin, holds, incident_detail, incidents, user_admin, users
from scheduler.schemas import load
from web import auth
from web.api import Body, _app, _body, _errors, bp
from web.api_schemas.accounts import NewTokenSchema, TokenCreateSchema, UserSchema
from web.api_schemas.channels import ChannelCheckSchema, ChannelSchema, ChannelToggleSchema
from web.api_schemas.posts import PostSchema


# ------------------------------------------------------------------ incidents
@bp.get("/incidents/<id:incident_id>/held")
def incident_held_posts(incident_id: int) -> Body:
    """The posts an incident holds now, soonest first (at most 200), and how many."""
    with _app().db.session() as db:
        incidents.get_incident(db, incident_id)
        held = incident_detail.held_posts(db, incident_id)
        found = [row.post for row in held.rows]
        reasons = holds.open_hold_reasons(db, [p.id for p in found])
        return {"posts": PostSchema(holds=reasons, many=True).dump(found), "total": held.total}


# ------------------------------------------------------------ channel accounts
def _dump_channel(channel_id: int) -> dict[str, Any]:
    with _app().db.session() as db:
        row = channel_admin.get_account(db, channel_id)
        waiting = accounts.waiting_posts(db, [row.id])
        dumped: dict[str, Any] = ChannelSchema(waiting=waiting).dump(row)
        return dumped


@bp.get("/channels")
@auth.role_required("admin")
def list_channels() -> Body:
    with _app().db.session() as db:
        rows = accounts.list_accounts(db)
        waiting = accounts.waiting_posts(db)
        return {"channels": ChannelSchema(waiting=waiting, many=True).dump(rows)}


@bp.post("/channels")
@auth.role_required("admin")
def add_channel() -> Body:
    data = _body()
    with _app().db.session() as db:
        row = channel_admin.add_account(db, _app().settings, data, g.user)
        dumped: dict[str, Any] = ChannelSchema().dump(row)
    return dumped, 201


@bp.get("/channels/<id:channel_id>")
@auth.role_required("admin")
def get_channel(channel_id: int) -> Body:
    return _dump_channel(channel_id)


@bp.post("/channels/<id:channel_id>/enable")
@auth.role_required("admin")
def enable_channel(channel_id: int) -> Body:
    data = load(ChannelToggleSchema(), _body(optional=True))
    with _app().db.session() as db:
        accounts.set_enabled(db, channel_id, True, g.user, reason=data["reason"])
    return _dump_channel(channel_id)


@bp.post("/channels/<id:channel_id>/disable")
@auth.role_required("admin")
def disable_channel(channel_id: int) -> Body:
    data = load(ChannelToggleSchema(), _body(optional=True))
    try:
        with _app().db.session() as db:
            accounts.set_enabled(
                db, channel_id, False, g.user, reason=data["reason"], confirm=data["confirm"]
            )
    except accounts.ConfirmationNeeded as exc:
        return _errors(409, "confirm", str(exc))
    return _dump_channel(channel_id)


@bp.post("/channels/<id:channel_id>/test")
@auth.role_required("admin")
def test_channel(channel_id: int) -> Body:
    result = channel_admin.check_account(_app(), channel_id, g.user)
    dumped: dict[str, Any] = ChannelCheckSchema().dump(result)
    return dumped


# ----------------------------------------------------------------------- users
@bp.post("/users")
@auth.role_required("admin")
def create_user() -> Body:
    data = load(user_admin.UserCreateSchema(), _body())
    with _app().db.session() as db:
        user = users.create_user(
            db, data["name"], data["password"], data["role"], g.user.name, data["email"]
        )
        dumped: dict[str, Any] = UserSchema().dump(user)
    return dumped, 201


@bp.patch("/users/<id:user_id>")
@auth.role_required("admin")
def change_role(user_id: int) -> Body:
    data = _body()
    with _app().db.session() as db:
        dumped: dict[str, Any] = UserSchema().dump(
            user_admin.change_role(db, user_id, data, g.user)
        )
        return dumped


# ---------------------------------------------------------------------- tokens
@bp.post("/tokens")
def create_token() -> Body:
    """An API token for oneself; the token is in this answer only."""
    data = load(TokenCreateSchema(), _body())
    with _app().db.session() as db:
        user = users.get_user(db, g.user.id)
        token = users.create_token(db, user, data["name"], user.name)
        row = users.list_tokens(db, user.id)[0]
        dumped: dict[str, Any] = NewTokenSchema().dump(row)
    dumped["token"] = token
    return dumped, 201
