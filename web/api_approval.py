"""API operations of post approval: ``POST /api/v1/posts/<id>/approve`` and
``…/reject``, each taking the ``version`` the approver read (``scheduler.approval``).

Registered on the API blueprint (``web.api`` imports this module), so they share its
bearer-token authentication and its error shape.
"""

from __future__ import annotations

from flask import g

from scheduler import approval
from web import auth
from web.api import Body, _app, _body, _dump_post, bp


@bp.post("/posts/<id:post_id>/approve")
@auth.role_required("approver")
def approve_post(post_id: int) -> Body:
    data = _body()
    with _app().db.session() as db:
        post = approval.approve(db, _app().settings, post_id, data, g.user)
        return _dump_post(db, post)


@bp.post("/posts/<id:post_id>/reject")
@auth.role_required("approver")
def reject_post(post_id: int) -> Body:
    data = _body()
    with _app().db.session() as db:
        post = approval.reject(db, post_id, data, g.user)
        return _dump_post(db, post)
