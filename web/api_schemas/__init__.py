"""marshmallow OUTPUT schemas for the JSON API, its query schemas of its own (list
filters), the audit CSV export, and the OpenAPI 3.1 document built from these and
the input schemas in ``scheduler.schemas`` and the services.

Input bodies are validated by the services (through ``scheduler.schemas``); this
package shapes what goes out and checks query strings. Times are ISO 8601 in UTC
(``+00:00``).

One module an area: ``accounts`` (users and tokens), ``posts``, ``incidents``, ``condolences``, ``audit`` (with the
CSV export), ``feeds`` and ``regions``; ``spec`` sets up apispec's marshmallow plugin
(and ``doc``, a field's metadata for the document) and ``openapi`` builds the
document with it. The names the views use are
re-exported here.
"""

from web.api_schemas.accounts import (
    PasswordChangeSchema,
    PasswordResetSchema,
    TokenQuerySchema,
    TokenSchema,
    UserQuerySchema,
    UserSchema,
)
from web.api_schemas.audit import (
    AUDIT_CSV_HEADER,
    AUDIT_EXPORT,
    AUDIT_PAGE,
    AuditEventSchema,
    AuditQuerySchema,
    AuditTimeField,
    audit_csv,
    csv_cell,
)
from web.api_schemas.condolences import CondolenceQuerySchema, CondolenceSchema, RevisionSchema
from web.api_schemas.feeds import FeedQuerySchema, FeedSchema
from web.api_schemas.incidents import (
    IncidentQuerySchema,
    IncidentSchema,
    ReleaseSchema,
    ReportSchema,
)
from web.api_schemas.openapi import API_PREFIX, API_VERSION, ERRORS, openapi_document
from web.api_schemas.pages import PageQuerySchema
from web.api_schemas.posts import HoldSchema, PostSchema
from web.api_schemas.regions import RegionQuerySchema, RegionSchema

__all__ = [
    "API_PREFIX",
    "API_VERSION",
    "AUDIT_CSV_HEADER",
    "AUDIT_EXPORT",
    "AUDIT_PAGE",
    "ERRORS",
    "AuditEventSchema",
    "AuditQuerySchema",
    "AuditTimeField",
    "CondolenceQuerySchema",
    "CondolenceSchema",
    "FeedQuerySchema",
    "FeedSchema",
    "HoldSchema",
    "IncidentQuerySchema",
    "IncidentSchema",
    "PageQuerySchema",
    "PasswordChangeSchema",
    "PasswordResetSchema",
    "PostSchema",
    "RegionQuerySchema",
    "RegionSchema",
    "ReleaseSchema",
    "ReportSchema",
    "RevisionSchema",
    "TokenQuerySchema",
    "TokenSchema",
    "UserQuerySchema",
    "UserSchema",
    "audit_csv",
    "csv_cell",
    "openapi_document",
]
