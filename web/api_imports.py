"""API operations of the CSV import: ``POST /api/v1/posts/import`` (the file as
``text/csv``, or as the ``file`` field of ``multipart/form-data``; ``?dry_run=true``
checks without storing) and ``GET /api/v1/posts/import/template``.

All or nothing, like the page: a 400 names every problem, ``file`` or ``row N:
column``, and stores nothing (``scheduler.imports``).
"""

from __future__ import annotations

from flask import Response, g, request
from marshmallow import fields
from werkzeug.exceptions import UnsupportedMediaType

from scheduler import holds, imports
from scheduler.errors import ValidationError
from scheduler.schemas import StrictSchema, load
from web.api import CSV, Body, _app, bp
from web.api_schemas import PostSchema

MULTIPART = "multipart/form-data"


class ImportQuerySchema(StrictSchema):
    dry_run = fields.Boolean(load_default=False)


def _upload() -> tuple[bytes, str]:
    """The file's bytes and name; 415 for a body of another type."""
    if request.mimetype == CSV:
        return request.get_data(cache=False), ""
    if request.mimetype == MULTIPART:
        upload = request.files.get("file")
        if upload is None:
            raise ValidationError.single("file", "Send the CSV file in a field named file.")
        return upload.read(), upload.filename or ""
    raise UnsupportedMediaType(f"Send the file as {CSV}, or as the file field of {MULTIPART}.")


@bp.post("/posts/import")
def import_posts() -> Body:
    query = load(ImportQuerySchema(), request.args.to_dict())
    raw, filename = _upload()
    with _app().db.session() as db:
        result = imports.import_posts(
            db, _app().settings, raw, g.user, filename=filename, dry_run=query["dry_run"]
        )
        reasons = holds.open_hold_reasons(db, [p.id for p in result.posts])
        body = {
            "rows": result.rows,
            "count": result.count,
            "dry_run": query["dry_run"],
            "posts": PostSchema(holds=reasons, many=True).dump(result.posts),
        }
    return body, 200 if query["dry_run"] else 201


@bp.get("/posts/import/template")
def import_template() -> Response:
    return Response(
        imports.template_csv(),
        mimetype=CSV,
        headers={"Content-Disposition": 'attachment; filename="tactful-posts-template.csv"'},
    )
