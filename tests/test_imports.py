"""CSV import of posts: every row checked by the post service, errors by row and
column, nothing stored unless every row is valid, and hostile files refused with a
reason rather than a crash."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from scheduler import imports, posts
from scheduler.errors import ValidationError
from scheduler.models import AuditEvent, Post
from tests.conftest import GATED, TEST_CHANNELS, make_settings

HEADER = "text,accounts,time,time_zone,category,regions\r\n"


@pytest.fixture
def settings(tmp_path, database_url):
    return make_settings(
        tmp_path,
        database_url,
        channels=[*TEST_CHANNELS, GATED],
        imports={"max_rows": 5, "max_bytes": 4096},
    )


def run(app, raw, user=None):
    with app.db.session() as session:
        result = imports.import_posts(session, app.settings, raw, user, filename="posts.csv")
        return [(p.channel.name, p.status, p.text) for p in result.posts]


def refused(app, raw):
    with pytest.raises(ValidationError) as caught:
        run(app, raw)
    return caught.value.errors


def stored(app):
    with app.db.session() as session:
        return session.scalar(select(func.count()).select_from(Post))


def test_a_valid_file_queues_every_row_and_records_the_import(app, alice):
    raw = (
        HEADER + "Autumn sale,outbox us,2026-06-02 09:00,Europe/Paris,promotional,FR\r\n"
        '"Opening hours change, see the site",masto;sky,2026-06-03T10:00,,service,\r\n'
    ).encode()
    created = run(app, raw, alice)
    assert created == [
        ("outbox", "queued", "Autumn sale"),
        ("us", "queued", "Autumn sale"),
        ("masto", "queued", "Opening hours change, see the site"),
        ("sky", "queued", "Opening hours change, see the site"),
    ]
    with app.db.session() as session:
        first = session.scalars(select(Post).order_by(Post.id)).first()
        assert (first.local_time, first.timezone, first.regions) == (
            "2026-06-02T09:00:00",
            "Europe/Paris",
            ["FR"],
        )
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "posts.imported"))
        assert (event.actor, event.reason, event.details["posts"]) == ("alice", "posts.csv", 4)


def test_one_bad_row_stores_nothing_and_every_problem_is_named_by_row_and_column(app):
    raw = (
        HEADER + "Fine row,outbox,2026-06-02 09:00,UTC,promotional,FR\r\n"
        ",nowhere,2026-06-02 25:00,Mars/Base,party,Atlantis\r\n"
        "Another fine row,outbox,2026-06-02 10:00,UTC,service,\r\n"
        "Too early,outbox,2020-01-01 10:00,UTC,service,\r\n"
    ).encode()
    errors = refused(app, raw)
    assert set(errors) == {
        "row 3: text",
        "row 3: accounts",
        "row 3: time",
        "row 3: time_zone",
        "row 3: category",
        "row 3: regions",
        "row 5: time",
    }
    assert "Unknown channel account 'nowhere'." in errors["row 3: accounts"]
    assert errors["row 5: time"] == ["The publish time is in the past."]
    assert stored(app) == 0


def test_posts_to_an_account_requiring_approval_wait_like_any_other(app, alice):
    raw = (HEADER + "Launch day,gated outbox,2026-06-02 09:00,UTC,promotional,FR\r\n").encode()
    assert [s for _, s, _ in run(app, raw, alice)] == ["pending_approval", "queued"]


def test_quoted_line_breaks_a_bom_and_header_spellings_are_read(app):
    raw = (
        "\ufeffText,Accounts,Time,Time zone,Category\r\n"
        '"Line one\r\nline two",outbox,2026-06-02 09:00,UTC,service\r\n'
    ).encode()
    assert run(app, raw) == [("outbox", "queued", "Line one\nline two")]


def test_formula_looking_cells_are_only_text(app):
    raw = (
        HEADER
        + '"=HYPERLINK(""http://x.example"",""click"")",outbox,2026-06-02 09:00,UTC,service,\r\n'
        "+1 for everyone,@outbox,2026-06-02 09:00,UTC,service,\r\n"
    ).encode()
    errors = refused(app, raw)
    assert errors == {"row 3: accounts": ["Unknown channel account '@outbox'."]}
    raw = (
        HEADER
        + '"=HYPERLINK(""http://x.example"",""click"")",outbox,2026-06-02 09:00,UTC,service,\r\n'
    ).encode()
    assert run(app, raw) == [("outbox", "queued", '=HYPERLINK("http://x.example","click")')]


@pytest.mark.parametrize(
    ("raw", "cause"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n", "empty"),
        (HEADER.encode(), "no posts"),
        (
            "text,accounts,time,category\r\nCafé,outbox,2026-06-02 09:00,service\r\n".encode(
                "latin-1"
            ),
            "not UTF-8",
        ),
        ("text,accounts,time,category\r\n".encode("utf-16"), "UTF-16"),
        (b"text,accounts,time\r\nx,outbox,2026-06-02 09:00\r\n", "Missing column: category"),
        (b"text,accounts,time,category,colour\r\n", "Unknown column: colour"),
        (b"text,accounts,time,category,Text\r\n", "Column given twice: text"),
        (b"text;accounts;time;category\r\n", "semicolons"),
        (
            b'text,accounts,time,category\r\n"unclosed,outbox,2026-06-02 09:00,service\r\n',
            "Row 2 is not valid CSV",
        ),
        (b"text,accounts,time,category\r\nx\x00y,outbox,2026-06-02 09:00,service\r\n", "NUL"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_naming_the_cause(app, raw, cause):
    errors = refused(app, raw)
    assert list(errors) == ["file"]
    assert any(cause in message for message in errors["file"]), errors
    assert stored(app) == 0


def test_the_configured_bounds_refuse_a_file_whole(app):
    row = "x,outbox,2026-06-02 09:00,UTC,service,\r\n"
    errors = refused(app, (HEADER + row * 6).encode())
    assert errors == {"file": ["More than 5 posts in one file; split it."]}
    errors = refused(app, (HEADER + "y" * 5000 + row).encode())
    assert "at most 4,096" in errors["file"][0]
    assert stored(app) == 0


def test_a_row_with_more_cells_than_columns_is_named(app):
    raw = (HEADER + "x,outbox,2026-06-02 09:00,UTC,service,FR,surplus\r\n").encode()
    assert refused(app, raw) == {"row 2: _row": ["7 cells, but the header names 6 columns."]}


def test_blank_rows_are_skipped_but_counted(app):
    raw = (HEADER + ",,,,,\r\n\r\nx,outbox,2026-06-02 09:00,UTC,party,\r\n").encode()
    assert list(refused(app, raw)) == ["row 4: category"]


def test_the_template_imports_as_it_is(app):
    raw = imports.template_csv().encode()
    assert raw.startswith(b"text,accounts,time,time_zone,category,regions\r\n")
    created = run(app, raw)
    assert len(created) == 1 and created[0][:2] == ("outbox", "queued")
    with app.db.session() as session:
        assert [p.regions for p in posts.list_posts(session).posts] == [["BE", "FR"]]
