"""a feed's publisher's area

``feeds.home`` is the country (ISO 3166-1) or subdivision (ISO 3166-2) a feed's
publisher writes from, when an admin sets it: the geoparser reads the names of its
news as a reader of that publisher would ("Alexandria" in a Louisiana paper).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("home", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_column("home")
