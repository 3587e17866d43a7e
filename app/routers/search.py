"""Public search and search-as-you-type."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.codelists import Category, EducationType, Format, Funding, Schedule
from app.models.offer import LanguageCode
from app.models.organisation import Postcode
from app.models.search import SearchParams, SearchResult, SortOrder, SuggestResult
from app.services.search import search_offers, suggest_offers

router = APIRouter(prefix="/api/v1", tags=["search"])


async def search_params(
    q: Annotated[str, Query(max_length=200, description="words to look for; empty = browse")] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    category: Annotated[list[Category], Query()] = [],  # noqa: B006 (FastAPI copies defaults)
    education_type: Annotated[list[EducationType], Query()] = [],  # noqa: B006
    format: Annotated[list[Format], Query()] = [],  # noqa: B006
    schedule: Annotated[list[Schedule], Query()] = [],  # noqa: B006
    funding: Annotated[list[Funding], Query()] = [],  # noqa: B006
    language: Annotated[list[LanguageCode], Query()] = [],  # noqa: B006
    provider: Annotated[list[Annotated[int, Query(ge=1, le=2**31 - 1)]], Query()] = [],  # noqa: B006
    city: Annotated[list[Annotated[str, Query(min_length=1, max_length=100)]], Query()] = [],  # noqa: B006
    barrier_free: bool | None = None,
    childcare: bool | None = None,
    free: bool | None = None,
    price_max: Annotated[Decimal | None, Query(ge=0, le=1_000_000)] = None,
    start_from: date | None = None,
    start_to: date | None = None,
    postcode: Annotated[Postcode | None, Query()] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius_km: Annotated[float | None, Query(gt=0, le=500)] = None,
    include_online: bool = False,
    sort: SortOrder = SortOrder.relevance,
) -> SearchParams:
    """Validates every search parameter; unknown code values get a 422 naming the allowed ones."""
    return SearchParams(
        q=q,
        page=page,
        per_page=per_page,
        category=[c.value for c in category],
        education_type=[e.value for e in education_type],
        format=[x.value for x in format],
        schedule=[s.value for s in schedule],
        funding=[x.value for x in funding],
        language=list(language),
        provider=list(provider),
        city=list(city),
        barrier_free=barrier_free,
        childcare=childcare,
        free=free,
        price_max=price_max,
        start_from=start_from,
        start_to=start_to,
        postcode=postcode,
        lat=lat,
        lon=lon,
        radius_km=radius_km,
        include_online=include_online,
        sort=sort,
    )


SearchParamsDep = Annotated[SearchParams, Depends(search_params)]


@router.get("/search", response_model=SearchResult)
async def search(params: SearchParamsDep) -> Response:
    """Full-text search with facets, filters, radius and sorting over published offers."""
    # The result is a validated model already; serialising it directly skips FastAPI's
    # second validation pass over every hit (the hot path, measured in bench/).
    result = await search_offers(params)
    return Response(result.as_json(), media_type="application/json")


@router.get("/suggest", response_model=SuggestResult)
async def suggest(q: Annotated[str, Query(max_length=100)] = "") -> Response:
    """Up to 10 suggestions while typing."""
    result = await suggest_offers(q)
    return Response(result.model_dump_json(), media_type="application/json")
