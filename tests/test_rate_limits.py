"""Rate limits: 429 with Retry-After in the one error shape for each limited class (searches
per client address, writes and imports per key, failed keys per address), counted in memory
per process or in Redis across processes."""

import os
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import config
from tests.conftest import offer_payload

# Per day: the limiter's sliding window weighs the previous fixed window by what is left of
# it, so a window boundary between the requests of a test lets one more through. A day's
# boundary falls inside a test of a few seconds far more rarely than a minute's.
LIMITS = {
    "RATE_LIMIT_SEARCH": "5/day",
    "RATE_LIMIT_FEEDS": "2/day",
    "RATE_LIMIT_WRITES": "3/day",
    "RATE_LIMIT_IMPORTS": "2/day",
    "RATE_LIMIT_AUTH_FAILURES": "4/day",
}


@pytest.fixture
def limited(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in LIMITS.items():
        monkeypatch.setenv(name, value)
    config.get_settings.cache_clear()
    yield
    config.get_settings.cache_clear()


def _app_client() -> TestClient:
    from app.main import create_app

    return TestClient(create_app(), raise_server_exceptions=False)


def _assert_limited(response: Any) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) >= 1
    error = response.json()["error"]
    assert error["code"] == "too_many_requests"
    assert set(error) == {"code", "message", "details"}


def test_public_searches_are_limited_per_client_address(limited: None) -> None:
    with _app_client() as client:
        for path in ("/api/v1/search", "/api/v1/suggest?q=kurs", "/p/nowhere/"):
            assert client.get(path).status_code != 429
        client.get("/api/v1/search?q=a")
        client.get("/api/v1/search?q=b")
        _assert_limited(client.get("/api/v1/search?q=c"))
        _assert_limited(client.get("/api/v1/portals/ruhr/search"))
        _assert_limited(client.get("/p/ruhr/embed"))
        # other routes are not searches
        assert client.get("/health").status_code == 200
    # another address has its own count
    from app.main import create_app

    app = create_app()
    with TestClient(app, client=("203.0.113.7", 50000)) as other:
        assert other.get("/api/v1/search").status_code != 429


def test_every_route_that_searches_counts_as_a_search(limited: None) -> None:
    with _app_client() as client:
        for path in ("/p/nowhere/karte", "/p/nowhere/karte.json", "/p/nowhere/neu.atom"):
            assert client.get(path).status_code != 429
        client.get("/api/v1/search")
        client.get("/api/v1/search")
        for path in ("/p/ruhr/karte", "/p/ruhr/karte.json", "/p/ruhr/neu.atom"):
            _assert_limited(client.get(path))
        # an offer's page runs no search
        assert client.get("/p/ruhr/angebote/1").status_code != 429


def test_change_feed_pages_are_limited_per_client_address(limited: None) -> None:
    with _app_client() as client:
        assert client.get("/api/v1/changes").status_code == 200
        assert client.get("/api/v1/portals/nowhere/changes").status_code != 429
        _assert_limited(client.get("/api/v1/changes"))
        _assert_limited(client.get("/api/v1/portals/ruhr/changes"))
        # searches count on their own
        assert client.get("/api/v1/search").status_code != 429
    from app.main import create_app

    with TestClient(create_app(), client=("203.0.113.7", 50000)) as other:
        assert other.get("/api/v1/changes").status_code == 200


def test_writes_and_imports_are_limited_per_key(
    limited: None,
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
) -> None:
    org_id = make_org()
    key = make_key("provider", org_id)
    other_key = make_key("provider", make_org(name="Andere"))
    with _app_client() as client:
        for _ in range(3):
            assert (
                client.post("/api/v1/offers", json=offer_payload(), headers=key).status_code == 201
            )
        _assert_limited(client.post("/api/v1/offers", json=offer_payload(), headers=key))
        _assert_limited(client.patch("/api/v1/offers/1", json={"title": "Neu"}, headers=key))
        # reads with the same key, and writes with another key, go on
        assert client.get("/api/v1/offers", headers=key).status_code == 200
        assert (
            client.post("/api/v1/offers", json=offer_payload(), headers=other_key).status_code
            == 201
        )
        # imports have their own, smaller count
        csv = b"Angebots-ID;Titel\r\n"  # no rows: nothing to do
        for _ in range(2):
            assert client.post("/api/v1/imports", content=csv, headers=key).status_code == 200
        _assert_limited(client.post("/api/v1/imports", content=csv, headers=key))
        assert client.get("/api/v1/offers", headers=key).json()["total"] == 3


def test_failed_keys_are_limited_per_client_address(
    limited: None, make_key: Callable[..., dict[str, str]]
) -> None:
    admin = make_key("admin")
    with _app_client() as client:
        wrong = {"Authorization": "Bearer br_0123456789ab_" + "A" * 43}
        for _ in range(4):
            assert client.get("/api/v1/offers", headers=wrong).status_code == 401
        _assert_limited(client.get("/api/v1/offers", headers=wrong))
        # the address is refused whatever key it tries next: guessing stops here
        _assert_limited(client.get("/api/v1/offers", headers=admin))
        # requests without a key are not authentication attempts
        assert client.get("/api/v1/codelists").status_code == 200
        # keys tried at the dashboard's sign-in count as well
        sign_in = client.post("/monitoring/", data={"key": admin["Authorization"][7:]})
        _assert_limited(sign_in)
    with _app_client() as fresh:  # another process: its own count (memory storage)
        for _ in range(4):
            assert fresh.post("/monitoring/", data={"key": "br_wrong"}).status_code == 401
        _assert_limited(fresh.get("/api/v1/offers", headers=admin))


@pytest.fixture
def redis_url() -> Iterator[str]:
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.RedisError:
        pytest.skip("no Redis at " + url)
    yield url
    connection.close()


def test_counts_are_shared_across_processes_through_redis(
    limited: None, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    # A prefix of this test's own: parallel runs never share counts, and clean-up is exact.
    prefix = f"test-{secrets.token_hex(6)}"
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("RATE_LIMIT_PREFIX", prefix)
    config.get_settings.cache_clear()
    try:
        # two app instances stand for two worker processes
        with _app_client() as first, _app_client() as second:
            for client in (first, second, first, second, first):
                assert client.get("/api/v1/search").status_code != 429
            _assert_limited(second.get("/api/v1/search"))
            _assert_limited(first.get("/api/v1/search"))
    finally:
        connection = redis.Redis.from_url(redis_url)
        keys = list(connection.scan_iter(match=f"{prefix}*"))
        assert keys, "nothing was counted in Redis"
        connection.delete(*keys)
        connection.close()


def test_an_unreachable_redis_lets_requests_through(
    limited: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    config.get_settings.cache_clear()
    with _app_client() as client:
        for _ in range(8):
            assert client.get("/api/v1/search?page=0").status_code == 422


def test_a_limit_can_be_turned_off(limited: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_SEARCH", "off")
    config.get_settings.cache_clear()
    with _app_client() as client:
        for _ in range(8):
            assert client.get("/api/v1/search?page=0").status_code == 422
