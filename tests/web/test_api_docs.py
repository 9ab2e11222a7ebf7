"""The API reference page, ``/api/docs``: rendered on the server from the served
OpenAPI document, readable without a token or a session, with no inline script or
style, and linked from the UI."""

from __future__ import annotations

import html
import re

from tests.web import Browser

METHODS = ("get", "post", "put", "patch", "delete")


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_reference_lists_every_operation_of_the_document(client):
    document = client.get("/api/v1/openapi.json").json
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = page_text(response)
    operations = [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    ]
    assert len(operations) > 30
    for method, path in operations:
        assert re.search(
            rf'<span class="method method-{method.lower()}">{method}</span> <code>{re.escape(path)}</code></h3>',
            page,
        ), (method, path)
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in page, name


def test_the_reference_shows_parameters_bodies_schemas_and_errors(client):
    page = page_text(client.get("/api/docs"))
    listing = page.split('id="get-api-v1-audit"')[1].split("</section>")[0]
    # A query parameter with its description and limits, from the audit filters.
    assert "<code>action</code>" in listing and "a prefix: `condolence.`" in listing
    assert "at most 64 characters" in listing
    assert "text/csv" in listing
    # An answer described in place lists its properties.
    incidents = page.split('id="get-api-v1-incidents"')[1].split("</section>")[0]
    assert (
        '<code>incidents</code>: <a href="#schema-Incident"><code>array of Incident</code></a>'
        in incidents
    )
    create = page.split('id="post-api-v1-posts"')[1].split("</section>")[0]
    assert '<a href="#schema-PostCreate"><code>PostCreate</code></a>' in create
    for status in ("201", "400", "401", "403", "413"):
        assert f"<code>{status}</code>" in create
    schema = page.split('id="schema-PostCreate"')[1].split("</section>")[0]
    assert "<code>publish_at</code>" in schema and "a date alone is refused" in schema
    assert "one of promotional, informational, service, condolence" in schema
    assert "Any other property is refused." in schema
    errors = page.split('id="errors"')[1].split("</section>")[0]
    assert '{"errors": {"field": ["message", …]}}' in errors
    for status in ("400", "401", "403", "404", "405", "409", "413", "415", "500"):
        assert f"<code>{status}</code>" in errors, status


def test_the_reference_is_public_and_keeps_to_the_content_policy(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    body = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", body)
    assert "http://" not in body and "https://" not in body  # nothing from elsewhere
    # Signed out, no navigation is shown.
    assert 'aria-label="Main"' not in body


def test_the_ui_links_to_the_reference(as_alice: Browser):
    account = as_alice.page("/account")
    assert 'href="/api/docs"' in account.split("Your API tokens")[1]
    queue = as_alice.page("/")
    assert re.search(r'<footer[^>]*>.*href="/api/docs"', queue, re.S)
    # Signed in, the reference keeps the navigation.
    assert 'aria-label="Main"' in as_alice.page("/api/docs")
