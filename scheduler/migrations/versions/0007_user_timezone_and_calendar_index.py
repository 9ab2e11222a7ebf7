"""a time zone per user, and the index the calendar and dashboard read by

``users.timezone`` is the IANA zone a person sees times in on the dashboard and the
calendar; empty means the configuration's ``web.default_timezone``, so changing the
default moves everyone who never chose. ``ix_posts_publish_at`` (publish time, then
id) lets the calendar read one day's first posts, and count a day, by an index range
instead of scanning the posts table; on PostgreSQL it carries the columns the
calendar filters on (status, account, category), so a count reads the index alone.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_posts_publish_at",
        "posts",
        ["publish_at", "id"],
        postgresql_include=["status", "channel_id", "category"],
    )


def downgrade() -> None:
    op.drop_index("ix_posts_publish_at", table_name="posts")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("timezone")
