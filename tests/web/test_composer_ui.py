"""The composer page (New post, Edit post) without JavaScript: labelled fields,
per-network texts, the server's counters and Preview button, escaping, the
audience field's errors for names it cannot resolve, and the publish time."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from rules.text import rules_data
from scheduler import posts
from tests.helpers import queue
from tests.web.test_ui import GOOD_FORM, error_for

HOSTILE = (
    '<script>alert(1)</script> <img src=x onerror="alert(2)"> '
    'https://evil.example/"><svg/onload=alert(3)> @x"><b>bold</b> #tag<i>'
)


class Fields(HTMLParser):
    """Every form field of a page, the labels' targets, and the ids."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.ids: list[str] = []
        self._in_label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag == "label":
            self._in_label += 1
            if attributes.get("for"):
                self.label_for.add(str(attributes["for"]))
        if tag in ("input", "select", "textarea"):
            kind = attributes.get("type") or ""
            if kind not in ("hidden", "submit"):
                self.fields.append({**attributes, "wrapped": "yes" if self._in_label else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._in_label -= 1


def parse(page: str) -> Fields:
    found = Fields()
    found.feed(page)
    return found


def stored(app) -> dict[str, str]:
    with app.db.session() as session:
        return {p.channel.name: p.text for p in posts.list_posts(session).posts}


def raw(response) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------- the page
@pytest.mark.parametrize("which", ["new", "edit"])
def test_every_field_is_labelled_and_every_id_unique(app, as_alice, which):
    url = "/posts/new" if which == "new" else f"/posts/{queue(app).id}/edit"
    found = parse(raw(as_alice.get(url)))
    assert found.fields
    for field in found.fields:
        assert field["wrapped"] or field.get("id") in found.label_for, field
    assert len(found.ids) == len(set(found.ids))


def test_the_new_post_page_offers_a_text_box_per_network_of_the_accounts(as_alice):
    page = raw(as_alice.get("/posts/new"))
    for network in ("x", "mastodon", "bluesky", "outbox"):
        assert f'name="variant_{network}"' in page
    # Each account says which network counts it, for the page's script and for people.
    assert 'value="us" data-network="x" data-limit="280"' in page
    assert "counted as mastodon" in page


def test_the_page_embeds_the_servers_own_counting_rules(as_alice):
    page = raw(as_alice.get("/posts/new"))
    found = re.search(r'data-rules="([^"]*)"', page)
    assert found is not None
    assert json.loads(html.unescape(found.group(1))) == rules_data()
    for script in ("text_rules.js", "composer.js", "regions.js"):
        assert f"/static/{script}" in page
        response = as_alice.get(f"/static/{script}")
        assert response.status_code == 200
        response.close()


def test_the_server_counts_each_network_on_the_page(app, as_alice):
    post = queue(app, channels=["us"], text="日本語 https://example.com/a/long/path")
    page = as_alice.page(f"/posts/{post.id}/edit")
    # X counts CJK double and a link as 23: 6 + 1 + 23.
    assert re.search(r"X</strong>:\s*30 / 280 characters, 250 left", page)


# ------------------------------------------------------ per-network texts
def test_a_networks_own_text_goes_to_its_accounts_only(app, as_alice):
    form = {
        **GOOD_FORM,
        "channels": ["outbox", "us", "sky"],
        "variant_x": "Short for X\r\nsecond line",
        "variant_mastodon": "",  # left empty: no variant
        "variant_bluesky": "   ",
    }
    response = as_alice.submit("/posts/new", form)
    assert response.status_code == 303, error_for(raw(response), "text")
    assert stored(app) == {
        "outbox": GOOD_FORM["text"],
        "us": "Short for X\nsecond line",
        "sky": GOOD_FORM["text"],
    }


def test_a_too_long_network_text_is_named_next_to_its_box_and_nothing_is_stored(app, as_alice):
    form = {**GOOD_FORM, "channels": ["outbox", "us"], "variant_x": "y" * 281}
    response = as_alice.submit("/posts/new", form)
    assert response.status_code == 400
    page = raw(response)
    message = error_for(page, "network_variants.x")
    assert "us:" in message and "281" in message
    assert 'aria-describedby="variant-x-count error-network_variants.x"' in page
    assert "y" * 281 in page  # the text typed is kept
    assert error_for(page, "text") == ""
    assert stored(app) == {}


def test_a_text_for_a_network_no_chosen_account_has_is_refused(app, as_alice):
    form = {**GOOD_FORM, "channels": ["outbox"], "variant_bluesky": "Only for Bluesky"}
    response = as_alice.submit("/posts/new", form)
    assert response.status_code == 400
    assert "counted as bluesky" in error_for(raw(response), "network_variants")
    assert stored(app) == {}


# ---------------------------------------------------------------- preview
def test_the_preview_button_previews_each_chosen_network_and_stores_nothing(app, as_alice):
    text = "Sale!\nSee https://www.shop.example/a/very/long/path/to/the/sale @ann #Spring"
    form = {**GOOD_FORM, "channels": ["us", "masto"], "text": text, "action": "preview"}
    response = as_alice.submit("/posts/new", form)
    assert response.status_code == 200
    assert stored(app) == {}
    page = raw(response)
    articles = dict(
        re.findall(r'<article class="preview" data-network="([a-z]+)">(.*?)</article>', page, re.S)
    )
    assert set(articles) == {"x", "mastodon"}
    # Line breaks are kept as typed (the box keeps white space), links shortened as
    # each network shows them, mentions and hashtags marked.
    assert "Sale!\nSee " in articles["x"]
    assert (
        '<span class="pv-link" title="https://www.shop.example/a/very/long/path/to/the/sale'
        in (articles["x"])
    )
    assert ">shop.example/a/very/lon…</span>" in articles["x"]
    assert ">shop.example/a/very/long/path/…</span>" in articles["mastodon"]
    assert '<span class="pv-mention">@ann</span>' in articles["x"]
    assert '<span class="pv-hashtag">#Spring</span>' in articles["mastodon"]
    assert "each link counts 23" in articles["x"]
    # The form comes back as it was sent.
    assert 'value="us" data-network="x" data-limit="280" checked' in page


def test_the_preview_shows_a_networks_own_text_and_its_problem(as_alice):
    form = {
        **GOOD_FORM,
        "channels": ["us", "sky"],
        "variant_x": "z" * 290,
        "action": "preview",
    }
    page = raw(as_alice.submit("/posts/new", form))
    x = re.search(r'<article class="preview" data-network="x">(.*?)</article>', page, re.S)
    assert x is not None
    assert "own text" in x.group(1) and "z" * 290 in x.group(1)
    assert "the limit is 280" in x.group(1)
    assert re.search(
        r"X</strong> <small>\(own text\)</small>:\s*290 / 280 characters, 10 too many", page
    )


def test_the_preview_shows_the_publish_time_in_utc(as_alice):
    form = {
        **GOOD_FORM,
        "publish_at": "2026-06-01T18:30",
        "timezone": "Europe/Paris",
        "action": "preview",
    }
    page = html.unescape(raw(as_alice.submit("/posts/new", form)))
    assert "2026-06-01 18:30 Europe/Paris is 2026-06-01 16:30 UTC" in page


@pytest.mark.parametrize("where", ["text", "variant_x"])
def test_hostile_text_is_escaped_in_the_form_and_the_preview(as_alice, where):
    form = {**GOOD_FORM, "channels": ["us", "masto"], "action": "preview"}
    form[where] = HOSTILE
    page = raw(as_alice.submit("/posts/new", form))
    for tag in ("<script>alert", "<img src=x", "<svg", "<b>bold", "<i>"):
        assert tag not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'onerror="alert' not in page


def test_hostile_text_is_escaped_on_the_edit_page(app, as_alice):
    post = queue(app, channels=["masto"], text=HOSTILE)
    page = raw(as_alice.get(f"/posts/{post.id}/edit"))
    assert "<script>alert" not in page and "<svg" not in page and "<b>bold" not in page
    assert "&lt;script&gt;" in page


# ---------------------------------------------------------------- editing
def test_the_edit_page_counts_and_previews_its_own_accounts_network_only(app, as_alice):
    post = queue(app, channels=["sky"], text="Hello 👨‍👩‍👧")
    page = raw(as_alice.get(f"/posts/{post.id}/edit"))
    assert re.findall(r'<article class="preview" data-network="([a-z]+)">', page) == ["bluesky"]
    assert 'name="variant_' not in page
    assert 'data-network="bluesky"' in page and 'data-limit="300"' in page
    assert re.search(r"Bluesky</strong>:\s*7 / 300 graphemes", page)


def test_previewing_an_edit_changes_nothing(app, as_alice):
    post = queue(app, channels=["us"])
    form = {
        "text": "New words https://example.com/" + "p" * 50,
        "publish_at": post.local_time[:16],
        "timezone": post.timezone,
        "category": post.category,
        "regions": ", ".join(post.regions),
        "action": "preview",
    }
    response = as_alice.submit(f"/posts/{post.id}/edit", form)
    assert response.status_code == 200
    assert re.search(r"X</strong>:\s*33 / 280", raw(response))
    assert stored(app) == {"us": "Flash sale: 30% off today only!"}


def test_an_edit_too_long_for_its_network_is_named(app, as_alice):
    post = queue(app, channels=["us"])
    form: dict[str, Any] = {
        "text": "日" * 141,
        "publish_at": post.local_time[:16],
        "timezone": post.timezone,
        "category": post.category,
        "regions": ", ".join(post.regions),
    }
    response = as_alice.submit(f"/posts/{post.id}/edit", form)
    assert response.status_code == 400
    assert "282" in error_for(raw(response), "text")
    assert stored(app) == {"us": "Flash sale: 30% off today only!"}


# --------------------------------------------------------------- audience
def test_a_town_typed_without_the_picker_is_named_with_the_region_it_lies_in(app, as_alice):
    response = as_alice.submit("/posts/new", {**GOOD_FORM, "regions": "France, Spokane"})
    assert response.status_code == 400
    message = error_for(raw(response), "regions")
    assert message.startswith("Unknown region: Spokane.")
    assert "Spokane → Washington (US-WA)" in message
    assert stored(app) == {}


def test_an_ambiguous_name_lists_its_candidates(app, as_alice):
    response = as_alice.submit("/posts/new", {**GOOD_FORM, "regions": "Punjab"})
    assert response.status_code == 400
    message = error_for(raw(response), "regions")
    assert "IN-PB" in message and "PK-PB" in message


def test_a_suggestion_label_pasted_back_resolves_to_its_region(app, as_alice):
    form = {
        **GOOD_FORM,
        "regions": "Spokane → Washington (US-WA), Texas (US-TX), Southeast Asia → Indonesia",
    }
    response = as_alice.submit("/posts/new", form)
    assert response.status_code == 303, error_for(raw(response), "regions")
    with app.db.session() as session:
        assert posts.list_posts(session).posts[0].regions == ["ID", "US-TX", "US-WA"]


@pytest.mark.parametrize(
    ("typed", "code", "label"),
    [
        ("Fra", "FR", "France"),
        ("Tex", "US-TX", "Texas (US-TX)"),
        ("Spok", "US-WA", "Spokane → Washington (US-WA)"),
        ("Bavaria", "DE-BY", "Bayern (DE-BY)"),
        # An area offers each of its members.
        ("Midwest", "US-IL", "Midwest → Illinois (US-IL)"),
        ("Southeast Asia", "ID", "Southeast Asia → Indonesia"),
    ],
)
def test_the_picker_finds_countries_subdivisions_and_towns_as_you_type(
    as_alice, alice_api, typed, code, label
):
    for answer in (
        as_alice.get(f"/regions.json?q={typed}").json["regions"],
        alice_api.get(f"/regions?q={typed}").json["regions"],
    ):
        codes = [r["code"] for r in answer]
        assert code in codes, (typed, answer)
        if label:
            assert label in [r["label"] for r in answer]


# ------------------------------------------------------------------- time
def test_a_wall_time_skipped_by_the_dst_change_is_refused_naming_publish_at(app, as_alice):
    form = {**GOOD_FORM, "publish_at": "2027-03-28T02:30", "timezone": "Europe/Paris"}
    response = as_alice.submit("/posts/new", form)
    assert response.status_code == 400
    assert error_for(raw(response), "publish_at")
    assert stored(app) == {}


def test_the_edit_page_previews_a_post_whose_account_was_disabled_since(app, as_alice):
    from scheduler.models import ChannelAccount

    post = queue(app, channels=["masto"], text="Still here #tag")
    with app.db.session() as session:
        session.get(ChannelAccount, post.channel_id).enabled = False
    page = raw(as_alice.get(f"/posts/{post.id}/edit"))
    assert '<span class="pv-hashtag">#tag</span>' in page
    assert re.search(r"Mastodon</strong>:\s*15 / 500 characters", page)
