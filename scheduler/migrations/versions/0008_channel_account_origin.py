"""where a channel account comes from: the configuration file or a person

``channel_accounts.origin`` is ``config`` for an account the configuration names
(brought in line by ``serve``, ``worker`` and ``config apply``) and ``ui`` for one an
admin added on the Channels page or through the API. The configuration sync leaves
``ui`` accounts alone: it never updates, disables or deletes them.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: rebuilding the table (SQLite's batch mode)
    # would trip the posts' foreign keys to it. The services keep the value to
    # CHANNEL_ORIGINS.
    op.add_column(
        "channel_accounts",
        sa.Column("origin", sa.String(length=16), server_default="config", nullable=False),
    )


def downgrade() -> None:
    # SQLite (3.35+) and PostgreSQL both drop a column in place.
    op.execute("ALTER TABLE channel_accounts DROP COLUMN origin")
