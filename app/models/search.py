"""Search request and response schemas (global search and portal-scoped search share them)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr

from app.codelists import Category, EducationType, Format, Funding, Schedule
from app.models.language_codes import LanguageCode
from app.models.offer import DvvCategory
from app.models.organisation import Postcode
from app.models.types import CleanText, Day, DbId, clean_text

CefrLevel = Literal["A1", "A2", "B1", "B2", "C1", "C2"]


class SortOrder(StrEnum):
    relevance = "relevance"
    start = "start"
    price = "price"
    distance = "distance"


@dataclass
class SearchScope:
    """What a portal may show: its region and its allow/block lists. Empty lists mean no limit."""

    postcodes: list[str] = field(default_factory=list)
    postcode_prefixes: list[str] = field(default_factory=list)
    center: tuple[float, float] | None = None
    radius_km: float | None = None
    categories_allow: list[str] = field(default_factory=list)
    categories_block: list[str] = field(default_factory=list)
    providers_allow: list[int] = field(default_factory=list)
    providers_block: list[int] = field(default_factory=list)
    # "everything is reviewed": offers auto-published by trusted providers stay out.
    reviewed_only: bool = False
    # Offers below this completeness stay out until an admin reviewed them.
    min_completeness: int = 0
    # Offers their provider has not changed for STALE_HIDE_DAYS stay out.
    hide_stale: bool = False
    # Hits name the other providers of an offer marked as the same ("auch angeboten von").
    show_also_offered: bool = True


class SearchParams(BaseModel):
    """Every search parameter, the one model behind `/api/v1/search`, the portal API, the
    portal pages and the widget. Adding a parameter is a field here and its clause in
    `app.search.filters`. Frozen: normalising returns a new value (`model_copy`)."""

    model_config = ConfigDict(frozen=True)

    q: CleanText = Field("", max_length=200, description="words to look for; empty = browse")
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)
    category: list[Category] = []
    education_type: list[EducationType] = []
    format: list[Format] = []
    schedule: list[Schedule] = []
    funding: list[Funding] = []
    language: list[LanguageCode] = []
    provider: list[DbId] = []
    city: list[Annotated[str, Field(min_length=1, max_length=100), AfterValidator(clean_text)]] = []
    barrier_free: bool | None = None
    childcare: bool | None = None
    free: bool | None = None
    azav: bool | None = Field(
        None, description="only offers of providers with a valid AZAV approval (Bildungsgutschein)"
    )
    price_max: Decimal | None = Field(None, ge=0, le=1_000_000)
    start_from: Day | None = None
    start_to: Day | None = None
    postcode: Postcode | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    radius_km: float | None = Field(None, gt=0, le=500)
    radius_any: bool = Field(
        False,
        description='with a postcode or lat/lon: no radius at all, distances only ("Umkreis: '
        'egal"); without it and without radius_km a centre searches 25 km around it',
    )
    include_online: bool = False
    sort: SortOrder = SortOrder.relevance
    level: list[CefrLevel] = Field([], description="CEFR levels A1 … C2 (language courses)")
    dvv_category: list[DvvCategory] = Field(
        [], description="DVV categories; a programme area (4) matches all its codes (4.06)"
    )


# The per-item types of an answer are plain dataclasses, not models: a search builds ~60 of
# them, and constructing a dataclass costs a fraction of even `model_construct` (measured with
# bench/). Without slots: orjson writes a dataclass from its `__dict__` in a third of the time
# pydantic takes for the answer (15 vs 50 µs for 20 hits). `SearchResult` stays a model, which
# documents them in the OpenAPI schema as it documents models.
@dataclass(kw_only=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(kw_only=True)
class HitLocation:
    name: str | None = None
    postcode: str | None = None
    city: str | None = None
    lat: float | None = None
    lon: float | None = None
    # lat/lon are the postcode's centre: the offer did not say where exactly.
    approximate: bool = False


@dataclass(kw_only=True)
class SearchHit:
    id: int
    title: str
    provider: str
    provider_id: int
    category: str
    category_label: str
    education_type: str
    format: str
    next_start: date | None
    flexible_start: bool
    city: str | None
    location: HitLocation | None
    price: Decimal | None
    funding: list[str]
    distance_km: float | None = None
    # Providers of offers an admin marked as the same as this one ("auch angeboten von …").
    also_offered_by: list[str] = field(default_factory=list)
    # The provider's AZAV approval while it is valid (certifier may be unnamed), and its
    # other certificates.
    azav: bool = False
    azav_valid_until: date | None = None
    azav_certifier: str | None = None
    certificates: list[str] = field(default_factory=list)
    # Free places of the next date, when the provider says.
    free_seats: int | None = None
    # HTML: client text is escaped, only <mark>…</mark> around matches is markup.
    snippet: str
    title_html: str


class SearchResult(BaseModel):
    total: int
    page: int
    per_page: int
    hits: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    _json: bytes | None = PrivateAttr(default=None)

    def as_json(self) -> bytes:
        """The serialised answer, made once: a cached result is sent many times. The same
        bytes as pydantic's `model_dump_json()` (tests/search/test_answer_json.py)."""
        if self._json is None:
            self._json = orjson.dumps(
                {
                    "total": self.total,
                    "page": self.page,
                    "per_page": self.per_page,
                    "hits": self.hits,
                    "facets": self.facets,
                },
                default=_decimal_text,
            )
        return self._json


def _decimal_text(value: object) -> str:
    """Prices: a Decimal is written as its text, as pydantic writes it."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


class Suggestion(BaseModel):
    text: str
    offer_id: int | None = None


class SuggestResult(BaseModel):
    q: str
    suggestions: list[Suggestion]
