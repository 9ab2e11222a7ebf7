"""The CSV import page: upload a file of posts, every row checked, all or nothing;
the errors listed by row and column; a template to start from. Works without
JavaScript (a plain multipart form)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask import Response, flash, g, render_template, request

from scheduler import approval, imports
from scheduler.errors import ValidationError
from web import auth
from web.auth import login_required
from web.ui.common import Page, bp, count, db_session, see_other

_ROW_KEY = re.compile(r"^row (\d+): (.+)$")


def _problems(
    errors: Mapping[str, list[str]],
) -> tuple[list[str], list[tuple[int, str, list[str]]]]:
    """File-level messages, and ``(row, column, messages)`` per cell, in order."""
    whole: list[str] = []
    cells: list[tuple[int, str, list[str]]] = []
    for key, messages in errors.items():
        found = _ROW_KEY.match(key)
        if found is None:
            whole.extend(messages)
        else:
            column = found.group(2)
            cells.append(
                (int(found.group(1)), "(the row)" if column == "_row" else column, messages)
            )
    return whole, cells


def _page(
    errors: Mapping[str, list[str]] | None = None, status: int = 200, **extra: object
) -> tuple[str, int]:
    whole, cells = _problems(errors or {})
    limits = auth.tactful().settings.imports
    html = render_template(
        "posts_import.html",
        file_errors=whole,
        cell_errors=cells,
        columns=imports.COLUMNS,
        required=imports.REQUIRED,
        limits=limits,
        **extra,
    )
    return html, status


@bp.route("/posts/import", methods=["GET", "POST"])
@login_required
def import_posts() -> Page:
    if request.method == "GET":
        return _page()
    upload = request.files.get("file")
    dry_run = "dry_run" in request.form
    if upload is None or not upload.filename:
        return _page({"file": ["Choose a CSV file to import."]}, 400)
    raw = upload.read()
    try:
        with db_session() as db:
            result = imports.import_posts(
                db,
                auth.tactful().settings,
                raw,
                g.user,
                filename=upload.filename,
                dry_run=dry_run,
            )
            waiting = sum(1 for p in result.posts if p.status == approval.PENDING)
            held = sum(1 for p in result.posts if p.status == "held")
    except ValidationError as exc:
        return _page(exc.errors, 400, filename=upload.filename)
    if dry_run:
        return _page(
            checked=f"Every row of {upload.filename} is valid: importing it would queue "
            f"{count(result.count, 'post')} from {count(result.rows, 'row')}. Nothing was stored.",
        )
    message = f"Imported {count(len(result.posts), 'post')} from {count(result.rows, 'row')}."
    if waiting:
        message += f" {waiting} wait for an approver."
    if held:
        message += f" {held} held by an open incident."
    flash(message, "success")
    return see_other("ui.queue")


@bp.get("/posts/import/template.csv")
@login_required
def import_template() -> Response:
    return Response(
        imports.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="tactful-posts-template.csv"'},
    )
