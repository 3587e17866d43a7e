"""Open-vhs: course number, subtitle, level, DVV category, links, sessions, free places, the
format an offer was delivered in, and import sources pulled on a schedule

Existing rows get false / empty lists through server defaults. Columns are added and dropped
in place (no table copies), so the downgrade keeps every offer and date.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:37:25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.models.types
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EMPTY_LIST = sa.text("'[]'")


def upgrade() -> None:
    op.create_table(
        "import_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("next_run_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("etag", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("last_modified", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("content_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("last_run_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_report", sa.JSON(), nullable=True),
        sa.Column("created_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_import_source_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_source")),
    )
    with op.batch_alter_table("import_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_source_next_run_at"), ["next_run_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_import_source_organisation_id"), ["organisation_id"], unique=False
        )

    # Columns added in place: a batch copy of `offer` would drop the old table, and with foreign
    # keys on (SQLite), that deletes every offer_date row through ON DELETE CASCADE.
    with op.batch_alter_table("offer", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("subtitle", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )
        batch_op.add_column(
            sa.Column("course_number", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "leads_to_qualification", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True)
        )
        batch_op.add_column(
            sa.Column("dvv_category", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "reduction_available", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column("links", sa.JSON(), nullable=False, server_default=_EMPTY_LIST)
        )
        batch_op.add_column(
            sa.Column("import_format", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )

    with op.batch_alter_table("offer_date", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("min_participants", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("free_seats", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("session_count", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("weekdays", sa.JSON(), nullable=False, server_default=_EMPTY_LIST)
        )
        batch_op.add_column(
            sa.Column("sessions", sa.JSON(), nullable=False, server_default=_EMPTY_LIST)
        )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), for the same reason as above.
    with op.batch_alter_table("offer_date", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("sessions")
        batch_op.drop_column("weekdays")
        batch_op.drop_column("session_count")
        batch_op.drop_column("free_seats")
        batch_op.drop_column("min_participants")

    with op.batch_alter_table("offer", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("import_format")
        batch_op.drop_column("links")
        batch_op.drop_column("reduction_available")
        batch_op.drop_column("dvv_category")
        batch_op.drop_column("level")
        batch_op.drop_column("leads_to_qualification")
        batch_op.drop_column("course_number")
        batch_op.drop_column("subtitle")

    with op.batch_alter_table("import_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_source_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_import_source_next_run_at"))

    op.drop_table("import_source")
