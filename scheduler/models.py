"""SQLAlchemy models: the whole schema, designed once (see docs/design.md).

Models hold data only; state changes go through ``scheduler.services`` as
conditional UPDATEs on the old status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from scheduler.db import UTCDateTime

POST_STATUSES = (
    "draft",
    "queued",
    "publishing",
    "published",
    "held",
    "needs_review",
    "failed",
    "unconfirmed",
    "cancelled",
    # On a channel account that requires approval: waiting for an approver, or sent
    # back by one with a reason (scheduler/approval.py). The column holds 16
    # characters, hence "pending" where condolence drafts say "awaiting".
    "pending_approval",
    "rejected",
)
POST_CATEGORIES = ("promotional", "informational", "service", "condolence")
INCIDENT_STATUSES = ("active", "confirmed", "dismissed", "resolved", "expired")
INCIDENT_OPEN = ("active", "confirmed")
ROLES = ("manager", "approver", "admin")
# config: named in the configuration file and synced from it; ui: added by an admin.
CHANNEL_ORIGINS = ("config", "ui")
DRAFT_STATUSES = ("awaiting_draft", "awaiting_approval", "approved", "published", "declined")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="ck_users_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # Stored in a session at login and checked on every request: raising it (logout,
    # password change or reset, deactivation) ends every session of the user.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The IANA zone the dashboard and calendar show times in; None follows the
    # configuration's ``web.default_timezone``.
    timezone: Mapped[str | None] = mapped_column(String(64))


class LoginThrottle(Base):
    """Failed logins in the current window for one key (``account:NAME`` or
    ``address:IP``), shared by every web process through the database. ``refused``
    counts the attempts turned away while the key was over its limit (audited once
    per window, not once per guess)."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime]
    refused: Mapped[int] = mapped_column(Integer, default=0)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class ChannelAccount(Base):
    __tablename__ = "channel_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    network: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(200))
    # Network settings and the *names* of env vars holding secrets; never a secret.
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    max_length: Mapped[int | None]
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Default audience; empty means worldwide.
    regions: Mapped[list[Any]] = mapped_column(default=list)
    # Every post to this account waits for an approver before it is queued.
    require_approval: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Where the account comes from (CHANNEL_ORIGINS); the configuration sync never
    # changes an account added by a person.
    origin: Mapped[str] = mapped_column(String(16), default="config", server_default="config")


class Post(Base):
    """One message to one channel account. A form that targets several accounts
    creates one post per account, sharing a ``group_key``."""

    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint(_in("status", POST_STATUSES), name="ck_posts_status"),
        CheckConstraint(_in("category", POST_CATEGORIES), name="ck_posts_category"),
        # Each listing order ends with the id, the keyset tiebreaker, so that a page
        # deep in a list (scheduler.pagination) is one index range like the first.
        Index("ix_posts_due_id", "due_at", "id"),
        Index("ix_posts_status_due_id", "status", "due_at", "id"),
        Index("ix_posts_channel_due_id", "channel_id", "due_at", "id"),
        Index("ix_posts_status_lease", "status", "lease_until"),
        # The calendar's day ranges; on PostgreSQL the filters' columns ride along, so
        # a day's count is read from the index alone.
        Index(
            "ix_posts_publish_at",
            "publish_at",
            "id",
            postgresql_include=["status", "channel_id", "category"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_key: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id"))
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    # The instant the author asked for, and the zone and wall time they asked in.
    publish_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))
    local_time: Mapped[str] = mapped_column(String(32))
    # When the worker should next try (publish_at, or later after a retry backoff).
    due_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    condolence_id: Mapped[int | None] = mapped_column(
        ForeignKey("condolence_drafts.id", ondelete="SET NULL")
    )
    remote_id: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    # Raised by every change of what goes out (text, time, audience, category): an
    # approval is of one version, and approving a version nobody saw is a conflict.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The users who changed this post after its author wrote it (they cannot approve it).
    editor_ids: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    approved_version: Mapped[int | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    channel: Mapped[ChannelAccount] = relationship(lazy="joined")
    region_rows: Mapped[list[PostRegion]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PostRegion.region"
    )

    @property
    def regions(self) -> list[str]:
        return sorted(r.region for r in self.region_rows)


class PostRegion(Base):
    """A post's audience, one row per region code (``WORLD`` for worldwide), so the
    hold fan-out is one indexed set statement."""

    __tablename__ = "post_regions"
    __table_args__ = (Index("ix_post_regions_region", "region", "post_id"),)

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    region: Mapped[str] = mapped_column(String(16), primary_key=True)


class PublishAttempt(Base):
    __tablename__ = "publish_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    worker: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    # published | transient | permanent | unconfirmed | held | abandoned
    outcome: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    remote_id: Mapped[str | None] = mapped_column(String(255))


class Feed(Base):
    __tablename__ = "feeds"
    __table_args__ = (Index("ix_feeds_due", "enabled", "next_poll_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(500))
    # The publisher's country or subdivision ("US", "US-LA"), when set: the geoparser
    # reads the feed's place names as that publisher's readers would.
    home: Mapped[str | None] = mapped_column(String(16))
    interval_seconds: Mapped[int]
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    next_poll_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    last_polled_at: Mapped[datetime | None]
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("feed_id", "guid_hash", name="uq_reports_feed_guid"),
        # An incident's coverage counts a feed's reports of the last day.
        Index("ix_reports_feed_seen", "feed_id", "seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid_hash: Mapped[str] = mapped_column(String(64))
    guid: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    seen_at: Mapped[datetime]
    tragedy: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[int] = mapped_column(Integer, default=0)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    regions: Mapped[list[Any]] = mapped_column(default=list)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(_in("status", INCIDENT_STATUSES), name="ck_incidents_status"),
        CheckConstraint("severity BETWEEN 1 AND 4", name="ck_incidents_severity"),
        Index("ix_incidents_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    severity: Mapped[int]
    regions: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16))
    # manual (declared by a person) | monitor (built from reports)
    source: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    expires_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(80))
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(80))
    end_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def is_open(self) -> bool:
        return self.status in INCIDENT_OPEN


class Hold(Base):
    """One incident holding one post; open while ``released_at`` is empty. A post is
    held while any of its holds is open.

    ``incident_id`` and ``post_id`` are deliberately not foreign keys: neither posts
    nor incidents are ever deleted (posts are cancelled, incidents end, and the audit
    trail needs both), while a foreign-key check on every row — a row lock on each
    held post — was half the cost of a hold fan-out (docs/design.md, "Data")."""

    __tablename__ = "holds"
    __table_args__ = (
        # One open hold per (incident, post); released holds stay as history.
        Index(
            "uq_holds_open",
            "incident_id",
            "post_id",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
        Index("ix_holds_post_open", "post_id", "released_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int]
    post_id: Mapped[int]
    rule: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    released_at: Mapped[datetime | None]
    release_reason: Mapped[str | None] = mapped_column(String(200))

    incident: Mapped[Incident] = relationship(
        primaryjoin="foreign(Hold.incident_id) == Incident.id", lazy="joined", viewonly=True
    )


class CondolenceDraft(Base):
    __tablename__ = "condolence_drafts"
    __table_args__ = (CheckConstraint(_in("status", DRAFT_STATUSES), name="ck_drafts_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    # {channel account name: text}
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    channel_ids: Mapped[list[Any]] = mapped_column(default=list)
    regions: Mapped[list[Any]] = mapped_column(default=list)
    version: Mapped[int] = mapped_column(Integer, default=0)
    last_editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    publish_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    prompted_at: Mapped[datetime]
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    next_reminder_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CondolenceRevision(Base):
    """Every edit of a draft, kept: drafts are versioned."""

    __tablename__ = "condolence_revisions"
    __table_args__ = (UniqueConstraint("draft_id", "version", name="uq_revisions_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("condolence_drafts.id", ondelete="CASCADE"))
    version: Mapped[int]
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class PolicyRule(Base):
    """A line of the hold policy changed in the app; it wins over the configuration's
    line for its category until reset."""

    __tablename__ = "policy_rules"
    __table_args__ = (
        CheckConstraint(_in("category", POST_CATEGORIES), name="ck_policy_rules_category"),
        CheckConstraint("inside BETWEEN 0 AND 4", name="ck_policy_rules_inside"),
        CheckConstraint("containing BETWEEN 0 AND 4", name="ck_policy_rules_containing"),
    )

    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    inside: Mapped[int] = mapped_column(Integer)
    containing: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime]


class AuditEvent(Base):
    """Append-only: the application inserts audit events and never updates or deletes
    them."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_at", "at"),
        Index("ix_audit_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
