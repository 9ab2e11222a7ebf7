"""The OpenAPI 3.1 document of ``/api/v1``, built from the output schemas of this
package and the input schemas in ``scheduler.schemas`` and the services."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema

from scheduler.channel_admin import ChannelCreateSchema
from scheduler.condolences import ApproveSchema, DeclineSchema, DraftEditSchema
from scheduler.config import Settings
from scheduler.db import MAX_ID
from scheduler.feeds.manage import feed_schema
from scheduler.schemas import (
    IncidentAmendSchema,
    IncidentCreateSchema,
    IncidentEndSchema,
    PostCreateSchema,
    PostQuerySchema,
    PostUpdateSchema,
)
from scheduler.user_admin import RoleChangeSchema, UserCreateSchema
from web.api_schemas.accounts import (
    NewTokenSchema,
    PasswordChangeSchema,
    PasswordResetSchema,
    TokenCreateSchema,
    TokenSchema,
    UserSchema,
)
from web.api_schemas.audit import AUDIT_CSV_HEADER, AuditEventSchema, AuditQuerySchema
from web.api_schemas.channels import ChannelCheckSchema, ChannelSchema, ChannelToggleSchema
from web.api_schemas.condolences import CondolenceQuerySchema, CondolenceSchema, RevisionSchema
from web.api_schemas.feeds import FeedSchema
from web.api_schemas.incidents import (
    IncidentQuerySchema,
    IncidentSchema,
    ReleaseSchema,
    ReportSchema,
)
from web.api_schemas.json_schema import field_schema, json_schema
from web.api_schemas.posts import HoldSchema, PostSchema
from web.api_schemas.regions import RegionQuerySchema, RegionSchema

API_PREFIX = "/api/v1"
API_VERSION = "1.0.0"
ERRORS = {
    400: "invalid input; each bad field is named",
    401: "no or bad API token",
    403: "the token's user lacks the role, or may not do this (two-person approval)",
    404: "no such object",
    409: "the object's state does not allow this",
    413: "request body too large",
}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes}


def _query(schema: Schema) -> list[dict[str, Any]]:
    return [
        {"name": field.data_key or name, "in": "query", "schema": field_schema(field)}
        | ({"required": True} if field.required else {})
        for name, field in schema.fields.items()
    ]


def _id(name: str) -> dict[str, Any]:
    """A row id in the path; a larger number than the databases hold is a 404."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
    }


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


def _list_of(key: str, name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {key: {"type": "array", "items": _ref(name)}},
        "required": [key],
    }


def _partial(schema: dict[str, Any]) -> dict[str, Any]:
    """The same object schema with no field required (a PATCH body)."""
    return {key: value for key, value in schema.items() if key != "required"}


def _more_paths(p: str, auth_errors: tuple[int, ...]) -> dict[str, Any]:
    """Condolences, incident review, the audit log and feeds."""
    approved = {
        "type": "object",
        "properties": {
            "condolence": _ref("Condolence"),
            "posts": {"type": "array", "items": _ref("Post")},
        },
        "required": ["condolence", "posts"],
    }
    audit_csv_content = {
        "text/csv": {
            "schema": {"type": "string"},
            "example": ",".join(AUDIT_CSV_HEADER) + "\r\n",
        }
    }
    return {
        f"{p}/condolences": {
            "get": {
                "summary": "List condolence drafts, newest prompt first",
                "parameters": _query(CondolenceQuerySchema()),
                "responses": {"200": _json(_list_of("condolences", "Condolence"), "drafts")}
                | _errors(400, *auth_errors),
            }
        },
        f"{p}/condolences/{{draft_id}}": {
            "parameters": [_id("draft_id")],
            "get": {
                "summary": "One condolence draft, with its revisions",
                "responses": {"200": _json(_ref("Condolence"), "the draft")}
                | _errors(*auth_errors, 404),
            },
            "patch": {
                "summary": "Save a new version of the texts and accounts; submit it for "
                "approval unless `submit` is false. Nothing is published.",
                "requestBody": _body("CondolenceEdit"),
                "responses": {"200": _json(_ref("Condolence"), "the draft after the edit")}
                | _errors(400, *auth_errors, 404, 409, 413),
            },
        },
        f"{p}/condolences/{{draft_id}}/approve": {
            "post": {
                "summary": "Approve the version read, `version` (approver; never an author of "
                "any revision of it when two-person approval is on): condolence posts are "
                "queued; 409 when the draft has moved on",
                "parameters": [_id("draft_id")],
                "requestBody": _body("CondolenceApprove"),
                "responses": {"200": _json(approved, "the approved draft and its posts")}
                | _errors(400, *auth_errors, 404, 409, 413),
            }
        },
        f"{p}/condolences/{{draft_id}}/decline": {
            "post": {
                "summary": "Say nothing: close the prompt with a reason (approver)",
                "parameters": [_id("draft_id")],
                "requestBody": _body("CondolenceDecline"),
                "responses": {"200": _json(_ref("Condolence"), "the declined draft")}
                | _errors(400, *auth_errors, 404, 409, 413),
            }
        },
        f"{p}/incidents/{{incident_id}}/confirm": {
            "post": {
                "summary": "Confirm an incident the monitor opened (approver)",
                "parameters": [_id("incident_id")],
                "responses": {"200": _json(_ref("Incident"), "the confirmed incident")}
                | _errors(*auth_errors, 404, 409),
            }
        },
        f"{p}/audit": {
            "get": {
                "summary": "The audit log, newest first (approver). JSON, or CSV with "
                "`format=csv` or `Accept: text/csv`",
                "parameters": _query(AuditQuerySchema()),
                "responses": {
                    "200": {
                        "description": "events",
                        "content": {
                            "application/json": {"schema": _list_of("events", "AuditEvent")},
                            **audit_csv_content,
                        },
                    }
                }
                | _errors(400, *auth_errors),
            }
        },
        f"{p}/feeds": {
            "get": {
                "summary": "List the monitored feeds (admin)",
                "responses": {"200": _json(_list_of("feeds", "Feed"), "feeds")}
                | _errors(*auth_errors),
            },
            "post": {
                "summary": "Add a feed, polled at once (admin)",
                "requestBody": _body("FeedCreate"),
                "responses": {"201": _json(_ref("Feed"), "the feed added")}
                | _errors(400, *auth_errors, 413),
            },
        },
        f"{p}/feeds/{{feed_id}}": {
            "parameters": [_id("feed_id")],
            "get": {
                "summary": "One feed (admin)",
                "responses": {"200": _json(_ref("Feed"), "the feed")} | _errors(*auth_errors, 404),
            },
            "patch": {
                "summary": "Change a feed's address, kind, interval, title or enable it (admin)",
                "requestBody": _body("FeedUpdate"),
                "responses": {"200": _json(_ref("Feed"), "the feed after the change")}
                | _errors(400, *auth_errors, 404, 413),
            },
            "delete": {
                "summary": "Delete a feed and its reports; refused while they are evidence "
                "for an incident (admin)",
                "responses": {"204": {"description": "deleted"}} | _errors(*auth_errors, 404, 409),
            },
        },
    }


def _credential_paths(p: str, auth_errors: tuple[int, ...]) -> dict[str, Any]:
    """API tokens, one's own password, and users (admin)."""

    def user_action(summary: str) -> dict[str, Any]:
        return {
            "post": {
                "summary": summary,
                "parameters": [_id("user_id")],
                "responses": {"200": _json(_ref("User"), "the user")}
                | _errors(*auth_errors, 404, 409),
            }
        }

    return {
        f"{p}/tokens": {
            "get": {
                "summary": "List API tokens with their last use (one's own; every one for "
                "an admin). The tokens themselves are never shown again.",
                "responses": {"200": _json(_list_of("tokens", "Token"), "tokens")}
                | _errors(*auth_errors),
            }
        },
        f"{p}/tokens/{{token_id}}": {
            "delete": {
                "summary": "Revoke an API token (one's own; any for an admin)",
                "parameters": [_id("token_id")],
                "responses": {"200": _json(_ref("Token"), "the revoked token")}
                | _errors(*auth_errors, 404, 409),
            }
        },
        f"{p}/account/password": {
            "post": {
                "summary": "Change one's own password; every session of the user ends",
                "requestBody": _body("PasswordChange"),
                "responses": {"204": {"description": "changed"}} | _errors(400, *auth_errors, 413),
            }
        },
        f"{p}/users": {
            "get": {
                "summary": "List users (admin)",
                "responses": {"200": _json(_list_of("users", "User"), "users")}
                | _errors(*auth_errors),
            }
        },
        f"{p}/users/{{user_id}}/deactivate": user_action(
            "Deactivate a user (admin): their sessions end and their tokens stop working"
        ),
        f"{p}/users/{{user_id}}/reactivate": user_action("Reactivate a user (admin)"),
        f"{p}/users/{{user_id}}/password": {
            "post": {
                "summary": "Reset a user's password (admin); their sessions end",
                "parameters": [_id("user_id")],
                "requestBody": _body("PasswordReset"),
                "responses": {"200": _json(_ref("User"), "the user")}
                | _errors(400, *auth_errors, 404, 413),
            }
        },
    }


def _admin_paths(p: str, auth_errors: tuple[int, ...]) -> dict[str, Any]:
    """Channel accounts, creating users and changing roles, creating one's own token."""
    toggle_body = {
        "required": False,
        "content": {"application/json": {"schema": _ref("ChannelToggle")}},
    }

    def channel_action(summary: str, *codes: int) -> dict[str, Any]:
        return {
            "post": {
                "summary": summary,
                "parameters": [_id("channel_id")],
                "requestBody": toggle_body,
                "responses": {"200": _json(_ref("Channel"), "the account")}
                | _errors(400, *auth_errors, 404, *codes, 413),
            }
        }

    held_posts = {
        "type": "object",
        "properties": {
            "posts": {"type": "array", "items": _ref("Post")},
            "total": {"type": "integer", "minimum": 0},
        },
        "required": ["posts", "total"],
    }
    return {
        f"{p}/incidents/{{incident_id}}/held": {
            "get": {
                "summary": "The posts an incident holds now, soonest first (at most 200), "
                "and how many in all",
                "parameters": [_id("incident_id")],
                "responses": {"200": _json(held_posts, "held posts")} | _errors(*auth_errors, 404),
            }
        },
        f"{p}/channels": {
            "get": {
                "summary": "List channel accounts with their waiting posts (admin)",
                "responses": {"200": _json(_list_of("channels", "Channel"), "accounts")}
                | _errors(*auth_errors),
            },
            "post": {
                "summary": "Add a channel account (admin); secrets are named as "
                "TACTFUL_CHANNEL_… environment variables, never given",
                "requestBody": _body("ChannelCreate"),
                "responses": {"201": _json(_ref("Channel"), "the account added")}
                | _errors(400, *auth_errors, 413),
            },
        },
        f"{p}/channels/{{channel_id}}": {
            "get": {
                "summary": "One channel account (admin)",
                "parameters": [_id("channel_id")],
                "responses": {"200": _json(_ref("Channel"), "the account")}
                | _errors(*auth_errors, 404),
            }
        },
        f"{p}/channels/{{channel_id}}/enable": channel_action("Enable an account (admin)"),
        f"{p}/channels/{{channel_id}}/disable": channel_action(
            "Disable an account (admin); with posts waiting, 409 giving the count unless "
            "`confirm` is true (they then go to review instead of out)",
            409,
        ),
        f"{p}/channels/{{channel_id}}/test": {
            "post": {
                "summary": "Test an account's connection without publishing (admin); a "
                "failed test is `ok: false` with the reason",
                "parameters": [_id("channel_id")],
                "responses": {"200": _json(_ref("ChannelCheck"), "what the test found")}
                | _errors(*auth_errors, 404),
            }
        },
        f"{p}/users": {
            "post": {
                "summary": "Create a user (admin)",
                "requestBody": _body("UserCreate"),
                "responses": {"201": _json(_ref("User"), "the user created")}
                | _errors(400, *auth_errors, 413),
            }
        },
        f"{p}/users/{{user_id}}": {
            "patch": {
                "summary": "Change a user's role (admin); 409 for the last active admin",
                "parameters": [_id("user_id")],
                "requestBody": _body("RoleChange"),
                "responses": {"200": _json(_ref("User"), "the user")}
                | _errors(400, *auth_errors, 404, 409, 413),
            }
        },
        f"{p}/tokens": {
            "post": {
                "summary": "Create an API token for oneself; the token is in this answer only",
                "requestBody": _body("TokenCreate"),
                "responses": {"201": _json(_ref("NewToken"), "the token")}
                | _errors(400, *auth_errors, 413),
            }
        },
    }


def _admin_schemas() -> dict[str, Any]:
    return {
        "Channel": json_schema(ChannelSchema()),
        "ChannelCreate": json_schema(ChannelCreateSchema()),
        "ChannelToggle": json_schema(ChannelToggleSchema()),
        "ChannelCheck": json_schema(ChannelCheckSchema()),
        "UserCreate": json_schema(UserCreateSchema()),
        "RoleChange": json_schema(RoleChangeSchema()),
        "TokenCreate": json_schema(TokenCreateSchema()),
        "NewToken": json_schema(NewTokenSchema()),
    }


def openapi_document(settings: Settings) -> dict[str, Any]:
    """The OpenAPI 3.1 description of ``/api/v1``; paths are full paths. ``settings``
    gives the bounds that are settings (the shortest feed interval)."""
    p = API_PREFIX
    auth_errors = (401, 403)
    posts_page = {
        "type": "object",
        "properties": {
            "posts": {"type": "array", "items": _ref("Post")},
            "total": {"type": "integer"},
        },
        "required": ["posts", "total"],
    }
    created_posts = {
        "type": "object",
        "properties": {"posts": {"type": "array", "items": _ref("Post")}},
        "required": ["posts"],
    }
    incident_list = {
        "type": "object",
        "properties": {"incidents": {"type": "array", "items": _ref("Incident")}},
        "required": ["incidents"],
    }
    region_list = {
        "type": "object",
        "properties": {"regions": {"type": "array", "items": _ref("Region")}},
        "required": ["regions"],
    }
    end_body = {
        "required": False,
        "content": {"application/json": {"schema": _ref("IncidentEnd")}},
    }

    def end_op(verb: str) -> dict[str, Any]:
        return {
            "post": {
                "summary": f"{verb.capitalize()} an open incident and release its holds",
                "parameters": [_id("incident_id")],
                "requestBody": end_body,
                "responses": {"200": _json(_ref("Release"), "holds released")}
                | _errors(400, *auth_errors, 404, 409, 413),
            }
        }

    paths: dict[str, Any] = {
        f"{p}/posts": {
            "post": {
                "summary": "Queue a post on one or more channel accounts (one post each)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("PostCreate")}},
                },
                "responses": {"201": _json(created_posts, "the posts created")}
                | _errors(400, *auth_errors, 413),
            },
            "get": {
                "summary": "List posts, due first",
                "parameters": _query(PostQuerySchema()),
                "responses": {"200": _json(posts_page, "a page of posts")}
                | _errors(400, *auth_errors),
            },
        },
        f"{p}/posts/{{post_id}}": {
            "parameters": [_id("post_id")],
            "get": {
                "summary": "One post, with its open holds",
                "responses": {"200": _json(_ref("Post"), "the post")} | _errors(*auth_errors, 404),
            },
            "patch": {
                "summary": "Edit or reschedule a post",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("PostUpdate")}},
                },
                "responses": {"200": _json(_ref("Post"), "the post after the edit")}
                | _errors(400, *auth_errors, 404, 409, 413),
            },
            "delete": {
                "summary": "Cancel a post (it stays listed as cancelled)",
                "responses": {"200": _json(_ref("Post"), "the cancelled post")}
                | _errors(*auth_errors, 404, 409),
            },
        },
        f"{p}/incidents": {
            "post": {
                "summary": "Declare an incident and hold the posts it matches (approver)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("IncidentCreate")}},
                },
                "responses": {"201": _json(_ref("Incident"), "the incident declared")}
                | _errors(400, *auth_errors, 413),
            },
            "get": {
                "summary": "List incidents, newest first",
                "parameters": _query(IncidentQuerySchema()),
                "responses": {"200": _json(incident_list, "incidents")}
                | _errors(400, *auth_errors),
            },
        },
        f"{p}/incidents/{{incident_id}}": {
            "parameters": [_id("incident_id")],
            "get": {
                "summary": "One incident, with the reports behind it",
                "responses": {"200": _json(_ref("Incident"), "the incident")}
                | _errors(*auth_errors, 404),
            },
            "patch": {
                "summary": "Change an open incident's title, kind, severity or regions, or "
                "extend it (approver); posts are held or released to match",
                "requestBody": _body("IncidentAmend"),
                "responses": {"200": _json(_ref("Incident"), "the incident after the change")}
                | _errors(400, *auth_errors, 404, 409, 413),
            },
        },
        f"{p}/incidents/{{incident_id}}/resolve": end_op("resolve"),
        f"{p}/incidents/{{incident_id}}/dismiss": end_op("dismiss"),
        f"{p}/regions": {
            "get": {
                "summary": "Search regions by code or name, for audience pickers",
                "parameters": _query(RegionQuerySchema()),
                "responses": {"200": _json(region_list, "matching regions")}
                | _errors(400, *auth_errors),
            }
        },
        **_more_paths(p, auth_errors),
        **_credential_paths(p, auth_errors),
        f"{p}/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1 document"}},
            }
        },
    }
    for path, operations in _admin_paths(p, auth_errors).items():
        paths.setdefault(path, {}).update(operations)
    error_schema = {
        "type": "object",
        "properties": {
            "errors": {
                "type": "object",
                "description": "field name (or _schema for the body as a whole) to messages",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            }
        },
        "required": ["errors"],
    }
    responses = {f"E{code}": _json(_ref("Errors"), text) for code, text in ERRORS.items()}
    feed_input = json_schema(feed_schema(settings))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tactful API",
            "version": API_VERSION,
            "description": "Queue posts and declare incidents; promotional posts aimed at "
            "an affected region are held until the incident ends. Condolence messages are "
            "drafted here but published only after a person approves them.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "tft_… token"}
            },
            "responses": responses,
            "schemas": {
                "Post": json_schema(PostSchema()),
                "Hold": json_schema(HoldSchema()),
                "Incident": json_schema(IncidentSchema()),
                "Release": json_schema(ReleaseSchema()),
                "Region": json_schema(RegionSchema()),
                "PostCreate": json_schema(PostCreateSchema()),
                "PostUpdate": json_schema(PostUpdateSchema()),
                "IncidentCreate": json_schema(IncidentCreateSchema()),
                "IncidentEnd": json_schema(IncidentEndSchema()),
                "IncidentAmend": json_schema(IncidentAmendSchema()),
                "Report": json_schema(ReportSchema()),
                "Condolence": json_schema(CondolenceSchema()),
                "Revision": json_schema(RevisionSchema()),
                "CondolenceEdit": json_schema(DraftEditSchema()),
                "CondolenceApprove": json_schema(ApproveSchema()),
                "CondolenceDecline": json_schema(DeclineSchema()),
                "AuditEvent": json_schema(AuditEventSchema()),
                "Feed": json_schema(FeedSchema()),
                "FeedCreate": feed_input,
                "FeedUpdate": _partial(feed_input),
                "User": json_schema(UserSchema()),
                "Token": json_schema(TokenSchema()),
                "PasswordChange": json_schema(PasswordChangeSchema()),
                "PasswordReset": json_schema(PasswordResetSchema()),
                **_admin_schemas(),
                "Errors": error_schema,
            },
        },
    }
