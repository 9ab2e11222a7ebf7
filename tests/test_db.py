"""Engine settings that the rest of the code relies on."""

import pytest
from sqlalchemy import select, text

from scheduler.db import id_among
from scheduler.models import Post
from tests.helpers import queue


@pytest.mark.parametrize("backend", ["postgres"])
def test_postgresql_plans_every_execution_for_its_own_parameters(app):
    with app.db.session() as session:
        mode = session.scalar(text("SHOW plan_cache_mode"))
    assert mode == "force_custom_plan"


def test_id_among_selects_exactly_the_given_ids(app):
    ids = [queue(app).id for _ in range(4)]
    with app.db.session() as session:
        wanted = [ids[0], ids[2], 10_000]
        got = session.scalars(select(Post.id).where(id_among(session, Post.id, wanted))).all()
        assert sorted(got) == [ids[0], ids[2]]
        assert session.scalars(select(Post.id).where(id_among(session, Post.id, []))).all() == []


@pytest.mark.parametrize("backend", ["postgres"])
def test_on_postgresql_an_id_list_is_one_parameter_whatever_its_length(app):

    with app.db.session() as session:
        bind = session.get_bind()
        short, long = (
            str(select(Post.id).where(id_among(session, Post.id, range(n))).compile(bind))
            for n in (3, 500)
        )
    assert short == long and "ANY" in short
