"""The CSV import through the page (a plain multipart form, no JavaScript) and the
API: the template, all-or-nothing, errors listed by row and column, posts to an
account that requires approval waiting for one."""

from __future__ import annotations

import io

import pytest

from scheduler.models import Post
from tests.conftest import GATED, TEST_CHANNELS, make_settings
from tests.web import count

HEADER = "text,accounts,time,time_zone,category,regions\r\n"
GOOD = (
    HEADER + "Autumn sale,outbox gated,2026-06-02 09:00,Europe/Paris,promotional,FR\r\n"
    "Opening hours,us,2026-06-03 10:00,,service,\r\n"
).encode()
BAD = (
    HEADER + "Autumn sale,outbox,2026-06-02 09:00,Europe/Paris,promotional,FR\r\n"
    "Opening hours,nowhere,2026-06-03 10:00,,gossip,\r\n"
).encode()


@pytest.fixture
def settings(tmp_path, database_url):
    return make_settings(tmp_path, database_url, channels=[*TEST_CHANNELS, GATED])


def upload(person, raw, name="posts.csv", **extra):
    form = {"file": (io.BytesIO(raw), name), **extra}
    form["csrf_token"] = person.csrf_token()
    return person.client.post("/posts/import", data=form, content_type="multipart/form-data")


# ------------------------------------------------------------------------ UI
def test_the_page_offers_a_labelled_upload_form_and_the_template(as_alice):
    page = as_alice.page("/posts/import")
    assert 'enctype="multipart/form-data"' in page
    assert '<label for="file">CSV file</label>' in page and 'id="file"' in page
    template = as_alice.get("/posts/import/template.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    assert template.get_data(as_text=True).startswith(HEADER)
    assert "attachment" in template.headers["Content-Disposition"]


def test_a_valid_file_is_imported_and_approval_is_still_needed(app, as_alice):
    response = upload(as_alice, GOOD)
    assert response.status_code == 303
    queue = as_alice.page("/")
    assert "Imported 3 posts from 2 rows. 1 wait for an approver." in queue
    assert "Waiting for an approver" in queue
    assert count(app, Post) == 3


def test_a_bad_file_lists_each_problem_by_row_and_column_and_stores_nothing(app, as_alice):
    response = upload(as_alice, BAD)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was imported from posts.csv" in page
    assert "<td>3</td><td>accounts</td><td>Unknown channel account &#39;nowhere&#39;.</td>" in page
    assert "<td>3</td><td>category</td>" in page
    assert count(app, Post) == 0


@pytest.mark.parametrize(
    ("raw", "cause"),
    [
        (b"", "The file is empty"),
        (
            "text,accounts,time,category\r\nCaf\u00e9,outbox,2026-06-02 09:00,service\r\n".encode(
                "cp1252"
            ),
            "not UTF-8",
        ),
        (b"text,accounts,when,category\r\n", "Unknown column: when"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(app, as_alice, raw, cause):
    response = upload(as_alice, raw)
    assert response.status_code == 400
    assert cause in response.get_data(as_text=True)
    assert count(app, Post) == 0


def test_no_file_chosen_and_a_check_only_run(app, as_alice):
    form = {"csrf_token": as_alice.csrf_token()}
    response = as_alice.client.post("/posts/import", data=form, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a CSV file to import." in response.get_data(as_text=True)
    checked = upload(as_alice, GOOD, dry_run="1")
    assert checked.status_code == 200
    assert "would queue 3 posts from 2 rows. Nothing was stored." in checked.get_data(as_text=True)
    assert count(app, Post) == 0


def test_the_form_needs_its_csrf_token(app, as_alice):
    form = {"file": (io.BytesIO(GOOD), "posts.csv")}
    response = as_alice.client.post("/posts/import", data=form, content_type="multipart/form-data")
    assert response.status_code == 400
    assert count(app, Post) == 0


# ----------------------------------------------------------------------- API
def test_the_api_takes_text_csv_and_multipart(app, alice_api, bob_api):
    plain = alice_api.call("POST", "/posts/import", data=GOOD, content_type="text/csv")
    assert plain.status_code == 201
    body = plain.get_json()
    assert (body["rows"], body["count"], body["dry_run"]) == (2, 3, False)
    assert [p["status"] for p in body["posts"]] == ["queued", "pending_approval", "queued"]
    form = bob_api.call(
        "POST",
        "/posts/import",
        data={"file": (io.BytesIO(GOOD), "posts.csv")},
        content_type="multipart/form-data",
    )
    assert form.status_code == 201
    assert count(app, Post) == 6


def test_the_api_refuses_a_bad_file_whole_naming_rows_and_columns(app, alice_api):
    answer = alice_api.call("POST", "/posts/import", data=BAD, content_type="text/csv")
    assert answer.status_code == 400
    assert answer.get_json()["errors"] == {
        "row 3: accounts": ["Unknown channel account 'nowhere'."],
        "row 3: category": ["Must be one of: promotional, informational, service, condolence."],
    }
    assert count(app, Post) == 0
    dry = alice_api.call("POST", "/posts/import?dry_run=true", data=GOOD, content_type="text/csv")
    assert dry.status_code == 200 and dry.get_json()["count"] == 3
    assert count(app, Post) == 0


def test_the_api_says_which_body_it_takes_and_serves_the_template(alice_api):
    wrong = alice_api.call("POST", "/posts/import", {"text": "not a file"})
    assert wrong.status_code == 415
    assert "text/csv" in wrong.get_json()["errors"]["content-type"][0]
    no_file = alice_api.call(
        "POST", "/posts/import", data={"other": "x"}, content_type="multipart/form-data"
    )
    assert no_file.status_code == 400 and "file" in no_file.get_json()["errors"]
    template = alice_api.get("/posts/import/template")
    assert template.status_code == 200 and template.get_data(as_text=True).startswith(HEADER)


def test_a_file_over_the_request_limit_is_refused_with_413_not_a_crash(app, as_alice, alice_api):
    huge = HEADER.encode() + b"x" * (app.settings.max_content_length + 10)
    # The multipart body built by hand: the test client would spool a file of this
    # size to disk and leave it open when the request is refused.
    body = (
        b"--cut\r\n"
        b'Content-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + as_alice.csrf_token().encode()
        + b"\r\n--cut\r\n"
        b'Content-Disposition: form-data; name="file"; filename="huge.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + huge + b"\r\n--cut--\r\n"
    )
    page = as_alice.client.post(
        "/posts/import", data=body, content_type="multipart/form-data; boundary=cut"
    )
    assert page.status_code == 413
    answer = alice_api.call("POST", "/posts/import", data=huge, content_type="text/csv")
    assert answer.status_code == 413 and "body" in answer.get_json()["errors"]
    assert count(app, Post) == 0


def test_a_file_over_the_import_limit_names_the_limit(app, alice_api):
    big = HEADER.encode() + b"x" * (app.settings.imports.max_bytes + 10)
    answer = alice_api.call("POST", "/posts/import", data=big, content_type="text/csv")
    assert answer.status_code == 400
    assert "at most 524,288 are imported at once" in answer.get_json()["errors"]["file"][0]


def test_the_recorded_file_name_keeps_only_printable_characters(app, as_alice):
    assert upload(as_alice, GOOD, name="po\x00sts\x1b.csv").status_code == 303
    with app.db.session() as session:
        from sqlalchemy import select

        from scheduler.models import AuditEvent

        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "posts.imported"))
        assert event.reason == "posts.csv"
