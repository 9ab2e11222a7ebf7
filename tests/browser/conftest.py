"""Browser tests: the real app, served over HTTP, driven by a real Chromium.

How they run
------------
* Playwright for Python drives Debian's Chromium (``/usr/bin/chromium``, or the path in
  ``TACTFUL_CHROMIUM``); Playwright's own browser download is never used. ``.ci/run``
  installs the Debian package when it is missing.
* Every test under ``tests/browser/`` carries the ``browser`` marker (added here).
  Without Chromium or the ``playwright`` package they are skipped with one summary
  line; under CI (``CI`` set) they fail instead. ``pytest -m "not browser"`` leaves
  them out, ``pytest -m browser`` runs only them.
* Each test gets its own server (``live``): the app that ``tactful serve`` runs, built by
  ``web.create_app`` over a fresh migrated SQLite data directory, served by werkzeug on a
  free loopback port in a background thread. No worker runs: nothing is published, and
  whatever a test wants in the database it makes through the pages or ``live.app``.
  The clock is the real one. One Chromium runs per pytest process (per xdist worker);
  each page gets a fresh browser context, so cookies never leak between users.
* Screenshots go to ``var/screenshots/`` in the clone, or to ``TACTFUL_SCREENSHOTS``,
  as ``<name>-<width>px.png``, whole page, overwritten each run.

Fixtures
--------
``live``
    The running server: ``live.url(path)``, ``live.app`` (the ``Tactful`` object behind
    it), ``live.web`` (the Flask app), ``live.users`` (role -> ``Person`` with ``name``
    and ``password``).
``open_page(role=None, viewport="desktop", javascript=True)``
    A new page, signed in through the login form as that role's user (``None``: signed
    out). Roles: ``manager``, ``approver``, ``second_approver``, ``admin``. Viewports:
    ``desktop`` (1280x800), ``tablet`` (820x1180) and ``phone`` (390x844).
``page``
    ``open_page("manager")``.
``shot(page, name)``
    Saves a screenshot of the page as it is now.
``no_sideways_scroll(page)`` (a plain function, import it from here)
    Asserts the page is no wider than its viewport, naming the elements that stick out.

Writing a test
--------------
Go through the UI as a person would: ``page.goto(live.url("/…"))``, fill fields by their
label (``page.get_by_label("Text", exact=True)``), press buttons by their accessible name
(``page.get_by_role("button", name="Queue")``), and check what a person sees with
Playwright's waiting assertions (``expect(locator).to_contain_text(…)``). Never sleep:
``expect`` waits, up to its timeout, for the page to get there. Tests for a new page
(a dashboard, a calendar, an import) go in a new module here, add the page to
``PAGES`` in ``test_every_page.py`` so it is checked at phone width and photographed,
and use a second ``open_page(...)`` for a second person (two-person rules).

Recipes for what comes next:

* a live counter: ``box.press_sequentially("…")`` (fires an input event per key, as
  typing does; ``fill`` fires one), then ``expect(counter).to_have_text("…")``;
* a file upload: ``page.get_by_label("CSV file").set_input_files(path)`` with a file the
  test writes under ``tmp_path``, then check both the error naming the bad row and, in
  ``live.app``'s database or the queue page, that nothing was stored;
* a page held on a calendar or dashboard: make the hold through the pages (as
  ``test_holds_flow.py`` does) or with ``tests.helpers.queue``/``declare`` on
  ``live.app``, then ``page.goto`` and look for it; ``no_sideways_scroll(page)`` and
  ``shot(page, name)`` at ``open_page(role, "phone")`` as well.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scheduler import posts, users
from scheduler.context import Tactful
from tests.conftest import REPO, make_settings
from web import create_app

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # the test extra is not installed: the tests are skipped (or fail in CI)
    sync_playwright = None

CHROMIUM = Path(os.environ.get("TACTFUL_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("TACTFUL_SCREENSHOTS") or REPO / "var" / "screenshots")
BROWSER_ABSENT = (
    f"needs Chromium at {CHROMIUM} (apt-get install chromium) and the playwright package "
    "(the test extra); these tests run under CI"
)
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "tablet": {"width": 820, "height": 1180},
    "phone": {"width": 390, "height": 844},
}
# Expectations wait this long for the page to get there (Playwright's default is 5 s;
# two cores shared with the rest of the suite need more).
TIMEOUT_MS = 15_000
# A full-page screenshot is a record, not an expectation: rendering a long page on a
# loaded machine may take longer than an expectation waits, and says nothing wrong.
SCREENSHOT_TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class Person:
    name: str
    role: str

    @property
    def password(self) -> str:
        return f"{self.name}-password-123"


# One user per role, and a second approver for the two-person rules.
PEOPLE = {
    "manager": Person("mia", "manager"),
    "approver": Person("abe", "approver"),
    "second_approver": Person("ava", "approver"),
    "admin": Person("ada", "admin"),
}


def browsers_available() -> bool:
    return sync_playwright is not None and CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip (or, under CI, fail) a browser test when Chromium or Playwright is missing:
    raised here, before any fixture starts, from this one line, so that pytest's
    summary folds every such skip into one line."""
    if item.get_closest_marker("browser") is None or browsers_available():
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests are required under CI: {BROWSER_ABSENT}")
    pytest.skip(BROWSER_ABSENT)


def _closing(app: Any) -> Any:
    """The WSGI app with each response read whole and closed before it is sent.

    werkzeug's development server closes a response only after draining the socket; when
    Chromium drops a connection (a page navigates away while its favicon is still being
    sent) that drain raises and a static file's handle is left to the garbage collector,
    whose ResourceWarning lands in whichever test runs next. The pages' responses are
    small and none streams, so reading them whole costs nothing."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


class LiveServer:
    """The web app on a free loopback port, served from a background thread."""

    def __init__(self, app: Tactful) -> None:
        from werkzeug.serving import make_server

        self.app = app
        self.users = PEOPLE
        self.web = create_app(app)
        self.server = make_server("127.0.0.1", 0, _closing(self.web), threaded=True)
        self.base = f"http://127.0.0.1:{self.server.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return self.base + path

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=30)
        self.app.close()


@pytest.fixture(scope="session")
def browser_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the test channel accounts and one user per role,
    copied for each test (hashing four passwords each time would be slow)."""
    folder = tmp_path_factory.mktemp("browser-template")
    shutil.copy(sqlite_template, folder / "tactful.db")
    settings = make_settings(folder)
    app = Tactful.from_settings(settings)
    try:
        with app.db.session() as session:
            posts.sync_channels(session, settings.channels)
            for person in PEOPLE.values():
                users.create_user(session, person.name, person.password, person.role)
    finally:
        app.close()
    return folder / "tactful.db"


@pytest.fixture
def live(browser_template: Path, tmp_path: Path) -> Iterator[LiveServer]:
    shutil.copy(browser_template, tmp_path / "tactful.db")
    server = LiveServer(Tactful.from_settings(make_settings(tmp_path)))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium per test process, Debian's, never Playwright's own."""
    assert sync_playwright is not None
    args = ["--disable-dev-shm-usage"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to sandbox itself as root
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(autouse=True)
def _expect_timeout() -> None:
    if sync_playwright is not None:
        from playwright.sync_api import expect

        expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture
def open_page(live: LiveServer, chromium: Browser) -> Iterator[Callable[..., Page]]:
    contexts: list[Any] = []

    def open_(
        role: str | None = None, viewport: str = "desktop", *, javascript: bool = True
    ) -> Page:
        context = chromium.new_context(
            viewport=VIEWPORTS[viewport],  # type: ignore[arg-type]
            java_script_enabled=javascript,
            locale="en-GB",
            timezone_id="UTC",
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto(live.url("/login"))
        if role is not None:
            person = PEOPLE[role]
            page.get_by_label("Name").fill(person.name)
            page.get_by_label("Password").fill(person.password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/login" not in url)
        return page

    try:
        yield open_
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    return open_page("manager")


def screenshot_path(page: Page, name: str) -> Path:
    width = (page.viewport_size or {"width": 0})["width"]
    return SCREENSHOTS / f"{name}-{width}px.png"


@pytest.fixture
def shot() -> Callable[[Page, str], Path]:
    """``shot(page, name)``: the whole page as a PNG in the screenshots directory."""

    def take(page: Page, name: str) -> Path:
        path = screenshot_path(page, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True, timeout=SCREENSHOT_TIMEOUT_MS)
        return path

    return take


# Elements whose right edge lies past the page's width, for the failure message.
_STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 && box.width > 0) {
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\\s+/g, '.') : '') +
        ' (right edge ' + Math.round(box.right) + 'px)');
    }
  }
  return out.slice(0, 10);
}"""


def no_sideways_scroll(page: Page) -> None:
    """The page scrolls only up and down: nothing on it is wider than the viewport."""
    sizes = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth, inner: window.innerWidth})"
    )
    viewport = page.viewport_size
    assert viewport is not None
    assert sizes["inner"] == viewport["width"], sizes  # the page was not zoomed out to fit
    if sizes["scroll"] > sizes["client"]:
        raise AssertionError(
            f"{page.url} scrolls sideways at {viewport['width']}px: it is {sizes['scroll']}px "
            f"wide; sticking out: {page.evaluate(_STICKING_OUT)}"
        )
