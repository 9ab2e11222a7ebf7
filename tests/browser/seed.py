"""Data for the browser tests, made through the services (the pages' own flows have
tests of their own): something on every page, and text that is hard to lay out."""

from __future__ import annotations

from dataclasses import dataclass

from scheduler import condolences, users
from scheduler.context import Tactful
from scheduler.feeds.manage import add_feed
from tests.browser.conftest import PEOPLE
from tests.helpers import declare, placed_reports, queue

LONG_LINK = "https://shop.example.com/collections/winter-2026/flash-sale?utm_source=tactful&utm_campaign=texas"


@dataclass(frozen=True)
class Seeded:
    held_post: int
    queued_post: int
    incident: int
    draft: int


def everything(app: Tactful) -> Seeded:
    """A held promotion and a queued service post, an open incident with its condolence
    prompt awaiting approval, a feed with a long address, a local feed whose reports
    suggest its area, and an API token."""
    held = queue(
        app,
        text=f"Winter sale: {LONG_LINK}",
        regions=["US-TX"],
    )
    service = queue(app, text="Our Houston store opens late today at 11:00.", category="service")
    declared = declare(app, title="Gunman kills 5 in Uvalde, Texas", regions=["US-TX"])
    with app.db.session() as session:
        approver = users.user_by_name(session, PEOPLE["approver"].name)
        admin = users.user_by_name(session, PEOPLE["admin"].name)
        assert approver is not None and admin is not None
        (draft,) = condolences.list_drafts(session)
        names = sorted(draft.texts)
        condolences.edit(
            session,
            draft.id,
            {
                "texts": {name: "Our thoughts are with everyone in Uvalde." for name in names},
                "channels": names,
                "submit": True,
            },
            approver,
        )
        draft_id = draft.id
        add_feed(
            session,
            app.settings,
            {
                "url": "https://news.example.org/world/americas/rss-feed-with-a-rather-long-address.xml",
                "kind": "news",
            },
            admin,
        )
        local = add_feed(
            session,
            app.settings,
            {"url": "https://local.example.org/news.xml", "kind": "news", "title": "Town Talk"},
            admin,
        ).id
        users.create_token(session, admin, "reporting-script")
    # A local paper's feed whose reports suggest its area.
    placed_reports(app, local, [["US-LA", "US"]] * 24 + [["US-TX", "US"]] * 6)
    return Seeded(held.id, service.id, declared.incident.id, draft_id)
