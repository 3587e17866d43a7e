"""requeue published offers: once, every published offer goes through the indexer again, so
that its search documents carry the places' own flexibility, earliest start and free seats,
and the change feeds judge it by its current dates' places (a portal's feed had judged
offers by past dates too)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 06:30:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

import app.models.types
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5_000


def upgrade() -> None:
    bind = op.get_bind()
    offer = sa.table("offer", sa.column("id", sa.Integer), sa.column("status", sa.String))
    outbox = sa.table(
        "outbox",
        sa.column("offer_id", sa.Integer),
        sa.column("created_at", app.models.types.UTCDateTime(timezone=True)),
        sa.column("attempts", sa.Integer),
        sa.column("parked_at", app.models.types.UTCDateTime(timezone=True)),
    )
    # Offers already waiting in the outbox are indexed anyway (parked ones are not).
    waiting = sa.select(outbox.c.offer_id).where(outbox.c.parked_at.is_(None))
    published = (
        sa.select(offer.c.id)
        .where(offer.c.status == "published", offer.c.id.not_in(waiting))
        .order_by(offer.c.id)
    )
    ids = [row[0] for row in bind.execute(published)]
    now = datetime.now(UTC)
    for start in range(0, len(ids), _BATCH):
        rows = [
            {"offer_id": i, "created_at": now, "attempts": 0} for i in ids[start : start + _BATCH]
        ]
        bind.execute(outbox.insert(), rows)


def downgrade() -> None:
    pass  # the queued offers are simply indexed again; nothing to undo
