"""Bulk import of posts from a CSV file: every row checked, all or nothing.

Columns (a header row first, in any order): ``text``, ``accounts`` (one or more
channel account names, separated by commas, semicolons or spaces), ``time``
(``YYYY-MM-DD HH:MM`` in the row's zone, or ISO 8601 with an offset),
``time_zone`` (an IANA name; empty means UTC), ``category`` and ``regions``
(codes or names separated by commas or semicolons; empty means each account's
default audience). Header names are read case-insensitively, with spaces or hyphens
for underscores ("Time zone").

Each row goes through the same service as the post form (``posts.create_posts``),
so it is checked the same way and, on an account that requires approval, waits for
an approver like any other post. Every row is checked before the caller commits:
one bad row (or a bad file) raises ``ValidationError`` with every problem, keyed
``file`` or ``row N: column`` — N as a spreadsheet numbers rows, the header being
row 1 — and the caller's transaction stores nothing. Cells are text and only text:
one starting with ``=``, ``+``, ``-`` or ``@`` is never evaluated, only stored (or
refused) like any other.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from scheduler import audit, clock, posts
from scheduler.config import Settings
from scheduler.errors import ValidationError
from scheduler.models import Post, User
from scheduler.schemas import text_problem

COLUMNS = ("text", "accounts", "time", "time_zone", "category", "regions")
REQUIRED = ("text", "accounts", "time", "category")
# What each column is called by the post service, and back.
FIELD_OF = {
    "text": "text",
    "accounts": "channels",
    "time": "publish_at",
    "time_zone": "timezone",
    "category": "category",
    "regions": "regions",
}
COLUMN_OF = {field: column for column, field in FIELD_OF.items()}
ALIASES = {"timezone": "time_zone", "tz": "time_zone", "account": "accounts", "region": "regions"}
FILE = "file"
# A cell longer than this is not a post (csv's own limit would name no row).
MAX_CELL = 100_000


def template_csv(account: str = "outbox") -> str:
    """The downloadable template: the header and one example row, a week ahead and
    naming ``account``, so that it imports as it is."""
    when = (clock.now() + timedelta(days=7)).strftime("%Y-%m-%d 09:00")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "Our winter range is in store: come and see.",
            account,
            when,
            "Europe/Paris",
            "promotional",
            "FR, BE",
        ]
    )
    return out.getvalue()


def row_key(row: int, column: str) -> str:
    return f"row {row}: {column}"


@dataclass(frozen=True)
class ImportResult:
    """``rows`` read; ``posts`` queued (none on a dry run); ``count``: how many posts
    the rows make (one per account named)."""

    rows: int
    posts: list[Post]
    count: int


def _decode(raw: bytes) -> str:
    if not raw.strip():
        raise ValidationError.single(FILE, "The file is empty: send a header row and posts.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError.single(
            FILE, "The file is UTF-16 text; save it as CSV in UTF-8 (“CSV UTF-8”)."
        )
    try:
        # A UTF-8 byte-order mark (as spreadsheets write one) is dropped.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValidationError.single(
            FILE,
            f"The file is not UTF-8 text (byte {exc.start + 1}, line {line}); "
            "save it as CSV in UTF-8 (“CSV UTF-8”).",
        ) from None
    problem = text_problem(text)
    if problem:
        raise ValidationError.single(FILE, f"The file cannot be read as text: {problem}")
    return text


def _normal(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return ALIASES.get(key, key)


def _header(cells: list[str]) -> list[str]:
    names = [_normal(cell) for cell in cells]
    problems: list[str] = []
    if len(cells) == 1 and ";" in cells[0]:
        raise ValidationError.single(
            FILE, "The header is separated by semicolons; separate columns with commas."
        )
    unknown = [
        cells[i].strip() or f"(empty, column {i + 1})"
        for i, n in enumerate(names)
        if n not in COLUMNS
    ]
    if unknown:
        problems.append(
            f"Unknown column: {', '.join(unknown)}. The columns are {', '.join(COLUMNS)}."
        )
    duplicate = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    if duplicate:
        problems.append(f"Column given twice: {', '.join(duplicate)}.")
    absent = [c for c in REQUIRED if c not in names]
    if absent:
        problems.append(f"Missing column: {', '.join(absent)}.")
    if problems:
        raise ValidationError({FILE: problems})
    return names


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """``(spreadsheet row number, cells)`` per record; a quoted cell may hold line
    breaks. Raises naming the row when the CSV itself is malformed."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValidationError.single(
                FILE, f"Row {number + 1} is not valid CSV ({exc}); check its quotes."
            ) from None
        number += 1
        yield number, cells


def _split_accounts(cell: str) -> list[str]:
    return [name for name in re.split(r"[\s,;]+", cell.strip()) if name]


def _split_regions(cell: str) -> list[str]:
    return [name.strip() for name in re.split(r"[,;]", cell) if name.strip()]


def _row_data(values: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "text": values.get("text", "").replace("\r\n", "\n"),
        "channels": _split_accounts(values.get("accounts", "")),
        "publish_at": values.get("time", "").strip(),
        "category": values.get("category", "").strip().lower(),
    }
    if values.get("time_zone", "").strip():
        data["timezone"] = values["time_zone"].strip()
    regions = _split_regions(values.get("regions", ""))
    if regions:
        data["regions"] = regions
    return data


def parse(raw: bytes, settings: Settings) -> list[tuple[int, dict[str, Any]]]:
    """The file's rows as post-service input, ``(row number, data)``; raises
    ``ValidationError`` on ``file`` for a file that cannot be read at all."""
    limits = settings.imports
    if len(raw) > limits.max_bytes:
        raise ValidationError.single(
            FILE,
            f"The file is {len(raw):,} bytes; at most {limits.max_bytes:,} are imported at once. "
            "Split it.",
        )
    records = _records(_decode(raw))
    first = next(records, None)
    if first is None:
        raise ValidationError.single(FILE, "The file is empty: send a header row and posts.")
    names = _header(first[1])
    rows: list[tuple[int, dict[str, Any]]] = []
    errors: dict[str, list[str]] = {}
    for number, cells in records:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, or a spreadsheet's empty row of commas
        if len(rows) >= limits.max_rows:
            raise ValidationError.single(
                FILE, f"More than {limits.max_rows} posts in one file; split it."
            )
        if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
            errors[row_key(number, "_row")] = [
                f"{len(cells)} cells, but the header names {len(names)} columns."
            ]
            rows.append((number, {}))
            continue
        long = [names[i] for i, c in enumerate(cells[: len(names)]) if len(c) > MAX_CELL]
        if long:
            for column in long:
                errors[row_key(number, column)] = [f"Longer than {MAX_CELL:,} characters."]
            rows.append((number, {}))
            continue
        values = dict(zip(names, cells, strict=False))
        rows.append((number, _row_data(values)))
    if not rows:
        raise ValidationError.single(FILE, "The file has a header but no posts under it.")
    if errors:
        # Rows too malformed to check: report them with the others' problems.
        rows = [(n, d) for n, d in rows if d]
        raise _RowProblems(errors, rows)
    return rows


class _RowProblems(ValidationError):
    def __init__(self, errors: dict[str, list[str]], rows: list[tuple[int, dict[str, Any]]]):
        super().__init__(errors)
        self.rows = rows


def _row_errors(number: int, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for field, messages in errors.items():
        column = COLUMN_OF.get(field, "_row")
        out.setdefault(row_key(number, column), []).extend(messages)
    return out


def import_posts(
    session: Session,
    settings: Settings,
    raw: bytes,
    user: User | None,
    *,
    filename: str = "",
    dry_run: bool = False,
) -> ImportResult:
    """Check every row of ``raw`` and queue its posts in ``session``. Raises
    ``ValidationError`` with every problem found (file-level, or per row and column),
    leaving nothing of the file in ``session``. With ``dry_run`` the rows are checked
    the same way and nothing is kept either (the result counts what would be
    queued)."""
    # The name is the sender's: only its printable characters are recorded.
    filename = "".join(c for c in filename if c.isprintable())[:200]
    errors: dict[str, list[str]] = {}
    try:
        rows = parse(raw, settings)
    except _RowProblems as exc:
        errors.update(exc.errors)
        rows = exc.rows
    created: list[Post] = []
    whole = session.begin_nested()
    for number, data in rows:
        try:
            # A savepoint per row too: a row refused part-way leaves nothing behind.
            with session.begin_nested():
                created += posts.create_posts(session, settings, data, user)
        except ValidationError as exc:
            errors.update(_row_errors(number, exc.errors))
    if errors or dry_run:
        whole.rollback()
    if errors:
        raise ValidationError(dict(sorted(errors.items(), key=lambda kv: _order(kv[0]))))
    if dry_run:
        return ImportResult(len(rows), [], len(created))
    whole.commit()
    audit.record(
        session,
        posts.actor_name(user),
        "posts.imported",
        "post",
        None,
        filename or None,
        {"rows": len(rows), "posts": len(created), "post_ids": [p.id for p in created]},
    )
    return ImportResult(len(rows), created, len(created))


def _order(key: str) -> tuple[int, int]:
    """File problems first, then by row, then in the columns' order."""
    found = re.match(r"row (\d+): (.*)", key)
    if not found:
        return (0, 0)
    column = found.group(2)
    return (int(found.group(1)), COLUMNS.index(column) if column in COLUMNS else -1)
