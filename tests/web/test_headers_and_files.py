"""Every answer carries the security headers; no page needs inline script; the
SQLite database and its directory are created readable by the owner only."""

from __future__ import annotations

import re
import stat

import pytest
from sqlalchemy import text

from scheduler.context import Tactful
from tests.conftest import make_settings
from tests.helpers import queue


@pytest.mark.parametrize(
    "url", ["/login", "/", "/posts/new", "/api/v1/posts", "/api/v1/openapi.json", "/nope"]
)
def test_every_answer_carries_the_security_headers(as_alice, url):
    response = as_alice.get(url)
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_no_page_has_inline_script_or_style(app, as_bob):
    post = queue(app)
    from tests.web.test_condolences_web import prompt

    draft_id = prompt(app)
    for url in (
        "/",
        "/posts/new",
        f"/posts/{post.id}/edit",
        f"/condolences/{draft_id}",
        "/incidents",
        "/condolences",
        "/audit",
        "/login",
    ):
        page = as_bob.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", page), url


def test_the_sqlite_file_and_its_directory_are_owner_only(tmp_path):
    data = tmp_path / "var"
    app = Tactful.from_settings(make_settings(data))
    try:
        with app.db.session() as session:
            session.execute(text("CREATE TABLE t (x)"))
    finally:
        app.close()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in data.glob("tactful.db*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert (data / "tactful.db").exists()
