"""Signing in, and getting around with the keyboard alone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PEOPLE, no_sideways_scroll


def test_a_wrong_password_is_refused_and_the_right_one_opens_the_dashboard(live, open_page, shot):
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
    expect(page).to_have_url(live.url("/dashboard"))
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator("p.flash")).to_have_text("Signed in as mia.")
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


def test_the_new_post_form_is_filled_in_reading_order_and_sent_with_the_keyboard(live, open_page):
    page = open_page("manager", "phone")
    page.goto(live.url("/posts/new"))
    page.get_by_label("Text", exact=True).focus()
    page.keyboard.type("Opening late today.")
    order: list[str] = []
    for _ in range(30):  # a date-time field takes one stop per part (day, month, …)
        page.keyboard.press("Tab")
        now = page.evaluate(
            "() => { const el = document.activeElement; return el.id || el.name || el.textContent.trim(); }"
        )
        if not order or order[-1] != now or now == "channels":
            order.append(now)
        if now == "Queue":
            break
    # Every field in the order it is shown, the channel boxes first, then each
    # network's own text (folded under its name), the button last.
    boxes = page.locator("input[name=channels]").count()
    variants = [t.strip() for t in page.locator("details.variant > summary").all_text_contents()]
    zone = [t.strip() for t in page.locator("button:has-text('device')").all_text_contents()]
    assert variants, "the composer offers a text per network"
    assert order == [
        *["channels"] * boxes,
        *variants,
        "publish_at",
        "timezone",
        *zone,
        "category",
        "regions",
        "draft",
        "Queue",
    ], order
    tops = []
    for name in ("text", "publish_at", "category", "regions"):
        box = page.locator(f"#{name}").bounding_box()
        assert box is not None
        tops.append(box["y"])
    assert tops == sorted(tops)  # shown top to bottom in that same order
    # Enter on the focused button sends the form; what is missing is named.
    page.keyboard.press("Enter")
    expect(page.locator("#error-channels")).to_be_visible()
    expect(page.get_by_role("group", name="Channel accounts")).to_have_attribute(
        "aria-invalid", "true"
    )
    no_sideways_scroll(page)
    expect(page.get_by_label("Text", exact=True)).to_have_value("Opening late today.")
