"""The ``ui`` blueprint and what its areas share: a transaction, the redirect after
a form, form parsing and error helpers, and the template globals and filters."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, redirect, url_for
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from rules.geo import area_named
from scheduler import users
from web import auth

bp = Blueprint("ui", __name__)

Page = str | Response | tuple[str, int]

# The one way the UI shows a moment: minutes, then the zone it is shown in.
SHOWN_TIME = "%Y-%m-%d %H:%M"
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")

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


@bp.app_template_filter("regions_shown")
def _regions_shown(regions: Sequence[str]) -> Markup:
    """An incident's regions as a person reads them: an area of several countries or
    states by its name, its codes in the title ("Caribbean (28 regions)"), else the
    codes."""
    codes = list(regions)
    joined = ", ".join(codes)
    name = area_named(codes)
    if name is None:
        return escape(joined)
    return Markup('<span title="{0}">{1}</span> ({2} regions)').format(joined, name, len(codes))


@bp.app_template_filter("http_link")
def _http_link(url: str | None) -> str | None:
    """Only an http(s) address becomes a link: a feed could carry ``javascript:``."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


@bp.app_template_global("when")
def _when(moment: datetime | None, zone: str | None = None, missing: str = "never") -> Markup:
    """``<time>`` showing ``moment`` as ``2026-06-01 14:30 UTC`` (or in ``zone``, an
    IANA name, as ``2026-06-01 16:30 Europe/Paris``); the exact instant is in its
    ``datetime`` and ``title``."""
    if moment is None:
        return escape(missing)
    shown = moment.astimezone(ZoneInfo(zone) if zone else UTC)
    exact = moment.astimezone(UTC).isoformat()
    label = f"{shown.strftime(SHOWN_TIME)} {zone or 'UTC'}"
    return Markup('<time datetime="{0}" title="{0}">{1}</time>').format(exact, label)


def _detail(value: Any) -> str:
    if isinstance(value, Mapping):
        return "; ".join(f"{str(key).replace('_', ' ')}: {_detail(v)}" for key, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_detail(v) for v in value) if value else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is None:  # a wall time, in a zone named beside it
            return f"{moment.strftime(SHOWN_TIME)} local"
        return f"{moment.astimezone(UTC).strftime(SHOWN_TIME)} UTC"
    return "" if value is None else str(value)


@bp.app_template_filter("details")
def _details(details: Mapping[str, Any] | None) -> str:
    """An audit event's details as text a person reads: ``severity: 3; regions:
    US-TX, US``, not escaped JSON. The API and the CSV keep the JSON."""
    return _detail(details) if details else ""
