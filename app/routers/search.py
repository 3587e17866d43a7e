"""Public search and search-as-you-type."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from app.codelists import Category, EducationType, Format, Funding, Schedule
from app.models.offer import DvvCategory, LanguageCode
from app.models.organisation import Postcode
from app.models.search import SearchParams, SearchResult, SortOrder, SuggestResult
from app.routers.query_model_route import QueryModelRoute
from app.services.search import search_offers, suggest_offers

router = APIRouter(prefix="/api/v1", tags=["search"])
CefrLevel = Literal["A1", "A2", "B1", "B2", "C1", "C2"]


class SearchQuery(BaseModel):
    """Every search parameter. `/api/v1/search` validates it in one pass (QueryModelRoute),
    the portal search through FastAPI; unknown code values get a 422 naming the allowed
    ones."""

    q: str = Field("", max_length=200, description="words to look for; empty = browse")
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)
    category: list[Category] = []
    education_type: list[EducationType] = []
    format: list[Format] = []
    schedule: list[Schedule] = []
    funding: list[Funding] = []
    language: list[LanguageCode] = []
    provider: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = []
    city: list[Annotated[str, Field(min_length=1, max_length=100)]] = []
    barrier_free: bool | None = None
    childcare: bool | None = None
    free: bool | None = None
    price_max: Decimal | None = Field(None, ge=0, le=1_000_000)
    start_from: date | None = None
    start_to: date | None = None
    postcode: Postcode | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    radius_km: float | None = Field(None, gt=0, le=500)
    include_online: bool = False
    sort: SortOrder = SortOrder.relevance
    level: list[CefrLevel] = Field([], description="CEFR levels A1 … C2 (language courses)")
    dvv_category: list[DvvCategory] = Field(
        [], description="DVV categories; a programme area (4) matches all its codes (4.06)"
    )


def search_params_of(query: SearchQuery) -> SearchParams:
    # Code values become plain strings: they go into filters and the answer-cache key.
    return SearchParams(
        q=query.q,
        page=query.page,
        per_page=query.per_page,
        category=[c.value for c in query.category],
        education_type=[e.value for e in query.education_type],
        format=[x.value for x in query.format],
        schedule=[s.value for s in query.schedule],
        funding=[x.value for x in query.funding],
        language=query.language,
        provider=query.provider,
        city=query.city,
        barrier_free=query.barrier_free,
        childcare=query.childcare,
        free=query.free,
        price_max=query.price_max,
        start_from=query.start_from,
        start_to=query.start_to,
        postcode=query.postcode,
        lat=query.lat,
        lon=query.lon,
        radius_km=query.radius_km,
        include_online=query.include_online,
        sort=query.sort,
        level=list(query.level),
        dvv_category=query.dvv_category,
    )


async def search_params(query: Annotated[SearchQuery, Query()]) -> SearchParams:
    return search_params_of(query)


SearchParamsDep = Annotated[SearchParams, Depends(search_params)]


async def search(query: Annotated[SearchQuery, Query()]) -> Response:
    """Full-text search with facets, filters, radius and sorting over published offers."""
    # Serialised here: FastAPI would validate every hit again on the way out (the hot path,
    # measured in bench/). `response_model` still documents the answer.
    result = await search_offers(search_params_of(query))
    return Response(result.as_json(), media_type="application/json")


router.add_api_route(
    "/search",
    search,
    methods=["GET"],
    response_model=SearchResult,
    route_class_override=QueryModelRoute,
)


@router.get("/suggest", response_model=SuggestResult)
async def suggest(q: Annotated[str, Query(max_length=100)] = "") -> Response:
    """Up to 10 suggestions while typing."""
    result = await suggest_offers(q)
    return Response(result.model_dump_json(), media_type="application/json")
