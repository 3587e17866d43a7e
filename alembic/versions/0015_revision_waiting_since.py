"""revision waiting since: when a published offer's pending revision was submitted, for the
moderation queue's order (the public updated_at moves only when what the public sees changes)

Plain ADD/DROP COLUMN (recreate="never"): recreating `offer` on SQLite would cascade-delete
its dates. Revisions waiting before this column existed wait since their offer's updated_at.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.models.types
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("offer", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("revision_at", app.models.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("offer", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("revision_at")
