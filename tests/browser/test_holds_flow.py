"""The promise at the heart of tactful, in a browser: a manager queues a promotion for
a city; an approver declares a tragedy there and the post is held, with the reason in
the queue; the approver dismisses it as a false alarm and the post is queued again.

Run twice: with script (the audience field offers the city's region as you type, and
the manager picks it), and without (the same forms, sent as plain HTML forms)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

PROMOTION = "Winter sale in Houston: 30% off every coat this weekend."


def compose(page: Page, live, *, javascript: bool) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New post").click()
    expect(page.get_by_role("heading", name="New post", level=1)).to_be_visible()
    page.get_by_label("Text", exact=True).fill(PROMOTION)
    page.get_by_role("checkbox", name=re.compile(r"^Outbox")).check()
    later = datetime.now(UTC) + timedelta(days=2)
    page.get_by_label("Publish at (local time)").fill(later.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Time zone").fill("UTC")
    page.get_by_label("Category").select_option("promotional")
    audience = page.get_by_label("Audience regions")
    if javascript:
        # Typing a city offers the region it lies in; the manager picks it.
        audience.press_sequentially("Houston")
        offered = page.get_by_role("option").filter(has_text="US-TX").first
        expect(offered).to_contain_text("Texas")
        offered.dispatch_event("mousedown")
        expect(audience).to_have_value(re.compile(r"US-TX"))
    else:
        audience.fill("Texas")  # a name is understood without the picker
        expect(page.locator("ul.suggestions")).to_have_count(0)  # no script ran
    page.get_by_role("button", name="Queue").click()
    expect(page).to_have_url(live.url("/"))
    expect(page.locator("p.flash")).to_have_text("Saved 1 post.")


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_a_city_promotion_is_held_by_a_tragedy_there_and_released_when_dismissed(
    live, open_page, shot, javascript
):
    manager = open_page("manager", "phone", javascript=javascript)
    compose(manager, live, javascript=javascript)
    row = manager.locator("#post-1")
    expect(row.locator("td[data-label=Regions]")).to_have_text("US-TX")
    expect(row.locator("td[data-label=Status]")).to_have_text("queued")

    approver = open_page("approver", javascript=javascript)
    approver.goto(live.url("/incidents"))
    approver.get_by_label("Title").fill("Gunman kills 5 in Houston, Texas")
    approver.get_by_label("Kind").select_option("shooting")
    approver.get_by_label("Severity").select_option("3")
    approver.get_by_label("Affected regions").fill("US-TX")
    approver.get_by_role("button", name="Declare").click()
    expect(approver.locator("p.flash")).to_have_text("Incident 1 declared: 1 post held.")
    expect(approver.locator("#incident-1 td.held")).to_have_text("1")

    # The manager's queue says the post is held, and why.
    manager.reload()
    expect(row.locator("td[data-label=Status]")).to_have_text("held")
    why = row.locator("td[data-label=Why]")
    expect(why).to_contain_text("Held by incident #1 “Gunman kills 5 in Houston, Texas”")
    expect(why).to_contain_text("promotional/inside/severity>=2")
    if javascript:
        shot(manager, "flow-queue-held")

    approver.get_by_role("button", name="Dismiss incident 1 (false alarm)").click()
    expect(approver.locator("p.flash")).to_contain_text(
        "Incident 1 dismissed: 1 hold released, 1 post back in the queue"
    )
    expect(approver.locator("#incident-1 .status")).to_have_text("dismissed")

    manager.reload()
    expect(row.locator("td[data-label=Status]")).to_have_text("queued")
    expect(row.locator("td[data-label=Why]")).not_to_contain_text("Held by")
    if javascript:
        shot(manager, "flow-queue-released")
