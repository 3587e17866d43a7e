"""map tiles and feeds: each portal may name its own tile server and its attribution; offers
are indexed by publication time, which the Atom feeds of searches read newest first

Existing portals keep none and so show OpenStreetMap's tiles.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("portal") as batch_op:
        batch_op.add_column(
            sa.Column("map_tile_url", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "map_attribution", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "map_attribution_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True
            )
        )


    with op.batch_alter_table("offer") as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_published_at"), ["published_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("offer") as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_published_at"))
    with op.batch_alter_table("portal") as batch_op:
        batch_op.drop_column("map_attribution_url")
        batch_op.drop_column("map_attribution")
        batch_op.drop_column("map_tile_url")
