"""data quality: completeness score, duplicate candidates, portal quality settings

Plain ADD/DROP COLUMN (recreate="never"): recreating `offer` on SQLite would cascade-delete
its dates. Adds `offer.completeness` (0-100; `bildungsraum quality rescore` computes it for offers
stored before), `offer.duplicates_checked_at` (every offer waits for the duplicate check),
the table `duplicate_candidate`, and the portal settings `min_completeness`, `hide_stale`
and `duplicates`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.models.types
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("offer", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("completeness", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "duplicates_checked_at", app.models.types.UTCDateTime(timezone=True), nullable=True
            )
        )
    with op.batch_alter_table("portal", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("min_completeness", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("hide_stale", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "duplicates",
                sa.String(length=20),
                nullable=False,
                server_default="also_offered",
            )
        )
    # The duplicate check's lookups by place and start; (city, start_date) replaces (city).
    with op.batch_alter_table("offer_date", schema=None, recreate="never") as batch_op:
        batch_op.drop_index("ix_offer_date_city")
        batch_op.create_index("ix_offer_date_city_start_date", ["city", "start_date"])
        batch_op.create_index("ix_offer_date_online_start_date", ["online", "start_date"])
        batch_op.create_index("ix_offer_date_flexible_start_city", ["flexible_start", "city"])
    op.create_table(
        "duplicate_candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_a_id", sa.Integer(), nullable=False),
        sa.Column("offer_b_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("canonical_offer_id", sa.Integer(), nullable=True),
        sa.Column("found_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["offer_a_id"],
            ["offer.id"],
            name=op.f("fk_duplicate_candidate_offer_a_id_offer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_b_id"],
            ["offer.id"],
            name=op.f("fk_duplicate_candidate_offer_b_id_offer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_candidate")),
        sa.UniqueConstraint(
            "offer_a_id", "offer_b_id", name=op.f("uq_duplicate_candidate_offer_a_id")
        ),
    )
    op.create_index(
        op.f("ix_duplicate_candidate_offer_a_id"),
        "duplicate_candidate",
        ["offer_a_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_duplicate_candidate_offer_b_id"),
        "duplicate_candidate",
        ["offer_b_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_duplicate_candidate_status"), "duplicate_candidate", ["status"], unique=False
    )


def downgrade() -> None:
    op.drop_table("duplicate_candidate")
    with op.batch_alter_table("offer_date", schema=None, recreate="never") as batch_op:
        batch_op.drop_index("ix_offer_date_flexible_start_city")
        batch_op.drop_index("ix_offer_date_online_start_date")
        batch_op.drop_index("ix_offer_date_city_start_date")
        batch_op.create_index("ix_offer_date_city", ["city"])
    with op.batch_alter_table("portal", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("duplicates")
        batch_op.drop_column("hide_stale")
        batch_op.drop_column("min_completeness")
    with op.batch_alter_table("offer", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("duplicates_checked_at")
        batch_op.drop_column("completeness")
