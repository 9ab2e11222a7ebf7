"""Sessions end everywhere on logout, password change and deactivation; logins are
throttled per account and per address across processes, audited without one row
per guess; credentials have a lifecycle at every door (CLI, admin pages, API)."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from scheduler import cli
from scheduler.models import ApiToken, AuditEvent
from tests.web import Api, Browser, token_for
from web import create_app

PASSWORD = "alice-password-123"


def signed_in(person: Browser) -> bool:
    return person.get("/").status_code == 200


def copy_of(web, person: Browser) -> Browser:
    """Another device holding a copy of ``person``'s session cookie."""
    thief = Browser(web.test_client())
    cookie = person.client.get_cookie("session")
    assert cookie is not None
    thief.client.set_cookie("session", cookie.value)
    return thief


def actions(app, prefix: str) -> list[str]:
    with app.db.session() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.startswith(prefix))
                .order_by(AuditEvent.id)
            )
        )


# ------------------------------------------------------------------ sessions
def test_a_session_cookie_copied_before_logout_is_dead_after_it(web, as_alice):
    thief = copy_of(web, as_alice)
    assert signed_in(thief)
    as_alice.submit("/logout", {})
    assert not signed_in(as_alice)
    assert not signed_in(thief)


def test_logging_out_on_one_device_ends_the_others(browser, alice):
    laptop, phone = browser(alice), browser(alice)
    laptop.submit("/logout", {})
    assert not signed_in(phone)
    assert signed_in(browser(alice))  # signing in again works


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(web, browser, alice):
    laptop, phone = browser(alice), browser(alice)
    response = laptop.submit(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a-new-password-456",
            "repeat_password": "a-new-password-456",
        },
    )
    assert response.status_code == 303
    assert signed_in(laptop)
    assert not signed_in(phone)
    assert browser().login("alice", PASSWORD).status_code == 401
    assert browser().login("alice", "a-new-password-456").status_code == 303


def test_a_wrong_current_password_changes_nothing(browser, alice):
    laptop = browser(alice)
    response = laptop.submit(
        "/account/password",
        {"current_password": "nope", "new_password": "x" * 12, "repeat_password": "x" * 12},
    )
    assert response.status_code == 400
    assert 'id="error-current_password"' in response.get_data(as_text=True)
    assert browser().login("alice", PASSWORD).status_code == 303


def test_deactivating_a_user_ends_their_sessions_and_tokens(app, web, browser, alice, carol):
    token = token_for(app, alice)
    laptop = browser(alice)
    admin = browser(carol)
    assert admin.submit(f"/users/{alice.id}/deactivate", {}).status_code == 303
    assert not signed_in(laptop)
    assert Api(web.test_client(), token).get("/posts").status_code == 401
    assert browser().login("alice").status_code == 401
    assert admin.submit(f"/users/{alice.id}/reactivate", {}).status_code == 303
    assert browser().login("alice").status_code == 303
    assert actions(app, "user.") == [
        "user.created",
        "user.created",
        "user.deactivated",
        "user.reactivated",
    ]


def test_an_admin_resets_a_password_and_the_old_sessions_end(browser, alice, carol):
    laptop = browser(alice)
    admin = browser(carol)
    short = admin.submit(f"/users/{alice.id}/password", {"password": "short"})
    assert short.status_code == 400
    assert f'id="error-user-{alice.id}-password"' in short.get_data(as_text=True)
    assert signed_in(laptop)
    assert (
        admin.submit(f"/users/{alice.id}/password", {"password": "reset-pass-789"}).status_code
        == 303
    )
    assert not signed_in(laptop)
    assert browser().login("alice", "reset-pass-789").status_code == 303


def test_only_admins_reach_the_users_page(as_alice, browser, carol):
    assert as_alice.get("/users").status_code == 403
    assert as_alice.submit("/users/1/deactivate", {}).status_code == 403
    page = browser(carol).page("/users")
    assert "alice" in page and "Deactivate" in page


def test_an_admin_cannot_deactivate_themselves(browser, carol):
    assert browser(carol).submit(f"/users/{carol.id}/deactivate", {}).status_code == 403


# -------------------------------------------------------------------- tokens
def test_tokens_are_listed_with_their_last_use_and_revoked(app, client, alice, bob, frozen):
    mine = Api(client, token_for(app, alice))
    theirs = Api(client, token_for(app, bob))
    listed = mine.get("/tokens").json["tokens"]
    assert [(t["user"], t["revoked_at"]) for t in listed] == [("alice", None)]
    assert listed[0]["last_used_at"].startswith("2026-06-01T12:00:00")  # this very call
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    bobs = theirs.get("/tokens").json["tokens"][0]["id"]
    assert mine.delete(f"/tokens/{bobs}").status_code == 404  # not hers: not found
    own = listed[0]["id"]
    revoked = mine.delete(f"/tokens/{own}")
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    assert mine.get("/tokens").status_code == 401
    assert theirs.get("/posts").status_code == 200


def test_an_admin_lists_and_revokes_everyones_tokens(app, client, alice, carol, browser):
    token_for(app, alice)
    admin = Api(client, token_for(app, carol))
    users = {t["user"] for t in admin.get("/tokens").json["tokens"]}
    assert users == {"alice", "carol"}
    page = browser(carol).page("/users")
    assert "last used" in page.lower()
    with app.db.session() as session:
        alices = session.scalar(select(ApiToken.id).where(ApiToken.user_id == alice.id))
    assert admin.delete(f"/tokens/{alices}").status_code == 200
    assert admin.delete(f"/tokens/{alices}").status_code == 409


def test_the_api_changes_and_resets_passwords_and_deactivates(app, client, alice, carol):
    own = Api(client, token_for(app, alice))
    admin = Api(client, token_for(app, carol))
    wrong = own.post("/account/password", {"current_password": "x", "new_password": "y" * 12})
    assert wrong.status_code == 400 and list(wrong.json["errors"]) == ["current_password"]
    changed = own.post(
        "/account/password", {"current_password": PASSWORD, "new_password": "y" * 12}
    )
    assert changed.status_code == 204
    assert own.post(f"/users/{alice.id}/password", {"password": "z" * 12}).status_code == 403
    reset = admin.post(f"/users/{alice.id}/password", {"password": "z" * 12})
    assert reset.status_code == 200 and reset.json["name"] == "alice"
    off = admin.post(f"/users/{alice.id}/deactivate")
    assert off.status_code == 200 and off.json["active"] is False
    assert own.get("/posts").status_code == 401
    assert admin.post(f"/users/{alice.id}/deactivate").status_code == 409
    assert admin.post(f"/users/{alice.id}/reactivate").json["active"] is True
    names = {u["name"] for u in admin.get("/users").json["users"]}
    assert names == {"alice", "carol"}


# ----------------------------------------------------------------- throttle
def test_failed_logins_are_throttled_per_account_and_audited_once(app, browser, alice, frozen):
    limits = app.settings.login
    person = browser()
    for _ in range(limits.per_account):
        assert person.login("alice", "wrong").status_code == 401
    for _ in range(10):  # even the right password, while throttled
        refused = person.login("alice")
        assert refused.status_code == 429
        assert 0 < int(refused.headers["Retry-After"]) <= limits.window_seconds
    assert actions(app, "login.") == ["login.failed"] * limits.per_account + ["login.throttled"]
    assert browser().login("bob-unknown", "x").status_code == 401  # other accounts go on
    frozen.advance(seconds=limits.window_seconds + 1)
    assert browser().login("alice").status_code == 303
    with app.db.session() as session:
        total = session.scalar(
            select(AuditEvent).where(AuditEvent.action == "login.throttled_total")
        )
        assert total.details["refused"] == 10


def test_failed_logins_are_throttled_per_address_across_names(app, browser, alice):
    limits = app.settings.login
    person = browser()
    for number in range(limits.per_address):
        assert person.login(f"guess{number}", "wrong").status_code == 401
    assert person.login("alice").status_code == 429
    with app.db.session() as session:
        throttled = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "login.throttled")
        )
    assert throttled == 1


def test_the_throttle_is_shared_by_every_web_process(app, alice):
    """Two app objects over one database stand for two gunicorn workers."""
    limits = app.settings.login
    workers = [create_app(app, {"TESTING": True}) for _ in range(2)]
    for number in range(limits.per_account):
        person = Browser(workers[number % 2].test_client())
        assert person.login("alice", "wrong").status_code == 401
    for web in workers:
        assert Browser(web.test_client()).login("alice").status_code == 429


# ----------------------------------------------------------------------- CLI
def test_the_command_line_manages_credentials(app, alice, capsys, tmp_path, monkeypatch):
    config = tmp_path / "cli.toml"
    config.write_text(
        f'[paths]\ndata_dir = "{tmp_path}"\n[database]\nurl = "{app.settings.database_url}"\n'
    )

    def run(*argv: str) -> int:
        return cli.main(["--config", str(config), *argv])

    token_for(app, alice)
    assert run("user", "list") == 0
    assert "alice\tmanager\tactive" in capsys.readouterr().out
    assert run("token", "list", "alice") == 0
    line = capsys.readouterr().out.strip()
    assert "\talice\ttests\t" in line and "never used" in line
    assert run("token", "revoke", line.split("\t")[0]) == 0
    assert run("token", "list") == 0
    assert "revoked" in capsys.readouterr().out
    assert run("user", "deactivate", "alice") == 0
    assert run("user", "deactivate", "alice") == 1
    assert run("user", "reactivate", "alice") == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert run("user", "password", "alice", "--password-stdin") == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-new-password\n"))
    assert run("user", "password", "alice", "--password-stdin") == 0
    assert actions(app, "user.")[-3:] == [
        "user.deactivated",
        "user.reactivated",
        "user.password_reset",
    ]


def test_ended_windows_are_cleared_and_their_refusals_audited(app, browser, alice, frozen):
    from scheduler.models import LoginThrottle

    limits = app.settings.login
    person = browser()
    for _ in range(limits.per_account + 2):
        person.login("alice", "wrong")
    frozen.advance(seconds=limits.window_seconds + 1)
    person.login("someone-else", "wrong")
    with app.db.session() as session:
        keys = set(session.scalars(select(LoginThrottle.key)))
        total = session.scalar(
            select(AuditEvent).where(AuditEvent.action == "login.throttled_total")
        )
    assert keys == {"account:someone-else", "address:127.0.0.1"}
    assert total.details == {
        "key": "account:alice",
        "refused": 2,
        "since": "2026-06-01T12:00:00+00:00",
    }
