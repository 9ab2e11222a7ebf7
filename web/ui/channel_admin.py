"""Channel accounts an admin adds on the Channels page, and the connection test.

Accounts from the configuration file are shown as such and are read-only apart
from enabling and disabling; an account added here is kept by every sync
(``scheduler.channel_admin``).
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, request

from scheduler import channel_admin
from scheduler.errors import ValidationError
from web import auth
from web.auth import login_required, role_required
from web.ui.channels import _render
from web.ui.common import Page, bp, db_session, other_errors, see_other, split

ADD_FIELDS = (
    "name",
    "network",
    "display_name",
    "regions",
    "max_length",
    "counts_as",
    "path",
    "url",
    "secret_env",
    "base_url",
    "token_env",
    "visibility",
    "service",
    "handle",
    "password_env",
)


def _add_data(values: dict[str, str]) -> dict[str, Any]:
    """The form as the service takes it: empty fields left out (each network shows
    only its own in the browser, but a form without JavaScript sends them all)."""
    data: dict[str, Any] = {k: v for k, v in values.items() if v and k != "regions"}
    data["regions"] = split(values["regions"])
    data["enabled"] = request.form.get("enabled") == "yes"
    return data


@bp.post("/channels")
@login_required
@role_required("admin")
def add_channel() -> Page:
    values = {key: request.form.get(key, "").strip() for key in ADD_FIELDS}
    values["enabled"] = "yes" if request.form.get("enabled") == "yes" else ""
    try:
        with db_session() as db:
            row = channel_admin.add_account(db, auth.tactful().settings, _add_data(values), g.user)
            name = row.name
    except ValidationError as exc:
        shown = (*ADD_FIELDS, "enabled")
        return _render(
            add_values=values,
            add_errors=exc.errors,
            add_other_errors=other_errors(exc.errors, shown),
        ), 400
    flash(f"Channel account {name} added. Test its connection before queuing posts.", "success")
    return see_other("ui.channels_page")


@bp.post("/channels/<id:channel_id>/test")
@login_required
@role_required("admin")
def test_channel(channel_id: int) -> Page:
    result = channel_admin.check_account(auth.tactful(), channel_id, g.user)
    return _render(check=result)
