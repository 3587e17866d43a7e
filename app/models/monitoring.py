"""Bildungsmonitoring: postcode → district table, portal population, analyst bindings,
dashboard sessions, daily snapshots, demand signals and needs lists; and their API schemas."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.models.types import Day, InputModel, UTCDateTime, utcnow

Ags = Annotated[str, StringConstraints(pattern=r"^\d{5}$")]


class PostcodeDistrict(SQLModel, table=True):
    """Which district (Kreis or kreisfreie Stadt, 5-digit AGS) a postcode belongs to."""

    __tablename__ = "postcode_district"

    postcode: str = SQLField(max_length=5, primary_key=True)
    ags: str = SQLField(max_length=5, index=True)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


class PortalPopulation(SQLModel, table=True):
    """The population an operator gives for a portal's region (the denominator of every
    per-inhabitant indicator); without it the population is derived from whole districts."""

    __tablename__ = "portal_population"

    portal_id: int = SQLField(
        sa_column=Column(
            Integer, ForeignKey("portal.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    population: int
    reference_date: date | None = None
    source: str | None = SQLField(default=None, max_length=200)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


class AnalystPortal(SQLModel, table=True):
    """A portal an analyst key may read the figures of."""

    __tablename__ = "analyst_portal"

    api_key_id: int = SQLField(
        sa_column=Column(
            Integer, ForeignKey("api_key.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    portal_id: int = SQLField(
        sa_column=Column(
            Integer,
            ForeignKey("portal.id", ondelete="CASCADE"),
            primary_key=True,
            nullable=False,
            index=True,
        )
    )


class DashboardSession(SQLModel, table=True):
    """A signed-in dashboard browser. The cookie holds a random token; only its hash is
    kept, and signing out ends the row, so a copied cookie stops working at once."""

    __tablename__ = "dashboard_session"

    id: int | None = SQLField(default=None, primary_key=True)
    token_hash: str = SQLField(max_length=64, unique=True)
    api_key_id: int = SQLField(
        sa_column=Column(
            Integer, ForeignKey("api_key.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = SQLField(sa_type=UTCDateTime)
    ended_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)


class MonitoringSnapshot(SQLModel, table=True):
    """The indicator tables of one region on one reporting day: aggregates only, never
    copies of offers. Taking the snapshot again on the same day replaces the row."""

    __tablename__ = "monitoring_snapshot"
    __table_args__ = (
        UniqueConstraint("region_kind", "region_key", "day"),
        Index("ix_monitoring_snapshot_day", "day"),
    )

    id: int | None = SQLField(default=None, primary_key=True)
    day: date
    region_kind: str = SQLField(max_length=10)
    region_key: str = SQLField(max_length=60)
    region_name: str = SQLField(max_length=200)
    population: int | None = None
    population_source: str = SQLField(default="", max_length=200)
    # [[indicator, dimension, member, numerator, denominator, value], ...]
    indicators: list[Any] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    # {"radius_km": 25, "postcodes": [[postcode, ags, {category: offers}], ...]}
    white_spots: dict[str, Any] = SQLField(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    # None when the region has no needs list; {"error": ...} when search was unavailable.
    needs: dict[str, Any] | None = SQLField(default=None, sa_column=Column(JSON))
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


class MonitoringSeries(SQLModel, table=True):
    """Headline values (no breakdown) per region and day, for trend charts over months."""

    __tablename__ = "monitoring_series"

    region_kind: str = SQLField(max_length=10, primary_key=True)
    region_key: str = SQLField(max_length=60, primary_key=True)
    indicator: str = SQLField(max_length=60, primary_key=True)
    day: date = SQLField(primary_key=True)
    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None


class DemandCount(SQLModel, table=True):
    """How many distinct clients searched a term on a day, and how they searched it.

    `dimension` is "" for the term itself (`value` "") and for zero-result searches of it
    (`value` "0-results"), "result" for the result-count bucket, "filter" for a filter
    name (with its code), "district" for the search centre's district. A client counts at
    most once per row; nothing identifies it."""

    __tablename__ = "demand_count"

    day: date = SQLField(primary_key=True)
    portal: str = SQLField(max_length=60, primary_key=True)
    term: str = SQLField(max_length=100, primary_key=True)
    dimension: str = SQLField(max_length=10, primary_key=True)
    value: str = SQLField(max_length=60, primary_key=True)
    clients: int = 0


class DemandClient(SQLModel, table=True):
    """A client already counted in one row of a month's demand (`DemandCount`), so that it
    counts there once per month, whichever day, API process or restart it came back on.

    `mark` is a keyed hash of the client's address and the row; the key of the month is
    derived from the server's secret and a random value held only while the month is
    counted. When the month closes, its marks and that value are deleted: nothing links
    a mark to a client, or two marks to each other, without the key."""

    __tablename__ = "demand_client"

    month: date = SQLField(primary_key=True)
    mark: str = SQLField(max_length=32, primary_key=True)


class ZeroResultClass(SQLModel, table=True):
    """Why a term found nothing on a portal, as last classified (off the request path)."""

    __tablename__ = "zero_result_class"

    portal: str = SQLField(max_length=60, primary_key=True)
    term: str = SQLField(max_length=100, primary_key=True)
    kind: str = SQLField(max_length=20)
    evidence: str = SQLField(default="", max_length=300)
    classified_on: date


class Need(SQLModel, table=True):
    """One line of a portal's needs list (e.g. a skills-shortage occupation)."""

    __tablename__ = "monitoring_need"

    id: int | None = SQLField(default=None, primary_key=True)
    portal_id: int = SQLField(
        sa_column=Column(
            Integer, ForeignKey("portal.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    position: int = 0
    name: str = SQLField(max_length=200)
    terms: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    kldb: str | None = SQLField(default=None, max_length=5)
    category: str | None = SQLField(default=None, max_length=40)


# --- API schemas -------------------------------------------------------------------------


class PopulationIn(InputModel):
    """An operator's population figure for a portal's region; `population: null` removes it."""

    population: int | None = Field(ge=1, le=100_000_000)
    reference_date: Day | None = None
    source: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


class RegionPublic(BaseModel):
    kind: str
    key: str
    name: str
    population: int | None
    population_source: str
    latest_day: date | None
    dashboard: str | None


class IndicatorRow(BaseModel):
    indicator: str
    label: str
    unit: str
    dimension: str
    member: str
    member_label: str
    numerator: float | None
    denominator: float | None
    value: float | None


class IndicatorTable(BaseModel):
    region: RegionPublic
    day: date
    rows: list[IndicatorRow]


class SeriesPoint(BaseModel):
    day: date
    numerator: float | None
    denominator: float | None
    value: float | None


class Series(BaseModel):
    region: RegionPublic
    indicator: str
    label: str
    unit: str
    points: list[SeriesPoint]


class WhiteSpotRow(BaseModel):
    postcode: str
    ags: str | None
    category: str
    category_label: str
    offers: int


class WhiteSpots(BaseModel):
    region: RegionPublic
    day: date
    radius_km: float
    postcodes: int
    rows: list[WhiteSpotRow]


class NearestOffer(BaseModel):
    offer_id: int
    title: str
    postcode: str | None
    distance_km: float | None


class NeedCoverageRow(BaseModel):
    rank: int
    need: str
    kldb: str | None
    category: str | None
    terms: list[str]
    offers: int
    bildungsgutschein: int
    part_time: int
    qualification: int
    next_start: date | None
    nearest_outside: NearestOffer | None


class NeedsCoverage(BaseModel):
    region: RegionPublic
    day: date
    available: bool
    note: str
    rows: list[NeedCoverageRow]


class NeedPublic(BaseModel):
    position: int
    need: str
    terms: list[str]
    kldb: str | None
    category: str | None


class NeedsImported(BaseModel):
    portal: str
    needs: list[NeedPublic]


class PostcodesImported(BaseModel):
    imported: int
    districts: int


class DemandRow(BaseModel):
    term: str
    clients: int
    zero_result_clients: int | None
    zero_result_kind: str | None


class DemandBreakdownRow(BaseModel):
    term: str
    dimension: str
    value: str
    label: str
    clients: int


class Demand(BaseModel):
    region: RegionPublic
    start: date
    end: date
    min_clients: int
    terms: list[DemandRow]
    breakdown: list[DemandBreakdownRow]


class SnapshotTaken(BaseModel):
    day: date
    regions: int
    seconds: float
    # of which waiting for the search engine (needs coverage, zero-result classes)
    search_seconds: float
    needs_available: bool
