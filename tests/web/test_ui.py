"""The HTML UI: login and roles, CSRF, the queue form, incidents, holds on screen."""

from __future__ import annotations

import html
import re
import stat
from typing import Any

import pytest

from scheduler import posts
from scheduler.models import Incident, Post
from tests.helpers import declare, queue, status_of
from tests.web import count, snapshot
from web import create_app

GOOD_FORM: dict[str, Any] = {
    "text": "Flash sale: 30% off today only!",
    "channels": ["outbox"],
    "publish_at": "2026-06-01T12:30",
    "timezone": "UTC",
    "category": "promotional",
    "regions": "US-TX",
}
GOOD_INCIDENT: dict[str, Any] = {
    "kind": "shooting",
    "severity": "3",
    "regions": "US-TX",
    "title": "Gunman kills 5 in Uvalde, Texas",
    "expires_in_hours": "",
}
RULE = "promotional/inside/severity>=2"


def error_for(page: str, field: str) -> str:
    """The message shown next to ``field``, or '' when there is none."""
    found = re.search(rf'<p class="error" id="error-{field}">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


# ---------------------------------------------------------------- login
def test_login_with_the_right_password_opens_the_queue(as_alice):
    page = as_alice.page("/")
    assert "alice" in page
    assert "<h1>Queue</h1>" in page


def test_login_with_a_wrong_password_is_refused(app, browser, alice):
    person = browser()
    response = person.login("alice", "not-her-password")
    assert response.status_code == 401
    assert "Wrong name or password." in response.get_data(as_text=True)
    assert person.get("/").status_code == 302


def test_an_unknown_name_gets_the_same_answer(browser):
    response = browser().login("mallory", "whatever-password")
    assert response.status_code == 401
    assert "Wrong name or password." in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/", "/posts/new", "/posts/1/edit", "/incidents", "/regions.json"])
def test_pages_need_a_login(browser, url):
    response = browser().get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    "url", ["/posts/new", "/posts/1/cancel", "/incidents", "/incidents/1/resolve"]
)
def test_forms_need_a_login(app, browser, url):
    response = browser().submit(url, GOOD_FORM)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert count(app, Post) == 0


def test_login_returns_to_the_page_asked_for_but_never_off_site(browser, alice):
    person = browser()
    assert person.get("/incidents").headers["Location"] == "/login?next=/incidents"
    back = person.submit(
        "/login", {"name": "alice", "password": "alice-password-123", "next": "/incidents"}
    )
    assert back.headers["Location"] == "/incidents"
    other = browser()
    away = other.submit(
        "/login", {"name": "alice", "password": "alice-password-123", "next": "//evil.example/"}
    )
    assert away.headers["Location"] == "/dashboard"


def test_login_starts_a_new_session(browser, alice):
    person = browser()
    with person.client.session_transaction() as before:
        before["planted"] = "by someone else"
    person.login("alice")
    with person.client.session_transaction() as after:
        assert "planted" not in after
        assert after["user_id"] == alice.id
    cookie = person.client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_signing_out_ends_the_session(as_alice):
    response = as_alice.submit("/logout", {})
    assert response.status_code == 303
    assert as_alice.get("/").status_code == 302


def test_a_manager_cannot_declare_an_incident(app, as_alice):
    queue(app)
    response = as_alice.submit("/incidents", GOOD_INCIDENT)
    assert response.status_code == 403
    assert count(app, Incident) == 0
    assert 'action="/incidents"' not in as_alice.page("/incidents")


def test_a_manager_cannot_resolve_an_incident(app, as_alice):
    post = queue(app)
    incident = declare(app).incident
    assert as_alice.submit(f"/incidents/{incident.id}/resolve", {}).status_code == 403
    assert status_of(app, post.id) == "held"


def test_an_approver_can_declare_an_incident(app, as_bob):
    response = as_bob.submit("/incidents", GOOD_INCIDENT)
    assert response.status_code == 303
    assert count(app, Incident) == 1
    page = as_bob.page("/incidents")
    assert "Gunman kills 5 in Uvalde, Texas" in page
    assert "Incident 1 declared" in page


def test_an_admin_can_declare_an_incident(app, browser, carol):
    response = browser(carol).submit("/incidents", GOOD_INCIDENT)
    assert response.status_code == 303
    assert count(app, Incident) == 1


# ----------------------------------------------------------------- CSRF
def test_a_form_post_without_the_csrf_token_is_rejected_and_stores_nothing(app, as_alice):
    response = as_alice.submit("/posts/new", GOOD_FORM, csrf=False)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert count(app, Post) == 0


def test_a_form_post_with_a_forged_csrf_token_is_rejected(app, as_alice):
    response = as_alice.client.post("/posts/new", data={**GOOD_FORM, "csrf_token": "forged"})
    assert response.status_code == 400
    assert count(app, Post) == 0


def test_the_same_form_with_the_token_queues_the_post(app, as_alice):
    response = as_alice.submit("/posts/new", GOOD_FORM)
    assert response.status_code == 303
    assert count(app, Post) == 1


def test_another_sessions_token_does_not_work(app, browser, alice, bob):
    bobs_token = browser(bob).csrf_token()
    alice_browser = browser(alice)
    response = alice_browser.client.post("/posts/new", data={**GOOD_FORM, "csrf_token": bobs_token})
    assert response.status_code == 400
    assert count(app, Post) == 0


def test_the_login_form_needs_the_token_too(browser, alice):
    person = browser()
    response = person.submit(
        "/login", {"name": "alice", "password": "alice-password-123"}, csrf=False
    )
    assert response.status_code == 400
    assert person.get("/").status_code == 302


# ------------------------------------------------------------ the queue
def test_a_good_post_is_queued_and_shows_in_the_list(as_alice):
    form = {**GOOD_FORM, "publish_at": "2026-06-01T18:30", "timezone": "Europe/Paris"}
    response = as_alice.submit("/posts/new", form)
    assert response.status_code == 303
    page = as_alice.page("/")
    assert "Saved 1 post." in page
    row = re.search(r'<tr id="post-1">(.*?)</tr>', page, re.S)
    assert row is not None
    assert "Flash sale: 30% off today only!" in row.group(1)
    assert ">queued<" in row.group(1)
    assert "2026-06-01 18:30" in row.group(1)
    assert "Europe/Paris" in row.group(1)
    assert "US-TX" in row.group(1)


def test_one_form_queues_a_post_per_channel_and_names_are_resolved(app, as_alice):
    form = {**GOOD_FORM, "channels": ["outbox", "masto"], "regions": "Texas, France"}
    assert as_alice.submit("/posts/new", form).status_code == 303
    with app.db.session() as session:
        page = posts.list_posts(session)
        assert sorted(p.channel.name for p in page.posts) == ["masto", "outbox"]
        assert all(p.regions == ["FR", "US-TX"] for p in page.posts)


def test_save_as_draft_does_not_queue(app, as_alice):
    as_alice.submit("/posts/new", {**GOOD_FORM, "draft": "1"})
    with app.db.session() as session:
        assert [p.status for p in posts.list_posts(session).posts] == ["draft"]


def test_textarea_line_breaks_count_as_one_character(as_alice):
    text = "Line\r\n" * 90  # 540 characters as sent, 450 once CRLF is one line break
    response = as_alice.submit("/posts/new", {**GOOD_FORM, "text": text, "channels": ["masto"]})
    assert response.status_code == 303, error_for(response.get_data(as_text=True), "text")


def test_the_form_offers_no_condolence_category(as_alice):
    page = as_alice.page("/posts/new")
    assert 'value="promotional"' in page
    assert 'value="condolence"' not in page


def test_the_list_filters_by_status_category_and_channel(app, as_alice):
    queue(app, text="Promo on outbox")
    queue(app, text="Service on us", category="service", channels=["us"])
    cancelled = queue(app, text="Cancelled promo")
    as_alice.submit(f"/posts/{cancelled.id}/cancel", {})
    held_page = as_alice.page("/?status=cancelled")
    assert "Cancelled promo" in held_page
    assert "Promo on outbox" not in held_page
    service_page = as_alice.page("/?category=service")
    assert "Service on us" in service_page
    assert "Promo on outbox" not in service_page
    us_page = as_alice.page("/?channel=us")
    assert "Service on us" in us_page
    assert "Cancelled promo" not in us_page


def test_a_bad_filter_is_answered_with_400_naming_it(as_alice):
    response = as_alice.get("/?status=sleeping")
    assert response.status_code == 400
    assert error_for(response.get_data(as_text=True), "status")


def test_text_is_escaped_on_the_page(app, as_alice):
    queue(app, text="<script>alert(1)</script>")
    page = as_alice.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ------------------------------------------- holds through the UI, end to end
def test_an_incident_declared_in_the_ui_holds_a_promotion_until_it_is_resolved(
    app, as_alice, as_bob
):
    as_alice.submit("/posts/new", GOOD_FORM)
    as_alice.submit("/posts/new", {**GOOD_FORM, "category": "service", "text": "Opening late."})
    response = as_bob.submit("/incidents", GOOD_INCIDENT)
    assert response.status_code == 303
    incidents_page = as_bob.page("/incidents")
    assert "Incident 1 declared: 1 post held." in incidents_page
    assert re.search(r'<td [^>]*class="held">1</td>', incidents_page)

    page = as_alice.page("/?status=held")
    assert "Flash sale: 30% off today only!" in page
    assert "Opening late." not in page
    assert "Gunman kills 5 in Uvalde, Texas" in page
    assert RULE in page.replace("<wbr>", "")  # the rule may break after each slash

    as_bob.submit("/incidents/1/resolve", {})
    assert status_of(app, 1) == "queued"
    after = as_alice.page("/")
    assert "Gunman kills 5" not in after
    assert "1 post back in the queue" in as_bob.page("/incidents")


def test_dismissing_a_false_alarm_releases_the_post(app, as_bob):
    post = queue(app)
    as_bob.submit("/incidents", GOOD_INCIDENT)
    assert status_of(app, post.id) == "held"
    assert as_bob.submit("/incidents/1/dismiss", {}).status_code == 303
    assert status_of(app, post.id) == "queued"
    assert as_bob.submit("/incidents/1/dismiss", {}).status_code == 409


def test_a_held_post_an_approver_edits_out_of_the_region_is_released(app, as_bob):
    post = queue(app)
    declare(app)
    assert status_of(app, post.id) == "held"
    form = {**GOOD_FORM, "regions": "FR"}
    assert as_bob.submit(f"/posts/{post.id}/edit", form).status_code == 303
    assert status_of(app, post.id) == "queued"


# --------------------------------------------------------- bad form input
BAD_FORMS = [
    pytest.param({"text": ""}, "text", id="empty-text"),
    pytest.param({"text": "x" * 281, "channels": ["us"]}, "text", id="281-chars-on-x"),
    pytest.param(
        {"text": "a" * 257 + " https://e.co/x", "channels": ["us"]}, "text", id="url-counts-23"
    ),
    pytest.param({"text": "👍🏽" * 301, "channels": ["sky"]}, "text", id="301-graphemes"),
    pytest.param({"channels": ["nope"]}, "channels", id="unknown-channel"),
    pytest.param({"channels": []}, "channels", id="no-channel"),
    pytest.param({"publish_at": "2026-07-01"}, "publish_at", id="date-only"),
    pytest.param({"publish_at": "2026-05-01T09:00"}, "publish_at", id="in-the-past"),
    pytest.param({"publish_at": "teatime"}, "publish_at", id="nonsense-time"),
    pytest.param({"publish_at": ""}, "publish_at", id="no-time"),
    pytest.param({"timezone": "Mars/Olympus"}, "timezone", id="unknown-zone"),
    pytest.param(
        {"publish_at": "2027-03-28T02:30", "timezone": "Europe/Paris"},
        "publish_at",
        id="skipped-by-spring-forward",
    ),
    pytest.param({"category": "condolence"}, "category", id="condolence"),
    pytest.param({"category": "lottery"}, "category", id="unknown-category"),
    pytest.param({"regions": "US-TX, XX-NOPE"}, "regions", id="unknown-region"),
]


@pytest.mark.parametrize(("change", "field"), BAD_FORMS)
def test_bad_form_input_is_shown_next_to_its_field_and_stores_nothing(app, as_alice, change, field):
    before = count(app, Post)
    form = {**GOOD_FORM, **change}
    response = as_alice.submit("/posts/new", form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error_for(page, field), f"no message next to {field}"
    assert count(app, Post) == before
    # The person's input comes back, not a blank form.
    if form["text"]:
        assert html.escape(form["text"], quote=False) in page
    assert f'value="{html.escape(form["timezone"])}"' in page


BAD_INCIDENT_FORMS = [
    pytest.param({"severity": "0"}, "severity", id="severity-0"),
    pytest.param({"severity": "5"}, "severity", id="severity-5"),
    pytest.param({"regions": ""}, "regions", id="no-regions"),
    pytest.param({"regions": "XX-NOPE"}, "regions", id="unknown-region"),
    pytest.param({"kind": "picnic"}, "kind", id="unknown-kind"),
    pytest.param({"kind": ""}, "kind", id="no-kind"),
    pytest.param({"title": ""}, "title", id="empty-title"),
    pytest.param({"expires_in_hours": "soon"}, "expires_in_hours", id="bad-expiry"),
]


@pytest.mark.parametrize(("change", "field"), BAD_INCIDENT_FORMS)
def test_bad_incident_form_input_is_named_and_holds_nothing(app, as_bob, change, field):
    post = queue(app)
    response = as_bob.submit("/incidents", {**GOOD_INCIDENT, **change})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error_for(page, field), f"no message next to {field}"
    assert count(app, Incident) == 0
    assert status_of(app, post.id) == "queued"
    if change.get("title", GOOD_INCIDENT["title"]):
        assert "Gunman kills 5 in Uvalde, Texas" in page


def test_a_region_resolves_on_the_incident_form_as_the_audience_picker_offers_it(app, as_bob):
    post = queue(app, regions=["Florida (US-FL)"])
    ambiguous = as_bob.submit("/incidents", {**GOOD_INCIDENT, "regions": "Florida"})
    assert ambiguous.status_code == 400
    page = html.unescape(ambiguous.get_data(as_text=True))
    assert "Florida: US-FL (Florida, United States) or UY-FD (Florida, Uruguay)?" in page
    assert count(app, Incident) == 0
    declared = as_bob.submit("/incidents", {**GOOD_INCIDENT, "regions": "Florida (US-FL)"})
    assert declared.status_code == 303
    assert status_of(app, post.id) == "held"


# ------------------------------------------------------------- edit/cancel
def test_the_edit_form_reschedules_a_post_in_its_zone(app, as_alice):
    post = queue(app, publish_at="2026-06-01T14:30", timezone="Europe/Paris")
    page = as_alice.page(f"/posts/{post.id}/edit")
    assert 'value="2026-06-01T14:30"' in page
    form = {**GOOD_FORM, "publish_at": "2026-06-02T09:00", "timezone": "Europe/Paris"}
    response = as_alice.submit(f"/posts/{post.id}/edit", form)
    assert response.status_code == 303
    with app.db.session() as session:
        edited = posts.get_post(session, post.id)
        assert edited.local_time == "2026-06-02T09:00:00"
        assert edited.publish_at.hour == 7


def test_an_untouched_edit_form_changes_nothing(app, as_alice):
    post = queue(app)
    before = snapshot(app, post.id)
    form = {**GOOD_FORM, "publish_at": post.local_time[:16]}
    response = as_alice.submit(f"/posts/{post.id}/edit", form)
    assert response.status_code == 303
    assert snapshot(app, post.id) == before
    assert "nothing changed" in as_alice.page("/")


BAD_EDITS = [
    pytest.param({"text": ""}, "text", id="empty-text"),
    pytest.param({"text": "x" * 281}, "text", id="281-chars-on-x"),
    pytest.param({"publish_at": "2026-07-01"}, "publish_at", id="date-only"),
    pytest.param({"publish_at": "2026-05-01T09:00"}, "publish_at", id="in-the-past"),
    pytest.param({"timezone": "Mars/Olympus"}, "timezone", id="unknown-zone"),
    pytest.param(
        {"publish_at": "2027-03-28T02:30", "timezone": "Europe/Paris"},
        "publish_at",
        id="skipped-by-spring-forward",
    ),
    pytest.param({"category": "condolence"}, "category", id="condolence"),
    pytest.param({"regions": "XX-NOPE"}, "regions", id="unknown-region"),
]


@pytest.mark.parametrize(("change", "field"), BAD_EDITS)
def test_a_bad_edit_is_named_and_leaves_the_post_unchanged(app, as_alice, change, field):
    post = queue(app, channels=["us"])
    before = snapshot(app, post.id)
    form = {**GOOD_FORM, "publish_at": post.local_time[:16], **change}
    response = as_alice.submit(f"/posts/{post.id}/edit", form)
    assert response.status_code == 400
    assert error_for(response.get_data(as_text=True), field)
    assert snapshot(app, post.id) == before


def test_cancelling_from_the_list_cancels_the_post(app, as_alice):
    post = queue(app)
    response = as_alice.submit(f"/posts/{post.id}/cancel", {})
    assert response.status_code == 303
    assert status_of(app, post.id) == "cancelled"
    assert f"Post {post.id} cancelled." in as_alice.page("/")
    assert as_alice.submit(f"/posts/{post.id}/cancel", {}).status_code == 409


def test_an_unknown_post_is_a_404(as_alice):
    assert as_alice.get("/posts/99/edit").status_code == 404
    assert as_alice.submit("/posts/99/cancel", {}).status_code == 404


def test_region_suggestions_find_names(as_alice):
    response = as_alice.get("/regions.json?q=Texa")
    assert "US-TX" in [r["code"] for r in response.json["regions"]]


# ------------------------------------------------------------- app set-up
def test_the_session_key_is_kept_private_and_survives_a_restart(app):
    first = create_app(app, {"TESTING": True})
    key_file = app.settings.data_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = create_app(app, {"TESTING": True})
    assert first.secret_key == second.secret_key
    assert len(str(first.secret_key)) >= 32


def test_the_app_takes_its_limits_and_cookie_flags_from_the_settings(app, web):
    assert web.config["MAX_CONTENT_LENGTH"] == app.settings.max_content_length
    assert web.config["SESSION_COOKIE_HTTPONLY"] is True
    assert web.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert web.config["SESSION_COOKIE_SECURE"] is app.settings.secure_cookies
    assert web.extensions["tactful"] is app
