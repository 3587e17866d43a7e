"""Duplicate candidates across providers: pairs of offers that look like the same course,
with the admin's decision, and their API schemas."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.models.types import DbId, InputModel, UTCDateTime, utcnow


class PairStatus(StrEnum):
    open = "open"
    # The admin said: different offers. The pair is never proposed again.
    not_duplicate = "not_duplicate"
    # The same offer; `canonical_offer_id` is the one search shows.
    same = "same"


class DuplicateCandidate(SQLModel, table=True):
    """One pair, the lower offer id first, so a pair is stored once whichever way it is found."""

    __tablename__ = "duplicate_candidate"
    __table_args__ = (UniqueConstraint("offer_a_id", "offer_b_id"),)

    id: int | None = SQLField(default=None, primary_key=True)
    offer_a_id: int = SQLField(
        sa_column=Column(
            Integer, ForeignKey("offer.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    offer_b_id: int = SQLField(
        sa_column=Column(
            Integer, ForeignKey("offer.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    score: int
    # {"title": 96, "description": 88, "place": "Bochum", "dates": "overlap"}: what matched.
    reason: dict[str, Any] = SQLField(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = SQLField(default=PairStatus.open.value, max_length=20, index=True)
    canonical_offer_id: int | None = None
    found_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    decided_by: str | None = SQLField(default=None, max_length=100)


# --- API schemas -------------------------------------------------------------------------


class PairOffer(BaseModel):
    id: int
    organisation_id: int
    organisation_name: str
    title: str
    status: str


class DuplicatePair(BaseModel):
    id: int
    score: int = Field(description="0-100: how alike the two offers are")
    reason: str = Field(description='what matched, in words: "title 96, description 88, …"')
    details: dict[str, Any]
    status: PairStatus
    canonical_offer_id: int | None
    found_at: datetime
    decided_at: datetime | None
    offers: list[PairOffer]


class DuplicatePage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[DuplicatePair]


class DuplicateDecision(InputModel):
    """`not_duplicate`: never shown again; `same`: name the canonical offer of the pair."""

    decision: Literal["not_duplicate", "same"]
    # Checked even when left out, so the error names this field.
    canonical_offer_id: DbId | None = Field(default=None, validate_default=True)

    @field_validator("canonical_offer_id")
    @classmethod
    def _canonical_for_same(cls, value: int | None, info: ValidationInfo) -> int | None:
        decision = info.data.get("decision")
        if decision == "same" and value is None:
            raise ValueError("say which offer of the pair search shows")
        if decision == "not_duplicate" and value is not None:
            raise ValueError("only with decision 'same'")
        return value
