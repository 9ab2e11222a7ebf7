"""The OpenAPI document is converted from the marshmallow schemas by apispec's
marshmallow plugin: every field is there with its constraints, our custom fields are
described through the plugin's extension points, and the path helpers keep their
shapes."""

from __future__ import annotations

import pytest
from marshmallow import RAISE, Schema, fields, validate

from scheduler.config import load_settings
from scheduler.models import POST_STATUSES
from scheduler.schemas import PostCreateSchema, PostUpdateSchema, TimeZoneField, WallTimeField
from web.api_schemas import (
    AuditQuerySchema,
    IncidentSchema,
    PostSchema,
    UserSchema,
    openapi_document,
)
from web.api_schemas.openapi import _errors, _id, _json, _query, _ref
from web.api_schemas.spec import converter, doc


@pytest.fixture(scope="module")
def document():
    return openapi_document(load_settings(None, environ={}))


def keys(schema: Schema) -> set[str]:
    return {field.data_key or name for name, field in schema.fields.items()}


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        ("Post", PostSchema()),
        ("Incident", IncidentSchema()),
        ("User", UserSchema()),
        ("PostCreate", PostCreateSchema()),
        ("PostUpdate", PostUpdateSchema()),
    ],
)
def test_every_field_of_a_schema_is_a_property(document, name, schema):
    component = document["components"]["schemas"][name]
    assert set(component["properties"]) == keys(schema)
    required = {f.data_key or n for n, f in schema.fields.items() if f.required}
    assert set(component.get("required", [])) == required
    # A schema that refuses unknown fields says so.
    assert (component.get("additionalProperties") is False) == (schema.unknown == RAISE)


def test_validators_become_constraints(document):
    create = document["components"]["schemas"]["PostCreate"]["properties"]
    assert create["channels"] == {
        "type": "array",
        "items": {"type": "string"},
        "minItems": 1,
        "maxItems": 50,
    }
    assert create["category"]["enum"] == [
        "promotional",
        "informational",
        "service",
        "condolence",
    ]
    assert create["timezone"]["default"] == "UTC"
    incident = document["components"]["schemas"]["Incident"]["properties"]
    assert incident["severity"]["minimum"] == 1 and incident["severity"]["maximum"] == 4


def test_custom_fields_are_described_through_the_plugin(document):
    create = document["components"]["schemas"]["PostCreate"]["properties"]
    assert create["publish_at"]["type"] == "string"
    assert "a date alone is refused" in create["publish_at"]["description"]
    assert create["publish_at"]["examples"] == ["2026-12-01T09:00"]
    assert create["timezone"]["type"] == "string"
    assert create["timezone"]["examples"] == ["Europe/Paris"]


def test_a_fields_own_doc_wins_over_the_custom_default():
    class Example(Schema):
        zone = TimeZoneField(metadata=doc(description="where the shop is"))
        at = WallTimeField(allow_none=True)

    properties = converter().schema2jsonschema(Example())["properties"]
    assert properties["zone"] == {
        "type": "string",
        "description": "where the shop is",
        "examples": ["Europe/Paris"],
    }
    assert properties["at"]["type"] == ["string", "null"]


def test_doc_metadata_describes_what_a_field_cannot(document):
    post = document["components"]["schemas"]["Post"]["properties"]
    assert post["status"]["enum"] == list(POST_STATUSES)
    assert post["status"]["type"] == "string"
    assert post["holds"]["items"] == _ref("Hold")
    assert post["review_reason"]["type"] == ["string", "null"]
    assert post["last_error"]["type"] == ["string", "null"]  # allow_none, from the field


def test_the_path_helpers_keep_their_shapes():
    class Query(Schema):
        q = fields.String(required=True, validate=validate.Length(max=5))
        limit = fields.Integer(load_default=10, metadata=doc(description="how many"))

    q, limit = _query(Query())
    assert q == {
        "in": "query",
        "name": "q",
        "required": True,
        "schema": {"type": "string", "maxLength": 5},
    }
    assert limit["name"] == "limit" and not limit["required"]
    assert limit["schema"] == {"type": "integer", "default": 10}
    assert limit["description"] == "how many"
    assert _ref("Post") == {"$ref": "#/components/schemas/Post"}
    assert _json(_ref("Post"), "a post") == {
        "description": "a post",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Post"}}},
    }
    assert _errors(400, 404) == {
        "400": {"$ref": "#/components/responses/E400"},
        "404": {"$ref": "#/components/responses/E404"},
    }
    assert _id("post_id")["in"] == "path" and _id("post_id")["required"] is True


def test_query_parameters_come_from_the_query_schemas(document):
    parameters = document["paths"]["/api/v1/audit"]["get"]["parameters"]
    assert {p["name"] for p in parameters} == keys(AuditQuerySchema())
    action = next(p for p in parameters if p["name"] == "action")
    assert action["schema"]["maxLength"] == 64
    assert action["description"].startswith("a prefix")
