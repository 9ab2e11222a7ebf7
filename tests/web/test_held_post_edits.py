"""A held post stays held: moving it out of an incident's reach (its category or
audience) is an approver's decision, at every door, and every answer shows the
post's real state."""

from __future__ import annotations

import pytest

from scheduler import cli
from tests.helpers import declare, queue, status_of
from tests.web import snapshot


@pytest.fixture
def held_promo(app):
    """Alice's Texas promotion, held by a shooting in Texas."""
    post = queue(app)
    declare(app)
    assert status_of(app, post.id) == "held"
    return post


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"category": "service"}, id="category"),
        pytest.param({"regions": ["FR"]}, id="audience"),
        pytest.param({"category": "service", "regions": ["FR"]}, id="both"),
    ],
)
def test_a_manager_cannot_edit_a_held_post_out_of_the_incidents_reach(
    app, alice_api, held_promo, change
):
    before = snapshot(app, held_promo.id)
    response = alice_api.patch(f"/posts/{held_promo.id}", change)
    assert response.status_code == 403, response.json
    (message,) = response.json["errors"]["role"]
    assert "held by an open incident" in message and "approver" in message
    assert snapshot(app, held_promo.id) == before
    assert status_of(app, held_promo.id) == "held"


def test_a_manager_may_still_fix_the_text_of_a_held_post(app, alice_api, held_promo):
    response = alice_api.patch(f"/posts/{held_promo.id}", {"text": "Sale postponed."})
    assert response.status_code == 200, response.json
    assert response.json["status"] == "held"
    same = alice_api.patch(
        f"/posts/{held_promo.id}", {"category": "promotional", "regions": ["US-TX"]}
    )
    assert same.status_code == 200, same.json  # nothing about its reach changed
    assert same.json["status"] == "held"


def test_an_approver_may_release_a_held_post_by_editing_it_and_the_answer_says_so(
    app, bob_api, held_promo
):
    response = bob_api.patch(f"/posts/{held_promo.id}", {"category": "service"})
    assert response.status_code == 200, response.json
    assert response.json["status"] == status_of(app, held_promo.id) == "queued"
    assert response.json["holds"] == []
    assert bob_api.get(f"/posts/{held_promo.id}").json["status"] == "queued"


def test_an_edit_that_keeps_a_post_in_reach_answers_held(app, bob_api, held_promo):
    response = bob_api.patch(f"/posts/{held_promo.id}", {"regions": ["US-TX", "FR"]})
    assert response.status_code == 200, response.json
    assert response.json["status"] == status_of(app, held_promo.id) == "held"
    assert len(response.json["holds"]) == 1


def test_a_manager_cannot_edit_a_held_post_out_of_reach_in_the_form(app, as_alice, held_promo):
    before = snapshot(app, held_promo.id)
    form = {
        "text": held_promo.text,
        "publish_at": held_promo.local_time[:16],
        "timezone": "UTC",
        "category": "service",
        "regions": "US-TX",
    }
    response = as_alice.submit(f"/posts/{held_promo.id}/edit", form)
    assert response.status_code == 403
    assert "only an approver may decide" in response.get_data(as_text=True)
    assert snapshot(app, held_promo.id) == before


def test_a_manager_cannot_edit_a_held_post_out_of_reach_at_the_command_line(
    app, alice, held_promo, capsys, tmp_path
):
    config = tmp_path / "cli.toml"
    config.write_text(
        f'[paths]\ndata_dir = "{tmp_path}"\n[database]\nurl = "{app.settings.database_url}"\n'
    )
    before = snapshot(app, held_promo.id)
    code = cli.main(
        [
            "--config",
            str(config),
            "post",
            "edit",
            str(held_promo.id),
            "--category",
            "service",
            "--as",
            "alice",
        ]
    )
    assert code == 1
    assert "only an approver may decide" in capsys.readouterr().err
    assert snapshot(app, held_promo.id) == before
