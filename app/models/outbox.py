"""The transactional outbox: one row per committed change, written with the change itself."""

from datetime import datetime

from sqlalchemy import BigInteger, Column, Integer, Text
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.models.types import UTCDateTime, utcnow


class OutboxEntry(SQLModel, table=True):
    __tablename__ = "outbox"

    # Rows carry the offer id only: the indexer re-reads the offer, so replays are harmless.
    id: int | None = SQLField(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    )
    offer_id: int = SQLField(index=True)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = 0
    last_error: str | None = SQLField(default=None, sa_column=Column(Text))
    # A record that keeps failing is parked: kept for `indexer --failed`, skipped by the drain.
    parked_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime, index=True)
