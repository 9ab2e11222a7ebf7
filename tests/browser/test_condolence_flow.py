"""A condolence needs two people: the approver who wrote it cannot approve it; a
second approver can, and only then is anything queued."""

from __future__ import annotations

import re

from playwright.sync_api import expect

TEXT = "Our thoughts are with everyone in Uvalde tonight."


def test_a_condolence_written_by_one_approver_is_approved_by_another(live, open_page, shot):
    author = open_page("approver")
    author.goto(live.url("/incidents"))
    author.get_by_label("Title").fill("Gunman kills 5 in Uvalde, Texas")
    author.get_by_label("Kind").select_option("shooting")
    author.get_by_label("Severity").select_option("3")
    author.get_by_label("Affected regions").fill("US-TX")
    author.get_by_role("button", name="Declare").click()
    expect(author.locator("p.flash")).to_contain_text("Incident 1 declared")

    # The queue prompts for a condolence; the author writes one and submits it.
    author.goto(live.url("/"))
    author.get_by_role("link", name="Condolence needed? Gunman kills 5 in Uvalde, Texas").click()
    expect(author.get_by_role("heading", level=1)).to_have_text(
        "Condolence for “Gunman kills 5 in Uvalde, Texas”"
    )
    # Only the US account this time.
    for box in author.get_by_role("checkbox").all():
        box.uncheck()
    author.get_by_role("checkbox", name=re.compile(r"^US outbox")).check()
    author.get_by_label("Text for us").fill(TEXT)
    author.get_by_role("button", name="Submit for approval").click()
    expect(author.locator("p.flash")).to_have_text(
        "Version 1 submitted for approval. Nothing is published yet."
    )
    # Two-person approval: the author's approve buttons are off, and the page says why.
    expect(
        author.get_by_role("note").filter(has_text="You wrote part of this version")
    ).to_be_visible()
    expect(author.get_by_role("button", name="Approve and publish now")).to_be_disabled()
    expect(author.get_by_role("button", name="Approve for this time")).to_be_disabled()
    shot(author, "condolence-blocked")
    draft_url = author.url

    second = open_page("second_approver")
    second.goto(draft_url)
    approve = second.get_by_role("button", name="Approve and publish now")
    expect(approve).to_be_enabled()
    approve.click()
    expect(second.locator("p.flash")).to_contain_text("Approved: 1 condolence post queued (us at")
    expect(second.locator("main")).to_contain_text("Approved by ava")
    shot(second, "condolence-approved")

    # The condolence post is in the queue now, as a condolence.
    second.goto(live.url("/?category=condolence"))
    expect(second.locator("table.posts tbody tr")).to_have_count(1)
    expect(second.locator("table.posts tbody tr td[data-label=Text]")).to_have_text(TEXT)
