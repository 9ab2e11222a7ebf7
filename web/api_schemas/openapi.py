"""The OpenAPI 3.1 document of ``/api/v1``, built by apispec (``spec``) from the
output schemas of this package and the input schemas in ``scheduler.schemas`` and the
services: the component schemas and query parameters are converted from marshmallow
by its plugin; the paths are written here with the small helpers below."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema

from rules.policy import CATEGORIES
from scheduler import posts
from scheduler.channel_admin import ChannelCreateSchema
from scheduler.condolences import ApproveSchema, DeclineSchema, DraftEditSchema
from scheduler.config import Settings
from scheduler.db import MAX_ID
from scheduler.feeds.manage import feed_schema
from scheduler.policy import PolicyLineSchema as PolicyLineInSchema
from scheduler.preferences import PreferencesSchema
from scheduler.schemas import (
    IncidentAmendSchema,
    IncidentCreateSchema,
    IncidentEndSchema,
    PostCreateSchema,
    PostPreviewSchema,
    PostQuerySchema,
    PostUpdateSchema,
)
from scheduler.user_admin import RoleChangeSchema, UserCreateSchema
from web.api_schemas import approval_imports
from web.api_schemas.accounts import (
    NewTokenSchema,
    PasswordChangeSchema,
    PasswordResetSchema,
    TokenCreateSchema,
    TokenQuerySchema,
    TokenSchema,
    UserQuerySchema,
    UserSchema,
)
from web.api_schemas.audit import AUDIT_CSV_HEADER, AuditEventSchema, AuditQuerySchema
from web.api_schemas.channels import ChannelCheckSchema, ChannelSchema, ChannelToggleSchema
from web.api_schemas.composer import NetworkPreviewSchema, SegmentSchema
from web.api_schemas.condolences import CondolenceQuerySchema, CondolenceSchema, RevisionSchema
from web.api_schemas.feeds import FeedQuerySchema, FeedSchema
from web.api_schemas.incidents import (
    IncidentQuerySchema,
    IncidentSchema,
    ReleaseSchema,
    ReportSchema,
)
from web.api_schemas.overview import (
    CALENDAR_DOC,
    DASHBOARD_DOC,
    AccountSchema,
    CalendarDaySchema,
    CalendarQuerySchema,
    DashboardIncidentSchema,
    DashboardPromptSchema,
    EvidencedHoldSchema,
    FeedHealthSchema,
    HeldPostSchema,
)
from web.api_schemas.policy import PolicyLineSchema as PolicyLineOutSchema
from web.api_schemas.posts import HoldSchema, PostSchema
from web.api_schemas.regions import RegionQuerySchema, RegionSchema
from web.api_schemas.spec import converter, new_spec

API_PREFIX = "/api/v1"
API_VERSION = "1.0.0"
# Every error answer of /api/v1, whatever raised it, has the one shape ``Errors``.
# 405 and 500 belong to no operation (a method a path does not take; a failure), so
# they are components only, listed on the reference page.
ERRORS = {
    400: "invalid input; each bad field is named",
    401: "no or bad API token",
    403: "the token's user lacks the role, or may not do this (two-person approval)",
    404: "no such object",
    405: "the path does not take this method; `Allow` lists those it takes",
    409: "the object's state does not allow this",
    413: "request body too large",
    415: "the body is of a type this operation does not take (JSON, unless it says otherwise)",
    500: "an unexpected failure; nothing half-done is kept",
}
# What any operation with a request body may answer besides its own errors.
BODY_ERRORS = (400, 413, 415)


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes}


def _query(schema: Schema) -> list[dict[str, Any]]:
    """The query parameters of a marshmallow schema, one per field."""
    parameters: list[dict[str, Any]] = converter().schema2parameters(schema, location="query")
    return parameters


def _described(parameters: list[dict[str, Any]], **texts: str) -> list[dict[str, Any]]:
    """``parameters`` with a description for those named in ``texts``."""
    return [
        p | ({"description": texts[p["name"]]} if p["name"] in texts else {}) for p in parameters
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


def _page_of(key: str, name: str) -> dict[str, Any]:
    """A page of a list: its items and the cursor of the next page (``null`` on the
    last page); see ``web.api_schemas.pages``."""
    page = _list_of(key, name)
    page["properties"]["next_cursor"] = {
        "type": ["string", "null"],
        "description": "pass as `cursor` for the next page; null on the last page",
    }
    page["required"] = [key, "next_cursor"]
    return page


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
                "responses": {"200": _json(_page_of("condolences", "Condolence"), "drafts")}
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
                            "application/json": {"schema": _page_of("events", "AuditEvent")},
                            **audit_csv_content,
                        },
                    }
                }
                | _errors(400, *auth_errors),
            }
        },
        f"{p}/feeds": {
            "get": {
                "summary": "List the monitored feeds, in the order they were added (admin)",
                "parameters": _query(FeedQuerySchema()),
                "responses": {"200": _json(_page_of("feeds", "Feed"), "feeds")}
                | _errors(400, *auth_errors),
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
                "summary": "List API tokens with their last use, newest first (one's own; "
                "every one for an admin). The tokens themselves are never shown again.",
                "parameters": _query(TokenQuerySchema()),
                "responses": {"200": _json(_page_of("tokens", "Token"), "tokens")}
                | _errors(400, *auth_errors),
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
                "summary": "List users by name (admin)",
                "parameters": _query(UserQuerySchema()),
                "responses": {"200": _json(_page_of("users", "User"), "users")}
                | _errors(400, *auth_errors),
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


def _policy_paths(p: str, auth_errors: tuple[int, ...]) -> dict[str, Any]:
    """The hold policy: read by anyone, changed and reset by admins."""
    category = {
        "name": "category",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": list(CATEGORIES)},
    }
    return {
        f"{p}/policy": {
            "get": {
                "summary": "The hold policy in force, a line per post category",
                "responses": {"200": _json(_list_of("lines", "PolicyLine"), "the lines")}
                | _errors(*auth_errors),
            }
        },
        f"{p}/policy/{{category}}": {
            "parameters": [category],
            "put": {
                "summary": "Change one line (admin); open incidents hold and release to match",
                "requestBody": _body("PolicyLineUpdate"),
                "responses": {"200": _json(_ref("PolicyChange"), "the line after the change")}
                | _errors(400, *auth_errors, 404, 413),
            },
            "delete": {
                "summary": "Reset one line to the configuration's (admin)",
                "responses": {"200": _json(_ref("PolicyChange"), "the line after the reset")}
                | _errors(*auth_errors, 404),
            },
        },
    }


def _calendar_day() -> dict[str, Any]:
    day: dict[str, Any] = converter().schema2jsonschema(CalendarDaySchema())  # type: ignore[no-untyped-call]
    day["properties"]["posts"] = {"type": "array", "items": _ref("Post")}
    day["required"] = [*day["properties"]]
    return day


def _overview_paths(p: str, auth_errors: tuple[int, ...]) -> dict[str, Any]:
    """The dashboard, the calendar, and one's own settings (the time zone)."""
    return {
        f"{p}/dashboard": {
            "get": {
                "summary": "What goes out next, what is held and why, active incidents with "
                "their held counts, condolence prompts waiting, feed health; times in the "
                "viewer's time zone. Every list is short (10), every count capped",
                "responses": {"200": _json(DASHBOARD_DOC, "the dashboard")} | _errors(*auth_errors),
            }
        },
        f"{p}/calendar": {
            "get": {
                "summary": "The posts of a month, week (Monday first) or day, by local day "
                "in the viewer's time zone: each day's first posts and its count",
                "parameters": _query(CalendarQuerySchema()),
                "responses": {"200": _json(CALENDAR_DOC, "the calendar")}
                | _errors(400, *auth_errors),
            }
        },
        f"{p}/account": {
            "get": {
                "summary": "One's own settings: the time zone times are shown in",
                "responses": {"200": _json(_ref("Account"), "the settings")}
                | _errors(*auth_errors),
            },
            "patch": {
                "summary": "Set one's own time zone (null: follow the configured default)",
                "requestBody": _body("AccountUpdate"),
                "responses": {"200": _json(_ref("Account"), "the settings after the change")}
                | _errors(400, *auth_errors, 413),
            },
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


def _admin_schemas() -> dict[str, Schema]:
    return {
        "Channel": ChannelSchema(),
        "ChannelCreate": ChannelCreateSchema(),
        "ChannelToggle": ChannelToggleSchema(),
        "ChannelCheck": ChannelCheckSchema(),
        "UserCreate": UserCreateSchema(),
        "RoleChange": RoleChangeSchema(),
        "TokenCreate": TokenCreateSchema(),
        "NewToken": NewTokenSchema(),
    }


def openapi_document(settings: Settings) -> dict[str, Any]:
    """The OpenAPI 3.1 description of ``/api/v1``; paths are full paths. ``settings``
    gives the bounds that are settings (the shortest feed interval)."""
    p = API_PREFIX
    auth_errors = (401, 403)
    link = {"type": ["string", "null"], "description": "a relative URL"}
    cursor = {
        "type": ["string", "null"],
        "description": "pass as `cursor` (with the same filters) for that page; null: none",
    }
    posts_page = {
        "type": "object",
        "properties": {
            "posts": {"type": "array", "items": _ref("Post")},
            "total": {
                "type": "integer",
                "description": f"posts matching the filters, counted up to {posts.COUNT_CAP:,}",
            },
            "total_exact": {
                "type": "boolean",
                "description": f"false when more than {posts.COUNT_CAP:,} posts match",
            },
            "next_cursor": cursor,
            "previous_cursor": cursor,
            "links": {
                "type": "object",
                "properties": {"first": {"type": "string"}, "next": link, "previous": link},
                "required": ["first", "next", "previous"],
            },
        },
        "required": [
            "posts",
            "total",
            "total_exact",
            "next_cursor",
            "previous_cursor",
            "links",
        ],
    }
    created_posts = {
        "type": "object",
        "properties": {"posts": {"type": "array", "items": _ref("Post")}},
        "required": ["posts"],
    }
    incident_list = _page_of("incidents", "Incident")
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
                "summary": "List posts, due first (by due time, then id), a page at a time",
                "description": "Follow `next_cursor` / `previous_cursor` (or `links`) with "
                "the same filters: every page costs the same however deep it is. A cursor "
                "that was altered or made for other filters is refused (400 on `cursor`). "
                "`offset` still skips posts, at a cost that grows with it; it cannot be "
                "combined with `cursor`.",
                "parameters": _described(
                    _query(PostQuerySchema()),
                    cursor="where the page starts: a `next_cursor` or `previous_cursor`",
                    offset="posts to skip (slow deep in a long list; prefer `cursor`)",
                    region="a region code or name: posts aimed at it (a country: or at "
                    "one of its subdivisions); `WORLD` for worldwide posts",
                ),
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
        # -- the composer
        f"{p}/posts/preview": {
            "post": {
                "summary": "Preview a text (and its per-network variants) as each network "
                "of the chosen accounts counts and shows it; nothing is stored",
                "requestBody": _body("PostPreview"),
                "responses": {
                    "200": _json(_list_of("previews", "NetworkPreview"), "one per network")
                }
                | _errors(400, *auth_errors, 413),
            }
        },
        # -- end of the composer
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
        **_policy_paths(p, auth_errors),
        **approval_imports.paths(p, auth_errors),
        **_overview_paths(p, auth_errors),
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
    spec, _plugin = new_spec(
        "tactful API",
        API_VERSION,
        info={
            "description": "Queue posts and declare incidents; promotional posts aimed at "
            "an affected region are held until the incident ends. Condolence messages are "
            "drafted here but published only after a person approves them. Every error "
            'is `{"errors": {field: [messages]}}`. Lists (but posts) take `limit` and '
            "`cursor` and answer `next_cursor`: pass it as `cursor` for the next page "
            "(null on the last)."
        },
        servers=[{"url": "/"}],
        security=[{"bearer": []}],
    )
    spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "tft_… token"}
    )
    for code, text in ERRORS.items():
        spec.components.response(f"E{code}", _json(_ref("Errors"), text))
    schemas: dict[str, Schema] = {
        "Post": PostSchema(),
        "Hold": HoldSchema(),
        "Incident": IncidentSchema(),
        "Release": ReleaseSchema(),
        "Region": RegionSchema(),
        "PostCreate": PostCreateSchema(),
        "PostUpdate": PostUpdateSchema(),
        "IncidentCreate": IncidentCreateSchema(),
        "IncidentEnd": IncidentEndSchema(),
        "IncidentAmend": IncidentAmendSchema(),
        "Report": ReportSchema(),
        "Condolence": CondolenceSchema(),
        "Revision": RevisionSchema(),
        "CondolenceEdit": DraftEditSchema(),
        "CondolenceApprove": ApproveSchema(),
        "CondolenceDecline": DeclineSchema(),
        "AuditEvent": AuditEventSchema(),
        "Feed": FeedSchema(),
        "FeedCreate": feed_schema(settings),
        "User": UserSchema(),
        "Token": TokenSchema(),
        "PasswordChange": PasswordChangeSchema(),
        "PasswordReset": PasswordResetSchema(),
        "PostPreview": PostPreviewSchema(),
        "NetworkPreview": NetworkPreviewSchema(),
        "PreviewSegment": SegmentSchema(),
        "PolicyLine": PolicyLineOutSchema(),
        "PolicyLineUpdate": PolicyLineInSchema(),
        **approval_imports.schemas(),
        "Account": AccountSchema(),
        "AccountUpdate": PreferencesSchema(),
        "HeldPost": HeldPostSchema(),
        "EvidencedHold": EvidencedHoldSchema(),
        "DashboardIncident": DashboardIncidentSchema(),
        "DashboardPrompt": DashboardPromptSchema(),
        "FeedHealth": FeedHealthSchema(),
        **_admin_schemas(),
    }
    for name, schema in schemas.items():
        spec.components.schema(name, schema=schema)
    # A PATCH takes any part of the feed's fields: the same schema, nothing required.
    spec.components.schema("FeedUpdate", component=_partial(spec.components.schemas["FeedCreate"]))
    spec.components.schema("Errors", component=error_schema)
    spec.components.schema("CalendarDay", component=_calendar_day())
    spec.components.schema(
        "PolicyChange",
        component={
            "type": "object",
            "properties": {
                "line": _ref("PolicyLine"),
                "held": {"type": "integer", "description": "holds added"},
                "released": {"type": "integer", "description": "holds released"},
            },
            "required": ["held", "line", "released"],
        },
    )
    for path, item in paths.items():
        operations = {key: value for key, value in item.items() if key != "parameters"}
        for operation in operations.values():
            if "requestBody" in operation:
                for status, ref in _errors(*BODY_ERRORS).items():
                    operation["responses"].setdefault(status, ref)
        spec.path(path=path, operations=operations, parameters=item.get("parameters"))
    return spec.to_dict()
