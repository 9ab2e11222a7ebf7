"""The post composer: the New post and Edit post pages.

One main text, and an optional text per network of the chosen channel accounts
(``variant_<network>`` fields, the API's ``network_variants``); counters and a
preview per network, from the same rules the server checks with; the publish time
in its zone, the category, the accounts and the audience. The page works without
JavaScript: the Preview button re-renders the form with the server's previews. With
it, ``composer.js`` counts and previews as you type and ``regions.js`` suggests
regions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import flash, g, render_template, request
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from rules.text import limit_of, preview, rules_data
from scheduler import holds, posts
from scheduler.compose import NetworkPreview, preview_posts, publish_summary
from scheduler.errors import ValidationError
from scheduler.models import POST_CATEGORIES, ChannelAccount, Post
from web import auth
from web.auth import login_required
from web.ui.approval import panel as approval_panel
from web.ui.common import (
    COMMON_ZONES,
    Page,
    bp,
    count,
    db_session,
    other_errors,
    see_other,
    split,
)

# A condolence is only published from an approved condolence draft, never typed here.
FORM_CATEGORIES = tuple(c for c in POST_CATEGORIES if c != "condolence")
POST_FIELDS = ("text", "channels", "publish_at", "timezone", "category", "regions", "draft")
VARIANT_PREFIX = "variant_"
NEW_POST: dict[str, Any] = {
    "text": "",
    "channels": [],
    "publish_at": "",
    "timezone": "UTC",
    "category": "promotional",
    "regions": "",
    "draft": False,
    "network_variants": {},
}


def _post_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """The submitted form, as re-rendered on error. A network's text left blank is no
    variant: that network gets the main text."""
    variants = {
        key.removeprefix(VARIANT_PREFIX): value.replace("\r\n", "\n")
        for key, value in form.items()
        if key.startswith(VARIANT_PREFIX) and value.strip()
    }
    return {
        # Browsers send textarea newlines as CRLF; people typed one character.
        "text": form.get("text", "").replace("\r\n", "\n"),
        "channels": form.getlist("channels"),
        "publish_at": form.get("publish_at", "").strip(),
        "timezone": form.get("timezone", "").strip() or "UTC",
        "category": form.get("category", ""),
        "regions": form.get("regions", ""),
        "draft": "draft" in form,
        "network_variants": variants,
    }


def _networks(channels: Sequence[ChannelAccount]) -> list[dict[str, Any]]:
    """The networks the accounts are counted as, each with its accounts, for the
    variant boxes (in the order the accounts are listed)."""
    out: dict[str, dict[str, Any]] = {}
    for channel in channels:
        network = posts.length_rule(channel)
        entry = out.setdefault(network, {"network": network, "channels": []})
        entry["channels"].append(channel.name)
    labels = rules_data()["networks"]
    for entry in out.values():
        entry["label"] = labels.get(entry["network"], {}).get("label", entry["network"])
    return list(out.values())


def own_preview(text: str, account: Mapping[str, Any]) -> NetworkPreview:
    """The edit page's one preview: the post's text on its own account's network."""
    shown = preview(text, account["network"], account["max_length"])
    return NetworkPreview(preview=shown, channels=(account["name"],), variant=False)


def _previews(db: Session, data: Mapping[str, Any]) -> list[NetworkPreview]:
    """The server's previews of what the form holds; a problem the preview finds
    (an unknown account) is the form's to report, so none is shown then."""
    try:
        return preview_posts(db, dict(data))
    except ValidationError:
        return []


def _render_post_form(
    values: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    status: int = 200,
    post: Mapping[str, Any] | None = None,
) -> tuple[str, int]:
    """The new-post form (``post`` is None) or the edit form of the post ``post`` sums
    up, with the previews; opens a transaction of its own, so never call it inside
    one."""
    variants: dict[str, str] = dict(values.get("network_variants", {}))
    with db_session() as db:
        if post is None:
            channels = posts.list_channels(db, enabled_only=True)
            networks = _networks(channels)
            chosen = [c for c in channels if c.name in values["channels"]] or channels
            counted = {posts.length_rule(c) for c in chosen}
            request_data: dict[str, Any] = {
                "text": values["text"],
                "channels": [c.name for c in chosen],
                "network_variants": {k: v for k, v in variants.items() if k in counted},
            }
            accounts = [
                {
                    "name": c.name,
                    "display_name": c.display_name,
                    "network": posts.length_rule(c),
                    "max_length": c.max_length,
                    "limit": limit_of(posts.length_rule(c), c.max_length),
                }
                for c in channels
            ]
        else:
            networks = []
            accounts = [post["account"]]
        # A post's own account is previewed even when it has been disabled since.
        previews = (
            _previews(db, request_data)
            if post is None
            else [own_preview(values["text"], post["account"])]
        )
    shown_fields: tuple[str, ...] = (*POST_FIELDS, "status", "network_variants")
    shown_fields += tuple(posts.network_field(n["network"]) for n in networks)
    html = render_template(
        "post_form.html",
        values=values,
        variants=variants,
        errors=errors,
        other_errors=other_errors(errors, shown_fields),
        post=post,
        accounts=accounts,
        networks=networks,
        previews=previews,
        publish_summary=publish_summary(
            values.get("publish_at", ""), values.get("timezone", "UTC")
        ),
        text_rules=rules_data(),
        zones=COMMON_ZONES,
        categories=FORM_CATEGORIES,
    )
    return html, status


def _previewing() -> bool:
    return request.form.get("action") == "preview"


@bp.route("/posts/new", methods=["GET", "POST"])
@login_required
def new_post() -> Page:
    if request.method == "GET":
        return _render_post_form(NEW_POST, {})
    values = _post_values(request.form)
    if _previewing():
        return _render_post_form(values, {})
    data = {key: values[key] for key in POST_FIELDS if key != "regions"}
    if split(values["regions"]):
        data["regions"] = split(values["regions"])
    if values["network_variants"]:
        data["network_variants"] = values["network_variants"]
    try:
        with db_session() as db:
            created = posts.create_posts(db, auth.tactful().settings, data, g.user)
            held = sum(1 for p in created if p.status == "held")
    except ValidationError as exc:
        return _render_post_form(values, exc.errors, 400)
    message = f"Saved {count(len(created), 'draft' if values['draft'] else 'post')}."
    if held:
        message += f" {held} held by an open incident: see the hold reasons below."
    flash(message, "success")
    return see_other("ui.queue")


def _post_summary(db: Session, post: Post) -> dict[str, Any]:
    channel = post.channel
    network = posts.length_rule(channel)
    return {
        "id": post.id,
        "channel": channel.name,
        "status": holds.current_status(db, post),
        "category": post.category,
        "editable": post.status in posts.EDITABLE,
        "approval": approval_panel(db, post),
        "account": {
            "name": channel.name,
            "display_name": channel.display_name,
            "network": network,
            "max_length": channel.max_length,
            "limit": limit_of(network, channel.max_length),
        },
    }


def _edit_values(post: Post) -> dict[str, Any]:
    return {
        "text": post.text,
        "publish_at": post.local_time[:16],
        "timezone": post.timezone,
        "category": post.category,
        "regions": ", ".join(post.regions),
        "draft": post.status == "draft",
        "network_variants": {},
    }


def _changes(post: Post, values: Mapping[str, Any]) -> dict[str, Any]:
    """Only what the person changed, so an untouched field is never re-validated
    (an unchanged past publish time must not block a text fix)."""
    current = _edit_values(post)
    changes = {
        key: values[key]
        for key in ("text", "publish_at", "timezone", "category")
        if values[key] != current[key]
    }
    regions = split(values["regions"])
    if sorted(r.upper() for r in regions) != sorted(post.regions):
        changes["regions"] = regions
    if values["draft"] and post.status == "queued":
        changes["status"] = "draft"
    elif not values["draft"] and post.status in ("draft", "rejected"):
        # Saving a rejected post, changed or not, resubmits it for approval.
        changes["status"] = "queued"
    return changes


@bp.route("/posts/<id:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int) -> Page:
    """A post belongs to one account: its page edits its own text, counted and
    previewed for that account's network."""
    values = _post_values(request.form)
    values["network_variants"] = {}
    summary: dict[str, Any] = {}
    status = None
    try:
        with db_session() as db:
            post = posts.get_post(db, post_id)
            summary = _post_summary(db, post)
            if request.method == "GET":
                current = _edit_values(post)
            elif _previewing():
                current = values
            else:
                current = None
                # The diff and the update see the same row, in one transaction.
                changes = _changes(post, values)
                if changes:
                    settings = auth.tactful().settings
                    updated = posts.update_post(db, settings, post_id, changes, g.user)
                    status = holds.current_status(db, updated)
    except ValidationError as exc:
        return _render_post_form(values, exc.errors, 400, post=summary)
    if current is not None:
        return _render_post_form(current, {}, post=summary)
    if status is None:
        flash(f"Post {post_id}: nothing changed.", "info")
    else:
        flash(f"Post {post_id} saved; it is {status.replace('_', ' ')}.", "success")
    return see_other("ui.queue")
