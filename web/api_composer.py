"""The composer's API: ``POST /api/v1/posts/preview``, the post form's Preview.

Routes are added to the API blueprint (its token check and error handlers apply);
``web.api`` imports this module once its blueprint exists.
"""

from __future__ import annotations

from typing import Any

from scheduler.compose import preview_posts
from web.api import Body, _app, _body, bp
from web.api_schemas.composer import NetworkPreviewSchema


@bp.post("/posts/preview")
def preview_post() -> Body:
    """Count and show a text (and its network variants) per network; stores nothing."""
    data = _body()
    with _app().db.session() as db:
        found = preview_posts(db, data)
        previews: list[dict[str, Any]] = NetworkPreviewSchema(many=True).dump(found)
    return {"previews": previews}
