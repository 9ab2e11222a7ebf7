"""post approval: accounts that require it, and who approved which version

``channel_accounts.require_approval`` makes every post to the account wait for an
approver (status ``pending_approval``) before it is queued; an approver may send it
back (``rejected``). ``posts.version`` is raised by every change of what goes out,
and ``approved_version`` / ``approved_by_id`` / ``approved_at`` record the approval
of one version; ``editor_ids`` names the people who changed the post after its
author (none of them may approve it).

On SQLite a CHECK constraint is changed only by rebuilding the table; dropping the
old ``posts`` table would cascade to its regions and attempts (foreign keys are on
and every migration runs in one transaction), so those rows are kept aside and put
back.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD = (
    "draft",
    "queued",
    "publishing",
    "published",
    "held",
    "needs_review",
    "failed",
    "unconfirmed",
    "cancelled",
)
NEW = (*OLD, "pending_approval", "rejected")
KEEP = (
    "CREATE TEMPORARY TABLE keep_post_regions AS SELECT * FROM post_regions",
    "CREATE TEMPORARY TABLE keep_publish_attempts AS SELECT * FROM publish_attempts",
)
RESTORE = (
    "DELETE FROM post_regions",
    "INSERT INTO post_regions SELECT * FROM keep_post_regions",
    "DROP TABLE keep_post_regions",
    "DELETE FROM publish_attempts",
    "INSERT INTO publish_attempts SELECT * FROM keep_publish_attempts",
    "DROP TABLE keep_publish_attempts",
)


def _check(statuses: tuple[str, ...]) -> str:
    return f"status IN ({', '.join(repr(s) for s in statuses)})"


def _new_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("editor_ids", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("approved_version", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
    ]


def _keep_children() -> None:
    for statement in KEEP:
        op.execute(statement)


def _restore_children() -> None:
    for statement in RESTORE:
        op.execute(statement)


def upgrade() -> None:
    # A plain ADD COLUMN, on SQLite too: rebuilding channel_accounts would trip the
    # foreign keys of every post on it.
    op.add_column(
        "channel_accounts",
        sa.Column("require_approval", sa.Boolean(), server_default="0", nullable=False),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _keep_children()
    with op.batch_alter_table("posts", recreate="always" if sqlite else "auto") as batch_op:
        for column in _new_columns():
            batch_op.add_column(column)
        batch_op.create_foreign_key(
            "fk_posts_approved_by_id_users",
            "users",
            ["approved_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint("ck_posts_status", type_="check")
        batch_op.create_check_constraint("ck_posts_status", _check(NEW))
    if sqlite:
        _restore_children()


def downgrade() -> None:
    # The old schema knows neither state: waiting and rejected posts become drafts.
    op.execute("UPDATE posts SET status = 'draft' WHERE status IN ('pending_approval', 'rejected')")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _keep_children()
    with op.batch_alter_table("posts", recreate="always" if sqlite else "auto") as batch_op:
        batch_op.drop_constraint("ck_posts_status", type_="check")
        batch_op.create_check_constraint("ck_posts_status", _check(OLD))
        batch_op.drop_constraint("fk_posts_approved_by_id_users", type_="foreignkey")
        for column in reversed(_new_columns()):
            batch_op.drop_column(str(column.name))
    if sqlite:
        _restore_children()
    op.drop_column("channel_accounts", "require_approval")
