"""Condolence prompts reach staff by email and a Slack-compatible webhook, are sent
again when nobody answers, then to admins."""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from scheduler import clock, condolences, notify, users
from scheduler.context import Tactful
from scheduler.models import AuditEvent
from tests.conftest import make_settings
from tests.helpers import declare


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def inbox():
    handler = Inbox()
    with socket.socket() as probe:  # a free port: aiosmtpd checks readiness by connecting
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def webhook():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def notifying_app(tmp_path, database_url, frozen, inbox, webhook):
    _, port = inbox
    _, url = webhook
    from scheduler.config import load_settings

    base = make_settings(tmp_path, database_url)
    settings = load_settings(
        None,
        environ={"HOOK_URL": url},
        overrides={
            "paths": {"data_dir": str(tmp_path)},
            "database": {"url": database_url},
            "channels": [{"name": "us", "network": "outbox", "regions": ["US"]}],
            "notify": {
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "slack_webhook_env": "HOOK_URL",
            },
            "condolences": {
                "base_url": "https://tactful.example",
                "remind_after_minutes": 30,
                "escalate_after": 1,
            },
        },
    )
    assert base.database_url == settings.database_url
    app = Tactful.from_settings(settings)
    from scheduler import posts

    with app.db.session() as session:
        posts.sync_channels(session, settings.channels)
        users.create_user(session, "mia", "mia-password-123", "manager", email="mia@brand.test")
        users.create_user(session, "abe", "abe-password-123", "approver", email="abe@brand.test")
        users.create_user(session, "ada", "ada-password-123", "admin", email="ada@brand.test")
    yield app
    app.close()


def test_a_prompt_is_emailed_and_posted_to_the_webhook_with_a_link(notifying_app, inbox, webhook):
    handler, _ = inbox
    received, _ = webhook
    declare(notifying_app)
    assert notify.send_due(notifying_app) == 1
    ((rcpts, content),) = handler.messages
    assert sorted(rcpts) == ["abe@brand.test", "mia@brand.test"]
    with notifying_app.db.session() as session:
        (draft,) = condolences.list_drafts(session)
    link = f"https://tactful.example/condolences/{draft.id}"
    assert link in content and "Gunman kills 5" in content
    assert link in received[0]["text"]
    assert notify.send_due(notifying_app) == 0  # not due again yet


def test_an_unanswered_prompt_is_sent_again_then_to_admins(notifying_app, inbox, frozen):
    handler, _ = inbox
    declare(notifying_app)
    notify.send_due(notifying_app)
    frozen.advance(minutes=31)
    assert notify.send_due(notifying_app) == 1
    assert "Reminder" in handler.messages[1][1]
    assert "ada@brand.test" not in handler.messages[1][0]
    frozen.advance(minutes=31)
    notify.send_due(notifying_app)
    assert "ada@brand.test" in handler.messages[2][0]
    with notifying_app.db.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "condolence")
        ).all()
    assert actions == [
        "condolence.prompted",
        "condolence.notified",
        "condolence.reminded",
        "condolence.escalated",
    ]


def test_an_answered_prompt_is_not_sent_again(notifying_app, inbox, frozen):
    handler, _ = inbox
    declare(notifying_app)
    notify.send_due(notifying_app)
    with notifying_app.db.session() as session:
        (draft,) = condolences.list_drafts(session)
        abe = users.user_by_name(session, "abe")
        condolences.decline(session, draft.id, {"reason": "say nothing"}, abe)
    frozen.advance(hours=5)
    assert notify.send_due(notifying_app) == 0
    assert len(handler.messages) == 1


def test_a_failed_send_is_retried_soon_without_counting(notifying_app, frozen, monkeypatch):
    declare(notifying_app)

    def broken(app, notice):
        raise OSError("connection refused")

    monkeypatch.setattr(notify, "send_email", broken)
    monkeypatch.setattr(notify, "send_webhook", broken)
    notify.send_due(notifying_app)
    with notifying_app.db.session() as session:
        (draft,) = condolences.list_drafts(session)
        assert draft.reminders_sent == 0
        assert draft.next_reminder_at == clock.now() + timedelta(minutes=1)
