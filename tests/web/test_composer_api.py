"""The composer through /api/v1: per-network variants on post create, and the
preview operation (counts and pieces per network of the chosen accounts)."""

from __future__ import annotations

from typing import Any

import pytest

from rules.text import measure
from scheduler import posts
from tests.helpers import at

# The test accounts: outbox (no limit), us (counted as X), masto (Mastodon), sky (Bluesky).
BODY: dict[str, Any] = {
    "text": "Our spring sale starts today: https://shop.example/spring #Sale",
    "channels": ["outbox", "us", "masto", "sky"],
    "publish_at": at(minutes=30),
    "timezone": "UTC",
    "category": "promotional",
}


def texts_by_channel(app) -> dict[str, str]:
    with app.db.session() as session:
        return {p.channel.name: p.text for p in posts.list_posts(session).posts}


def test_each_post_takes_its_networks_variant_and_the_rest_the_main_text(app, alice_api):
    body = {**BODY, "network_variants": {"x": "Sale today on X", "bluesky": "Sale on Bluesky"}}
    response = alice_api.post("/posts", body)
    assert response.status_code == 201, response.json
    assert texts_by_channel(app) == {
        "outbox": BODY["text"],
        "us": "Sale today on X",
        "masto": BODY["text"],
        "sky": "Sale on Bluesky",
    }


def test_an_accounts_own_variant_wins_over_its_networks(app, alice_api):
    body = {**BODY, "variants": {"us": "Account text"}, "network_variants": {"x": "X text"}}
    assert alice_api.post("/posts", body).status_code == 201
    assert texts_by_channel(app)["us"] == "Account text"


def test_a_too_long_variant_is_named_by_its_network_and_nothing_is_stored(app, alice_api):
    body = {**BODY, "network_variants": {"x": "a" * 281}}
    response = alice_api.post("/posts", body)
    assert response.status_code == 400
    errors = response.json["errors"]
    assert list(errors) == ["network_variants.x"]
    assert "us:" in errors["network_variants.x"][0]
    assert "281" in errors["network_variants.x"][0]
    assert texts_by_channel(app) == {}


def test_the_main_text_is_checked_only_where_no_variant_replaces_it(app, alice_api):
    """A main text too long for X is fine when X has its own text."""
    long_text = "b" * 400
    body = {**BODY, "text": long_text, "network_variants": {"x": "Short for X"}}
    response = alice_api.post("/posts", body)
    assert response.status_code == 400
    # Bluesky (300) still gets the main text and refuses it; X does not complain.
    assert list(response.json["errors"]) == ["text"]
    assert response.json["errors"]["text"][0].startswith("sky:")
    body["network_variants"]["bluesky"] = "Short for Bluesky"
    assert alice_api.post("/posts", body).status_code == 201


@pytest.mark.parametrize(
    ("variants", "field", "words"),
    [
        ({"linkedin": "Hello"}, "network_variants", "counted as linkedin"),
        ({"x": "   "}, "network_variants.x", "empty"),
        ({"x": 5}, "network_variants", "string"),
        ({"x": "ok\x00"}, "network_variants", "NUL"),
    ],
)
def test_bad_variants_are_named(app, alice_api, variants, field, words):
    response = alice_api.post("/posts", {**BODY, "network_variants": variants})
    assert response.status_code == 400
    assert field in response.json["errors"], response.json
    assert words.lower() in " ".join(response.json["errors"][field]).lower()
    assert texts_by_channel(app) == {}


# ------------------------------------------------------------------ preview
def previews(alice_api, body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    response = alice_api.post("/posts/preview", body)
    assert response.status_code == 200, response.json
    return {p["network"]: p for p in response.json["previews"]}


def test_the_preview_counts_each_network_of_the_chosen_accounts_its_own_way(alice_api):
    text = "Hi @ann@mastodon.social 👨‍👩‍👧 https://shop.example/a/very/long/path/for/sale"
    found = previews(alice_api, {"text": text, "channels": ["us", "masto", "sky"]})
    assert set(found) == {"x", "mastodon", "bluesky"}
    for network, preview in found.items():
        assert preview["length"] == measure(text, network)
    assert found["x"]["limit"] == 280 and found["x"]["remaining"] == 280 - found["x"]["length"]
    assert found["bluesky"]["unit"] == "graphemes"
    assert found["x"]["channels"] == ["us"]
    assert found["x"]["error"] is None


def test_the_preview_shows_links_as_each_network_shortens_them(alice_api):
    link = "https://www.shop.example/a/very/long/path/for/the/sale"
    found = previews(alice_api, {"text": f"See {link}", "channels": ["masto", "sky"]})
    masto_link = [s for s in found["mastodon"]["segments"] if s["kind"] == "link"]
    assert masto_link == [
        {"kind": "link", "text": link, "shown": "shop.example/a/very/long/path/…"}
    ]
    assert found["mastodon"]["url_weight"] == 23
    sky_link = [s for s in found["bluesky"]["segments"] if s["kind"] == "link"]
    assert sky_link[0]["shown"] == link  # Bluesky counts and shows it in full
    assert found["bluesky"]["url_weight"] is None


def test_the_preview_marks_mentions_and_hashtags_and_keeps_line_breaks(alice_api):
    text = "Hello @ann@mastodon.social\n\n#Sale starts #now"
    found = previews(alice_api, {"text": text, "channels": ["masto"]})["mastodon"]
    kinds = [(s["kind"], s["text"]) for s in found["segments"]]
    assert ("mention", "@ann@mastodon.social") in kinds
    assert ("hashtag", "#Sale") in kinds and ("hashtag", "#now") in kinds
    assert "".join(s["text"] for s in found["segments"]) == text


def test_the_preview_uses_the_variant_and_names_a_too_long_one(alice_api):
    body = {"text": "Main", "channels": ["us", "masto"], "network_variants": {"x": "a" * 300}}
    found = previews(alice_api, body)
    assert found["x"]["variant"] is True and found["x"]["text"] == "a" * 300
    assert "300" in found["x"]["error"]
    assert found["mastodon"]["variant"] is False and found["mastodon"]["text"] == "Main"


def test_the_preview_takes_networks_without_accounts(alice_api):
    found = previews(alice_api, {"text": "日本語", "networks": ["x", "linkedin"]})
    assert found["x"]["length"] == 6 and found["linkedin"]["length"] == 3
    assert found["x"]["channels"] == []


def test_without_accounts_or_networks_the_preview_covers_every_enabled_account(alice_api):
    found = previews(alice_api, {"text": "Hello"})
    assert set(found) == {"outbox", "x", "mastodon", "bluesky"}
    assert found["outbox"]["limit"] is None


def test_the_preview_names_unknown_accounts_and_stores_nothing(app, alice_api):
    response = alice_api.post("/posts/preview", {"text": "Hi", "channels": ["nope"]})
    assert response.status_code == 400
    assert "nope" in response.json["errors"]["channels"][0]
    assert texts_by_channel(app) == {}


def test_the_preview_needs_a_token(client):
    assert client.post("/api/v1/posts/preview", json={"text": "Hi"}).status_code == 401


def test_the_preview_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json
    assert "post" in document["paths"]["/api/v1/posts/preview"]
    create = document["components"]["schemas"]["PostCreate"]["properties"]
    assert create["network_variants"]["additionalProperties"] == {"type": "string"}
