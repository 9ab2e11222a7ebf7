"""Engine settings that the rest of the code relies on."""

import pytest
from sqlalchemy import text


@pytest.mark.parametrize("backend", ["postgres"])
def test_postgresql_plans_every_execution_for_its_own_parameters(app):
    with app.db.session() as session:
        mode = session.scalar(text("SHOW plan_cache_mode"))
    assert mode == "force_custom_plan"
