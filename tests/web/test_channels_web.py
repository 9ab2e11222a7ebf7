"""Channel accounts on the web (admins only): the list with each account's queued
posts; enabling at once; disabling one that has queued posts only after a second,
confirmed press; every change audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from scheduler import accounts
from scheduler.models import AuditEvent, ChannelAccount
from tests.helpers import queue


def account(app, name: str) -> ChannelAccount:
    with app.db.session() as session:
        return accounts.account_by_name(session, name)


def row_of(page: str, channel_id: int) -> str:
    found = re.search(rf'<tr id="channel-{channel_id}">(.*?)</tr>', page, re.S)
    assert found, f"no row for channel {channel_id}"
    return found.group(1)


def channel_events(app) -> list[tuple[str, str, int, str | None, dict | None]]:
    with app.db.session() as session:
        return [
            (e.actor, e.action, e.object_id, e.reason, e.details)
            for e in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.object_type == "channel")
                .order_by(AuditEvent.id)
            )
            if e.actor != "system"
        ]


def test_admins_see_each_account_with_its_queued_posts(app, browser, carol):
    queue(app)
    queue(app, category="service")
    page = browser(carol).page("/channels")
    outbox = account(app, "outbox")
    row = row_of(page, outbox.id)
    assert "outbox" in row and re.search(r'<td [^>]*class="waiting">2</td>', row)
    assert re.search(r'<td [^>]*class="enabled">yes</td>', row)
    assert 'href="/channels"' in page  # in the navigation


def test_managers_cannot_change_accounts(app, as_alice):
    outbox = account(app, "outbox")
    assert as_alice.get("/channels").status_code == 403
    assert as_alice.submit(f"/channels/{outbox.id}/disable", {}).status_code == 403
    assert account(app, "outbox").enabled


def test_disabling_an_account_with_queued_posts_asks_first(app, browser, carol):
    queue(app)
    queue(app)
    queue(app)
    admin = browser(carol)
    outbox = account(app, "outbox")
    first = admin.submit(f"/channels/{outbox.id}/disable", {"reason": "new brand"})
    assert first.status_code == 409
    html = first.get_data(as_text=True)
    assert "outbox has <strong>3 queued posts</strong>" in html
    assert 'name="confirm" value="yes"' in html
    assert account(app, "outbox").enabled and channel_events(app) == []
    done = admin.submit(f"/channels/{outbox.id}/disable", {"reason": "new brand", "confirm": "yes"})
    assert done.status_code == 303
    assert not account(app, "outbox").enabled
    assert channel_events(app) == [
        ("carol", "channel.disabled", outbox.id, "new brand", {"waiting_posts": 3})
    ]
    again = admin.submit(f"/channels/{outbox.id}/enable", {})
    assert again.status_code == 303
    assert account(app, "outbox").enabled
    assert channel_events(app)[-1] == ("carol", "channel.enabled", outbox.id, None, {})


def test_an_account_without_queued_posts_is_disabled_at_once(app, browser, carol):
    sky = account(app, "sky")
    response = browser(carol).submit(f"/channels/{sky.id}/disable", {})
    assert response.status_code == 303
    assert not account(app, "sky").enabled
    assert channel_events(app) == [("carol", "channel.disabled", sky.id, None, {})]


def test_an_unknown_account_is_not_found(browser, carol):
    assert browser(carol).submit("/channels/999/disable", {}).status_code == 404
