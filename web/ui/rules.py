"""The hold policy: admins see which posts an incident holds at which severity, and
change a line or reset it to the configuration's; each change takes effect at once
for the open incidents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, g, render_template, request

from scheduler import policy as hold_policy
from scheduler.errors import ValidationError
from web import auth
from web.auth import login_required, role_required
from web.ui.common import Page, bp, db_session, see_other

SEVERITIES = (
    (0, "never"),
    (1, "1 minor"),
    (2, "2 regional tragedy"),
    (3, "3 broadly felt"),
    (4, "4 national mourning"),
)


def _render(
    category: str | None = None,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    with db_session() as db:
        html = render_template(
            "rules.html",
            lines=hold_policy.lines(db, auth.tactful().settings),
            severities=SEVERITIES,
            row=category,
            values=values or {},
            errors=errors or {},
        )
    return html, status


def _whole(value: str) -> int | str:
    return int(value) if value.strip().isdigit() else value


@bp.get("/rules")
@login_required
@role_required("admin")
def rules_page() -> Page:
    return _render()


@bp.post("/rules/<category>")
@login_required
@role_required("admin")
def change_rule(category: str) -> Page:
    values = {key: request.form.get(key, "") for key in ("inside", "containing", "reason")}
    data = {
        "inside": _whole(values["inside"]),
        "containing": _whole(values["containing"]),
        "reason": values["reason"].strip(),
    }
    try:
        with db_session() as db:
            done = hold_policy.update(db, auth.tactful().settings, category, data, g.user)
    except ValidationError as exc:
        return _render(category, values, exc.errors, 400)
    flash(_summary(category, done), "success")
    return see_other("ui.rules_page")


@bp.post("/rules/<category>/reset")
@login_required
@role_required("admin")
def reset_rule(category: str) -> Page:
    with db_session() as db:
        done = hold_policy.reset(db, auth.tactful().settings, category, g.user)
    flash(_summary(category, done, "back to the configuration"), "success")
    return see_other("ui.rules_page")


def _summary(category: str, done: hold_policy.Change, what: str = "changed") -> str:
    return (
        f"The {category} line is {what}: {done.held} hold(s) added and "
        f"{done.released} released for the open incidents."
    )
