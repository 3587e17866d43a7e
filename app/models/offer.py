"""Offers (Angebote) with their dates (Termine): tables and API schemas."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    field_validator,
    model_validator,
)
from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.codelists import Category, EducationType, Format, Funding, LinkKind, Schedule, Weekday
from app.levels import MAX_LEVEL_LENGTH, normalise_level
from app.models.language_codes import LanguageCode
from app.models.organisation import Postcode
from app.models.types import Day, InputModel, UTCDateTime, clean_text, utcnow

MAX_DESCRIPTION = 20_000

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5_000)]
Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
# A provider's own id, as POST, PUT /offers/external/{external_id} and the import files take it:
# one word of at most 200 characters. "/" is allowed ("2027/FIBU-1"): the route's path converter
# reads it as it is or sent as %2F.
ExternalId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^\S+$"),
    AfterValidator(clean_text),
]
# "B1.2", "A2-B1" or a level in words ("Einsteiger"); CEFR spellings are normalised.
Level = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LEVEL_LENGTH),
    AfterValidator(normalise_level),
]
# A DVV category (Open-vhs `dvv_kategorie`, version 2.0): programme area 1-6, then sub-codes.
DvvCategory = Annotated[str, StringConstraints(pattern=r"^[1-9](\.[0-9]{1,3}){0,3}$")]
CourseNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]
Seats = Annotated[int, Field(ge=0, le=100_000)]


class Offer(SQLModel, table=True):
    __tablename__ = "offer"
    __table_args__ = (UniqueConstraint("organisation_id", "external_id"),)

    id: int | None = SQLField(default=None, primary_key=True)
    organisation_id: int = SQLField(
        sa_column=Column(Integer, ForeignKey("organisation.id"), nullable=False, index=True)
    )
    external_id: str | None = SQLField(default=None, max_length=200)
    title: str = SQLField(max_length=300)
    subtitle: str | None = SQLField(default=None, max_length=300)
    course_number: str | None = SQLField(default=None, max_length=100)
    description: str = SQLField(default="", sa_column=Column(Text, nullable=False))
    keywords: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    category: str = SQLField(max_length=40, index=True)
    education_type: str = SQLField(max_length=40, index=True)
    degree: str | None = SQLField(default=None, max_length=200)
    awarding_body: str | None = SQLField(default=None, max_length=200)
    dqr_level: int | None = None
    leads_to_qualification: bool = False
    level: str | None = SQLField(default=None, max_length=60)
    dvv_category: str | None = SQLField(default=None, max_length=20)
    target_groups: list[str] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    entry_requirements: str | None = SQLField(default=None, sa_column=Column(Text))
    languages: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    funding: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    price_cents: int | None = None
    price_note: str | None = SQLField(default=None, max_length=500)
    reduction_available: bool = False
    duration_hours: int | None = None
    format: str = SQLField(max_length=20, index=True)
    barrier_free: bool = False
    digital_accessibility: bool = False
    childcare: bool = False
    url: str | None = SQLField(default=None, max_length=1000)
    links: list[dict[str, Any]] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    contact: dict[str, Any] = SQLField(default_factory=dict, sa_column=Column(JSON, nullable=False))
    visible_from: date | None = None
    visible_until: date | None = None
    status: str = SQLField(max_length=20, index=True)
    rejection_reason: str | None = SQLField(default=None, sa_column=Column(Text))
    # A substantial edit of a published offer waits here for review; the row keeps
    # what the public sees until an admin publishes the revision.
    pending_revision: dict[str, Any] | None = SQLField(default=None, sa_column=Column(JSON))
    # Since when the revision waits (the moderation queue's order); None without one.
    revision_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    content_hash: str = SQLField(default="", max_length=64)
    # 0-100 by app/services/quality/completeness.py, of the content in these columns (not of
    # a pending revision): search ranks by it, portals may hold back offers below a minimum.
    completeness: int = 0
    # When the duplicate check last looked at this offer; older than updated_at (or none):
    # it waits for the check (app/services/quality/duplicates.py).
    duplicates_checked_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    # The file format that last delivered the offer (openqcat, openvhs, csv; none: the API):
    # a full delivery archives only what its own format delivered before.
    import_format: str | None = SQLField(default=None, max_length=20)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # Indexed: the Atom feeds of searches read the newest publications first.
    published_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime, index=True)
    # Set when an admin approved the offer; auto-published offers of trusted
    # organisations have none, so portals that review everything can tell them apart.
    reviewed_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)


class OfferDate(SQLModel, table=True):
    __tablename__ = "offer_date"
    # The duplicate check looks up dates by place and start (app/services/quality/duplicates.py);
    # (city, start_date) also serves every lookup by city alone.
    __table_args__ = (
        Index("ix_offer_date_city_start_date", "city", "start_date"),
        Index("ix_offer_date_online_start_date", "online", "start_date"),
        Index("ix_offer_date_flexible_start_city", "flexible_start", "city"),
        # Online courses that start any time: without it, both databases read every online
        # date for them (44 -> 8 ms per check at 100k offers, SQLite).
        Index("ix_offer_date_flexible_start_online", "flexible_start", "online"),
    )

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
    min_participants: int | None = None
    free_seats: int | None = None
    session_count: int | None = None
    weekdays: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    # [{"date": "2027-03-02", "start_time": "18:00:00", "end_time": "21:00:00"}, ...]
    sessions: list[dict[str, Any]] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    teaching_language: str | None = SQLField(default=None, max_length=3)
    online: bool = False
    location_name: str | None = SQLField(default=None, max_length=200)
    street: str | None = SQLField(default=None, max_length=200)
    postcode: str | None = SQLField(default=None, max_length=5, index=True)
    city: str | None = SQLField(default=None, max_length=100)
    lat: float | None = None
    lon: float | None = None
    # True when lat/lon are the postcode's centre, placed by us because none were sent.
    approximate_location: bool = False
    barrier_free: bool | None = None


# --- API schemas -------------------------------------------------------------------------


class Contact(InputModel):
    name: Line | None = None
    email: (
        Annotated[str, StringConstraints(max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
        | None
    ) = None
    phone: Annotated[str, StringConstraints(max_length=50)] | None = None


class Location(InputModel):
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


def _wall_clock(value: time | None) -> time | None:
    # Times are local wall-clock times of the place; an offset ("18:00+01:00") says nothing more.
    if value is None or (value.tzinfo is None and not value.microsecond):
        return value
    return value.replace(tzinfo=None, microsecond=0)


_WEEK_ORDER = {day: n for n, day in enumerate(Weekday)}


class CourseSession(BaseModel):
    """One meeting of a course run (Open-vhs `termin`)."""

    model_config = ConfigDict(extra="forbid")

    date: date
    start_time: time | None = None
    end_time: time | None = None

    # One validator for both checks: a programme has ~10 sessions per course, and each Python
    # validator call per session showed in the import's time.
    @model_validator(mode="after")
    def _wall_clock_and_order(self) -> "CourseSession":
        start, end = _wall_clock(self.start_time), _wall_clock(self.end_time)
        if start is not self.start_time:
            self.start_time = start
        if end is not self.end_time:
            self.end_time = end
        if start and end and end < start:
            raise ValueError("end_time is before start_time")
        return self


class Link(InputModel):
    """A document, picture or page about the offer (http or https only)."""

    url: Annotated[HttpUrl, Field(max_length=1000)]
    name: Line | None = None
    kind: LinkKind = LinkKind.other


class OfferDateIn(InputModel):
    external_id: ExternalId | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    flexible_start: bool = False
    schedule: Schedule = Schedule.full_time
    schedule_note: Line | None = None
    registration_deadline: Day | None = None
    seats: Seats | None = None
    min_participants: Seats | None = None
    free_seats: Seats | None = Field(default=None, description="places still free; 0 = booked out")
    session_count: int | None = Field(default=None, ge=1, le=1000)
    weekdays: list[Weekday] = Field(default_factory=list, max_length=7)
    sessions: list[CourseSession] = Field(default_factory=list, max_length=500)
    teaching_language: LanguageCode | None = None
    online: bool = False
    location: Location | None = None

    @field_validator("weekdays")
    @classmethod
    def _week_order(cls, values: list[Weekday]) -> list[Weekday]:
        return sorted(set(values), key=_WEEK_ORDER.__getitem__)

    @model_validator(mode="after")
    def _coherent(self) -> "OfferDateIn":
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        if self.seats is not None:
            if self.free_seats is not None and self.free_seats > self.seats:
                raise ValueError("free_seats is more than seats")
            if self.min_participants is not None and self.min_participants > self.seats:
                raise ValueError("min_participants is more than seats")
        if self.session_count is not None and self.session_count < len(self.sessions):
            raise ValueError("session_count is less than the sessions listed")
        for session in self.sessions:
            if (self.start_date and session.date < self.start_date) or (
                self.end_date and session.date > self.end_date
            ):
                raise ValueError(
                    f"session on {session.date.isoformat()} is outside start_date..end_date"
                )
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


class OfferFields(InputModel):
    """Everything a provider says about an offer; shared by create, replace and upsert."""

    title: Title
    subtitle: Title | None = None
    course_number: CourseNumber | None = None
    description: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION)] = ""
    keywords: list[Keyword] = Field(default_factory=list, max_length=50)
    category: Category
    education_type: EducationType
    degree: Line | None = None
    awarding_body: Line | None = None
    dqr_level: int | None = Field(default=None, ge=1, le=8)
    leads_to_qualification: bool = False
    level: Level | None = None
    dvv_category: DvvCategory | None = None
    target_groups: list[Line] = Field(default_factory=list, max_length=20)
    entry_requirements: LongText | None = None
    languages: list[LanguageCode] = Field(default_factory=lambda: ["deu"], max_length=20)
    funding: list[Funding] = Field(default_factory=list, max_length=10)
    price: Decimal | None = Field(default=None, ge=0, le=1_000_000, decimal_places=2)
    price_note: Annotated[str, StringConstraints(max_length=500)] | None = None
    reduction_available: bool = False
    duration_hours: int | None = Field(default=None, ge=1, le=20_000)
    format: Format
    barrier_free: bool = False
    digital_accessibility: bool = False
    childcare: bool = False
    url: HttpUrl | None = None
    links: list[Link] = Field(default_factory=list, max_length=20)
    contact: Contact = Field(default_factory=Contact)
    visible_from: Day | None = None
    visible_until: Day | None = None
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


class OfferPatch(InputModel):
    """Partial update: only the fields sent change; `dates`, when sent, replaces all dates."""

    not_null = frozenset(
        {
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
            "barrier_free",
            "digital_accessibility",
            "childcare",
            "links",
            "leads_to_qualification",
            "reduction_available",
        }
    )

    title: Title | None = None
    subtitle: Title | None = None
    course_number: CourseNumber | None = None
    description: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION)] | None = None
    keywords: list[Keyword] | None = Field(default=None, max_length=50)
    category: Category | None = None
    education_type: EducationType | None = None
    degree: Line | None = None
    awarding_body: Line | None = None
    dqr_level: int | None = Field(default=None, ge=1, le=8)
    leads_to_qualification: bool | None = None
    level: Level | None = None
    dvv_category: DvvCategory | None = None
    target_groups: list[Line] | None = Field(default=None, max_length=20)
    entry_requirements: LongText | None = None
    languages: list[LanguageCode] | None = Field(default=None, max_length=20)
    funding: list[Funding] | None = Field(default=None, max_length=10)
    price: Decimal | None = Field(default=None, ge=0, le=1_000_000, decimal_places=2)
    price_note: Annotated[str, StringConstraints(max_length=500)] | None = None
    reduction_available: bool | None = None
    duration_hours: int | None = Field(default=None, ge=1, le=20_000)
    format: Format | None = None
    barrier_free: bool | None = None
    digital_accessibility: bool | None = None
    childcare: bool | None = None
    url: HttpUrl | None = None
    links: list[Link] | None = Field(default=None, max_length=20)
    contact: Contact | None = None
    visible_from: Day | None = None
    visible_until: Day | None = None
    dates: list[OfferDateIn] | None = Field(default=None, max_length=500)


class RejectIn(InputModel):
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
    min_participants: int | None = None
    free_seats: int | None = None
    session_count: int | None = None
    weekdays: list[str] = []
    sessions: list[CourseSession] = []
    teaching_language: str | None
    online: bool
    location: Location | None


class MissingPublic(BaseModel):
    rule: str
    gain: int = Field(description="points the offer gains when this is given")
    hint: str
    text: str = Field(description='the gain and the hint in one line: "+15: give a price …"')


class CompletenessPublic(BaseModel):
    """How complete the offer is (0-100, formula in docs/quality.md) and what would raise it.
    Of the pending revision when one waits: it is what the provider sent last."""

    score: int
    missing: list[MissingPublic]


class OfferPublic(BaseModel):
    id: int
    organisation_id: int
    organisation_name: str
    external_id: str | None
    title: str
    subtitle: str | None = None
    course_number: str | None = None
    description: str
    keywords: list[str]
    category: str
    category_label: str
    education_type: str
    degree: str | None
    awarding_body: str | None
    dqr_level: int | None
    leads_to_qualification: bool = False
    level: str | None = None
    dvv_category: str | None = None
    target_groups: list[str]
    entry_requirements: str | None
    languages: list[str]
    funding: list[str]
    price: Decimal | None
    price_note: str | None
    reduction_available: bool = False
    duration_hours: int | None
    format: str
    barrier_free: bool
    digital_accessibility: bool
    childcare: bool
    url: str | None
    links: list[dict[str, Any]] = []
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
    completeness: CompletenessPublic | None = Field(
        default=None, description="owners and admins only"
    )
    stale: bool | None = Field(
        default=None,
        description="owners and admins only: live and unchanged for 6 months; check it is current",
    )


class OfferPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[OfferPublic]
