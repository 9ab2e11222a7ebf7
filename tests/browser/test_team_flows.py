"""The day of a social team in a real browser: counters that count as the server
does, a hold seen on the dashboard and the calendar and released, a CSV import with a
bad row that stores nothing, and a post approved by a second person."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import func, select, update

from rules.text import measure
from scheduler.models import ChannelAccount, Post
from tests.browser.test_holds_flow import PROMOTION, compose


def test_the_counters_count_as_the_server_does_while_typing(live, open_page):
    page = open_page("manager")
    page.goto(live.url("/posts/new"))
    text = "Hello 👋🏽 world — see https://example.com/a/very/long/path?q=1 #sale @shop"
    page.get_by_label("Text", exact=True).press_sequentially(text)
    counters = page.locator("#text-counts li.counter")
    # One counter per network of the enabled accounts, each with the server's count.
    for network, expected in (("x", measure(text, "x")), ("bluesky", measure(text, "bluesky"))):
        item = counters.and_(page.locator(f"[data-network={network}]"))
        expect(item).to_contain_text(f": {expected}")
    # Past a limit the counter says by how much, as it changes.
    page.get_by_label("Text", exact=True).fill("x" * 290)
    expect(counters.and_(page.locator("[data-network=x]"))).to_contain_text("10 too many")
    expect(counters.and_(page.locator("[data-network=x]"))).to_have_class(re.compile("over"))


def _post_day(live) -> str:
    with live.app.db.session() as session:
        when = session.scalar(select(Post.publish_at).order_by(Post.id.desc()))
    assert when is not None
    return when.astimezone(UTC).strftime("%Y-%m-%d")


def test_a_held_post_shows_on_the_dashboard_and_the_calendar_until_released(live, open_page, shot):
    manager = open_page("manager")
    compose(manager, live, javascript=True)
    approver = open_page("approver")
    approver.goto(live.url("/incidents"))
    approver.get_by_label("Title").fill("Gunman kills 5 in Houston, Texas")
    approver.get_by_label("Kind").select_option("shooting")
    approver.get_by_label("Severity").select_option("3")
    approver.get_by_label("Affected regions").fill("US-TX")
    approver.get_by_role("button", name="Declare").click()
    expect(approver.locator("p.flash")).to_contain_text("1 post held")

    manager.goto(live.url("/dashboard"))
    held = manager.locator("#dash-held-1")
    expect(held).to_contain_text(PROMOTION[:40])
    expect(held).to_contain_text("Gunman kills 5 in Houston, Texas")
    shot(manager, "flow-dashboard-held")
    manager.goto(live.url(f"/calendar?view=week&date={_post_day(live)}"))
    slot = manager.locator("#slot-post-1")
    expect(slot.locator(".cal-hold")).to_contain_text("held by Gunman kills 5 in Houston, Texas")
    shot(manager, "flow-calendar-held")

    approver.get_by_role("button", name="Dismiss incident 1 (false alarm)").click()
    expect(approver.locator("p.flash")).to_contain_text("1 post back in the queue")
    manager.reload()
    expect(slot.locator(".cal-hold")).to_have_count(0)
    manager.goto(live.url("/dashboard"))
    expect(manager.locator("#dash-held-1")).to_have_count(0)


def test_a_csv_with_one_bad_row_is_refused_whole(live, open_page, shot, tmp_path: Path):
    later = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    csv = tmp_path / "posts.csv"
    csv.write_text(
        "text,accounts,time,time_zone,category,regions\n"
        f"Spring sale starts now,outbox,{later},UTC,promotional,US-TX\n"
        f"Second post,outbox,{later},UTC,lottery,US-TX\n",
        encoding="utf-8",
    )
    page = open_page("manager", "phone")
    page.goto(live.url("/posts/import"))
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Import").click()
    errors = page.get_by_role("alert")
    expect(errors).to_contain_text("Nothing was imported from posts.csv")
    expect(errors.locator("table.import-errors")).to_contain_text("category")
    expect(errors.locator("table.import-errors")).to_contain_text("3")  # the row, header = 1
    shot(page, "flow-import-refused")
    with live.app.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Post)) == 0


def _require_approval(live, name: str) -> None:
    with live.app.db.session() as session:
        session.execute(
            update(ChannelAccount).where(ChannelAccount.name == name).values(require_approval=True)
        )


def _submit_gated_post(page: Page, live) -> None:
    page.goto(live.url("/posts/new"))
    page.get_by_label("Text", exact=True).fill("New menu on Friday.")
    page.get_by_role("checkbox", name=re.compile(r"^Outbox")).check()
    later = datetime.now(UTC) + timedelta(days=2)
    page.get_by_label("Publish at (local time)").fill(later.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Time zone").fill("UTC")
    page.get_by_label("Category").select_option("informational")
    page.get_by_role("button", name="Queue").click()
    expect(page).to_have_url(live.url("/"))


def test_a_post_waits_for_a_second_person_to_approve_it(live, open_page, shot):
    _require_approval(live, "outbox")
    approver = open_page("approver")
    _submit_gated_post(approver, live)
    row = approver.locator("#post-1")
    expect(row.locator("td[data-label=Status]")).to_contain_text("pending approval")
    # Its own author cannot approve it.
    approver.goto(live.url("/posts/1/edit"))
    expect(approver.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    expect(approver.get_by_text("another approver must approve it")).to_be_visible()

    second = open_page("second_approver", "phone")
    second.goto(live.url("/posts/1/edit"))
    second.get_by_role("button", name="Approve version 1").click()
    expect(second.locator("p.flash")).to_be_visible()
    second.goto(live.url("/"))
    expect(second.locator("#post-1 td[data-label=Status]")).to_have_text("queued")
    shot(second, "flow-post-approved")
