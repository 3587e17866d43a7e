"""flexible online dates index: the duplicate check finds online courses that start any time
through (flexible_start, online) instead of reading every online date

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 01:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("offer_date") as batch_op:
        batch_op.create_index(
            "ix_offer_date_flexible_start_online", ["flexible_start", "online"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("offer_date") as batch_op:
        batch_op.drop_index("ix_offer_date_flexible_start_online")
