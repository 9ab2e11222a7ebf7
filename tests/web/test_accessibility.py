"""Every page, as an admin with data on it (and as a form sent back with its errors):
every form field has a label, every form names its method and an address that takes
it (so it works without script), ids are unique, no tabindex reorders the keyboard,
and each page starts with a link that skips to its content.

The pages are the UI's own routes, read from the app: a new page is checked here
without being listed. A route with a part this file cannot fill in fails, naming it."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from scheduler import condolences, users
from scheduler.feeds.manage import add_feed
from tests.helpers import declare, queue
from tests.web import Browser

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}
NOT_PAGES = {"ui.region_suggestions", "ui.audit_export", "ui.favicon", "ui.import_template"}


@dataclass
class Control:
    tag: str
    attrs: dict[str, str]
    in_label: bool

    def describe(self) -> str:
        shown = " ".join(f'{k}="{v}"' for k, v in self.attrs.items() if k in ("id", "name", "type"))
        return f"<{self.tag} {shown}>"


@dataclass
class Form:
    attrs: dict[str, str]
    submits: int = 0
    csrf: bool = False


@dataclass
class Page(HTMLParser):
    """What this test needs from a page: controls, labels, forms, ids."""

    controls: list[Control] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # for= -> its text
    forms: list[Form] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    first_link: str | None = None
    lang: str = ""
    mains: list[str] = field(default_factory=list)
    jumps: list[str] = field(default_factory=list)  # tabindex above 0: out of reading order
    _label_depth: int = 0
    _label_for: list[str | None] = field(default_factory=list)
    _label_text: list[str] = field(default_factory=list)
    _form: Form | None = None

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, raw: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in raw}
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if attrs.get("tabindex", "0").lstrip("-").isdigit() and int(attrs.get("tabindex", "0")) > 0:
            self.jumps.append(f"<{tag} tabindex={attrs['tabindex']}>")
        if tag == "html":
            self.lang = attrs.get("lang", "")
        elif tag == "main":
            self.mains.append(attrs.get("id", ""))
        elif tag == "a" and self.first_link is None:
            self.first_link = attrs.get("href", "")
        elif tag == "label":
            self._label_depth += 1
            self._label_for.append(attrs.get("for"))
            self._label_text.append("")
        elif tag == "form":
            self._form = Form(attrs)
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea"):
            kind = attrs.get("type", "text").lower() if tag == "input" else tag
            if self._form is not None:
                if tag == "input" and kind in ("submit", "image"):
                    self._form.submits += 1
                if kind == "hidden" and attrs.get("name") == "csrf_token" and attrs.get("value"):
                    self._form.csrf = True
            if kind not in UNLABELLED_TYPES:
                self.controls.append(Control(tag, attrs, self._label_depth > 0))
        elif tag == "button" and self._form is not None and attrs.get("type", "submit") == "submit":
            self._form.submits += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label_depth:
            self._label_depth -= 1
            target = self._label_for.pop()
            text = self._label_text.pop()
            if target is not None:
                self.labels[target] = text.strip()
            if self._label_text:
                self._label_text[-1] += text
        elif tag == "form":
            self._form = None

    def handle_data(self, data: str) -> None:
        if self._label_text:
            self._label_text[-1] += data


def problems(web: Flask, url: str, text: str) -> list[str]:
    page = Page()
    page.feed(text)
    found: list[str] = []
    if not page.lang:
        found.append("<html> has no lang")
    if page.mains != ["main"]:
        found.append(f"expected one <main id=main>, found {page.mains}")
    if page.first_link != "#main":
        found.append(f"the first link is {page.first_link!r}, not the skip link to #main")
    if page.jumps:
        found.append(f"tabindex above 0 breaks the reading order: {page.jumps}")
    duplicates = sorted({i for i in page.ids if page.ids.count(i) > 1})
    if duplicates:
        found.append(f"ids used more than once (a label finds only one): {duplicates}")
    for control in page.controls:
        attrs = control.attrs
        if attrs.get("aria-label", "").strip() or control.in_label:
            continue
        if attrs.get("aria-labelledby") and all(
            i in page.ids for i in attrs["aria-labelledby"].split()
        ):
            continue
        if page.labels.get(attrs.get("id", "\0"), ""):
            continue
        found.append(f"{control.describe()} has no label")
    adapter = web.url_map.bind("localhost")
    for form in page.forms:
        method = form.attrs.get("method", "").lower()
        action = html.unescape(form.attrs.get("action", ""))
        name = f"form {action or '(no action)'}"
        if method not in ("get", "post"):
            found.append(f"{name}: method {method!r} is not get or post")
            continue
        if not action:
            found.append(f"{name}: no action")
            continue
        try:
            adapter.match(urlsplit(action).path, method.upper())
        except (NotFound, MethodNotAllowed, RequestRedirect) as exc:
            found.append(f"{name}: {method.upper()} {action} is not served ({type(exc).__name__})")
        if form.submits == 0:
            found.append(f"{name}: no submit button (only script could send it)")
        if method == "post" and not form.csrf:
            found.append(f"{name}: no CSRF token in the form itself")
    return [f"{url}: {problem}" for problem in found]


@pytest.fixture
def seeded(app, frozen, bob, carol) -> dict[str, int]:
    """A queued and a held post, an open incident, a condolence draft awaiting
    approval, a feed and an API token: every part of every page has something to show."""
    held = queue(app)
    queue(app, category="service", text="Our Houston store opens late today.")
    declared = declare(app)
    with app.db.session() as session:
        (draft,) = condolences.list_drafts(session)
        names = sorted(draft.texts)
        condolences.edit(
            session,
            draft.id,
            {
                "texts": dict.fromkeys(names, "Our thoughts are with Uvalde."),
                "channels": names,
                "submit": True,
            },
            users.user_by_name(session, "bob"),
        )
        feed = add_feed(
            session, app.settings, {"url": "https://news.example.org/rss", "kind": "news"}, None
        )
        users.create_token(session, users.user_by_name(session, "carol"), "reports")
        ids = {
            "post_id": held.id,
            "draft_id": draft.id,
            "incident_id": declared.incident.id,
            "feed_id": feed.id,
            "user_id": bob.id,
            "channel_id": 1,
            "token_id": 1,
        }
    return ids


def ui_pages(web: Flask, ids: dict[str, Any]) -> list[str]:
    """Every page the UI serves to a GET, with its parts filled in from ``ids``."""
    urls: list[str] = []
    adapter = web.url_map.bind("localhost")
    for rule in web.url_map.iter_rules():
        if not rule.endpoint.startswith("ui.") or "GET" not in (rule.methods or ()):
            continue
        if rule.endpoint in NOT_PAGES:
            continue
        missing = [arg for arg in rule.arguments if arg not in ids]
        if missing:
            pytest.fail(f"{rule.rule}: add a value for {missing} to the seeded ids of this test")
        urls.append(adapter.build(rule.endpoint, {arg: ids[arg] for arg in rule.arguments}))
    return sorted(set(urls))


def test_every_page_labels_its_fields_and_its_forms_work_without_script(
    web: Flask, browser: Any, carol, seeded
) -> None:
    admin: Browser = browser(carol)
    found: list[str] = []
    pages = ui_pages(web, seeded)
    assert {"/", "/posts/new", "/incidents", "/feeds", "/users", "/audit"} <= set(pages)
    for url in pages:
        response = admin.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert response.mimetype == "text/html", url
        found += problems(web, url, response.get_data(as_text=True))
    # Pages sent back with errors, and the confirmation a risky action asks for.
    for url, form in [
        (
            "/posts/new",
            {"text": "", "channels": ["nope"], "publish_at": "soon", "regions": "Atlantis"},
        ),
        ("/incidents", {"title": "", "kind": "", "severity": "9", "regions": "Atlantis"}),
        (f"/incidents/{seeded['incident_id']}/amend", {"severity": "9", "extend_hours": "-1"}),
        ("/feeds", {"url": "not a url", "kind": "news"}),
        (
            "/account/password",
            {"current_password": "wrong", "new_password": "x", "repeat_password": "y"},
        ),
        ("/channels/1/disable", {}),
        (
            f"/condolences/{seeded['draft_id']}/approve",
            {"when": "later", "publish_at": "soon", "version": "1"},
        ),
    ]:
        response = admin.submit(url, form)
        assert response.status_code in (200, 400, 409, 422), (url, response.status_code)
        found += problems(web, f"POST {url}", response.get_data(as_text=True))
    signed_out = browser(None).get("/login")
    found += problems(web, "/login", signed_out.get_data(as_text=True))
    assert found == []


def test_the_checks_catch_an_unlabelled_field_and_a_form_that_needs_script(web: Flask) -> None:
    """The checker itself: each fault it exists for is reported."""
    page = """<!doctype html><html lang="en"><body><a href="#main">Skip</a><main id="main">
      <form method="post" action="/nowhere"><input name="q"><select id="s"></select>
        <label for="t"></label><textarea id="t"></textarea></form>
      <form action="/"><label>Kind <input name="kind"></label><button type="button">Go</button></form>
      <p id="x"></p><p id="x"></p><a href="/" tabindex="2">Jump</a></main></body></html>"""
    found = problems(web, "/sample", page)
    expected = [
        "ids used more than once",
        '<input name="q"> has no label',
        '<select id="s"> has no label',
        '<textarea id="t"> has no label',
        "POST /nowhere is not served",
        "form /nowhere: no CSRF token",
        "form /: method '' is not get or post",
        "tabindex above 0",
    ]
    for fault in expected:
        assert any(fault in line for line in found), (fault, found)
    assert not any("kind" in line for line in found)  # a field inside its label is labelled
    # A form that only script could send is caught too.
    scripted = page.replace('action="/"', 'method="get" action="/"')
    assert any("form /: no submit button" in line for line in problems(web, "/sample", scripted))
