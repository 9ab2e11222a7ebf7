"""A post sent to a person shows why, alike in the queue, the API and the CLI: its
moment passed while an incident held it, or its channel account was disabled."""

from __future__ import annotations

import html

from scheduler import accounts, cli, incidents
from scheduler.publisher import Publisher
from tests.helpers import at, declare, queue, status_of

PASSED = "its moment passed while held by incident 1"
DISABLED = "channel account outbox is disabled"


def cli_config(tmp_path, settings):
    path = tmp_path / "cli.toml"
    path.write_text(
        f'[paths]\ndata_dir = "{settings.data_dir}"\n[database]\nurl = "{settings.database_url}"\n'
    )
    return path


def shown_everywhere(app, tmp_path, as_alice, alice_api, capsys, post_id, reason):
    page = html.unescape(as_alice.page("/"))
    assert reason in page
    body = alice_api.get(f"/posts/{post_id}").get_json()
    assert body["status"] == "needs_review" and body["review_reason"] == reason
    config = cli_config(tmp_path, app.settings)
    capsys.readouterr()
    assert cli.main(["--config", str(config), "post", "show", str(post_id)]) == 0
    assert f"why: {reason}" in capsys.readouterr().out
    assert cli.main(["--config", str(config), "post", "list", "--status", "needs_review"]) == 0
    assert capsys.readouterr().out.rstrip("\n").endswith(reason)


def test_a_post_whose_moment_passed_while_held_says_so(
    app, frozen, tmp_path, as_alice, alice_api, capsys
):
    post = queue(app, publish_at=at(minutes=5))
    declared = declare(app)
    frozen.advance(minutes=5 + 16)  # beyond the 15-minute grace
    with app.db.session() as session:
        incidents.end(session, app.settings, declared.incident.id, "resolved", {}, None)
    assert status_of(app, post.id) == "needs_review"
    shown_everywhere(app, tmp_path, as_alice, alice_api, capsys, post.id, PASSED)
    # A post that is merely queued carries no reason.
    fresh = queue(app, publish_at=at(minutes=60), category="service")
    assert alice_api.get(f"/posts/{fresh.id}").get_json()["review_reason"] is None


def test_a_post_of_a_disabled_account_says_so(app, frozen, tmp_path, as_alice, alice_api, capsys):
    post = queue(app, publish_at=at(minutes=1), category="service")
    with app.db.session() as session:
        outbox = accounts.account_by_name(session, "outbox")
        accounts.set_enabled(session, outbox.id, False, None, confirm=True)
    frozen.advance(minutes=2)
    Publisher(app).run_round()
    assert status_of(app, post.id) == "needs_review"
    shown_everywhere(app, tmp_path, as_alice, alice_api, capsys, post.id, DISABLED)
