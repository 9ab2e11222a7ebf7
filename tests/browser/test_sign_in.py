"""Signing in, and getting around with the keyboard alone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PEOPLE


def test_a_wrong_password_is_refused_and_the_right_one_opens_the_queue(live, open_page, shot):
    page = open_page()
    person = PEOPLE["manager"]
    page.get_by_label("Name").fill(person.name)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong name or password.")
    expect(page).to_have_url(live.url("/login"))
    expect(page.get_by_label("Name")).to_have_value(person.name)  # kept, not retyped
    shot(page, "login-refused")

    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live.url("/"))
    expect(page.get_by_role("heading", name="Queue", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Signed in as mia.")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="New post")).to_be_visible()
    # A manager sees no admin pages in the navigation.
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)


def test_the_keyboard_reaches_the_content_first_and_every_control_shows_focus(open_page):
    page = open_page("admin", "phone")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # hidden until focused, then shown
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main")).to_be_focused()
    # The next stop is the first control in the content, not the header's links.
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_count(1)
    assert focused.evaluate("el => el.closest('main') !== null")
    # A focused control draws a visible ring.
    outline = focused.evaluate(
        "el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth"
    )
    assert outline.startswith("solid") and not outline.endswith(" 0px"), outline


def test_signing_out_returns_to_the_sign_in_page(live, page):
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(live.url("/incidents"))
    expect(page).to_have_url(re.compile(r"/login\?next="))
