"""holds without foreign keys

The hold fan-out inserts one hold row per matching post; the foreign-key check on
each row (a row lock on the post, and another on the incident) was half of its
time. Posts and incidents are never deleted, so the keys guarded nothing the
application does. See docs/design.md, "Data".

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# SQLite keeps foreign keys unnamed: batch mode names them by this convention when
# it reflects the table, so they can be dropped by name.
_NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _names() -> tuple[str, str]:
    if op.get_bind().dialect.name == "postgresql":
        return "holds_incident_id_fkey", "holds_post_id_fkey"
    return "fk_holds_incident_id_incidents", "fk_holds_post_id_posts"


def upgrade() -> None:
    incident_fk, post_fk = _names()
    with op.batch_alter_table("holds", naming_convention=_NAMING) as batch_op:
        batch_op.drop_constraint(incident_fk, type_="foreignkey")
        batch_op.drop_constraint(post_fk, type_="foreignkey")


def downgrade() -> None:
    incident_fk, post_fk = _names()
    with op.batch_alter_table("holds", naming_convention=_NAMING) as batch_op:
        batch_op.create_foreign_key(
            incident_fk, "incidents", ["incident_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_foreign_key(post_fk, "posts", ["post_id"], ["id"], ondelete="CASCADE")
