"""webhook leases and pruning: each endpoint carries the lease of the webhook worker serving
it, so that two workers never send its deliveries twice or out of order; delivered rows are
indexed by age for the worker's pruning

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.models.types
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoint") as batch_op:
        batch_op.add_column(
            sa.Column("lease_holder", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column("lease_until", app.models.types.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("webhook_delivery") as batch_op:
        batch_op.create_index(
            "ix_webhook_delivery_status_delivered_at", ["status", "delivered_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_delivery") as batch_op:
        batch_op.drop_index("ix_webhook_delivery_status_delivered_at")
    with op.batch_alter_table("webhook_endpoint") as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("lease_holder")
