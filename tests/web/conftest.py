"""Web fixtures: the Flask app around the test ``app`` (SQLite and PostgreSQL), a
browser that signs in and sends forms with their CSRF token (CSRF stays on), and
API clients holding bearer tokens."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scheduler.context import Tactful
from scheduler.models import User
from tests.web import Api, Browser, token_for
from web import create_app


@pytest.fixture
def web(app: Tactful) -> Flask:
    return create_app(app, {"TESTING": True})


@pytest.fixture
def client(web: Flask) -> FlaskClient:
    return web.test_client()


@pytest.fixture
def browser(web: Flask) -> Callable[[User | None], Browser]:
    """``browser(user)``: a new browser, signed in as ``user`` when one is given."""

    def make(user: User | None = None) -> Browser:
        person = Browser(web.test_client())
        if user is not None:
            response = person.login(user.name)
            assert response.status_code == 303, response.get_data(as_text=True)
        return person

    return make


@pytest.fixture
def as_alice(browser: Callable[[User | None], Browser], alice: User) -> Browser:
    return browser(alice)


@pytest.fixture
def as_bob(browser: Callable[[User | None], Browser], bob: User) -> Browser:
    return browser(bob)


@pytest.fixture
def alice_api(client: FlaskClient, app: Tactful, alice: User) -> Api:
    """Alice's scripts: a manager's token."""
    return Api(client, token_for(app, alice))


@pytest.fixture
def bob_api(client: FlaskClient, app: Tactful, bob: User) -> Api:
    """Bob's incident tooling: an approver's token."""
    return Api(client, token_for(app, bob))
