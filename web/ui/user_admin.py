"""Admins create users and change their roles; everyone creates API tokens for
themselves (shown once, on the answer to the form, never stored in the session)."""

from __future__ import annotations

from flask import flash, g, request
from werkzeug.wrappers import Response

from scheduler import user_admin, users
from scheduler.errors import Conflict, ValidationError
from web.auth import login_required, role_required
from web.ui.accounts import _render_account, _render_users
from web.ui.common import Page, bp, db_session, other_errors, see_other

NEW_USER_FIELDS = ("name", "role", "email", "password")


@bp.post("/users")
@login_required
@role_required("admin")
def create_user() -> Page:
    values = {key: request.form.get(key, "").strip() for key in NEW_USER_FIELDS}
    values["password"] = request.form.get("password", "")
    try:
        with db_session() as db:
            user = users.create_user(
                db,
                values["name"],
                values["password"],
                values["role"],
                g.user.name,
                values["email"] or None,
            )
            name, role = user.name, user.role
    except ValidationError as exc:
        shown = {k: v for k, v in values.items() if k != "password"}
        return _render_users(
            status=400,
            new_values=shown,
            new_errors=exc.errors,
            new_other_errors=other_errors(exc.errors, NEW_USER_FIELDS),
        )
    flash(f"User {name} created as {role}.", "success")
    return see_other("ui.users_page")


@bp.post("/users/<id:user_id>/role")
@login_required
@role_required("admin")
def change_role(user_id: int) -> Page:
    try:
        with db_session() as db:
            user = user_admin.change_role(
                db, user_id, {"role": request.form.get("role", "")}, g.user
            )
            name, role = user.name, user.role
    except ValidationError as exc:
        return _render_users(exc.errors, 400, row_id=user_id)
    except Conflict as exc:
        return _render_users({"role": [str(exc)]}, 409, row_id=user_id)
    flash(f"{name} is now {role}.", "success")
    return see_other("ui.users_page")


@bp.post("/account/tokens")
@login_required
def create_own_token() -> Page | Response:
    name = request.form.get("token_name", "").strip()
    try:
        with db_session() as db:
            token = users.create_token(db, users.get_user(db, g.user.id), name, g.user.name)
    except ValidationError as exc:
        return _render_account(
            status=400, token_errors={"token_name": exc.errors.get("name", [])}, token_name=name
        )
    return _render_account(new_token=token, token_name=name)
