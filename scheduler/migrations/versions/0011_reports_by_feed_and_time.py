"""index reports by feed and time

An incident's coverage (how much of one feed's news of the last day is about it)
counts a feed's recent reports each time a report joins an incident; without this
index that reads every report the feed ever produced.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_feed_seen", ["feed_id", "seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_feed_seen")
