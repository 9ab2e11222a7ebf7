"""The OpenAPI description of post approval and the CSV import of posts (the
operations in ``web.api_approval`` and ``web.api_imports``)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema

from scheduler.approval import ApprovalSchema, RejectionSchema
from scheduler.db import MAX_ID
from scheduler.imports import COLUMNS

CSV_BODY = {"schema": {"type": "string"}, "example": ",".join(COLUMNS) + "\r\n"}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes}


def _post_action(summary: str, body: str, auth_errors: tuple[int, ...]) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "parameters": [
                {
                    "name": "post_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref(body)}},
            },
            "responses": {
                "200": {
                    "description": "the post after the decision",
                    "content": {"application/json": {"schema": _ref("Post")}},
                }
            }
            | _errors(400, *auth_errors, 404, 409, 413),
        }
    }


def paths(p: str, auth_errors: tuple[int, ...]) -> dict[str, Any]:
    result = {
        "type": "object",
        "properties": {
            "rows": {"type": "integer", "description": "rows read under the header"},
            "count": {"type": "integer", "description": "posts the rows make"},
            "dry_run": {"type": "boolean"},
            "posts": {"type": "array", "items": _ref("Post")},
        },
        "required": ["rows", "count", "dry_run", "posts"],
    }
    answer = {"content": {"application/json": {"schema": result}}}
    return {
        f"{p}/posts/{{post_id}}/approve": _post_action(
            "Approve the version read, `version` (approver; never the post's author nor "
            "anyone who changed it): a post waiting for approval is queued; 409 when it "
            "is not waiting, has moved past `version`, or its time has come",
            "PostApprove",
            auth_errors,
        ),
        f"{p}/posts/{{post_id}}/reject": _post_action(
            "Send a waiting post back with a reason (approver); editing it resubmits it",
            "PostReject",
            auth_errors,
        ),
        f"{p}/posts/import": {
            "post": {
                "summary": "Import posts from a CSV file (columns "
                f"{', '.join(COLUMNS)}): every row is checked first and nothing is stored "
                "unless all are valid; errors are keyed `file` or `row N: column`. "
                "`dry_run=true` checks only.",
                "parameters": [
                    {"name": "dry_run", "in": "query", "schema": {"type": "boolean"}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "text/csv": CSV_BODY,
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {"file": {"type": "string", "format": "binary"}},
                                "required": ["file"],
                            }
                        },
                    },
                },
                "responses": {
                    "201": {"description": "the posts queued (or waiting for approval)", **answer},
                    "200": {"description": "dry run: every row is valid", **answer},
                }
                | _errors(400, *auth_errors, 413, 415),
            }
        },
        f"{p}/posts/import/template": {
            "get": {
                "summary": "A CSV template: the header and one example row",
                "responses": {
                    "200": {
                        "description": "the template",
                        "content": {"text/csv": CSV_BODY},
                    }
                }
                | _errors(*auth_errors),
            }
        },
    }


def schemas() -> dict[str, Schema]:
    return {"PostApprove": ApprovalSchema(), "PostReject": RejectionSchema()}
