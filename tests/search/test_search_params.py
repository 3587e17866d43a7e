"""One search-parameter model behind `/api/v1/search` and the portal search: both must
understand and refuse exactly the same things, in the one error shape with `["query", name]`."""

from types import SimpleNamespace
from typing import Annotated, Any

import pytest
from fastapi.testclient import TestClient

from app.models.portal import Portal
from app.models.search import SearchParams, SearchResult, SearchScope
from app.routers import search as search_router
from app.search import service as search_service
from app.search.cache import KnownQueries
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


def _native_and_ours() -> TestClient:
    """Two routes that answer the parameters they read: ours (app.deps.SearchParamsDep) and
    FastAPI's own reading of the same model as a query model, with our error answers."""
    from fastapi import FastAPI, Query

    from app.deps import SearchParamsDep
    from app.errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/ours")
    async def ours(params: SearchParamsDep) -> dict[str, Any]:
        return {"params": params.model_dump(mode="json"), "set": sorted(params.model_fields_set)}

    @app.get("/native")
    async def native(params: Annotated[SearchParams, Query()]) -> dict[str, Any]:
        return {"params": params.model_dump(mode="json"), "set": sorted(params.model_fields_set)}

    return TestClient(app)


@pytest.mark.parametrize(
    "query", [*QUERIES, "category=", "q=a&q=b", "city=Bochum&city=", "per_page=5&per_page="]
)
def test_the_reader_reads_as_fastapi_reads_a_query_model(query: str) -> None:
    client = _native_and_ours()
    ours = client.get(f"/ours?{query}")
    native = client.get(f"/native?{query}")
    assert ours.status_code == native.status_code, query
    if ours.status_code == 200:
        # The same values; an absent list counts as set (given as empty), which is no filter.
        assert ours.json()["params"] == native.json()["params"]
        listed = {n for n, f in SearchParams.model_fields.items() if f.default == []}
        assert set(ours.json()["set"]) - listed == set(native.json()["set"]) - listed
    else:
        assert ours.json() == native.json()


def test_openapi_lists_the_parameters_as_fastapi_documents_the_model() -> None:
    """The routes read the parameters themselves; the document must still say exactly what
    FastAPI says of the model as a query model, in the same place."""
    from fastapi import FastAPI, Query

    from app.main import create_app

    native = FastAPI()

    @native.get("/search")
    async def search(params: Annotated[SearchParams, Query()]) -> None:
        """Documented only."""

    expected = native.openapi()["paths"]["/search"]["get"]["parameters"]
    spec = create_app().openapi()
    assert spec["paths"]["/api/v1/search"]["get"]["parameters"] == expected
    portal = spec["paths"]["/api/v1/portals/{slug}/search"]["get"]["parameters"]
    assert [p["name"] for p in portal[:1]] == ["slug"]
    assert portal[1:] == expected
    suggest = spec["paths"]["/api/v1/portals/{slug}/suggest"]["get"]["parameters"]
    assert suggest[1:-1] == expected
    assert suggest[-1]["name"] == "limit"
    schemas = spec["components"]["schemas"]
    for name, schema in native.openapi()["components"]["schemas"].items():
        if name not in ("HTTPValidationError", "ValidationError"):
            assert schemas[name] == schema, name


def _count_validations(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    from app import deps

    validated: list[dict[str, Any]] = []

    def model_validate(data: dict[str, Any]) -> SearchParams:
        validated.append(data)
        return SearchParams.model_validate(data)

    monkeypatch.setattr(deps, "SearchParams", SimpleNamespace(model_validate=model_validate))
    return validated


def test_a_query_string_read_before_is_not_validated_again(
    monkeypatch: pytest.MonkeyPatch, app_client: tuple[TestClient, list[SearchParams]]
) -> None:
    client, captured = app_client
    validated = _count_validations(monkeypatch)
    query = "q=Pflege&category=it_digital&page=2"
    with client:
        for path in ("/api/v1/search", "/api/v1/search", "/api/v1/portals/ruhr/search"):
            assert client.get(f"{path}?{query}").status_code == 200
        assert len(validated) == 1
        assert (
            captured[0]
            == captured[1]
            == captured[2]
            == SearchParams.model_validate({"q": "Pflege", "category": ["it_digital"], "page": "2"})
        )
        # Another string is read, even one that means the same.
        assert client.get("/api/v1/search?page=2&category=it_digital&q=Pflege").status_code == 200
        assert len(validated) == 2
        # What is refused is refused every time: nothing invalid is kept.
        for _ in range(2):
            refused = client.get("/api/v1/search?page=0")
            assert refused.status_code == 422
            assert refused.json()["error"]["details"][0]["loc"] == ["query", "page"]
        assert len(validated) == 4


def test_with_the_cache_off_every_search_is_validated(
    monkeypatch: pytest.MonkeyPatch, app_client: tuple[TestClient, list[SearchParams]]
) -> None:
    from app import config

    client, _ = app_client
    validated = _count_validations(monkeypatch)
    monkeypatch.setenv("SEARCH_CACHE_ENTRIES", "0")
    config.get_settings.cache_clear()
    try:
        with client:
            for _ in range(3):
                assert client.get("/api/v1/search?q=Pflege").status_code == 200
    finally:
        config.get_settings.cache_clear()  # read again once the environment is restored
    assert len(validated) == 3


def test_known_queries_are_bounded_and_the_oldest_unused_go_first() -> None:
    known: KnownQueries[str] = KnownQueries(entries=2)
    known.put(b"a", "A")
    known.put(b"b", "B")
    assert known.get(b"a") == "A"  # now the most recently used
    known.put(b"c", "C")
    assert (known.get(b"a"), known.get(b"b"), known.get(b"c")) == ("A", None, "C")
    off: KnownQueries[str] = KnownQueries(entries=0)
    off.put(b"a", "A")
    assert off.get(b"a") is None
