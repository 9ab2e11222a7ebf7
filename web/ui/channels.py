"""Channel accounts: admins enable and disable them, each change audited.

Disabling an account that still has queued or held posts is a decision a person
makes: the first press shows how many posts wait and asks again; only the second,
confirmed one disables it (its posts then go to review instead of out).
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, render_template, request

from scheduler import accounts
from web import auth
from web.auth import login_required, role_required
from web.ui.common import Page, bp, db_session, see_other


def _render(
    confirm: accounts.ConfirmationNeeded | None = None,
    channel_id: int | None = None,
    **extra: Any,
) -> str:
    """The page; ``extra`` is what the add form and the connection test show
    (``web.ui.channel_admin``)."""
    configured = {c.name for c in auth.tactful().settings.channels}
    context = {"add_values": {}, "add_errors": {}, "add_other_errors": [], "check": None} | extra
    with db_session() as db:
        html = render_template(
            "channels.html",
            channels=accounts.list_accounts(db),
            waiting=accounts.waiting_posts(db),
            configured=configured,
            confirm=confirm,
            confirm_id=channel_id,
            **context,
        )
    return html


@bp.get("/channels")
@login_required
@role_required("admin")
def channels_page() -> Page:
    return _render()


@bp.post("/channels/<int:channel_id>/enable")
@login_required
@role_required("admin")
def enable_channel(channel_id: int) -> Page:
    with db_session() as db:
        row = accounts.set_enabled(
            db, channel_id, True, g.user, reason=request.form.get("reason", "").strip()
        )
        name = row.name
    flash(f"Channel account {name} enabled.", "success")
    return see_other("ui.channels_page")


@bp.post("/channels/<int:channel_id>/disable")
@login_required
@role_required("admin")
def disable_channel(channel_id: int) -> Page:
    confirmed = request.form.get("confirm") == "yes"
    try:
        with db_session() as db:
            row = accounts.set_enabled(
                db,
                channel_id,
                False,
                g.user,
                reason=request.form.get("reason", "").strip(),
                confirm=confirmed,
            )
            name = row.name
    except accounts.ConfirmationNeeded as exc:
        return _render(exc, channel_id), 409
    flash(f"Channel account {name} disabled.", "success")
    return see_other("ui.channels_page")
