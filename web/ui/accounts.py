"""Credentials: one's own account (password, API tokens) and, for admins, every
user's (deactivate, reactivate, reset the password, revoke tokens).

Every change goes through ``scheduler.users``, which audits it and ends the
sessions it must end.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, render_template, request
from werkzeug.wrappers import Response

from scheduler import users
from scheduler.errors import ValidationError
from scheduler.models import ROLES
from web import auth
from web.auth import login_required, role_required
from web.ui.common import Page, bp, db_session, see_other


def _render_account(
    errors: dict[str, list[str]] | None = None, status: int = 200, **extra: Any
) -> Page:
    """The page; ``extra`` is what the token form shows (``web.ui.user_admin``)."""
    context = {"new_token": None, "token_errors": {}, "token_name": ""} | extra
    with db_session() as db:
        html = render_template(
            "account.html",
            tokens=users.list_tokens(db, g.user.id),
            errors=errors or {},
            **context,
        )
    return html, status


# The account page as other areas' forms on it re-render it (with their errors).
render_account = _render_account


@bp.get("/account")
@login_required
def account_page() -> Page:
    return _render_account()


@bp.post("/account/password")
@login_required
def change_password() -> Page:
    form = request.form
    if form.get("new_password", "") != form.get("repeat_password", ""):
        return _render_account({"repeat_password": ["The two entries differ."]}, 400)
    try:
        with db_session() as db:
            user = users.get_user(db, g.user.id)
            users.change_password(db, user, form.get("current_password", ""), form["new_password"])
    except ValidationError as exc:
        return _render_account(exc.errors, 400)
    # Every session of this user ended; this one starts afresh.
    auth.log_in(user)
    flash("Password changed; you were signed out everywhere else.", "success")
    return see_other("ui.account_page")


@bp.post("/account/tokens/<id:token_id>/revoke")
@login_required
def revoke_own_token(token_id: int) -> Response:
    with db_session() as db:
        users.revoke_token_as(db, token_id, g.user)
    flash(f"Token {token_id} revoked.", "success")
    return see_other("ui.users_page" if request.form.get("back") == "users" else "ui.account_page")


def _render_users(
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    row_id: int | None = None,
    **extra: Any,
) -> Page:
    """The page; ``extra`` is what the new-user form shows (``web.ui.user_admin``)."""
    context = {"new_values": {}, "new_errors": {}, "new_other_errors": []} | extra
    with db_session() as db:
        html = render_template(
            "users.html",
            people=users.list_users(db),
            tokens=users.list_tokens(db),
            row_errors=errors or {},
            row_id=row_id,
            roles=ROLES,
            **context,
        )
    return html, status


@bp.get("/users")
@login_required
@role_required("admin")
def users_page() -> Page:
    return _render_users()


@bp.post("/users/<id:user_id>/deactivate")
@login_required
@role_required("admin")
def deactivate_user(user_id: int) -> Response:
    with db_session() as db:
        name = users.set_active(db, user_id, False, g.user).name
    flash(f"{name} deactivated: signed out everywhere, tokens stopped.", "success")
    return see_other("ui.users_page")


@bp.post("/users/<id:user_id>/reactivate")
@login_required
@role_required("admin")
def reactivate_user(user_id: int) -> Response:
    with db_session() as db:
        name = users.set_active(db, user_id, True, g.user).name
    flash(f"{name} reactivated.", "success")
    return see_other("ui.users_page")


@bp.post("/users/<id:user_id>/password")
@login_required
@role_required("admin")
def reset_password(user_id: int) -> Page:
    try:
        with db_session() as db:
            name = users.reset_password(db, user_id, request.form.get("password", ""), g.user).name
    except ValidationError as exc:
        return _render_users(exc.errors, 400, row_id=user_id)
    flash(f"Password of {name} reset; their sessions ended.", "success")
    return see_other("ui.users_page")
