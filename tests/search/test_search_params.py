"""One search-parameter model behind `/api/v1/search` and the portal search: both must
understand and refuse exactly the same things, in the one error shape with `["query", name]`."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models.portal import Portal
from app.models.search import SearchParams, SearchResult, SearchScope
from app.routers import search as search_router
from app.search import service as search_service
from app.services import portals as portal_service

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


@pytest.fixture
def app_client(monkeypatch: pytest.MonkeyPatch) -> tuple[TestClient, list[SearchParams]]:
    from app.main import create_app

    captured: list[SearchParams] = []

    async def fake_search(params: SearchParams, **_: Any) -> SearchResult:
        captured.append(params)
        return SearchResult(total=0, page=params.page, per_page=params.per_page, hits=[], facets={})

    async def fake_portal(slug: str) -> portal_service.PublicPortal:
        portal = Portal(slug=slug, name="Ruhr", postcode_prefixes=["44"])
        return portal_service.PublicPortal(
            portal=portal, contacts=[], scope=SearchScope(postcode_prefixes=["44"]), cors_origins=[]
        )

    monkeypatch.setattr(search_router, "search_offers", fake_search)
    monkeypatch.setattr(search_service, "search_offers", fake_search)
    monkeypatch.setattr(portal_service, "public_portal", fake_portal)
    return TestClient(create_app()), captured


@pytest.mark.parametrize("query", QUERIES)
def test_global_and_portal_search_read_parameters_alike(
    query: str, app_client: tuple[TestClient, list[SearchParams]]
) -> None:
    client, captured = app_client
    with client:
        ours = client.get(f"/api/v1/search?{query}")
        portal = client.get(f"/api/v1/portals/ruhr/search?{query}")
    assert ours.status_code == portal.status_code
    assert ours.json() == portal.json()
    if ours.status_code == 200:
        assert len(captured) == 2
        assert captured[0] == captured[1]
    else:
        assert ours.status_code == 422
        assert ours.json()["error"]["details"][0]["loc"][0] == "query"


def test_openapi_documents_every_search_parameter() -> None:
    from app.main import create_app

    paths = create_app().openapi()["paths"]
    for path in ("/api/v1/search", "/api/v1/portals/{slug}/search"):
        spec = paths[path]["get"]
        names = {p["name"] for p in spec["parameters"] if p["in"] == "query"}
        assert names == set(SearchParams.model_fields), path
        assert "SearchResult" in str(spec["responses"]["200"])
