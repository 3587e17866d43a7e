"""search generation: the row the indexer moves whenever the index changed

Created here so that indexer workers only ever update it: two workers starting at once
would otherwise both insert it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_state = sa.table("indexer_state", sa.column("key", sa.String), sa.column("value", sa.String))


def upgrade() -> None:
    op.execute(_state.delete().where(_state.c.key == "search_generation"))
    op.bulk_insert(_state, [{"key": "search_generation", "value": "initial"}])


def downgrade() -> None:
    op.execute(_state.delete().where(_state.c.key == "search_generation"))
