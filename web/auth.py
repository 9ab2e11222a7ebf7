"""Who is asking: session login for the UI, bearer tokens for the API, role checks.

Users and tokens are looked up through ``scheduler.users``; this module holds no
queries. The session cookie carries the user id and the user's session generation
at login; the user is reloaded on every request, and a session whose generation is
no longer the user's (after a logout anywhere, a password change or reset, or a
deactivation) is refused, so a copied cookie stops working everywhere at once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, redirect, request, session, url_for

from scheduler import pagination, users
from scheduler.context import Tactful
from scheduler.errors import NotFound, PermissionDenied
from scheduler.models import User

SESSION_USER = "user_id"
SESSION_GENERATION = "generation"
BEARER = "bearer"

View = TypeVar("View", bound=Callable[..., Any])


def tactful() -> Tactful:
    return cast(Tactful, current_app.extensions["tactful"])


def cursor_key() -> bytes:
    """The key that signs list cursors: derived from the app's secret key, so every
    web process sharing that key accepts the others' cursors."""
    return pagination.key_for(str(current_app.secret_key or ""))


def current_user() -> User | None:
    """The user this request acts for, set by ``login_required`` or the API's token
    check; ``None`` elsewhere."""
    return cast(User | None, g.get("user"))


def log_in(user: User) -> None:
    """Start a fresh session for ``user``: whatever the session held before login
    (an attacker-planted id, an old CSRF token) is dropped."""
    session.clear()
    session[SESSION_USER] = user.id
    session[SESSION_GENERATION] = user.session_generation


def log_out() -> None:
    session.clear()


def session_user() -> User | None:
    """The active user whose id the session holds, or ``None``."""
    user_id = session.get(SESSION_USER)
    if not isinstance(user_id, int):
        return None
    with tactful().db.session() as db:
        try:
            user = users.get_user(db, user_id)
        except NotFound:
            return None
    if not user.active or session.get(SESSION_GENERATION) != user.session_generation:
        return None
    return user


def bearer_user() -> tuple[User | None, str]:
    """The user an ``Authorization: Bearer tft_…`` header names, or ``None`` and why."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != BEARER or not token:
        return None, "Send an API token in the header: Authorization: Bearer tft_…"
    with tactful().db.session() as db:
        user = users.user_for_token(db, token)
    if user is None:
        return None, "The API token is unknown or revoked."
    return user, ""


def _next_target() -> str | None:
    if request.method != "GET":
        return None
    return request.full_path.rstrip("?")


def login_required(view: View) -> View:
    """UI views: redirect to the login page unless the session holds an active user."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = session_user()
        if user is None:
            session.pop(SESSION_USER, None)
            return redirect(url_for("ui.login", next=_next_target()))
        g.user = user
        return view(*args, **kwargs)

    return cast(View, wrapped)


def role_required(role: str) -> Callable[[View], View]:
    """Refuse (403) unless the authenticated user has ``role`` or a higher one. Goes
    under ``login_required`` (or behind the API's token check)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None or not users.has_role(user, role):
                raise PermissionDenied(f"This needs the {role} role.")
            return view(*args, **kwargs)

        return cast(View, wrapped)

    return decorator


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: never another host (``//evil``, ``/\\evil``), and
    nothing with a control character or space, which browsers drop or which would
    break the header (a tab in ``/<tab>/evil.example`` leaves ``//evil.example``)."""
    return bool(
        target
        and len(target) <= 2000
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and "\\" not in target
        and all(" " < c != "\x7f" for c in target)
    )
