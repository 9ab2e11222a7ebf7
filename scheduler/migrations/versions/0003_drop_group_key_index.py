"""drop the unused index on posts.group_key

Nothing looks posts up by group; the index only cost every write to posts — above
all the hold fan-out and release, which rewrite one row per matching post.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_group_key")


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_group_key", ["group_key"], unique=False)
