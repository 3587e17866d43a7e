"""The database: the catalogue check the CLI and the indexer make first (it says what is
wrong, in words, and creates nothing); and faults, which answer 503 in the one error shape
within 5 s, never 500, never a hang: the database down (connections refused and dropped),
hung (connections that answer nothing), and SQLite's lock held by another writer.
PostgreSQL is reached through a proxy of the test's own (testkit/db_proxy.py); the shared
server is never touched."""

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from app import config, db
from app.db import catalogue_problem
from app.migrations import head_revision, upgrade
from testkit.db_proxy import FaultProxy, Mode
from testkit.served_app import served_app
from tests.conftest import offer_payload

DEADLINE_S = 5.0


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("the proxy stands in front of PostgreSQL")
    return database_url


@pytest.fixture
def proxied(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultProxy]:
    """The app's database URL pointing at a fault proxy in front of the test database."""
    url = make_url(postgres_url)
    with FaultProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        proxied_url = url.set(host="127.0.0.1", port=proxy.port)
        monkeypatch.setenv("DATABASE_URL", proxied_url.render_as_string(hide_password=False))
        config.get_settings.cache_clear()
        db.get_engine.cache_clear()
        yield proxy
        db.get_engine().dispose()
        db.get_engine.cache_clear()


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def _assert_unavailable(response: Any, took: float, what: str) -> None:
    assert response.status_code == 503, (what, response.status_code, response.text[:300])
    assert took < DEADLINE_S, f"{what} took {took:.1f} s"
    error = response.json()["error"]
    assert error["code"] == "service_unavailable", (what, error)
    assert "127.0.0.1" not in response.text
    assert "postgres" not in response.text.lower()
    assert response.headers["retry-after"]


@pytest.mark.served
@pytest.mark.parametrize("mode", [Mode.dropping, Mode.stalling], ids=["down", "hung"])
def test_database_down_or_hung_answers_503_within_5_s(
    proxied: FaultProxy,
    mode: Mode,
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
    tmp_path: Path,
) -> None:
    org_id = make_org(trusted=True)
    key = make_key("provider", org_id)
    # Served in a process of its own, as the probe found it: a hung request can be abandoned.
    env = {"DATABASE_URL": os.environ["DATABASE_URL"]}
    with (
        served_app(env, log=tmp_path / "api.log") as app,
        httpx.Client(base_url=app.url, timeout=3 * DEADLINE_S) as client,
    ):
        offer = client.post("/api/v1/offers", json=offer_payload(), headers=key)
        assert offer.status_code == 201, offer.text
        offer_id = offer.json()["id"]
        assert client.get(f"/api/v1/offers/{offer_id}").status_code == 200  # pool warm
        proxied.set_mode(mode)
        requests: dict[str, Callable[[], httpx.Response]] = {
            "public read": lambda: client.get(f"/api/v1/offers/{offer_id}"),
            "keyed read": lambda: client.get("/api/v1/offers", headers=key),
            "write": lambda: client.post("/api/v1/offers", json=offer_payload(), headers=key),
            "export": lambda: client.get(f"/api/v1/offers/{offer_id}.jsonld"),
        }
        for what, call in requests.items():
            response, took = _timed(call)
            _assert_unavailable(response, took, what)
        ready, took = _timed(lambda: client.get("/ready"))
        assert ready.status_code == 503
        assert took < DEADLINE_S
        assert ready.json() == {
            "status": "degraded",
            "checks": {"database": "down", "search": ready.json()["checks"]["search"]},
        }  # which part is down, and no configuration
        # the database comes back: so does the service, without a restart
        proxied.set_mode(Mode.passing)
        response, _ = _timed(lambda: client.get(f"/api/v1/offers/{offer_id}"))
        assert response.status_code == 200, response.text
    assert "Traceback" not in app.output()


def test_sqlite_lock_held_by_another_writer_answers_503(
    database_url: str,
    provider: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's file lock")
    from app.main import create_app

    # A shorter lock wait than the 4 s default, so that the test is quick.
    monkeypatch.setenv("DB_STATEMENT_TIMEOUT", "1")
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    path = make_url(database_url).database
    assert path is not None
    holder = sqlite3.connect(path, timeout=1)
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        holder.execute("BEGIN IMMEDIATE")  # another process writing for a long time
        try:
            with ThreadPoolExecutor(1) as pool:  # a TestClient request cannot be abandoned
                started = time.monotonic()
                future = pool.submit(
                    client.post,
                    "/api/v1/offers",
                    json=offer_payload(),
                    headers=provider["headers"],
                )
                response = future.result(timeout=60)
                took = time.monotonic() - started
        finally:
            holder.rollback()
            holder.close()
        _assert_unavailable(response, took, "write")
        assert took < 3
        r = client.post("/api/v1/offers", json=offer_payload(), headers=provider["headers"])
        assert r.status_code == 201
    db.get_engine().dispose()


def test_missing_empty_outdated_and_current(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.sqlite3"
    url = f"sqlite:///{path}"
    assert catalogue_problem(url) == (
        f"no catalogue found at {path}; run `bildungsraum migrate` or set DATA_DIR"
    )
    assert not path.exists()
    path.write_bytes(b"")
    assert catalogue_problem(url) is not None
    assert "no catalogue found" in (catalogue_problem(url) or "")
    path.unlink()
    upgrade(url, "0003")
    assert catalogue_problem(url) == (
        f"the catalogue at {path} has schema 0003 and this version needs {head_revision()}: "
        "run `bildungsraum migrate`"
    )
    upgrade(url)
    assert catalogue_problem(url) is None


def test_an_exhausted_pool_answers_503_after_the_pool_timeout(
    database_url: str, provider: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every pooled connection held elsewhere (a burst of slow requests): the next request
    waits DB_POOL_TIMEOUT for one, then answers 503, and the service recovers by itself."""
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from app.main import create_app

    monkeypatch.setenv("DB_POOL_TIMEOUT", "0.5")
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        created = client.post("/api/v1/offers", json=offer_payload(), headers=provider["headers"])
        assert created.status_code == 201, created.text
        url = f"/api/v1/offers/{created.json()['id']}"
        engine = db.get_engine()
        held = []
        try:
            for _ in range(100):  # pool size + overflow, whatever they are set to
                try:
                    held.append(engine.connect())
                except PoolTimeout:
                    break
            else:
                pytest.fail("the pool never ran out")
            response, took = _timed(lambda: client.get(url, headers=provider["headers"]))
            _assert_unavailable(response, took, "read with the pool exhausted")
        finally:
            for connection in held:
                connection.close()
        assert client.get(url, headers=provider["headers"]).status_code == 200
    db.get_engine().dispose()
    db.get_engine.cache_clear()


def test_a_savepoint_stays_inside_the_sessions_transaction(database_url: str) -> None:
    """Released, a savepoint's writes are still the session's: another connection does not
    see them, and a rollback takes them back (on SQLite, pysqlite had committed them)."""
    from sqlalchemy import text
    from sqlmodel import Session

    from app.models.index_state import IndexerState

    engine = db.get_engine()
    with Session(engine) as session:
        session.execute(text("SELECT 1"))  # a read first, as a request reads before it writes
        with db.savepoint(session):
            session.add(IndexerState(key="savepoint-probe", value="1"))
        with engine.connect() as other:
            seen = other.execute(
                text("SELECT count(*) FROM indexer_state WHERE key = 'savepoint-probe'")
            )
            assert seen.scalar_one() == 0
        session.rollback()
    with Session(engine) as session:
        assert session.get(IndexerState, "savepoint-probe") is None
