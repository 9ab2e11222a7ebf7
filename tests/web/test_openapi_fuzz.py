"""schemathesis against the served OpenAPI document, on SQLite and PostgreSQL: every
operation, a bounded and repeatable run (fixed seed, 12 examples each, valid and
invalid, plus the coverage phase's boundary cases). No answer may be a server error,
every answer must conform to the document (status code, content type, headers and
body), and a request the document calls invalid must be refused: the document is
neither looser nor stricter than the validation where it can say so."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from scheduler.config import load_settings
from scheduler.context import Tactful
from scheduler.models import User
from tests.helpers import declare, queue
from tests.web import token_for
from web.api_schemas import openapi_document

SEED = 20261201
EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


# The document as served with the default settings (the test settings differ only in
# paths and channels, which the document does not mention).
schema = schemathesis.openapi.from_dict(
    openapi_document(load_settings(None, environ={})),
    config=SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": EXAMPLES, "deterministic": True, "mode": "all"},
            "phases": {"coverage": {"enabled": True}, "stateful": {"enabled": False}},
        }
    ),
)


@pytest.fixture
def admin_token(app: Tactful, carol: User) -> str:
    """An admin's token (every operation is reachable), and some data to find."""
    queue(app)
    declare(app)
    return token_for(app, carol)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented_and_never_500(case, web, admin_token):
    case.call_and_validate(
        app=web, headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS
    )


def test_the_fuzzed_document_is_the_served_one(client):
    assert client.get("/api/v1/openapi.json").json == schema.raw_schema
