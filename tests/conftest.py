"""Shared fixtures: databases built by Alembic (SQLite, and PostgreSQL when TEST_DATABASE_URL
is set), a real Meilisearch, an app client, keys and small factories."""

import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import meilisearch
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app import config, db
from app.config import normalise_database_url
from app.migrations import upgrade
from app.models.search import SearchHit
from testkit.meili_server import MeiliServer

_TMP = Path(tempfile.mkdtemp(prefix="bildungsraum-tests-"))
_BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
_MIGRATED: set[str] = set()
# The search cache stays on in tests, re-reading the index generation on every search: a test
# that writes, drains and searches sees the change, and a missed invalidation fails it.
os.environ.setdefault("SEARCH_CACHE_CHECK", "0")
# Tests send many requests from one address and key; the rate limits have tests of their own
# (tests/test_rate_limits.py) that set them low.
for _limit in ("SEARCH", "FEEDS", "WRITES", "IMPORTS", "AUTH_FAILURES"):
    os.environ.setdefault(f"RATE_LIMIT_{_limit}", "100000/second")


# Tests that need a running service are marked by the fixtures they use, so that
# `make test-fast` (-m "not meili and not browser and not served") runs the rest in well
# under a minute.
_MEILI_FIXTURES = {"meili_server", "search_index"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _MEILI_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.meili)


def _url_for(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{_TMP / 'test.sqlite3'}"
    return normalise_database_url(os.environ["TEST_DATABASE_URL"])


def _reset_schema(url: str) -> None:
    engine = db.build_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    upgrade(url)


def _truncate(engine: Engine) -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture(params=_BACKENDS)
def database_url(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated, empty database; every test runs once per configured backend."""
    url = _url_for(request.param)
    if url not in _MIGRATED:
        _reset_schema(url)
        _MIGRATED.add(url)
    monkeypatch.setenv("DATABASE_URL", url)
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    engine = db.get_engine()
    _truncate(engine)
    yield url
    engine.dispose()
    db.get_engine.cache_clear()
    config.get_settings.cache_clear()


@pytest.fixture
def engine(database_url: str) -> Engine:
    return db.get_engine()


@pytest.fixture(scope="session")
def meili_server() -> Iterator[MeiliServer]:
    server = MeiliServer(data_dir=Path(tempfile.mkdtemp(prefix="meili-", dir=_TMP))).start()
    yield server
    server.stop()


@dataclass
class SearchIndex:
    """A fresh Meilisearch index for one test, and an indexer that drains into it."""

    uid: str
    client: meilisearch.Client
    indexer: Any

    def drain(self) -> int:
        """Apply every queued change now (what the indexer process does continuously)."""
        return int(self.indexer.drain())


@pytest.fixture
def search_index(
    database_url: str, meili_server: MeiliServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SearchIndex]:
    from app.search import service as search
    from app.search.index_admin import (
        create_index_with_settings,
        delete_index_if_exists,
        meili_client,
    )
    from indexer.worker import Indexer

    uid = f"offers_{secrets.token_hex(4)}"
    monkeypatch.setenv("MEILI_URL", meili_server.url)
    monkeypatch.setenv("MEILI_MASTER_KEY", meili_server.master_key)
    monkeypatch.setenv("MEILI_INDEX", uid)
    monkeypatch.setenv("DATA_DIR", str(_TMP))
    config.get_settings.cache_clear()
    client = meili_client(meili_server.url, meili_server.master_key)
    create_index_with_settings(client, uid)
    search.configure_backend()
    indexer = Indexer(engine=db.get_engine(), client=client, index_uid=uid)
    yield SearchIndex(uid=uid, client=client, indexer=indexer)
    delete_index_if_exists(client, uid)
    delete_index_if_exists(client, f"{uid}_new")


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    from app.main import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def make_org(database_url: str) -> Callable[..., int]:
    from app.models.organisation import OrganisationIn
    from app.services.auth import Actor
    from app.services.organisations import create_organisation

    def _make(
        name: str = "Bildungswerk Ruhr", kind: str = "provider", trusted: bool = False, **extra: Any
    ) -> int:
        with db.session_scope() as session:
            org = create_organisation(
                session=session,
                actor=Actor.system("test"),
                data=OrganisationIn(name=name, kind=kind, trusted=trusted, **extra),
            )
            assert org.id is not None
            return org.id

    return _make


@pytest.fixture
def make_key(database_url: str) -> Callable[..., dict[str, str]]:
    from app.models.api_key import Role
    from app.services.auth import create_api_key

    def _make(role: str = "provider", org_id: int | None = None) -> dict[str, str]:
        with db.session_scope() as session:
            _, plain = create_api_key(session=session, role=Role(role), organisation_id=org_id)
        return {"Authorization": f"Bearer {plain}"}

    return _make


@pytest.fixture
def admin(make_key: Callable[..., dict[str, str]]) -> dict[str, str]:
    return make_key("admin")


@pytest.fixture
def provider(
    make_org: Callable[..., int], make_key: Callable[..., dict[str, str]]
) -> dict[str, Any]:
    """An untrusted provider: its org id and auth headers."""
    org_id = make_org(name="Bildungswerk Ruhr")
    return {"org_id": org_id, "headers": make_key("provider", org_id)}


@pytest.fixture
def trusted_provider(
    make_org: Callable[..., int], make_key: Callable[..., dict[str, str]]
) -> dict[str, Any]:
    org_id = make_org(name="VHS Bochum", kind="vhs", trusted=True)
    return {"org_id": org_id, "headers": make_key("provider", org_id)}


BASE_OFFER: dict[str, Any] = {
    "title": "Finanzbuchhaltung mit DATEV",
    "description": "Sie lernen die doppelte Buchführung und die Arbeit mit DATEV.",
    "keywords": ["Buchhaltung", "DATEV"],
    "category": "accounting_finance",
    "education_type": "anpassungsweiterbildung",
    "languages": ["deu"],
    "funding": ["bildungsgutschein"],
    "price": "1290.00",
    "duration_hours": 120,
    "format": "in_person",
    "dates": [],
}


def offer_payload(
    *,
    days_ahead: int = 30,
    city: str = "Bochum",
    postcode: str = "44787",
    lat: float = 51.4818,
    lon: float = 7.2162,
    **overrides: Any,
) -> dict[str, Any]:
    """A valid offer body with one upcoming date in Bochum unless told otherwise."""
    body = deepcopy(BASE_OFFER)
    start = date.today() + timedelta(days=days_ahead)
    body["dates"] = [
        {
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=60)).isoformat(),
            "schedule": "part_time",
            "registration_deadline": (start - timedelta(days=7)).isoformat(),
            "location": {
                "name": "Bildungszentrum",
                "street": "Kortumstraße 1",
                "postcode": postcode,
                "city": city,
                "lat": lat,
                "lon": lon,
            },
        }
    ]
    body.update(overrides)
    return body


def search_hit(**fields: Any) -> SearchHit:
    """A hit as the search service returns it: a seminar in Bochum with no place, price,
    funding or certificates unless `fields` say otherwise."""
    defaults: dict[str, Any] = {
        "id": 1,
        "title": "Kurs",
        "provider": "VHS Bochum",
        "provider_id": 1,
        "category": "it_digital",
        "category_label": "IT und Digitales",
        "education_type": "seminar",
        "format": "in_person",
        "next_start": date(2030, 1, 15),
        "flexible_start": False,
        "city": "Bochum",
        "location": None,
        "price": None,
        "funding": [],
        "snippet": "Kurs",
        "title_html": "Kurs",
    }
    return SearchHit(**(defaults | fields))


@pytest.fixture
def make_offer(client: TestClient) -> Callable[..., dict[str, Any]]:
    def _make(headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
        response = client.post("/api/v1/offers", json=offer_payload(**overrides), headers=headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return _make


# The monitoring tests' fixtures (`known` catalogue, `monitoring_env`); imported last, since
# that module uses the factories above.
from tests.monitoring_support import known, monitoring_env  # noqa: E402, F401
