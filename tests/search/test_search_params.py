"""`/api/v1/search` reads its parameters with QueryModelRoute; the portal search reads the
same model the way FastAPI does. Both must understand and refuse exactly the same things."""

from typing import Any

import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient

from app.errors import install_error_handlers
from app.models.search import SearchParams, SearchResult
from app.routers import search as search_router
from app.routers.search import SearchParamsDep

QUERIES = [
    "",
    "q=Buchhaltung&page=2&per_page=50",
    "category=it_digital&category=languages&format=online&funding=bildungsgutschein",
    "schedule=part_time&education_type=umschulung&language=deu&language=eng",
    "provider=3&provider=17&city=Bochum&city=Herne",
    "barrier_free=true&childcare=0&free=yes&include_online=1",
    "price_max=99.50&start_from=2026-12-01&start_to=2027-01-31",
    "postcode=44787&radius_km=12.5&sort=distance",
    "lat=51.48&lon=7.21&sort=start",
    "page=2&page=3",  # the last value of a single parameter wins
    "unknown=1&q=x",  # unknown parameters are ignored
    # refused
    "page=abc",
    "page=",
    "page=0",
    "per_page=1000",
    "category=bogus",
    "category=it_digital&category=bogus",
    "format=online&format=bogus&funding=x",
    "lat=91",
    "provider=abc",
    "provider=0",
    "start_from=2020-13-01",
    "q=" + "x" * 201,
    "postcode=abc",
    "price_max=-1",
    "price_max=abc",
    "sort=bogus",
    "barrier_free=maybe",
    "radius_km=0",
    "city=",
    "language=de",
    "page=abc&page=2",
    "page=2&page=abc",
]


def _apps(captured: list[SearchParams], monkeypatch: pytest.MonkeyPatch) -> tuple[FastAPI, FastAPI]:
    async def fake_search(params: SearchParams, **_: Any) -> SearchResult:
        captured.append(params)
        return SearchResult(total=0, page=params.page, per_page=params.per_page, hits=[], facets={})

    monkeypatch.setattr(search_router, "search_offers", fake_search)
    fast = FastAPI()
    install_error_handlers(fast)
    fast.include_router(search_router.router)

    standard = FastAPI()
    install_error_handlers(standard)

    @standard.get("/api/v1/search")
    async def search(params: SearchParamsDep) -> Response:
        return Response((await fake_search(params)).as_json(), media_type="application/json")

    return fast, standard


@pytest.mark.parametrize("query", QUERIES)
def test_query_model_route_reads_parameters_as_fastapi_does(
    query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    captured: list[SearchParams] = []
    fast, standard = _apps(captured, monkeypatch)
    with TestClient(fast) as a, TestClient(standard) as b:
        ours = a.get(f"/api/v1/search?{query}")
        theirs = b.get(f"/api/v1/search?{query}")
    assert ours.status_code == theirs.status_code
    assert ours.json() == theirs.json()
    if ours.status_code == 200:
        assert len(captured) == 2
        assert captured[0] == captured[1]
    else:
        assert ours.status_code == 422
        assert ours.json()["error"]["details"][0]["loc"][0] == "query"


def test_openapi_documents_every_search_parameter() -> None:
    from app.main import create_app

    spec = create_app().openapi()["paths"]["/api/v1/search"]["get"]
    names = {p["name"] for p in spec["parameters"]}
    assert names == set(SearchParams.__dataclass_fields__)
    assert all(p["in"] == "query" for p in spec["parameters"])
    assert "SearchResult" in str(spec["responses"]["200"])


def test_query_model_route_refuses_what_it_would_skip() -> None:
    from fastapi import APIRouter, Depends

    from app.routers.query_model_route import QueryModelRoute
    from app.routers.search import SearchQuery

    async def needs_a_dependency() -> None:
        return None

    async def endpoint(query: SearchQuery) -> Response:
        return Response()

    async def not_a_model(q: str) -> Response:
        return Response()

    router = APIRouter()
    with pytest.raises(TypeError, match="no dependencies"):
        router.add_api_route(
            "/a",
            endpoint,
            dependencies=[Depends(needs_a_dependency)],
            route_class_override=QueryModelRoute,
        )
    with pytest.raises(TypeError, match="pydantic model"):
        router.add_api_route("/b", not_a_model, route_class_override=QueryModelRoute)
