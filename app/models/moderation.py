"""The moderation queue's API schemas: what waits for review, and bulk decisions on it."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from app.errors import ErrorInfo
from app.models.types import InputModel

OfferIdIn = Annotated[int, Field(ge=1, le=2**31 - 1)]
Decision = Literal["published", "revision_published", "rejected", "revision_rejected"]


class FieldChange(BaseModel):
    """One field of a pending revision: what citizens see now, and what would replace it."""

    field: str
    before: Any
    after: Any


class ModerationItem(BaseModel):
    offer_id: int
    organisation_id: int
    organisation_name: str
    external_id: str | None
    title: str
    kind: Literal["new", "revision"] = Field(
        description="new: a submitted offer nobody sees yet; revision: changes of a published "
        "offer, which keeps its published version until they are published"
    )
    waiting_since: datetime
    changes: list[FieldChange] = Field(
        default_factory=list, description="revision only: each changed field, before and after"
    )


class ModerationQueue(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[ModerationItem]


class ModerationIds(InputModel):
    """Up to 500 offers to decide on at once; each is decided on its own."""

    offer_ids: list[OfferIdIn] = Field(min_length=1, max_length=500)

    @field_validator("offer_ids")
    @classmethod
    def _once_each(cls, values: list[int]) -> list[int]:
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise ValueError(f"each id once: {', '.join(map(str, twice))} given twice")
        return values


class ModerationReject(ModerationIds):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class ModerationOutcome(BaseModel):
    offer_id: int
    ok: bool
    outcome: Decision | None = None
    error: ErrorInfo | None = Field(
        default=None, description="why this id was left as it was (the one error shape)"
    )


class ModerationResult(BaseModel):
    done: int
    failed: int
    results: list[ModerationOutcome]
