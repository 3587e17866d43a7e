"""portals: regional portals and their counselling contacts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 10:30:03.960206
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.models.types
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("postcodes", sa.JSON(), nullable=False),
        sa.Column("postcode_prefixes", sa.JSON(), nullable=False),
        sa.Column("center_postcode", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("center_lat", sa.Float(), nullable=True),
        sa.Column("center_lon", sa.Float(), nullable=True),
        sa.Column("radius_km", sa.Float(), nullable=True),
        sa.Column("categories_allow", sa.JSON(), nullable=False),
        sa.Column("categories_block", sa.JSON(), nullable=False),
        sa.Column("providers_allow", sa.JSON(), nullable=False),
        sa.Column("providers_block", sa.JSON(), nullable=False),
        sa.Column("moderation", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("cors_origins", sa.JSON(), nullable=False),
        sa.Column("created_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "counselling_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("street", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("postcode", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("opening_hours", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["portal_id"], ["portal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("counselling_contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_counselling_contact_portal_id"), ["portal_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("counselling_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_counselling_contact_portal_id"))

    op.drop_table("counselling_contact")
    op.drop_table("portal")
