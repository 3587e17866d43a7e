"""data quality: completeness score, portal quality settings

Plain ADD/DROP COLUMN (recreate="never"): recreating `offer` on SQLite would cascade-delete
its dates. Adds `offer.completeness` (0-100; `bildungsraum quality rescore` computes it for offers
stored before), and the portal settings `min_completeness` and `hide_stale`.

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("offer", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("completeness", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("portal", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("min_completeness", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("hide_stale", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("portal", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("hide_stale")
        batch_op.drop_column("min_completeness")
    with op.batch_alter_table("offer", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("completeness")
