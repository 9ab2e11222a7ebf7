"""Web tests: helpers shared by the UI and API tests (fixtures live in conftest)."""

from __future__ import annotations

import html
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from scheduler import posts, users
from scheduler.context import Tactful
from scheduler.models import Incident, Post, User

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


class Browser:
    """A signed-in (or not) person using the HTML UI, CSRF token and all."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self._token: str | None = None

    def csrf_token(self) -> str:
        if self._token is None:
            page = self.client.get("/login")
            found = CSRF_META.search(page.get_data(as_text=True))
            assert found, "every page carries the CSRF token"
            self._token = found.group(1)
        return self._token

    def login(self, name: str, password: str | None = None) -> TestResponse:
        response = self.submit(
            "/login", {"name": name, "password": password or f"{name}-password-123"}
        )
        self._token = None  # a login starts a fresh session, with a fresh token
        return response

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, **kwargs)

    def page(self, url: str, **kwargs: Any) -> str:
        """The page's text with HTML entities decoded (``&gt;=`` reads ``>=``)."""
        response = self.client.get(url, **kwargs)
        assert response.status_code == 200, response.status_code
        return html.unescape(response.get_data(as_text=True))

    def submit(self, url: str, data: dict[str, Any], *, csrf: bool = True) -> TestResponse:
        form = dict(data)
        if csrf:
            form["csrf_token"] = self.csrf_token()
        return self.client.post(url, data=form)


class Api:
    """A JSON API client holding one bearer token."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.token = token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def call(self, method: str, url: str, body: Any = None, **kwargs: Any) -> TestResponse:
        if body is not None:
            kwargs["json"] = body
        return self.client.open("/api/v1" + url, method=method, headers=self.headers(), **kwargs)

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.call("GET", url, **kwargs)

    def post(self, url: str, body: Any = None, **kwargs: Any) -> TestResponse:
        return self.call("POST", url, body, **kwargs)

    def patch(self, url: str, body: Any = None, **kwargs: Any) -> TestResponse:
        return self.call("PATCH", url, body, **kwargs)

    def put(self, url: str, body: Any = None, **kwargs: Any) -> TestResponse:
        return self.call("PUT", url, body, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> TestResponse:
        return self.call("DELETE", url, **kwargs)


def token_for(app: Tactful, user: User) -> str:
    with app.db.session() as session:
        return users.create_token(session, user, "tests")


def count(app: Tactful, model: type[Post] | type[Incident]) -> int:
    with app.db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def snapshot(app: Tactful, post_id: int) -> tuple[Any, ...]:
    """Everything an edit could change on a post."""
    with app.db.session() as session:
        post = posts.get_post(session, post_id)
        return (
            post.text,
            post.category,
            post.status,
            post.publish_at,
            post.timezone,
            post.local_time,
            post.due_at,
            post.regions,
            post.updated_at,
        )
