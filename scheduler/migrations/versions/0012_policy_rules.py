"""the hold policy's lines changed in the app

``policy_rules`` holds the lines of the hold policy an admin changed on the Rules
page; each wins over the configuration's line for its category until reset.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CATEGORIES = "('promotional', 'informational', 'service', 'condolence')"


def upgrade() -> None:
    op.create_table(
        "policy_rules",
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("inside", sa.Integer(), nullable=False),
        sa.Column("containing", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(f"category IN {CATEGORIES}", name="ck_policy_rules_category"),
        sa.CheckConstraint("inside BETWEEN 0 AND 4", name="ck_policy_rules_inside"),
        sa.CheckConstraint("containing BETWEEN 0 AND 4", name="ck_policy_rules_containing"),
        sa.PrimaryKeyConstraint("category"),
    )


def downgrade() -> None:
    op.drop_table("policy_rules")
