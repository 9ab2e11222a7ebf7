"""The API of the dashboard, the calendar and one's own settings (``/api/v1``):
the same reads as the pages, in the viewer's time zone."""

from __future__ import annotations

from typing import Any

from flask import g, request

from scheduler import calendar, clock, dashboard, preferences
from scheduler.models import User
from web.api import Body, _app, _body, bp
from web.api_schemas.overview import (
    AccountSchema,
    CalendarDaySchema,
    DashboardIncidentSchema,
    DashboardPromptSchema,
    FeedHealthSchema,
    HeldPostSchema,
)
from web.api_schemas.posts import PostSchema


def _account(user: User) -> dict[str, Any]:
    settings = _app().settings
    dumped: dict[str, Any] = AccountSchema().dump(
        {
            "id": user.id,
            "name": user.name,
            "role": user.role,
            "timezone": preferences.zone_of(user, settings),
            "timezone_is_default": not user.timezone,
            "default_timezone": settings.default_timezone,
        }
    )
    return dumped


@bp.get("/account")
def get_account() -> Body:
    return _account(g.user)


@bp.patch("/account")
def update_account() -> Body:
    data = _body()
    with _app().db.session() as db:
        user = preferences.set_timezone(db, g.user.id, data)
        return _account(user)


@bp.get("/dashboard")
def get_dashboard() -> Body:
    settings = _app().settings
    with _app().db.session() as db:
        board = dashboard.build(db, g.user, two_person=settings.condolences.two_person_approval)
        return {
            "timezone": preferences.zone_of(g.user, settings),
            "next_out": PostSchema(many=True).dump(board.next_out),
            "held": HeldPostSchema(holds=board.holds, evidence=board.evidence, many=True).dump(
                board.held
            ),
            "incidents": DashboardIncidentSchema(many=True).dump(board.incidents),
            "open_incidents": board.open_incidents,
            "prompts": DashboardPromptSchema(many=True).dump(board.prompts),
            "feeds": {
                "total": board.feeds_total,
                "failing": board.feeds_failing,
                "shown": FeedHealthSchema(many=True).dump(board.feeds),
            },
        }


@bp.get("/calendar")
def get_calendar() -> Body:
    zone = preferences.zone_of(g.user, _app().settings)
    with _app().db.session() as db:
        cal = calendar.build(db, request.args.to_dict(), zone, clock.now())
        posts = PostSchema(holds=cal.holds)
        days = []
        for day in cal.days:
            dumped: dict[str, Any] = CalendarDaySchema().dump(day)
            dumped["posts"] = [posts.dump(p) for p in day.posts]
            days.append(dumped)
        return {
            "view": cal.view,
            "date": cal.anchor.isoformat(),
            "first": cal.first.isoformat(),
            "last": cal.last.isoformat(),
            "previous": cal.previous.isoformat() if cal.previous else None,
            "next": cal.next.isoformat() if cal.next else None,
            "timezone": cal.zone,
            "per_day": cal.per_day,
            "days": days,
        }
