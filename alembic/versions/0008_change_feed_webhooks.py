"""change feed and webhooks: public changes written by the indexer, webhook endpoints and
their deliveries; every published offer queued once so the feed starts with the catalogue

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.models.types
from alembic import op

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString
_utc = app.models.types.UTCDateTime
_bigint = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "public_change",
        sa.Column("id", _bigint, nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("kind", _str(length=16), nullable=False),
        sa.Column("event", _str(length=32), nullable=False),
        sa.Column("reason", _str(length=32), nullable=True),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.Column("digest", _str(length=64), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=True),
        sa.Column("previous_facts", sa.JSON(), nullable=True),
        sa.Column("created_at", _utc(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("public_change") as batch_op:
        batch_op.create_index("ix_public_change_offer_id_id", ["offer_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_public_change_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", _str(length=2000), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=True),
        sa.Column("portal_id", sa.Integer(), nullable=True),
        sa.Column("description", _str(length=200), nullable=True),
        sa.Column("secret", _str(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("disabled_at", _utc(timezone=True), nullable=True),
        sa.Column("failing_since", _utc(timezone=True), nullable=True),
        sa.Column("position", _bigint, nullable=False),
        sa.Column("created_by_key_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(timezone=True), nullable=False),
        sa.Column("updated_at", _utc(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["portal_id"], ["portal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("webhook_endpoint") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_endpoint_portal_id"), ["portal_id"], unique=False
        )

    op.create_table(
        "webhook_delivery",
        sa.Column("id", _bigint, nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("change_id", _bigint, nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("event", _str(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", _str(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _utc(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(timezone=True), nullable=False),
        sa.Column("delivered_at", _utc(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["endpoint_id"], ["webhook_endpoint.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("webhook_delivery") as batch_op:
        batch_op.create_index(
            "ix_webhook_delivery_endpoint_status_id",
            ["endpoint_id", "status", "id"],
            unique=False,
        )

    # The feed begins with what is public now: the indexer writes a change for every
    # published offer it is handed.
    op.execute(
        "INSERT INTO outbox (offer_id, created_at, attempts) "
        "SELECT id, CURRENT_TIMESTAMP, 0 FROM offer WHERE status = 'published' "
        "AND id NOT IN (SELECT offer_id FROM outbox)"
    )


def downgrade() -> None:
    op.drop_table("webhook_delivery")
    op.drop_table("webhook_endpoint")
    op.drop_table("public_change")
