"""Signing in and out with a name and password (a session cookie)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from scheduler import users
from web import auth
from web.ui.common import Page, bp, db_session, see_other


@bp.route("/login", methods=["GET", "POST"])
def login() -> Page:
    target = request.values.get("next", "")
    target = target if auth.is_safe_next(target) else ""
    if request.method == "GET":
        return render_template("login.html", name="", next=target, error=None)
    name = request.form.get("name", "")
    with db_session() as db:
        user = users.authenticate(db, name, request.form.get("password", ""))
    if user is None:
        error = "Wrong name or password."
        return render_template("login.html", name=name, next=target, error=error), 401
    auth.log_in(user)
    flash(f"Signed in as {user.name}.", "success")
    return redirect(target or url_for("ui.queue"), 303)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page says."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.post("/logout")
def logout() -> Response:
    auth.log_out()
    flash("Signed out.", "success")
    return see_other("ui.login")
