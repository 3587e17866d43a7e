"""Public search and search-as-you-type."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.deps import SearchParamsDep
from app.models.search import SearchResult, SuggestResult
from app.models.types import CleanText
from app.search.service import search_offers, suggest_offers
from app.services.monitoring.demand import record_search

router = APIRouter(prefix="/api/v1", tags=["search"])


@router.get("/search", response_model=SearchResult)
async def search(params: SearchParamsDep) -> Response:
    """Full-text search with facets, filters, radius and sorting over published offers."""
    # Serialised here: FastAPI would validate every hit again on the way out (the hot path,
    # measured in bench/). `response_model` still documents the answer.
    result = await search_offers(params)
    record_search(params, result.total)
    return Response(result.as_json(), media_type="application/json")


@router.get("/suggest", response_model=SuggestResult)
async def suggest(q: Annotated[CleanText, Query(max_length=100)] = "") -> Response:
    """Up to 10 suggestions while typing."""
    result = await suggest_offers(q)
    return Response(result.model_dump_json(), media_type="application/json")
