"""Signing in and out with a name and password (a session cookie)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from scheduler import throttle, users
from web import auth
from web.ui.common import Page, bp, db_session, see_other


@bp.route("/login", methods=["GET", "POST"])
def login() -> Page:
    target = request.values.get("next", "")
    target = target if auth.is_safe_next(target) else ""
    if request.method == "GET":
        return render_template("login.html", name="", next=target, error=None)
    name = request.form.get("name", "")
    limits = auth.tactful().settings.login
    keys = throttle.limits_for(limits, name, request.remote_addr)
    with db_session() as db:
        wait = throttle.retry_after(db, limits, keys)
        user = None
        if wait is None:
            user = users.authenticate(db, name, request.form.get("password", ""))
            if user is None:
                throttle.failed(db, limits, keys, name)
            else:
                throttle.succeeded(db, limits, keys)
    if wait is not None:
        error = f"Too many failed sign-ins: try again in {wait} seconds."
        page = render_template("login.html", name=name, next=target, error=error)
        return Response(page, 429, {"Retry-After": str(wait)})
    if user is None:
        error = "Wrong name or password."
        return render_template("login.html", name=name, next=target, error=error), 401
    auth.log_in(user)
    flash(f"Signed in as {user.name}.", "success")
    return redirect(target or url_for("ui.dashboard_page"), 303)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page says."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.post("/logout")
def logout() -> Response:
    """Sign out everywhere: every session of this user ends, not only this cookie."""
    user = auth.session_user()
    if user is not None:
        with db_session() as db:
            users.log_out(db, users.get_user(db, user.id))
    auth.log_out()
    flash("Signed out.", "success")
    return see_other("ui.login")
