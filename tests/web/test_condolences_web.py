"""Condolences on the web: the dashboard prompt, the draft page, the API, and the
invariant that no condolence is published without a person's approval, tried through
every door (the UI forms, the API, forged form posts, the queue form)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from scheduler import condolences
from scheduler.models import AuditEvent, Post
from tests.helpers import declare
from tests.web import Api, token_for
from tests.web.reports import store_report

SUBMIT = {"text-us": "Thinking of Uvalde.", "text-outbox": "With Texas.", "action": "submit"}
# Leave this key out of the body.
DROP = object()
EDIT = {
    "texts": {"us": "Thinking of Uvalde.", "outbox": "With Texas."},
    "channels": ["us", "outbox"],
}


def prompt(app: Any) -> int:
    """Declare the Uvalde incident (US-TX, severity 3); it opens one prompt."""
    declare(app)
    with app.db.session() as session:
        (draft,) = condolences.list_drafts(session, open_only=True)
        return draft.id


def draft_state(app: Any, draft_id: int) -> tuple[Any, ...]:
    with app.db.session() as session:
        draft = condolences.get_draft(session, draft_id)
        return (
            draft.status,
            draft.version,
            dict(draft.texts),
            list(draft.channel_ids),
            draft.last_editor_id,
            draft.approved_by_id,
        )


def condolence_posts(app: Any) -> list[tuple[str, str, str, str]]:
    """(account, text, local time, zone) of every condolence post, whatever its status."""
    with app.db.session() as session:
        rows = session.scalars(select(Post).where(Post.category == "condolence").order_by(Post.id))
        return [(p.channel.name, p.text, p.local_time, p.timezone) for p in rows]


def edit_form(channels: list[str] | None = None, **changes: str) -> dict[str, Any]:
    return {**SUBMIT, "channels": channels or ["us", "outbox"], **changes}


@pytest.fixture
def carol_api(client, app, carol) -> Api:
    """Carol's admin scripts: an admin may approve too."""
    return Api(client, token_for(app, carol))


# ----------------------------------------------------------- on the dashboard
def test_the_dashboard_lists_the_open_prompt_with_a_link(app, as_alice):
    draft_id = prompt(app)
    page = as_alice.page("/")
    assert "Condolence needed? Gunman kills 5 in Uvalde, Texas" in page
    assert f'href="/condolences/{draft_id}"' in page
    assert "Nothing is published until a person approves it." in page


def test_the_dashboard_has_no_prompt_block_when_none_is_open(app, as_alice):
    declare(app, severity=1)  # minor: no prompt
    assert "Condolence needed?" not in as_alice.page("/")


def test_the_list_shows_status_incident_accounts_and_who_edited_and_approved(app, as_alice, as_bob):
    draft_id = prompt(app)
    as_alice.submit(f"/condolences/{draft_id}/edit", edit_form())
    as_bob.submit(f"/condolences/{draft_id}/approve", {"version": "1", "when": "now"})
    page = as_alice.page("/condolences")
    row = re.search(rf'<tr id="condolence-{draft_id}">(.*?)</tr>', page, re.S)
    assert row is not None
    cells = row.group(1)
    assert "Gunman kills 5 in Uvalde, Texas" in cells
    assert ">approved<" in cells
    assert "us, outbox" in cells
    assert "2026-06-01 12:00" in cells
    assert "alice" in cells
    assert "approved by bob" in cells
    assert f"condolence-{draft_id}" not in as_alice.page("/condolences?status=open")
    assert as_alice.get("/condolences?status=sleeping").status_code == 400


def test_the_draft_page_shows_the_incident_its_evidence_and_prefilled_texts(app, as_alice):
    store_report(app, confidence=0.4)
    with app.db.session() as session:
        (draft,) = condolences.list_drafts(session)
        suggested = draft.texts["us"]
    page = as_alice.page(f"/condolences/{draft.id}")
    assert "Gunman kills 5 in Uvalde, Texas" in page
    assert 'href="https://news.test/uvalde"' in page
    assert "Evidence: 'kills 5' in title; Uvalde -> US-TX" in page
    assert "needs review" in page
    for account in ("us", "outbox", "masto", "sky"):
        assert f'name="text-{account}"' in page
        assert f'type="checkbox" name="channels" value="{account}" checked' in page
    assert f">{suggested}</textarea>" in page
    assert "at most 280, as X counts" in page  # "us" counts as x
    assert "at most 300, graphemes" in page  # "sky" counts as bluesky
    assert "Nothing is published without a person’s approval" in page
    assert "Two-person approval is on" in page
    # Alice is a manager: she drafts; approving is not offered to her.
    assert "/approve" not in page
    assert "/decline" not in page


# ------------------------------------------------------- happy path, the UI
def test_alice_drafts_and_bob_approves_through_the_ui(app, alice, bob, as_alice, as_bob):
    draft_id = prompt(app)
    saved = as_alice.submit(f"/condolences/{draft_id}/edit", edit_form(action="save"))
    assert saved.status_code == 303
    assert draft_state(app, draft_id)[:2] == ("awaiting_draft", 1)
    submitted = as_alice.submit(f"/condolences/{draft_id}/edit", edit_form())
    assert submitted.status_code == 303
    assert "submitted for approval. Nothing is published yet." in as_alice.page(
        f"/condolences/{draft_id}"
    )
    assert condolence_posts(app) == []
    # Submitting the saved words unchanged makes no new version.
    assert draft_state(app, draft_id)[:2] == ("awaiting_approval", 1)

    page = as_bob.page(f"/condolences/{draft_id}")
    assert "Approve and publish now" in page
    assert "disabled" not in re.search(r"<button[^>]*>Approve and publish now", page).group(0)
    history = re.search(r'<tr id="revision-1">(.*?)</tr>', page, re.S).group(1)
    assert "alice" in history
    assert "Thinking of Uvalde." in history
    assert '<tr id="revision-2">' not in page

    approved = as_bob.submit(f"/condolences/{draft_id}/approve", {"version": "1", "when": "now"})
    assert approved.status_code == 303
    assert condolence_posts(app) == [
        ("us", "Thinking of Uvalde.", "2026-06-01T12:00:00", "UTC"),
        ("outbox", "With Texas.", "2026-06-01T12:00:00", "UTC"),
    ]
    status, _, _, _, editor, approver = draft_state(app, draft_id)
    assert (status, editor, approver) == ("approved", alice.id, bob.id)
    after = as_bob.page(f"/condolences/{draft_id}")
    assert "Approved: 2 condolence posts queued" in after
    assert "Approved by bob" in after
    assert "Condolence needed?" not in as_alice.page("/")


def test_an_approver_can_approve_for_a_later_time_in_a_zone(app, as_alice, as_bob):
    draft_id = prompt(app)
    as_alice.submit(f"/condolences/{draft_id}/edit", edit_form(channels=["us"]))
    form = {"version": "1", "when": "later", "publish_at": "2026-06-02T09:00"}
    response = as_bob.submit(
        f"/condolences/{draft_id}/approve", {**form, "timezone": "Europe/Paris"}
    )
    assert response.status_code == 303
    assert condolence_posts(app) == [
        ("us", "Thinking of Uvalde.", "2026-06-02T09:00:00", "Europe/Paris")
    ]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        pytest.param({"publish_at": "2026-05-01T09:00"}, "publish_at", id="in-the-past"),
        pytest.param({"publish_at": ""}, "publish_at", id="no-time"),
        pytest.param({"publish_at": "soon"}, "publish_at", id="nonsense"),
        pytest.param({"timezone": "Mars/Olympus"}, "timezone", id="unknown-zone"),
        pytest.param({"version": "two"}, "version", id="bad-version"),
    ],
)
def test_a_bad_approval_time_is_named_and_publishes_nothing(app, as_alice, as_bob, form, field):
    draft_id = prompt(app)
    as_alice.submit(f"/condolences/{draft_id}/edit", edit_form())
    before = draft_state(app, draft_id)
    data = {"version": "1", "when": "later", "publish_at": "2026-06-02T09:00", **form}
    response = as_bob.submit(f"/condolences/{draft_id}/approve", data)
    assert response.status_code == 400
    assert f'id="error-{field}"' in response.get_data(as_text=True)
    assert draft_state(app, draft_id) == before
    assert condolence_posts(app) == []


def test_saying_nothing_through_the_ui_records_the_reason(app, as_bob):
    draft_id = prompt(app)
    empty = as_bob.submit(f"/condolences/{draft_id}/decline", {"reason": "  "})
    assert empty.status_code == 400
    assert 'id="error-reason"' in empty.get_data(as_text=True)
    assert draft_state(app, draft_id)[0] == "awaiting_draft"
    response = as_bob.submit(f"/condolences/{draft_id}/decline", {"reason": "Not our place."})
    assert response.status_code == 303
    page = as_bob.page(f"/condolences/{draft_id}")
    assert "Declined (say nothing): Not our place." in page
    with app.db.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "condolence.declined"))
        assert (event.actor, event.reason) == ("bob", "Not our place.")
    assert condolence_posts(app) == []
    assert as_bob.submit(f"/condolences/{draft_id}/approve", {"when": "now"}).status_code == 409


# -------------------------------------------- approval by a person, every door
def test_the_last_editor_cannot_approve_in_the_ui_and_is_told_why(app, as_bob):
    draft_id = prompt(app)
    as_bob.submit(f"/condolences/{draft_id}/edit", edit_form())
    page = as_bob.page(f"/condolences/{draft_id}")
    assert "you cannot approve it: two-person approval is on" in page
    buttons = re.findall(r"<button[^>]*>Approve[^<]*</button>", page)
    assert len(buttons) == 2
    assert all("disabled" in b for b in buttons)
    # Posting the form anyway is refused.
    response = as_bob.submit(f"/condolences/{draft_id}/approve", {"version": "1", "when": "now"})
    assert response.status_code == 403
    assert "two-person" in response.get_data(as_text=True)
    assert condolence_posts(app) == []
    assert draft_state(app, draft_id)[0] == "awaiting_approval"


def test_a_manager_posting_the_approve_form_directly_is_refused(app, as_alice):
    draft_id = prompt(app)
    as_alice.submit(f"/condolences/{draft_id}/edit", edit_form())
    for url in (f"/condolences/{draft_id}/approve", f"/condolences/{draft_id}/decline"):
        response = as_alice.submit(url, {"version": "1", "when": "now", "reason": "r"})
        assert response.status_code == 403
    assert condolence_posts(app) == []
    assert draft_state(app, draft_id)[0] == "awaiting_approval"


def test_a_forged_approval_without_the_csrf_token_is_refused(app, as_alice, as_bob):
    draft_id = prompt(app)
    as_alice.submit(f"/condolences/{draft_id}/edit", edit_form())
    response = as_bob.submit(
        f"/condolences/{draft_id}/approve", {"version": "1", "when": "now"}, csrf=False
    )
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    forged = as_bob.client.post(
        f"/condolences/{draft_id}/approve", data={"when": "now", "csrf_token": "forged"}
    )
    assert forged.status_code == 400
    assert condolence_posts(app) == []
    assert draft_state(app, draft_id)[0] == "awaiting_approval"


def test_a_forged_edit_without_the_csrf_token_changes_nothing(app, as_alice):
    draft_id = prompt(app)
    before = draft_state(app, draft_id)
    response = as_alice.submit(f"/condolences/{draft_id}/edit", edit_form(), csrf=False)
    assert response.status_code == 400
    assert draft_state(app, draft_id) == before


def test_signed_out_people_cannot_reach_condolences(app, browser):
    draft_id = prompt(app)
    person = browser()
    for url in ("/condolences", f"/condolences/{draft_id}"):
        assert person.get(url).headers["Location"].startswith("/login")
    response = person.submit(f"/condolences/{draft_id}/approve", {"when": "now"})
    assert response.status_code == 302
    assert condolence_posts(app) == []


def test_the_queue_form_cannot_make_a_condolence_post(app, as_bob, alice_api):
    prompt(app)
    form = {
        "text": "Our thoughts are with Texas.",
        "channels": ["outbox"],
        "publish_at": "2026-06-01T12:30",
        "timezone": "UTC",
        "category": "condolence",
        "regions": "US-TX",
    }
    response = as_bob.submit("/posts/new", form)
    assert response.status_code == 400
    assert 'id="error-category"' in response.get_data(as_text=True)
    body = {**form, "regions": ["US-TX"]}
    api = alice_api.post("/posts", body)
    assert api.status_code == 400
    assert "category" in api.json["errors"]
    assert condolence_posts(app) == []


def test_an_approval_of_a_changed_version_is_a_conflict(app, as_alice, as_bob):
    draft_id = prompt(app)
    as_alice.submit(f"/condolences/{draft_id}/edit", edit_form())
    as_alice.submit(f"/condolences/{draft_id}/edit", edit_form(**{"text-us": "Changed."}))
    response = as_bob.submit(f"/condolences/{draft_id}/approve", {"version": "1", "when": "now"})
    assert response.status_code == 409
    assert condolence_posts(app) == []


def test_an_unsubmitted_draft_offers_no_approval(app, as_bob):
    draft_id = prompt(app)
    page = as_bob.page(f"/condolences/{draft_id}")
    assert "submit a draft for approval first" in page
    assert "Approve and publish now" not in page
    assert as_bob.submit(f"/condolences/{draft_id}/approve", {"when": "now"}).status_code == 409
    assert condolence_posts(app) == []


# ------------------------------------------------------- bad edits, the UI
BAD_FORMS = [
    pytest.param({"text-us": "x" * 281}, None, "texts", id="too-long-for-x"),
    pytest.param({"text-sky": "👍🏽" * 301}, ["sky"], "texts", id="too-long-for-bluesky"),
    pytest.param({"text-us": "   "}, None, "texts", id="blank"),
    pytest.param({"text-nope": "Hi"}, ["nope"], "channels", id="unknown-account"),
    pytest.param({}, ["us", "nope"], "channels", id="one-unknown-account"),
]


@pytest.mark.parametrize(("changes", "channels", "field"), BAD_FORMS)
def test_a_bad_edit_in_the_ui_is_named_and_leaves_the_draft_unchanged(
    app, as_alice, changes, channels, field
):
    draft_id = prompt(app)
    before = draft_state(app, draft_id)
    response = as_alice.submit(f"/condolences/{draft_id}/edit", edit_form(channels, **changes))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="error-{field}"' in page
    assert draft_state(app, draft_id) == before
    # What the person typed comes back.
    typed = next(iter(changes.values()), None)
    if typed and typed.strip() and "text-nope" not in changes:
        assert typed in page


def test_an_edit_with_no_account_ticked_is_refused(app, as_alice):
    draft_id = prompt(app)
    before = draft_state(app, draft_id)
    form = {key: value for key, value in edit_form().items() if key != "channels"}
    response = as_alice.submit(f"/condolences/{draft_id}/edit", form)
    assert response.status_code == 400
    assert 'id="error-channels"' in response.get_data(as_text=True)
    assert draft_state(app, draft_id) == before


def test_an_unknown_draft_is_a_404(as_bob):
    assert as_bob.get("/condolences/99").status_code == 404
    assert as_bob.submit("/condolences/99/edit", edit_form()).status_code == 404
    assert as_bob.submit("/condolences/99/approve", {"when": "now"}).status_code == 404


# ------------------------------------------------------------------ the API
def test_alice_drafts_and_bob_approves_through_the_api(app, alice_api, bob_api):
    draft_id = prompt(app)
    listed = alice_api.get("/condolences", query_string={"status": "open"})
    assert listed.status_code == 200
    (row,) = listed.json["condolences"]
    assert row["id"] == draft_id
    assert row["incident_title"] == "Gunman kills 5 in Uvalde, Texas"
    assert row["status"] == "awaiting_draft"
    assert sorted(row["channels"]) == ["masto", "outbox", "sky", "us"]
    assert "revisions" not in row

    edited = alice_api.patch(f"/condolences/{draft_id}", {**EDIT, "submit": True})
    assert edited.status_code == 200, edited.json
    assert edited.json["status"] == "awaiting_approval"
    assert edited.json["version"] == 1
    assert edited.json["last_editor"] == "alice"
    assert edited.json["texts"] == EDIT["texts"]
    assert [r["editor"] for r in edited.json["revisions"]] == ["alice"]
    assert condolence_posts(app) == []

    approved = bob_api.post(f"/condolences/{draft_id}/approve", {"version": 1})
    assert approved.status_code == 200, approved.json
    assert approved.json["condolence"]["status"] == "approved"
    assert approved.json["condolence"]["approved_by"] == "bob"
    posts = approved.json["posts"]
    assert sorted((p["channel"], p["category"], p["status"]) for p in posts) == [
        ("outbox", "condolence", "queued"),
        ("us", "condolence", "queued"),
    ]
    assert sorted(condolence_posts(app)) == [
        ("outbox", "With Texas.", "2026-06-01T12:00:00", "UTC"),
        ("us", "Thinking of Uvalde.", "2026-06-01T12:00:00", "UTC"),
    ]
    again = bob_api.post(f"/condolences/{draft_id}/approve")
    assert again.status_code == 409
    assert len(condolence_posts(app)) == 2
    one = alice_api.get(f"/condolences/{draft_id}").json
    assert one["status"] == "approved"
    assert one["publish_at"].startswith("2026-06-01T12:00:00")


def test_an_api_approval_can_be_timed(app, alice_api, carol_api):
    draft_id = prompt(app)
    alice_api.patch(f"/condolences/{draft_id}", {**EDIT, "channels": ["us"], "texts": {"us": "Hi"}})
    body = {"version": 1, "publish_at": "2026-06-02T09:00", "timezone": "America/Chicago"}
    response = carol_api.post(f"/condolences/{draft_id}/approve", body)
    assert response.status_code == 200, response.json
    assert condolence_posts(app) == [("us", "Hi", "2026-06-02T09:00:00", "America/Chicago")]


def test_the_last_editor_and_a_manager_cannot_approve_through_the_api(app, alice_api, bob_api):
    draft_id = prompt(app)
    bob_api.patch(f"/condolences/{draft_id}", EDIT)
    own = bob_api.post(f"/condolences/{draft_id}/approve", {"version": 1})
    assert own.status_code == 403
    assert "two-person" in own.json["errors"]["role"][0]
    manager = alice_api.post(f"/condolences/{draft_id}/approve", {"version": 1})
    assert manager.status_code == 403
    assert alice_api.post(f"/condolences/{draft_id}/decline", {"reason": "x"}).status_code == 403
    assert condolence_posts(app) == []
    assert draft_state(app, draft_id)[0] == "awaiting_approval"


def test_a_resave_of_the_same_words_does_not_launder_them_through_the_api(app, alice_api, bob_api):
    """Bob writes the words, Alice re-saves them unchanged: Bob still cannot approve."""
    draft_id = prompt(app)
    pitch = {"texts": {"us": "BUY NOW 50% OFF"}, "channels": ["us"]}
    assert bob_api.patch(f"/condolences/{draft_id}", pitch).json["version"] == 1
    resaved = alice_api.patch(f"/condolences/{draft_id}", pitch)
    assert resaved.status_code == 200, resaved.json
    assert (resaved.json["version"], resaved.json["last_editor"]) == (1, "bob")
    response = bob_api.post(f"/condolences/{draft_id}/approve", {"version": 1})
    assert response.status_code == 403
    assert "you wrote part of version 1" in response.json["errors"]["role"][0]
    assert condolence_posts(app) == []


def test_an_api_approval_names_the_version_it_read(app, alice_api, bob_api):
    draft_id = prompt(app)
    alice_api.patch(f"/condolences/{draft_id}", EDIT)
    missing = bob_api.post(f"/condolences/{draft_id}/approve", {})
    assert missing.status_code == 400
    assert list(missing.json["errors"]) == ["version"]
    alice_api.patch(f"/condolences/{draft_id}", {**EDIT, "texts": {"us": "Changed."}})
    stale = bob_api.post(f"/condolences/{draft_id}/approve", {"version": 1})
    assert stale.status_code == 409
    assert "now version 2" in stale.json["errors"]["status"][0]
    assert condolence_posts(app) == []


def test_a_resave_in_the_ui_keeps_the_words_with_their_author(app, as_alice, as_bob):
    draft_id = prompt(app)
    as_bob.submit(f"/condolences/{draft_id}/edit", edit_form())
    as_alice.submit(f"/condolences/{draft_id}/edit", edit_form())
    page = as_bob.page(f"/condolences/{draft_id}")
    assert "You wrote part of this version, so you cannot approve it" in page
    response = as_bob.submit(f"/condolences/{draft_id}/approve", {"version": "1", "when": "now"})
    assert response.status_code == 403
    assert condolence_posts(app) == []


def test_no_token_no_approval(app, client, bob_api):
    draft_id = prompt(app)
    bob_api.patch(f"/condolences/{draft_id}", EDIT)
    response = client.post(f"/api/v1/condolences/{draft_id}/approve", json={})
    assert response.status_code == 401
    assert condolence_posts(app) == []


def test_a_bad_approval_body_is_named_and_publishes_nothing(app, alice_api, bob_api):
    draft_id = prompt(app)
    alice_api.patch(f"/condolences/{draft_id}", EDIT)
    for body, field in (
        ({"version": 1, "publish_at": "2026-05-01T09:00"}, "publish_at"),
        ({"version": 1, "timezone": "Mars/Olympus"}, "timezone"),
        ({"version": "latest"}, "version"),
        ({"version": 1, "approve": True}, "approve"),
        (["now"], "_schema"),
    ):
        response = bob_api.post(f"/condolences/{draft_id}/approve", body)
        assert response.status_code == 400, body
        assert field in response.json["errors"], response.json
    assert condolence_posts(app) == []
    assert draft_state(app, draft_id)[0] == "awaiting_approval"


def test_declining_through_the_api_records_the_reason(app, bob_api):
    draft_id = prompt(app)
    missing = bob_api.post(f"/condolences/{draft_id}/decline", {})
    assert missing.status_code == 400
    assert "reason" in missing.json["errors"]
    response = bob_api.post(f"/condolences/{draft_id}/decline", {"reason": "Say nothing."})
    assert response.status_code == 200
    assert response.json["status"] == "declined"
    assert response.json["decline_reason"] == "Say nothing."
    assert bob_api.post(f"/condolences/{draft_id}/decline", {"reason": "again"}).status_code == 409
    declined = bob_api.get("/condolences", query_string={"status": "declined"}).json
    assert [c["id"] for c in declined["condolences"]] == [draft_id]
    assert condolence_posts(app) == []


BAD_EDITS = [
    pytest.param({"texts": {"us": "x" * 281}}, "texts", id="too-long-for-x"),
    pytest.param({"texts": {"nope": "Hi"}, "channels": ["nope"]}, "channels", id="unknown-account"),
    pytest.param({"texts": {"nope": "Hi"}, "channels": DROP}, "channels", id="unknown-text-only"),
    pytest.param({"texts": ["Hi"]}, "texts", id="texts-a-list"),
    pytest.param({"texts": "Hi"}, "texts", id="texts-a-string"),
    pytest.param({"texts": {"us": 5}}, "texts", id="text-not-a-string"),
    pytest.param({"texts": None}, "texts", id="texts-null"),
    pytest.param({"channels": []}, "channels", id="no-account"),
    pytest.param({"channels": ["us"], "texts": {"outbox": "Hi"}}, "texts", id="text-not-chosen"),
    pytest.param({"submit": "perhaps"}, "submit", id="submit-not-a-boolean"),
    pytest.param({"colour": "black"}, "colour", id="unknown-field"),
]


@pytest.mark.parametrize(("change", "field"), BAD_EDITS)
def test_a_bad_api_edit_is_named_and_leaves_the_draft_unchanged(app, alice_api, change, field):
    draft_id = prompt(app)
    before = draft_state(app, draft_id)
    body = {key: value for key, value in {**EDIT, **change}.items() if value is not DROP}
    response = alice_api.patch(f"/condolences/{draft_id}", body)
    assert response.status_code == 400
    assert field in response.json["errors"], response.json
    assert draft_state(app, draft_id) == before


def test_an_edit_body_that_is_not_an_object_is_refused(app, alice_api):
    draft_id = prompt(app)
    before = draft_state(app, draft_id)
    response = alice_api.patch(f"/condolences/{draft_id}", [EDIT])
    assert response.status_code == 400
    assert list(response.json["errors"]) == ["_schema"]
    assert draft_state(app, draft_id) == before


def test_the_api_list_filter_is_checked(app, alice_api):
    prompt(app)
    response = alice_api.get("/condolences", query_string={"status": "sleeping"})
    assert response.status_code == 400
    assert "status" in response.json["errors"]
    assert alice_api.get("/condolences", query_string={"sort": "id"}).status_code == 400
    assert alice_api.get("/condolences/99").status_code == 404


def test_a_repeated_account_does_not_publish_twice(app, alice_api, bob_api):
    draft_id = prompt(app)
    response = alice_api.patch(
        f"/condolences/{draft_id}", {"texts": {"us": "Hi"}, "channels": ["us", "us"]}
    )
    if response.status_code == 200:
        bob_api.post(f"/condolences/{draft_id}/approve")
    assert len(condolence_posts(app)) <= 1


def test_an_empty_draft_cannot_be_submitted(app, alice_api):
    draft_id = prompt(app)
    response = alice_api.patch(f"/condolences/{draft_id}", {"texts": {}})
    assert response.status_code == 400
