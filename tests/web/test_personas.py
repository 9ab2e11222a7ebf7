"""Who may use which door, through the UI and through the API, in one table.

A manager composes, edits and cancels posts; an approver also confirms, dismisses,
resolves and edits incidents and reads the audit log; an admin also manages feeds,
channel accounts, users and tokens. A refused door is a 403 (never a 500, never a
redirect to somewhere that pretends it worked) and changes nothing: the persona
leaves no audit event behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from scheduler import accounts
from scheduler.models import AuditEvent
from tests.conftest import make_user
from tests.helpers import at, queue
from tests.web import Api, token_for
from tests.web.reports import store_report

PERSONAS = {"manager": "alice", "approver": "bob", "admin": "carol"}
ROLES = tuple(PERSONAS)


@dataclass(frozen=True)
class Door:
    name: str
    method: str
    path: str  # with {incident}, {channel}, {user}, {post}
    body: dict[str, Any] | None
    # The status each role gets; a refused role gets 403.
    manager: int
    approver: int
    admin: int

    def expected(self, role: str) -> int:
        code: int = getattr(self, role)
        return code


EDIT = {
    "seen_status": "active",
    "title": "Renamed",
    "kind": "shooting",
    "severity": "3",
    "regions": "US-TX",
    "extend_hours": "2",
    "reason": "",
}
POST_FORM = {
    "text": "Our new range is in store.",
    "channels": "outbox",
    "publish_at": "",  # filled in per test
    "timezone": "UTC",
    "category": "service",
    "regions": "",
}

UI_DOORS = [
    Door("incident list", "GET", "/incidents", None, 200, 200, 200),
    Door("incident page", "GET", "/incidents/{incident}", None, 200, 200, 200),
    Door("confirm", "POST", "/incidents/{incident}/confirm", {}, 403, 303, 303),
    Door("dismiss", "POST", "/incidents/{incident}/dismiss", {"reason": "x"}, 403, 303, 303),
    Door("resolve", "POST", "/incidents/{incident}/resolve", {}, 403, 303, 303),
    Door("edit incident", "POST", "/incidents/{incident}/edit", EDIT, 403, 303, 303),
    Door(
        "declare",
        "POST",
        "/incidents",
        {
            "kind": "storm",
            "severity": "2",
            "regions": "FR",
            "title": "Storm",
            "expires_in_hours": "",
        },
        403,
        303,
        303,
    ),
    Door("compose", "POST", "/posts/new", POST_FORM, 303, 303, 303),
    Door("cancel a post", "POST", "/posts/{post}/cancel", {}, 303, 303, 303),
    Door("audit log", "GET", "/audit", None, 403, 200, 200),
    Door("feeds page", "GET", "/feeds", None, 403, 403, 200),
    Door("channels page", "GET", "/channels", None, 403, 403, 200),
    Door("add channel", "POST", "/channels", {"name": "extra", "network": "outbox"}, 403, 403, 303),
    Door("test channel", "POST", "/channels/{channel}/test", {}, 403, 403, 200),
    Door("disable channel", "POST", "/channels/{channel}/disable", {}, 403, 403, 303),
    Door("users page", "GET", "/users", None, 403, 403, 200),
    Door(
        "create user",
        "POST",
        "/users",
        {"name": "erin", "role": "manager", "password": "erin-password-123"},
        403,
        403,
        303,
    ),
    Door("change role", "POST", "/users/{user}/role", {"role": "approver"}, 403, 403, 303),
    Door("deactivate user", "POST", "/users/{user}/deactivate", {}, 403, 403, 303),
    Door("own account", "GET", "/account", None, 200, 200, 200),
    Door("create own token", "POST", "/account/tokens", {"token_name": "mine"}, 200, 200, 200),
]

API_DOORS = [
    Door("list incidents", "GET", "/incidents", None, 200, 200, 200),
    Door("get incident", "GET", "/incidents/{incident}", None, 200, 200, 200),
    Door("held posts", "GET", "/incidents/{incident}/held", None, 200, 200, 200),
    Door("confirm", "POST", "/incidents/{incident}/confirm", None, 403, 200, 200),
    Door("dismiss", "POST", "/incidents/{incident}/dismiss", {"reason": "x"}, 403, 200, 200),
    Door("resolve", "POST", "/incidents/{incident}/resolve", None, 403, 200, 200),
    Door("amend", "PATCH", "/incidents/{incident}", {"title": "Renamed"}, 403, 200, 200),
    Door(
        "declare",
        "POST",
        "/incidents",
        {"kind": "storm", "severity": 2, "regions": ["FR"], "title": "Storm"},
        403,
        201,
        201,
    ),
    Door("cancel a post", "DELETE", "/posts/{post}", None, 200, 200, 200),
    Door("audit", "GET", "/audit", None, 403, 200, 200),
    Door("feeds", "GET", "/feeds", None, 403, 403, 200),
    Door("channels", "GET", "/channels", None, 403, 403, 200),
    Door("add channel", "POST", "/channels", {"name": "extra", "network": "outbox"}, 403, 403, 201),
    Door("test channel", "POST", "/channels/{channel}/test", None, 403, 403, 200),
    Door("disable channel", "POST", "/channels/{channel}/disable", None, 403, 403, 200),
    Door("enable channel", "POST", "/channels/{channel}/enable", None, 403, 403, 200),
    Door("users", "GET", "/users", None, 403, 403, 200),
    Door(
        "create user",
        "POST",
        "/users",
        {"name": "erin", "role": "manager", "password": "erin-password-123"},
        403,
        403,
        201,
    ),
    Door("change role", "PATCH", "/users/{user}", {"role": "approver"}, 403, 403, 200),
    Door("deactivate user", "POST", "/users/{user}/deactivate", None, 403, 403, 200),
    Door("own tokens", "GET", "/tokens", None, 200, 200, 200),
    Door("create own token", "POST", "/tokens", {"name": "mine"}, 201, 201, 201),
]


@pytest.fixture
def world(app) -> dict[str, int]:
    """An incident to act on (from the monitor, awaiting review), a post, a channel
    account, and a user to manage."""
    incident = store_report(app, confidence=0.4)
    post = queue(app, category="service", regions=["FR"])
    with app.db.session() as session:
        channel = accounts.account_by_name(session, "us").id
    user = make_user(app, "dave", "manager").id
    return {"incident": incident, "channel": channel, "user": user, "post": post.id}


def events_by(app, name: str) -> int:
    with app.db.session() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.actor == name, AuditEvent.action.not_like("login.%"))
            )
            or 0
        )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("door", UI_DOORS, ids=lambda d: d.name)
def test_ui_doors(app, browser, world, request, role, door):
    person = browser(request.getfixturevalue(PERSONAS[role]))
    path = door.path.format(**world)
    before = events_by(app, PERSONAS[role])
    if door.method == "GET":
        response = person.get(path)
    else:
        body = dict(door.body or {})
        if "publish_at" in body:
            body["publish_at"] = at(minutes=30)
        response = person.submit(path, body)
    assert response.status_code == door.expected(role), response.get_data(as_text=True)[:2000]
    if response.status_code == 403:
        assert "needs the" in response.get_data(as_text=True)
        assert events_by(app, PERSONAS[role]) == before  # a refused door changes nothing


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("door", API_DOORS, ids=lambda d: d.name)
def test_api_doors(app, client, world, request, role, door):
    user = request.getfixturevalue(PERSONAS[role])
    api = Api(client, token_for(app, user))
    path = door.path.format(**world)
    before = events_by(app, user.name)
    response = api.call(door.method, path, door.body)
    assert response.status_code == door.expected(role), response.get_json()
    if response.status_code == 403:
        assert list(response.get_json()["errors"]) == ["role"]
        assert events_by(app, user.name) == before


def test_the_pages_offer_each_role_only_its_doors(app, browser, world, alice, bob, carol):
    """The navigation and the incident page show a door only to those it opens for."""
    incident = f"/incidents/{world['incident']}"
    manager, approver, admin = (browser(u) for u in (alice, bob, carol))
    for person, audit, admin_links, actions in (
        (manager, False, False, False),
        (approver, True, False, True),
        (admin, True, True, True),
    ):
        page = person.page(incident)
        assert ('href="/audit"' in page) is audit
        assert ('href="/channels"' in page and 'href="/users"' in page) is admin_links
        assert ("Save changes" in page and f'action="{incident}/confirm"' in page) is actions
