"""Search request and response schemas (global search and portal-scoped search share them)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, PrivateAttr


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


@dataclass
class SearchParams:
    q: str = ""
    page: int = 1
    per_page: int = 20
    category: list[str] = field(default_factory=list)
    education_type: list[str] = field(default_factory=list)
    format: list[str] = field(default_factory=list)
    schedule: list[str] = field(default_factory=list)
    funding: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    provider: list[int] = field(default_factory=list)
    city: list[str] = field(default_factory=list)
    barrier_free: bool | None = None
    childcare: bool | None = None
    free: bool | None = None
    price_max: Decimal | None = None
    start_from: date | None = None
    start_to: date | None = None
    postcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    include_online: bool = False
    sort: SortOrder = SortOrder.relevance
    level: list[str] = field(default_factory=list)
    dvv_category: list[str] = field(default_factory=list)


# The per-item types of an answer are plain slotted dataclasses, not models: a search builds
# ~60 of them, and constructing a dataclass costs a fraction of even `model_construct`
# (measured with bench/). `SearchResult` stays a model; pydantic serialises and documents
# dataclasses as it does models, so the JSON and the OpenAPI schema are unchanged.
@dataclass(slots=True, kw_only=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(slots=True, kw_only=True)
class HitLocation:
    name: str | None = None
    postcode: str | None = None
    city: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(slots=True, kw_only=True)
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
        """The serialised answer, made once: a cached result is sent many times."""
        if self._json is None:
            self._json = self.__pydantic_serializer__.to_json(self)
        return self._json


class Suggestion(BaseModel):
    text: str
    offer_id: int | None = None


class SuggestResult(BaseModel):
    q: str
    suggestions: list[Suggestion]
