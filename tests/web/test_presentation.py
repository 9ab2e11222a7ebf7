"""What every page shares: the favicon, one way of showing a moment, and audit
details as text a person reads."""

from __future__ import annotations

import html
import re

from scheduler import audit, clock
from scheduler.feeds import manage
from tests.helpers import declare, queue

# A moment as the UI shows it, in visible text: minutes, then the zone.
SHOWN = re.compile(
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:\d{2})?(?: [A-Za-z_/]+)?"
)


def visible_text(page: str) -> str:
    """The page without tags (so without attribute values), entities decoded."""
    without_scripts = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", without_scripts))


def test_every_page_links_a_favicon_that_is_served(app, as_alice, client):
    page = as_alice.page("/")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert b"<svg" in icon.data
    legacy = client.get("/favicon.ico")
    assert legacy.status_code == 301 and legacy.location.endswith("/static/favicon.svg")


def test_moments_are_shown_one_way_on_every_page(app, browser, carol, frozen):
    queue(app, publish_at="2026-06-01T14:30", timezone="Europe/Paris", regions=["FR"])
    queue(app)
    declare(app)
    with app.db.session() as session:
        feed = manage.add_feed(
            session, app.settings, {"url": "https://news.example.org/rss", "kind": "news"}, None
        )
        feed.last_polled_at = clock.now()
    admin = browser(carol)
    seen = []
    for url in ("/", "/incidents", "/audit", "/feeds", "/channels", "/condolences"):
        seen += [m.group() for m in SHOWN.finditer(visible_text(admin.page(url)))]
    assert "2026-06-01 14:30 Europe/Paris" in seen  # a post, in its author's zone
    assert "2026-06-01 12:00 UTC" in seen  # the audit log, the feed's last poll
    for shown in seen:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} \S+", shown), shown


def test_audit_details_read_as_text_not_json(app, browser, carol):
    with app.db.session() as session:
        audit.record(
            session,
            "carol",
            "incident.amended",
            "incident",
            7,
            "wider area",
            {"severity": 3, "regions": ["US-TX", "US"], "needs_review": False},
        )
    page = browser(carol).page("/audit")
    text = visible_text(page)
    assert "severity: 3; regions: US-TX, US; needs review: no" in text
    assert "&#34;" not in page and '{"severity"' not in text
