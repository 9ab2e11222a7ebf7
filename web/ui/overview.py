"""The dashboard, the calendar, and one's own time zone: the pages that show the
queue at a glance, in the viewer's zone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, g, render_template, request, url_for
from markupsafe import Markup

from scheduler import calendar, clock, dashboard, posts, preferences
from scheduler.errors import ValidationError
from scheduler.models import POST_CATEGORIES, POST_STATUSES
from web import auth
from web.auth import login_required
from web.ui import accounts
from web.ui.common import Page, bp, db_session, see_other

# Filters the calendar keeps when paging or switching views.
CALENDAR_FILTERS = ("channel", "status", "category")


def post_url(post_id: int) -> str:
    """A post's own page (its form, which shows its state, holds and history)."""
    return url_for("ui.edit_post", post_id=post_id)


def incident_url(incident_id: int) -> str:
    return url_for("ui.incidents_page", _anchor=f"incident-{incident_id}")


@bp.app_template_global("viewer_zone")
def _viewer_zone() -> str:
    return preferences.zone_of(auth.current_user(), auth.tactful().settings)


@bp.app_template_global("config_default_zone")
def _config_default_zone() -> str:
    return auth.tactful().settings.default_timezone


@bp.app_template_global("zone_choices")
def _zone_choices() -> tuple[str, ...]:
    return preferences.known_zones()


@bp.app_template_global("wall_clock")
def _wall_clock(moment: datetime | None, zone: str, fmt: str = "%H:%M") -> Markup:
    """``<time>`` with the wall time of ``moment`` in ``zone`` (``14:30``); the exact
    instant is in its ``datetime`` and ``title``."""
    if moment is None:
        return Markup("")
    shown = moment.astimezone(ZoneInfo(zone)).strftime(fmt)
    exact = moment.isoformat()
    return Markup('<time datetime="{0}" title="{0}">{1}</time>').format(exact, shown)


@bp.app_template_global("post_url")
def _post_url(post_id: int) -> str:
    return post_url(post_id)


@bp.app_template_global("incident_url")
def _incident_url(incident_id: int) -> str:
    return incident_url(incident_id)


@bp.get("/dashboard")
@login_required
def dashboard_page() -> Page:
    settings = auth.tactful().settings
    with db_session() as db:
        board = dashboard.build(db, g.user, two_person=settings.condolences.two_person_approval)
        return render_template(
            "dashboard.html",
            board=board,
            zone=preferences.zone_of(g.user, settings),
            shown=dashboard.SHOWN,
        )


def calendar_link(view: str, day: date | None, filters: dict[str, Any], **extra: Any) -> str:
    args = {k: v for k, v in filters.items() if k in CALENDAR_FILTERS and v}
    if day is not None:
        args["date"] = day.isoformat()
    return url_for("ui.calendar_page", view=view, **args, **extra)


@bp.app_template_global("calendar_link")
def _calendar_link(view: str, day: date | None, filters: dict[str, Any], **extra: Any) -> str:
    return calendar_link(view, day, filters, **extra)


@bp.get("/calendar")
@login_required
def calendar_page() -> Page:
    settings = auth.tactful().settings
    zone = preferences.zone_of(g.user, settings)
    # A filter form left on "any" sends empty values: they mean no filter.
    query = {k: v for k in request.args if (v := request.args.get(k, "").strip())}
    with db_session() as db:
        channels = posts.list_channels(db)
        shared = {
            "zone": zone,
            "channels": channels,
            "statuses": POST_STATUSES,
            "categories": POST_CATEGORIES,
            "query": query,
            "today": calendar.today_in(ZoneInfo(zone), clock.now()),
        }
        try:
            cal = calendar.build(db, query, zone, clock.now())
        except ValidationError as exc:
            return render_template("calendar.html", cal=None, errors=exc.errors, **shared), 400
        return render_template("calendar.html", cal=cal, errors={}, **shared)


@bp.post("/account/timezone")
@login_required
def set_timezone() -> Page:
    try:
        with db_session() as db:
            user = preferences.set_timezone(
                db, g.user.id, {"timezone": request.form.get("timezone", "")}
            )
            zone = preferences.zone_of(user, auth.tactful().settings)
            chosen = user.timezone
    except ValidationError as exc:
        return accounts.render_account(exc.errors, 400)
    if chosen:
        flash(f"Times are now shown in {zone}.", "success")
    else:
        flash(f"Times now follow the default time zone, {zone}.", "success")
    return see_other("ui.account_page")
