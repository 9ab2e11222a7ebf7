"""Post approval through the doors people use, with personas: Alice (manager),
Bob and Dora (approvers), Carol (admin). Each door is tried through the UI and the
API: a manager cannot approve, nobody approves a post they wrote or changed, an
approval is of the version read, and a rejection says why."""

from __future__ import annotations

import pytest

from scheduler import posts
from tests.conftest import GATED, TEST_CHANNELS, make_settings, make_user
from tests.helpers import at, status_of
from tests.web import Api, token_for


@pytest.fixture
def settings(tmp_path, database_url):
    return make_settings(tmp_path, database_url, channels=[*TEST_CHANNELS, GATED])


@pytest.fixture
def dora(app):
    return make_user(app, "dora", "approver")


def write(app, user, **fields):
    data = {
        "text": "Our autumn range is in.",
        "channels": ["gated"],
        "publish_at": at(minutes=60),
        "category": "promotional",
        "regions": ["FR"],
    }
    data.update(fields)
    with app.db.session() as session:
        return posts.create_posts(session, app.settings, data, user)[0]


def version_of(app, post_id):
    with app.db.session() as session:
        return posts.get_post(session, post_id).version


# ------------------------------------------------------------------------ UI
def test_a_managers_post_from_the_form_waits_and_she_cannot_approve_it(app, as_alice):
    response = as_alice.submit(
        "/posts/new",
        {
            "text": "Autumn is here.",
            "channels": "gated",
            "publish_at": at(minutes=60)[:16],
            "timezone": "UTC",
            "category": "promotional",
            "regions": "FR",
        },
    )
    assert response.status_code == 303
    page = as_alice.page("/?status=pending_approval")
    assert "Autumn is here." in page and "Waiting for an approver" in page
    with app.db.session() as session:
        post_id = posts.list_posts(session).posts[0].id
    edit_page = as_alice.page(f"/posts/{post_id}/edit")
    assert "Approval" in edit_page and "Approve version" not in edit_page
    refused = as_alice.submit(f"/posts/{post_id}/approve", {"version": "1"})
    assert refused.status_code == 403
    assert status_of(app, post_id) == "pending_approval"


def test_an_approver_approves_on_the_post_page(app, alice, as_bob):
    post = write(app, alice)
    page = as_bob.page(f"/posts/{post.id}/edit")
    assert "Approve version 1" in page and "Written by <strong>alice</strong>" in page
    response = as_bob.submit(f"/posts/{post.id}/approve", {"version": "1"})
    assert response.status_code == 303
    assert status_of(app, post.id) == "queued"
    assert "Approved by <strong>bob</strong>" in as_bob.page(f"/posts/{post.id}/edit")


def test_an_approver_cannot_approve_their_own_post_in_the_ui(app, bob, as_bob):
    post = write(app, bob)
    page = as_bob.page(f"/posts/{post.id}/edit")
    assert "another approver must approve it" in page and "Approve version" not in page
    assert as_bob.submit(f"/posts/{post.id}/approve", {"version": "1"}).status_code == 403
    assert status_of(app, post.id) == "pending_approval"


def test_approving_a_version_that_moved_on_is_refused_in_the_ui(app, alice, as_bob):
    post = write(app, alice)
    with app.db.session() as session:
        posts.update_post(session, app.settings, post.id, {"text": "Changed."}, alice)
    response = as_bob.submit(f"/posts/{post.id}/approve", {"version": "1"})
    assert response.status_code == 303
    page = as_bob.page(response.headers["Location"])
    assert "changed (now version 2)" in page
    assert status_of(app, post.id) == "pending_approval"


def test_rejecting_in_the_ui_needs_a_reason_and_shows_it_in_the_queue(app, alice, as_bob):
    post = write(app, alice)
    empty = as_bob.submit(f"/posts/{post.id}/reject", {"version": "1", "reason": ""})
    assert empty.status_code == 303
    assert status_of(app, post.id) == "pending_approval"
    response = as_bob.submit(f"/posts/{post.id}/reject", {"version": "1", "reason": "Off-brand."})
    assert response.status_code == 303
    assert status_of(app, post.id) == "rejected"
    assert "rejected by bob: Off-brand." in as_bob.page("/?status=rejected")


def test_the_channels_page_shows_which_accounts_require_approval(browser, carol):
    page = browser(carol).page("/channels")
    rows = {
        row.split("<small>")[1].split("</small>")[0]: row
        for row in page.split('<tr id="channel-')[1:]
    }
    assert '<td data-label="Approval required" class="approval">yes</td>' in rows["gated"]
    assert '<td data-label="Approval required" class="approval">no</td>' in rows["outbox"]


# ----------------------------------------------------------------------- API
def test_the_api_doors_of_approval(app, client, alice, bob, carol, dora, alice_api, bob_api):
    carol_api = Api(client, token_for(app, carol))
    dora_api = Api(client, token_for(app, dora))
    created = alice_api.call(
        "POST",
        "/posts",
        {
            "text": "Autumn is here.",
            "channels": ["gated"],
            "publish_at": at(minutes=60),
            "category": "promotional",
        },
    )
    assert created.status_code == 201
    body = created.get_json()["posts"][0]
    assert (body["status"], body["version"]) == ("pending_approval", 1)
    post_id = body["id"]

    # A manager cannot approve; the version read is required.
    denied = alice_api.call("POST", f"/posts/{post_id}/approve", {"version": 1})
    assert denied.status_code == 403
    missing = bob_api.call("POST", f"/posts/{post_id}/approve", {})
    assert missing.status_code == 400 and "version" in missing.get_json()["errors"]

    # A change after reading: 409, then approve what is there now.
    alice_api.call("PATCH", f"/posts/{post_id}", {"text": "Autumn is really here."})
    stale = bob_api.call("POST", f"/posts/{post_id}/approve", {"version": 1})
    assert stale.status_code == 409
    approved = bob_api.call("POST", f"/posts/{post_id}/approve", {"version": 2})
    assert approved.status_code == 200
    assert approved.get_json()["status"] == "queued"
    assert approved.get_json()["approved_version"] == 2

    # An approver's own post: not by them, by another approver or an admin.
    own = write(app, bob)
    assert bob_api.call("POST", f"/posts/{own.id}/approve", {"version": 1}).status_code == 403
    assert dora_api.call("POST", f"/posts/{own.id}/approve", {"version": 1}).status_code == 200

    # An admin who changed a post cannot approve it; rejecting needs a reason.
    other = write(app, alice)
    carol_api.call("PATCH", f"/posts/{other.id}", {"text": "Admin's words."})
    assert carol_api.call("POST", f"/posts/{other.id}/approve", {"version": 2}).status_code == 403
    no_reason = dora_api.call("POST", f"/posts/{other.id}/reject", {"version": 2})
    assert no_reason.status_code == 400 and "reason" in no_reason.get_json()["errors"]
    rejected = dora_api.call(
        "POST", f"/posts/{other.id}/reject", {"version": 2, "reason": "Not this week."}
    )
    assert rejected.status_code == 200
    assert rejected.get_json()["review_reason"] == "rejected by dora: Not this week."
    assert alice_api.call("POST", f"/posts/{other.id}/reject", {"version": 2}).status_code == 403

    # The queue filter finds what waits.
    waiting = alice_api.get("/posts?status=pending_approval").get_json()
    assert [p["id"] for p in waiting["posts"]] == []
    listed = alice_api.get("/posts?status=rejected").get_json()
    assert [p["id"] for p in listed["posts"]] == [other.id]
    assert version_of(app, other.id) == 2


def test_approving_an_unknown_or_unwaiting_post(app, alice, bob_api):
    assert bob_api.call("POST", "/posts/999999/approve", {"version": 1}).status_code == 404
    plain = write(app, alice, channels=["outbox"])
    answer = bob_api.call("POST", f"/posts/{plain.id}/approve", {"version": 1})
    assert answer.status_code == 409
    assert "not waiting for approval" in answer.get_json()["errors"]["status"][0]


def test_saving_a_rejected_post_on_its_page_resubmits_it(app, alice, as_alice, as_bob):
    post = write(app, alice)
    as_bob.submit(f"/posts/{post.id}/reject", {"version": "1", "reason": "Too early."})
    page = as_alice.page(f"/posts/{post.id}/edit")
    assert "rejected by bob: Too early." in page and "Saving a change resubmits it" in page
    form = {
        "text": "Our autumn range is in.",
        "publish_at": at(minutes=60)[:16],
        "timezone": "UTC",
        "category": "promotional",
        "regions": "FR",
    }
    response = as_alice.submit(f"/posts/{post.id}/edit", form)
    assert response.status_code == 303
    assert status_of(app, post.id) == "pending_approval"
