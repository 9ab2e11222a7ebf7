"""The hold rules on the web and in the API: admins change a line and see posts held
or released at once; others read it only; bad lines are named and change nothing."""

from __future__ import annotations

import pytest

from scheduler import policy as hold_policy
from tests.helpers import declare, queue, status_of
from tests.web import Api, token_for


@pytest.fixture
def as_carol(browser, carol):
    return browser(carol)


@pytest.fixture
def carol_api(client, app, carol) -> Api:
    return Api(client, token_for(app, carol))


def line(app, category):
    with app.db.session() as session:
        return next(x for x in hold_policy.lines(session, app.settings) if x.category == category)


def test_an_admin_changes_a_line_on_the_rules_page_and_posts_are_held(app, as_carol, frozen):
    info = queue(app, category="informational")
    declare(app, severity=2)
    frozen.advance(minutes=1)
    page = as_carol.page("/rules")
    assert 'id="rule-informational"' in page and 'href="/rules"' in page
    response = as_carol.submit(
        "/rules/informational", {"inside": "2", "containing": "4", "reason": "sensitive week"}
    )
    assert response.status_code == 303
    assert status_of(app, info.id) == "held"
    page = as_carol.page("/rules")
    assert "1 hold(s) added" in page and "changed by carol" in page
    assert as_carol.submit("/rules/informational/reset", {}).status_code == 303
    assert not line(app, "informational").overridden


def test_a_bad_line_is_named_next_to_its_field_and_changes_nothing(app, as_carol):
    response = as_carol.submit("/rules/promotional", {"inside": "3", "containing": "2"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="error-rule-promotional-containing"' in html
    assert "cannot be held at a lower severity" in html
    response = as_carol.submit("/rules/promotional", {"inside": "soon", "containing": "3"})
    assert response.status_code == 400 and "error-rule-promotional-inside" in response.text
    assert not line(app, "promotional").overridden
    assert as_carol.submit("/rules/lottery", {"inside": "1", "containing": "1"}).status_code == 404


def test_only_admins_change_rules_and_everyone_reads_them(app, as_alice, as_bob, bob_api):
    for person in (as_alice, as_bob):
        assert person.get("/rules").status_code == 403
        assert 'href="/rules"' not in person.page("/")
        assert (
            person.submit("/rules/promotional", {"inside": "0", "containing": "0"}).status_code
            == 403
        )
    assert bob_api.put("/policy/promotional", {"inside": 0, "containing": 0}).status_code == 403
    assert bob_api.delete("/policy/promotional").status_code == 403
    listed = bob_api.get("/policy")
    assert listed.status_code == 200
    assert {x["category"] for x in listed.json["lines"]} >= {"promotional", "service"}
    assert not line(app, "promotional").overridden


def test_the_api_changes_and_resets_a_line(app, carol_api, frozen):
    promo = queue(app)
    declare(app, severity=2)
    frozen.advance(minutes=1)
    response = carol_api.put("/policy/promotional", {"inside": 0, "containing": 0})
    assert response.status_code == 200, response.json
    assert response.json["released"] == 1 and response.json["line"]["overridden"] is True
    assert status_of(app, promo.id) == "queued"
    bad = carol_api.put("/policy/promotional", {"inside": 2, "containing": 1})
    assert bad.status_code == 400 and set(bad.json["errors"]) == {"containing"}
    bad = carol_api.put("/policy/promotional", {"inside": 2, "containing": 3, "extra": 1})
    assert bad.status_code == 400 and set(bad.json["errors"]) == {"extra"}
    frozen.advance(minutes=1)
    reset = carol_api.delete("/policy/promotional")
    assert reset.status_code == 200 and reset.json["held"] == 1
    assert status_of(app, promo.id) == "held"
    assert carol_api.put("/policy/lottery", {"inside": 1, "containing": 1}).status_code == 404
