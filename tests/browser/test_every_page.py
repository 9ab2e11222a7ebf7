"""Every page, signed in as an admin with data on it, at desktop and phone width: no
page scrolls sideways, the navigation is all there, and a screenshot of each is saved
for people to look at (``var/screenshots/`` or ``TACTFUL_SCREENSHOTS``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import seed
from tests.browser.conftest import no_sideways_scroll
from tests.web.test_accessibility import NOT_PAGES

# (screenshot name, path; ``{held}`` and the like are filled from the seeded ids).
# A new page joins this list.
PAGES = [
    ("dashboard", "/dashboard"),
    ("calendar-month", "/calendar"),
    ("calendar-week", "/calendar?view=week"),
    ("queue", "/"),
    ("queue-held", "/?status=held"),
    ("new-post", "/posts/new"),
    ("import", "/posts/import"),
    ("edit-post", "/posts/{held}/edit"),
    ("incidents", "/incidents"),
    ("incident", "/incidents/{incident}"),
    ("condolences", "/condolences"),
    ("condolence", "/condolences/{draft}"),
    ("audit", "/audit"),
    ("feeds", "/feeds"),
    ("channels", "/channels"),
    ("users", "/users"),
    ("rules", "/rules"),
    ("account", "/account"),
    ("api-docs", "/api/docs"),
    ("not-found", "/posts/999999/edit"),
]
# The words of an element drawn in more than one piece (a line break inside a word;
# one after a hyphen is fine), tokens longer than 24 characters (links) aside.
_SPLIT_WORDS = """el => {
  const split = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const word of node.data.matchAll(/[^\\s-]+/g)) {
      if (word[0].length > 24) continue;
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      if (range.getClientRects().length > 1) split.push(word[0]);
    }
  }
  return split;
}"""


def split_words(locator) -> list[str]:
    return locator.evaluate(_SPLIT_WORDS)


# Pages that show tokens longer than a phone is wide (the API reference's patterns):
# they must still not scroll sideways, but such a token wraps inside itself.
LONG_TOKENS = {"api-docs"}
NAV = [
    "Dashboard",
    "Queue",
    "Calendar",
    "New post",
    "Import",
    "Incidents",
    "Condolences",
    "Audit",
    "Feeds",
    "Channels",
    "Users",
    "Rules",
    "Account",
]


@pytest.mark.parametrize("viewport", ["phone", "tablet", "desktop"])
def test_every_page_fits_its_width_and_is_photographed(live, open_page, shot, viewport):
    ids = seed.everything(live.app)
    values = {"held": ids.held_post, "draft": ids.draft, "incident": ids.incident}

    signed_out = open_page(None, viewport)
    no_sideways_scroll(signed_out)
    shot(signed_out, "login")

    page = open_page("admin", viewport)
    width = page.viewport_size["width"]
    for name, path in PAGES:
        page.goto(live.url(path.format(**values)))
        expect(page.locator("main h1")).to_be_visible()
        no_sideways_scroll(page)
        if name not in LONG_TOKENS:
            assert split_words(page.locator("main")) == [], name
        # The whole navigation is on screen: none of it cut off or pushed aside.
        links = page.get_by_role("navigation", name="Main").get_by_role("link")
        expect(links).to_have_text(NAV)
        boxes = links.evaluate_all(
            "links => links.map(a => { const b = a.getBoundingClientRect();"
            " return [a.textContent.trim(), b.left, b.right, b.top, b.bottom]; })"
        )
        for label, left, right, top, bottom in boxes:
            assert left >= 0 and right <= width and 0 <= top < bottom, (name, label, boxes)
        shot(page, name)


def test_table_rows_become_cards_on_a_phone_without_breaking_words(live, open_page):
    ids = seed.everything(live.app)
    page = open_page("admin", "phone")
    page.goto(live.url("/"))
    row = page.locator(f"#post-{ids.queued_post}")
    # Each cell is named by its column, and the header row is out of sight.
    expect(row.locator("td[data-label=Text]")).to_contain_text("Houston store opens late")
    expect(page.locator("table.posts thead")).not_to_be_in_viewport()
    # The text cell is as wide as the card: no word of it is split.
    card = row.bounding_box()
    text = row.locator("td[data-label=Text]").bounding_box()
    assert card is not None and text is not None
    assert text["width"] >= card["width"] * 0.9, (text, card)
    assert split_words(row.locator("td[data-label=Text]")) == []
    # The long link in the held post breaks to fit, and only it.
    held = page.locator(f"#post-{ids.held_post} td[data-label=Text]")
    expect(held).to_contain_text(seed.LONG_LINK[:40])
    assert held.evaluate("el => el.scrollWidth <= el.clientWidth")


def test_the_tour_covers_every_page_the_ui_serves(live):
    """A new page joins ``PAGES``: this names any the tour above would miss."""
    adapter = live.web.url_map.bind("localhost")
    toured = {"ui.login"} | {
        adapter.match(path.split("?")[0].format(held=1, draft=1, incident=1))[0]
        for _, path in PAGES
    }
    pages = {
        rule.endpoint
        for rule in live.web.url_map.iter_rules()
        if rule.endpoint.startswith("ui.")
        and "GET" in (rule.methods or ())
        and rule.endpoint not in NOT_PAGES
    }
    assert pages - toured == set(), "add these pages to PAGES"
