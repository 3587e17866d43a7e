"""Offers (Angebote) with their dates (Termine): tables and API schemas."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    field_validator,
    model_validator,
)
from sqlalchemy import JSON, Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.codelists import Category, EducationType, Format, Funding, Schedule
from app.models.language_codes import LanguageCode
from app.models.organisation import Postcode
from app.models.types import UTCDateTime, utcnow

MAX_DESCRIPTION = 20_000

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5_000)]
Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
ExternalId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^\S+$")
]


class Offer(SQLModel, table=True):
    __tablename__ = "offer"
    __table_args__ = (UniqueConstraint("organisation_id", "external_id"),)

    id: int | None = SQLField(default=None, primary_key=True)
    organisation_id: int = SQLField(
        sa_column=Column(Integer, ForeignKey("organisation.id"), nullable=False, index=True)
    )
    external_id: str | None = SQLField(default=None, max_length=200)
    title: str = SQLField(max_length=300)
    description: str = SQLField(default="", sa_column=Column(Text, nullable=False))
    keywords: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    category: str = SQLField(max_length=40, index=True)
    education_type: str = SQLField(max_length=40, index=True)
    degree: str | None = SQLField(default=None, max_length=200)
    awarding_body: str | None = SQLField(default=None, max_length=200)
    dqr_level: int | None = None
    target_groups: list[str] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    entry_requirements: str | None = SQLField(default=None, sa_column=Column(Text))
    languages: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    funding: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    price_cents: int | None = None
    price_note: str | None = SQLField(default=None, max_length=500)
    duration_hours: int | None = None
    format: str = SQLField(max_length=20, index=True)
    barrier_free: bool = False
    digital_accessibility: bool = False
    childcare: bool = False
    url: str | None = SQLField(default=None, max_length=1000)
    contact: dict[str, Any] = SQLField(default_factory=dict, sa_column=Column(JSON, nullable=False))
    visible_from: date | None = None
    visible_until: date | None = None
    status: str = SQLField(max_length=20, index=True)
    rejection_reason: str | None = SQLField(default=None, sa_column=Column(Text))
    # A substantial edit of a published offer waits here for review; the row keeps
    # what the public sees until an admin publishes the revision.
    pending_revision: dict[str, Any] | None = SQLField(default=None, sa_column=Column(JSON))
    content_hash: str = SQLField(default="", max_length=64)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    published_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    # Set when an admin approved the offer; auto-published offers of trusted
    # organisations have none, so portals that review everything can tell them apart.
    reviewed_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)


class OfferDate(SQLModel, table=True):
    __tablename__ = "offer_date"

    id: int | None = SQLField(default=None, primary_key=True)
    offer_id: int = SQLField(
        sa_column=Column(
            Integer, ForeignKey("offer.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    position: int = 0
    external_id: str | None = SQLField(default=None, max_length=200)
    start_date: date | None = SQLField(default=None, index=True)
    end_date: date | None = None
    flexible_start: bool = False
    schedule: str = SQLField(max_length=20)
    schedule_note: str | None = SQLField(default=None, max_length=200)
    registration_deadline: date | None = None
    seats: int | None = None
    teaching_language: str | None = SQLField(default=None, max_length=3)
    online: bool = False
    location_name: str | None = SQLField(default=None, max_length=200)
    street: str | None = SQLField(default=None, max_length=200)
    postcode: str | None = SQLField(default=None, max_length=5, index=True)
    city: str | None = SQLField(default=None, max_length=100, index=True)
    lat: float | None = None
    lon: float | None = None
    # True when lat/lon are the postcode's centre, placed by us because none were sent.
    approximate_location: bool = False
    barrier_free: bool | None = None


# --- API schemas -------------------------------------------------------------------------


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line | None = None
    email: (
        Annotated[str, StringConstraints(max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
        | None
    ) = None
    phone: Annotated[str, StringConstraints(max_length=50)] | None = None


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line | None = None
    street: Line | None = None
    postcode: Postcode
    city: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    approximate: bool = Field(
        default=False,
        description=(
            "true: lat/lon are the centre of the postcode, placed by the service because none "
            "were sent (it places them again from the postcode on every write); "
            "send the building's lat and lon, without this flag, for an exact place"
        ),
    )
    barrier_free: bool | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> "Location":
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class OfferDateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: ExternalId | None = None
    start_date: date | None = None
    end_date: date | None = None
    flexible_start: bool = False
    schedule: Schedule = Schedule.full_time
    schedule_note: Line | None = None
    registration_deadline: date | None = None
    seats: int | None = Field(default=None, ge=0, le=100_000)
    teaching_language: LanguageCode | None = None
    online: bool = False
    location: Location | None = None

    @model_validator(mode="after")
    def _coherent(self) -> "OfferDateIn":
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        if (
            self.start_date
            and self.registration_deadline
            and self.registration_deadline > self.start_date
        ):
            raise ValueError("registration_deadline is after start_date")
        if self.start_date is None and not self.flexible_start:
            raise ValueError("give a start_date or set flexible_start")
        if self.location is None and not self.online:
            raise ValueError("give a location or set online")
        return self


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


class OfferFields(BaseModel):
    """Everything a provider says about an offer; shared by create, replace and upsert."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION)] = ""
    keywords: list[Keyword] = Field(default_factory=list, max_length=50)
    category: Category
    education_type: EducationType
    degree: Line | None = None
    awarding_body: Line | None = None
    dqr_level: int | None = Field(default=None, ge=1, le=8)
    target_groups: list[Line] = Field(default_factory=list, max_length=20)
    entry_requirements: LongText | None = None
    languages: list[LanguageCode] = Field(default_factory=lambda: ["deu"], max_length=20)
    funding: list[Funding] = Field(default_factory=list, max_length=10)
    price: Decimal | None = Field(default=None, ge=0, le=1_000_000, decimal_places=2)
    price_note: Annotated[str, StringConstraints(max_length=500)] | None = None
    duration_hours: int | None = Field(default=None, ge=1, le=20_000)
    format: Format
    barrier_free: bool = False
    digital_accessibility: bool = False
    childcare: bool = False
    url: HttpUrl | None = None
    contact: Contact = Field(default_factory=Contact)
    visible_from: date | None = None
    visible_until: date | None = None
    dates: list[OfferDateIn] = Field(default_factory=list, max_length=500)

    @field_validator("keywords", "target_groups", "languages", "funding")
    @classmethod
    def _dedupe(cls, values: list[Any]) -> list[Any]:
        return _unique(values)

    @field_validator("price")
    @classmethod
    def _cents(cls, value: Decimal | None) -> Decimal | None:
        # One spelling per amount, so "12.9" and "12.90" compare equal on upsert.
        return None if value is None else value.quantize(Decimal("0.01"))

    @model_validator(mode="after")
    def _coherent(self) -> "OfferFields":
        if self.visible_from and self.visible_until and self.visible_until < self.visible_from:
            raise ValueError("visible_until is before visible_from")
        return self


class OfferCreate(OfferFields):
    external_id: ExternalId | None = None


class OfferPatch(BaseModel):
    """Partial update: only the fields sent change; `dates`, when sent, replaces all dates."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION)] | None = None
    keywords: list[Keyword] | None = Field(default=None, max_length=50)
    category: Category | None = None
    education_type: EducationType | None = None
    degree: Line | None = None
    awarding_body: Line | None = None
    dqr_level: int | None = Field(default=None, ge=1, le=8)
    target_groups: list[Line] | None = Field(default=None, max_length=20)
    entry_requirements: LongText | None = None
    languages: list[LanguageCode] | None = Field(default=None, max_length=20)
    funding: list[Funding] | None = Field(default=None, max_length=10)
    price: Decimal | None = Field(default=None, ge=0, le=1_000_000, decimal_places=2)
    price_note: Annotated[str, StringConstraints(max_length=500)] | None = None
    duration_hours: int | None = Field(default=None, ge=1, le=20_000)
    format: Format | None = None
    barrier_free: bool | None = None
    digital_accessibility: bool | None = None
    childcare: bool | None = None
    url: HttpUrl | None = None
    contact: Contact | None = None
    visible_from: date | None = None
    visible_until: date | None = None
    dates: list[OfferDateIn] | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _required_stay_required(self) -> "OfferPatch":
        for name in (
            "title",
            "category",
            "education_type",
            "format",
            "keywords",
            "languages",
            "funding",
            "target_groups",
            "dates",
            "contact",
            "description",
        ):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class OfferDatePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int | None = None
    external_id: str | None
    start_date: date | None
    end_date: date | None
    flexible_start: bool
    schedule: str
    schedule_note: str | None
    registration_deadline: date | None
    seats: int | None
    teaching_language: str | None
    online: bool
    location: Location | None


class OfferPublic(BaseModel):
    id: int
    organisation_id: int
    organisation_name: str
    external_id: str | None
    title: str
    description: str
    keywords: list[str]
    category: str
    category_label: str
    education_type: str
    degree: str | None
    awarding_body: str | None
    dqr_level: int | None
    target_groups: list[str]
    entry_requirements: str | None
    languages: list[str]
    funding: list[str]
    price: Decimal | None
    price_note: str | None
    duration_hours: int | None
    format: str
    barrier_free: bool
    digital_accessibility: bool
    childcare: bool
    url: str | None
    contact: dict[str, Any]
    visible_from: date | None
    visible_until: date | None
    dates: list[OfferDatePublic]
    status: str
    rejection_reason: str | None = None
    pending_revision: dict[str, Any] | None = None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    reviewed_at: datetime | None = None


class OfferPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[OfferPublic]
