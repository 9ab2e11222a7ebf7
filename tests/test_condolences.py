"""Condolences: prompted by incidents, drafted, approved by a second person, published."""

import pytest
from sqlalchemy import func, select

from rules.condolence import suggest
from rules.text import LIMITS, length_error
from scheduler import condolences, posts
from scheduler.config import PROMOTIONAL_WORDS, load_settings
from scheduler.errors import Conflict, PermissionDenied, ValidationError
from scheduler.models import AuditEvent, CondolenceDraft, Incident, Post
from scheduler.publisher import Publisher
from tests.helpers import declare, queue


def prompt(app, **incident):
    declared = declare(app, **incident)
    with app.db.session() as session:
        return condolences.prompt_for(session, app.settings, declared.incident)


def test_an_incident_touching_an_audience_prompts_once_with_a_text_per_account(app):
    draft = prompt(app)  # "us" has a US audience; "outbox", "masto", "sky" are worldwide
    assert draft.status == "awaiting_draft"
    assert set(draft.texts) == {"outbox", "us", "masto", "sky"}
    assert all("Texas" in text for text in draft.texts.values())
    with app.db.session() as session:
        incident_id = draft.incident_id
        again = condolences.prompt_for(session, app.settings, session.get(Incident, incident_id))
        assert again.id == draft.id
        assert session.scalar(select(func.count()).select_from(CondolenceDraft)) == 1


def test_a_minor_incident_or_one_touching_no_audience_prompts_nothing(app):
    assert prompt(app, severity=1) is None


def test_suggestions_never_sell_and_fit_every_network():
    settings = load_settings(None, environ={})
    long_place = "Kahramanmaraş, Hatay, Gaziantep, Malatya, Adıyaman and Osmaniye"
    for tone in settings.condolences.templates:
        for kind in ("shooting", "earthquake", "flood", "hurricane", "wildfire", "crash"):
            for network, limit in LIMITS.items():
                text = suggest(
                    settings.condolences.templates, tone, kind, long_place, network, None
                )
                assert length_error(text, network, limit) is None
                lowered = text.lower()
                assert not any(word in lowered for word in ("sale", "offer", "discount", "% off"))
    tiny = suggest(settings.condolences.templates, "formal", "shooting", "Uvalde", "x", 60)
    assert length_error(tiny, "x", 60) is None


def test_a_template_that_sells_stops_start_up(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        '[condolences.templates.formal]\ndefault = "Thinking of {place}. 20% off today"\n'
    )
    from scheduler.errors import ConfigError

    with pytest.raises(ConfigError, match=r"condolences\.templates\.formal\.default"):
        load_settings(path, environ={})
    assert "% off" in PROMOTIONAL_WORDS


def test_edit_approve_publish_with_two_people(app, frozen, alice, bob):
    draft = prompt(app)
    with app.db.session() as session:
        condolences.edit(
            session,
            draft.id,
            {"texts": {"us": "Thinking of Uvalde.", "outbox": "With Texas."}},
            alice,
        )
    with app.db.session() as session:
        created = condolences.approve(session, app.settings, draft.id, {"version": 1}, bob)
        assert [p.category for p in created] == ["condolence", "condolence"]
        assert {p.channel.name: p.text for p in created} == {
            "us": "Thinking of Uvalde.",
            "outbox": "With Texas.",
        }
    assert Publisher(app).run_round().published == 2  # holds never stop condolences
    with app.db.session() as session:
        assert condolences.mark_published(session) == 1
        assert condolences.get_draft(session, draft.id).status == "published"
        assert [r.version for r in condolences.revisions(session, draft.id)] == [1]


def test_the_last_editor_cannot_approve_and_a_manager_cannot_at_all(app, alice, bob, carol):
    draft = prompt(app)
    with app.db.session() as session:
        condolences.edit(session, draft.id, {"texts": {"us": "With Texas."}}, bob)
    with app.db.session() as session, pytest.raises(PermissionDenied, match="two-person"):
        condolences.approve(session, app.settings, draft.id, {"version": 1}, bob)
    with app.db.session() as session, pytest.raises(PermissionDenied, match="approver"):
        condolences.approve(session, app.settings, draft.id, {"version": 1}, alice)
    with app.db.session() as session:
        assert condolences.approve(session, app.settings, draft.id, {"version": 1}, carol)


def test_an_unsubmitted_or_stale_draft_cannot_be_approved(app, alice, bob):
    draft = prompt(app)
    with app.db.session() as session, pytest.raises(Conflict):
        condolences.approve(session, app.settings, draft.id, {"version": 0}, bob)
    with app.db.session() as session:
        condolences.edit(session, draft.id, {"texts": {"us": "v1"}}, alice)
    with app.db.session() as session:
        condolences.edit(session, draft.id, {"texts": {"us": "v2"}}, alice)
    with app.db.session() as session, pytest.raises(Conflict, match="version 2"):
        condolences.approve(session, app.settings, draft.id, {"version": 1}, bob)


def test_an_approver_cannot_approve_words_he_wrote_after_someone_resaves_them(
    app, alice, bob, carol
):
    """Bob writes the sales pitch, Alice re-saves it unchanged: still Bob's words."""
    draft = prompt(app)
    pitch = {"texts": {"us": "BUY NOW 50% OFF"}}
    with app.db.session() as session:
        condolences.edit(session, draft.id, pitch, bob)
    with app.db.session() as session:
        resaved = condolences.edit(session, draft.id, pitch, alice)
        assert (resaved.version, resaved.last_editor_id) == (1, bob.id)
    with app.db.session() as session, pytest.raises(PermissionDenied, match="you wrote part"):
        condolences.approve(session, app.settings, draft.id, {"version": 1}, bob)
    with app.db.session() as session:
        assert [r.version for r in condolences.revisions(session, draft.id)] == [1]
    assert condolence_posts(app) == []


def test_an_approver_cannot_approve_a_version_he_wrote_part_of(app, alice, bob, carol):
    draft = prompt(app)
    with app.db.session() as session:
        condolences.edit(session, draft.id, {"texts": {"us": "With Texas. BUY NOW"}}, bob)
    with app.db.session() as session:
        condolences.edit(session, draft.id, {"texts": {"us": "With Texas, BUY NOW"}}, alice)
    with app.db.session() as session, pytest.raises(PermissionDenied, match="two-person"):
        condolences.approve(session, app.settings, draft.id, {"version": 2}, bob)
    with app.db.session() as session:
        assert condolences.approve(session, app.settings, draft.id, {"version": 2}, carol)


def test_approving_needs_the_version_the_approver_read(app, alice, bob):
    draft = prompt(app)
    with app.db.session() as session:
        condolences.edit(session, draft.id, {"texts": {"us": "With Texas."}}, alice)
    for data in ({}, {"version": None}, {"version": "1"}, {"version": 0}):
        with app.db.session() as session, pytest.raises(ValidationError) as caught:
            condolences.approve(session, app.settings, draft.id, data, bob)
        assert list(caught.value.errors) == ["version"], data
    with app.db.session() as session, pytest.raises(Conflict, match="now version 1"):
        condolences.approve(session, app.settings, draft.id, {"version": 2}, bob)
    assert condolence_posts(app) == []


def condolence_posts(app):
    with app.db.session() as session:
        return list(session.scalars(select(Post.id).where(Post.category == "condolence")))


def test_saying_nothing_is_a_recorded_answer(app, bob):
    draft = prompt(app)
    with app.db.session() as session:
        condolences.decline(session, draft.id, {"reason": "not our place to speak"}, bob)
    with app.db.session() as session:
        assert condolences.get_draft(session, draft.id).status == "declined"
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "condolence.declined"))
        assert event.reason == "not our place to speak" and event.actor == "bob"


def test_bad_edits_name_the_field_and_change_nothing(app, alice):
    draft = prompt(app)
    for data, field in (
        ({"texts": {"us": "x" * 281}}, "texts"),
        ({"texts": {"nope": "hi"}}, "channels"),
        ({"texts": {"us": "hi"}, "channels": ["sky"]}, "texts"),
        ({"texts": "hi"}, "texts"),
        ({}, "texts"),
    ):
        with app.db.session() as session, pytest.raises(ValidationError) as caught:
            condolences.edit(session, draft.id, data, alice)
        assert field in caught.value.errors, data
    with app.db.session() as session:
        row = condolences.get_draft(session, draft.id)
        assert (row.version, row.status) == (0, "awaiting_draft")


def test_no_condolence_is_published_without_approval_whatever_the_door(app, frozen):
    """The queue refuses condolence posts; a forged one is stopped at publish time."""
    with pytest.raises(ValidationError):
        queue(app, category="condolence")
    post = queue(app, category="service", regions=["FR"])
    with app.db.session() as session:
        row = posts.get_post(session, post.id)
        row.category = "condolence"  # forged directly in the database
    frozen.advance(minutes=11)
    assert Publisher(app).run_round().published == 0
    with app.db.session() as session:
        row = session.get(Post, post.id)
        assert row.status == "needs_review"
        assert "approved" in row.last_error


def test_a_dismissed_incident_closes_its_prompt_and_a_resolved_one_stops_reminders(app):
    from scheduler import incidents

    first = prompt(app)
    with app.db.session() as session:
        incidents.end(session, app.settings, first.incident_id, "dismissed", {}, None)
        row = condolences.get_draft(session, first.id)
        assert (row.status, row.next_reminder_at) == ("declined", None)
    second = prompt(app, kind="flood", title="Floods in Texas")
    with app.db.session() as session:
        incidents.end(session, app.settings, second.incident_id, "resolved", {}, None)
        row = condolences.get_draft(session, second.id)
        assert (row.status, row.next_reminder_at) == ("awaiting_draft", None)


def test_a_draft_needs_at_least_one_account_and_repeats_count_once(app, alice):
    draft = prompt(app)
    with app.db.session() as session, pytest.raises(ValidationError) as caught:
        condolences.edit(session, draft.id, {"texts": {}}, alice)
    assert "channels" in caught.value.errors
    with app.db.session() as session:
        edited = condolences.edit(
            session, draft.id, {"texts": {"us": "With Texas."}, "channels": ["us", "us"]}, alice
        )
        assert len(edited.channel_ids) == 1


def test_a_condolence_names_an_area_of_several_countries_by_its_own_name():
    southeast_asia = ("ID", "PH", "VN", "TH", "MM", "MY", "KH", "LA", "SG", "TL", "BN")
    assert condolences.place_name(southeast_asia) == "Southeast Asia"
    assert condolences.place_name(tuple(reversed(southeast_asia))) == "Southeast Asia"
    # Some of an area's countries, or one more, are named one by one.
    assert condolences.place_name(("ID", "PH")) == "Indonesia and Philippines"
    assert "Southeast Asia" not in condolences.place_name((*southeast_asia, "AU"))
    assert condolences.place_name(("US-TX",)) == "Texas"
