"""Users and roles (admins) and one's own API tokens, on the pages and through the API."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from scheduler import users
from scheduler.models import AuditEvent, User
from tests.conftest import make_user
from tests.web import Api, token_for


def user_named(app, name: str) -> User:
    with app.db.session() as session:
        return users.user_by_name(session, name)


@pytest.fixture
def carol_api(client, app, carol) -> Api:
    return Api(client, token_for(app, carol))


def test_an_admin_creates_a_user_who_can_sign_in(app, browser, carol):
    response = browser(carol).submit(
        "/users",
        {
            "name": "dave",
            "role": "approver",
            "email": "dave@example.com",
            "password": "dave-password-123",
        },
    )
    assert response.status_code == 303
    dave = user_named(app, "dave")
    assert (dave.role, dave.email, dave.active) == ("approver", "dave@example.com", True)
    assert browser(None).login("dave").status_code == 303
    with app.db.session() as session:
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "user.created", AuditEvent.object_id == dave.id
            )
        )
        assert event is not None and event.actor == "carol"


def test_a_bad_new_user_names_each_field_and_keeps_no_password(app, browser, carol):
    response = browser(carol).submit(
        "/users", {"name": "bad name!", "role": "boss", "email": "", "password": "short"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for field in ("name", "role", "password"):
        assert f'id="error-new-{field}"' in page, field
    assert 'value="bad name!"' in page and "short" not in page.split('id="new-password"')[1][:80]


def test_an_admin_changes_a_role_but_not_the_last_admins(app, browser, carol, alice):
    person = browser(carol)
    assert person.submit(f"/users/{alice.id}/role", {"role": "approver"}).status_code == 303
    assert user_named(app, "alice").role == "approver"
    refused = person.submit(f"/users/{carol.id}/role", {"role": "manager"})
    assert refused.status_code == 409
    assert "last active admin" in refused.get_data(as_text=True)
    assert user_named(app, "carol").role == "admin"
    make_user(app, "erin", "admin")
    assert person.submit(f"/users/{carol.id}/role", {"role": "manager"}).status_code == 303
    # Carol's role is read afresh: the Users page is closed to her at once.
    assert person.get("/users").status_code == 403


def test_the_api_creates_users_and_changes_roles(app, carol_api, alice):
    created = carol_api.post(
        "/users", {"name": "frank", "password": "frank-password-123", "role": "manager"}
    )
    assert created.status_code == 201 and created.get_json()["role"] == "manager"
    taken = carol_api.post(
        "/users", {"name": "frank", "password": "frank-password-123", "role": "manager"}
    )
    assert taken.status_code == 400 and "name" in taken.get_json()["errors"]
    changed = carol_api.patch(f"/users/{alice.id}", {"role": "admin"})
    assert changed.status_code == 200 and changed.get_json()["role"] == "admin"
    bad = carol_api.patch(f"/users/{alice.id}", {"role": "owner"})
    assert bad.status_code == 400 and "role" in bad.get_json()["errors"]
    carol = user_named(app, "carol")
    carol_api.patch(f"/users/{alice.id}", {"role": "manager"})
    last = carol_api.patch(f"/users/{carol.id}", {"role": "approver"})
    assert last.status_code == 409


def test_anyone_creates_their_own_token_shown_once(app, client, as_alice):
    response = as_alice.submit("/account/tokens", {"token_name": "reporting"})
    assert response.status_code == 200
    found = re.search(r'id="new-token" value="(tft_[^"]+)"', response.get_data(as_text=True))
    assert found
    token = found.group(1)
    assert Api(client, token).get("/posts").status_code == 200
    page = as_alice.page("/account")
    assert "reporting" in page and token not in page
    empty = as_alice.submit("/account/tokens", {"token_name": " "})
    assert empty.status_code == 400 and 'id="error-token_name"' in empty.get_data(as_text=True)


def test_the_api_creates_a_token_for_its_caller(app, client, alice_api, alice):
    created = alice_api.post("/tokens", {"name": "ci"})
    assert created.status_code == 201
    body = created.get_json()
    assert body["user"] == "alice" and body["name"] == "ci" and body["token"].startswith("tft_")
    assert Api(client, body["token"]).get("/tokens").status_code == 200
    listed = alice_api.get("/tokens").get_json()["tokens"]
    assert all("token" not in t for t in listed) and {t["name"] for t in listed} == {"tests", "ci"}
    assert alice_api.post("/tokens", {}).status_code == 400
