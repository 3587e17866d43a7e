"""The public change feed: one row per change of what the public can see of an offer."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, BigInteger, Column, Index, Integer
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.models.offer import OfferPublic
from app.models.types import UTCDateTime, utcnow


class ChangeKind(StrEnum):
    upsert = "upsert"
    removed = "removed"


class ChangeEvent(StrEnum):
    """The webhook event types; the feed names each change with one of them too."""

    published = "offer.published"
    updated = "offer.updated"
    removed = "offer.removed"


class RemovalReason(StrEnum):
    withdrawn = "withdrawn"
    archived = "archived"
    expired = "expired"
    rejected = "rejected"
    # back in review (submitted again after a withdrawal or rejection)
    in_review = "in_review"
    # its announcement was moved to start later
    not_yet_announced = "not_yet_announced"
    # an admin marked it as the same as another provider's offer, which search shows instead
    merged = "merged"
    # portal feeds only: the offer left the portal's region or rules
    left_portal = "left_portal"


class PublicChange(SQLModel, table=True):
    """Written only by the indexer, once Meilisearch confirmed the batch, under a lock that
    orders the writers: ids are therefore handed out in commit order and serve as the cursor
    (an id taken by a concurrent API transaction could commit after a larger one)."""

    __tablename__ = "public_change"
    __table_args__ = (Index("ix_public_change_offer_id_id", "offer_id", "id"),)

    id: int | None = SQLField(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    )
    offer_id: int
    kind: str = SQLField(max_length=16)
    event: str = SQLField(max_length=32)
    reason: str | None = SQLField(default=None, max_length=32)
    # The offer as GET /api/v1/offers/{id} shows it to the public; None for a removal.
    document: dict[str, Any] | None = SQLField(default=None, sa_column=Column(JSON))
    # sha256 of the document: an unchanged offer indexed again writes no change.
    digest: str | None = SQLField(default=None, max_length=64)
    # What portal rules look at (category, organisation, reviewed, places), small enough that
    # a portal feed reads it for every change without parsing the documents.
    facts: dict[str, Any] | None = SQLField(default=None, sa_column=Column(JSON))
    # The facts of the offer's change before this one when that was an upsert (None: the
    # public did not see it before). Portal feeds tell from them whether the offer was in
    # their scope and has now left it, without reading that change (it may be pruned).
    previous_facts: dict[str, Any] | None = SQLField(default=None, sa_column=Column(JSON))
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ChangeItem(BaseModel):
    """One change: an upsert carries the public offer, a removal only its id and why."""

    cursor: str
    offer_id: int
    kind: ChangeKind
    event: ChangeEvent
    reason: RemovalReason | None
    changed_at: datetime
    offer: OfferPublic | None
    # Only on a removal for `merged`: the offer search shows instead.
    canonical_offer_id: int | None = None


class ChangePage(BaseModel):
    items: list[ChangeItem]
    # Pass as `since` for the next page; the same cursor again when nothing is new.
    next_cursor: str
    has_more: bool
