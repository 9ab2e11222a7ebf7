"""index the post listings' keyset order

The queue page and ``GET /api/v1/posts`` read "the next page after (due_at, id)";
these indexes hold that order whole — unfiltered, by status, by channel account —
so a page deep in the queue is one index range, as cheap as the first page. The
status and channel indexes replace narrower ones they contain (the worker's claim,
``status = 'queued' AND due_at <= now ORDER BY due_at, id``, reads the new one).

Revision ID: 0010
Revises: 0008
"""

from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_due_id", ["due_at", "id"], unique=False)
        batch_op.create_index("ix_posts_status_due_id", ["status", "due_at", "id"], unique=False)
        batch_op.create_index(
            "ix_posts_channel_due_id", ["channel_id", "due_at", "id"], unique=False
        )
        batch_op.drop_index("ix_posts_status_due")
        batch_op.drop_index("ix_posts_channel_id")


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_channel_id", ["channel_id"], unique=False)
        batch_op.create_index("ix_posts_status_due", ["status", "due_at"], unique=False)
        batch_op.drop_index("ix_posts_channel_due_id")
        batch_op.drop_index("ix_posts_status_due_id")
        batch_op.drop_index("ix_posts_due_id")
