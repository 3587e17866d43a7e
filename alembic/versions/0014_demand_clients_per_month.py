"""demand clients per month: keyed marks of the clients already counted in a month's demand
row, so that a client counts once per month however many days it searches

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demand_client",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("mark", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("month", "mark"),
    )


def downgrade() -> None:
    op.drop_table("demand_client")
    # The random values the months' keys were derived from go with the marks they keyed.
    op.execute("DELETE FROM indexer_state WHERE key LIKE 'demand_client_salt:%'")
