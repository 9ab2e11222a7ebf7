"""Users and API tokens: output schemas, and the password bodies the API takes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from scheduler.models import ROLES
from scheduler.schemas import StrictSchema
from web.api_schemas.pages import PageQuerySchema
from web.api_schemas.spec import doc


class UserSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()
    email = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()


class TokenSchema(Schema):
    """An API token as listed: never the token itself, which is shown once."""

    id = fields.Integer()
    user = fields.Function(lambda token: token.user.name, metadata=doc(type="string"))
    name = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class PasswordResetSchema(StrictSchema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class PasswordChangeSchema(StrictSchema):
    current_password = fields.String(required=True, validate=validate.Length(max=1000))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class UserQuerySchema(PageQuerySchema):
    """``GET /api/v1/users`` query string: users by name."""

    active = fields.Boolean(metadata=doc(description="only active (or deactivated) users"))
    role = fields.String(validate=validate.OneOf(ROLES))


class TokenQuerySchema(PageQuerySchema):
    """``GET /api/v1/tokens`` query string: tokens newest first."""

    active = fields.Boolean(metadata=doc(description="only unrevoked (or revoked) tokens"))


class TokenCreateSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))


class NewTokenSchema(TokenSchema):
    """A token just created: the only time the token itself is shown."""

    token = fields.String(metadata=doc(type="string", description="shown once; keep it"))
