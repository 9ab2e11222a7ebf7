"""The ``ui`` blueprint and what its areas share: a transaction, the redirect after
a form, form parsing and error helpers, and the template globals and filters."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

from flask import Blueprint, redirect, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from scheduler import users
from web import auth

bp = Blueprint("ui", __name__)

Page = str | Response | tuple[str, int]

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


def db_session() -> AbstractContextManager[Session]:
    return auth.tactful().db.session()


def see_other(endpoint: str, **values: Any) -> Response:
    return redirect(url_for(endpoint, **values), 303)


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def split(raw: str) -> list[str]:
    """``"US-TX, France"`` → ``["US-TX", "France"]``."""
    return [token.strip() for token in raw.split(",") if token.strip()]


def other_errors(errors: Mapping[str, list[str]], shown: tuple[str, ...]) -> list[str]:
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
