"""``/api/v1/policy``: the hold policy's lines; admins change or reset one."""

from __future__ import annotations

from typing import Any

from flask import g

from scheduler import policy as hold_policy
from web import auth
from web.api import Body, _app, _body, bp
from web.api_schemas.policy import PolicyChangeSchema, PolicyLineSchema


@bp.get("/policy")
def list_policy() -> Body:
    """The policy in force (everyone may read what holds their posts)."""
    with _app().db.session() as db:
        lines = hold_policy.lines(db, _app().settings)
        return {"lines": PolicyLineSchema(many=True).dump(lines)}


@bp.put("/policy/<category>")
@auth.role_required("admin")
def change_policy(category: str) -> Body:
    data = _body()
    with _app().db.session() as db:
        done = hold_policy.update(db, _app().settings, category, data, g.user)
        dumped: dict[str, Any] = PolicyChangeSchema().dump(done)
        return dumped


@bp.delete("/policy/<category>")
@auth.role_required("admin")
def reset_policy(category: str) -> Body:
    with _app().db.session() as db:
        done = hold_policy.reset(db, _app().settings, category, g.user)
        dumped: dict[str, Any] = PolicyChangeSchema().dump(done)
        return dumped
