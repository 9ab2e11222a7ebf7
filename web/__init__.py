"""The Flask app: an HTML UI (session login, CSRF-protected forms) and a JSON API
(bearer tokens), both thin views over ``scheduler`` services.

This package holds no rules and no queries: each view parses its input, opens one
transaction, calls a service, and renders or dumps the result. It keeps no state
between requests beyond the signed session cookie; everything else lives in the
``Tactful`` object stored on ``app.extensions["tactful"]``.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from scheduler.context import Tactful
from scheduler.errors import Conflict, NotFound, PermissionDenied
from scheduler.schemas import bad_text

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
# Sent on every answer. Scripts and styles come from this site's static files only
# (no inline script or style attribute), no page may be framed, nothing is sniffed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Paths answered with JSON errors even when no API view ran (unknown URL, 405, 413).
API_PREFIX = "/api/"


def create_app(tactful: Tactful, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web app around ``tactful``, the application objects the composition
    root (the top-level ``tactful`` package: its command and its WSGI entry point)
    built. This package never builds them itself. ``test_config`` is applied last."""
    if not isinstance(tactful, Tactful):
        raise TypeError(
            "create_app needs the Tactful application objects; under gunicorn serve "
            "the composition root's WSGI factory (see docs/operations.md)"
        )
    settings = tactful.settings

    app = Flask(__name__)
    app.extensions["tactful"] = tactful
    app.config.update(
        SECRET_KEY=settings.secret(settings.secret_key_env)
        or _stored_secret_key(settings.data_dir),
        MAX_CONTENT_LENGTH=settings.max_content_length,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if test_config:
        app.config.from_mapping(test_config)

    from web import api, api_policy, ui  # noqa: F401 - api_policy adds its routes to api.bp

    app.url_map.converters["id"] = IdConverter
    app.before_request(_refuse_unstorable_text)
    app.after_request(_security_headers)
    csrf = CSRFProtect()
    csrf.init_app(app)
    csrf.exempt(api.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(api.bp)
    _register_error_pages(app)
    return app


class IdConverter(IntegerConverter):
    """``<id:name>`` in a route: a row id. Any number of digits matches (a bound here
    would turn a DELETE of a huge id into a 405, the router checking methods before
    converters); a number past ``MAX_ID`` is a 404 from the lookup, never an
    overflow in SQL."""


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _refuse_unstorable_text() -> tuple[Any, int] | None:
    """Refuse (400, naming the field) a query string or form holding text no
    database stores (NUL, a lone surrogate), before any view sees it. JSON bodies are
    checked where the API reads them."""
    errors = bad_text({k: request.args.getlist(k) for k in request.args})
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        errors.update(bad_text({k: request.form.getlist(k) for k in request.form}))
    if not errors:
        return None
    if _wants_json():
        return {"errors": errors}, 400
    message = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
    return render_template("error.html", status=400, message=message), 400


def _stored_secret_key(data_dir: Path) -> str:
    """The session key kept in ``data_dir/secret_key`` (mode 0600), created on first
    use, so that restarts and several processes on one machine share sessions."""
    path = data_dir / SECRET_KEY_FILE
    try:
        existing = path.read_text("ascii").strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Written to a private temporary file, then linked into place: two processes
    # starting at once never see a half-written key, and the first one wins.
    fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key)
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return path.read_text("ascii").strip()
    finally:
        Path(tmp).unlink(missing_ok=True)
    return key


def http_error_body(exc: HTTPException) -> tuple[dict[str, Any], int]:
    """The JSON error for an HTTP error raised before or around a view."""
    status = exc.code or 500
    field = {404: "path", 405: "method", 413: "body", 415: "content-type"}.get(status, "_schema")
    return _json_error(status, field, exc.description or exc.name)


def http_error_headers(exc: HTTPException) -> dict[str, str]:
    """The headers the error carries besides its body's type: ``Allow`` on a 405,
    ``Retry-After`` where one is set."""
    return {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}


def _wants_json() -> bool:
    return request.path.startswith(API_PREFIX)


def _json_error(status: int, field: str, message: str) -> tuple[dict[str, Any], int]:
    return {"errors": {field: [message]}}, status


def _register_error_pages(app: Flask) -> None:
    """HTML error pages for the UI; the API blueprint answers its own errors, and
    these cover what happens before an API view runs (unknown URL, wrong method)."""

    @app.errorhandler(CSRFError)
    def csrf_failed(exc: CSRFError) -> tuple[str, int]:
        message = "The form was missing its security token or it expired; reload and retry."
        return render_template("error.html", status=400, message=message), 400

    @app.errorhandler(NotFound)
    def not_found(exc: NotFound) -> tuple[str, int]:
        return render_template("error.html", status=404, message=str(exc)), 404

    @app.errorhandler(Conflict)
    def conflict(exc: Conflict) -> tuple[str, int]:
        return render_template("error.html", status=409, message=str(exc)), 409

    @app.errorhandler(PermissionDenied)
    def denied(exc: PermissionDenied) -> tuple[str, int]:
        return render_template("error.html", status=403, message=str(exc)), 403

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response | tuple[Any, int, dict[str, str]]:
        status = exc.code or 500
        headers = http_error_headers(exc)
        if _wants_json():
            body, status = http_error_body(exc)
            return body, status, headers
        return (
            render_template("error.html", status=status, message=exc.description or exc.name),
            status,
            headers,
        )
