"""monitoring: postcode → district table, portal population, analyst portals, dashboard
sessions, daily snapshots and series, demand counts, zero-result classes, needs lists

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-04 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.models.types
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString
_utc = app.models.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "postcode_district",
        sa.Column("postcode", _str(length=5), nullable=False),
        sa.Column("ags", _str(length=5), nullable=False),
        sa.Column("updated_at", _utc(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("postcode"),
    )
    with op.batch_alter_table("postcode_district") as batch_op:
        batch_op.create_index(batch_op.f("ix_postcode_district_ags"), ["ags"], unique=False)

    op.create_table(
        "portal_population",
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("reference_date", sa.Date(), nullable=True),
        sa.Column("source", _str(length=200), nullable=True),
        sa.Column("updated_at", _utc(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["portal_id"], ["portal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("portal_id"),
    )

    op.create_table(
        "analyst_portal",
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_key.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["portal_id"], ["portal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("api_key_id", "portal_id"),
    )
    with op.batch_alter_table("analyst_portal") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analyst_portal_portal_id"), ["portal_id"], unique=False
        )

    op.create_table(
        "dashboard_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", _str(length=64), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(timezone=True), nullable=False),
        sa.Column("expires_at", _utc(timezone=True), nullable=False),
        sa.Column("ended_at", _utc(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_key.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("dashboard_session") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dashboard_session_api_key_id"), ["api_key_id"], unique=False
        )

    op.create_table(
        "monitoring_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("region_kind", _str(length=10), nullable=False),
        sa.Column("region_key", _str(length=60), nullable=False),
        sa.Column("region_name", _str(length=200), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("population_source", _str(length=200), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("white_spots", sa.JSON(), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=True),
        sa.Column("created_at", _utc(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("region_kind", "region_key", "day"),
    )
    with op.batch_alter_table("monitoring_snapshot") as batch_op:
        batch_op.create_index("ix_monitoring_snapshot_day", ["day"], unique=False)

    op.create_table(
        "monitoring_series",
        sa.Column("region_kind", _str(length=10), nullable=False),
        sa.Column("region_key", _str(length=60), nullable=False),
        sa.Column("indicator", _str(length=60), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("region_kind", "region_key", "indicator", "day"),
    )

    op.create_table(
        "demand_count",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("portal", _str(length=60), nullable=False),
        sa.Column("term", _str(length=100), nullable=False),
        sa.Column("dimension", _str(length=10), nullable=False),
        sa.Column("value", _str(length=60), nullable=False),
        sa.Column("clients", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "portal", "term", "dimension", "value"),
    )

    op.create_table(
        "zero_result_class",
        sa.Column("portal", _str(length=60), nullable=False),
        sa.Column("term", _str(length=100), nullable=False),
        sa.Column("kind", _str(length=20), nullable=False),
        sa.Column("evidence", _str(length=300), nullable=False),
        sa.Column("classified_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("portal", "term"),
    )

    op.create_table(
        "monitoring_need",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", _str(length=200), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("kldb", _str(length=5), nullable=True),
        sa.Column("category", _str(length=40), nullable=True),
        sa.ForeignKeyConstraint(["portal_id"], ["portal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("monitoring_need") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_need_portal_id"), ["portal_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("monitoring_need") as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_need_portal_id"))
    op.drop_table("monitoring_need")
    op.drop_table("zero_result_class")
    op.drop_table("demand_count")
    op.drop_table("monitoring_series")
    with op.batch_alter_table("monitoring_snapshot") as batch_op:
        batch_op.drop_index("ix_monitoring_snapshot_day")
    op.drop_table("monitoring_snapshot")
    with op.batch_alter_table("dashboard_session") as batch_op:
        batch_op.drop_index(batch_op.f("ix_dashboard_session_api_key_id"))
    op.drop_table("dashboard_session")
    with op.batch_alter_table("analyst_portal") as batch_op:
        batch_op.drop_index(batch_op.f("ix_analyst_portal_portal_id"))
    op.drop_table("analyst_portal")
    op.drop_table("portal_population")
    with op.batch_alter_table("postcode_district") as batch_op:
        batch_op.drop_index(batch_op.f("ix_postcode_district_ags"))
    op.drop_table("postcode_district")
