"""The answer cache: kept while the index generation stays, dropped when it moves."""

import time
from datetime import date
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from app import db
from app.search.cache import AnswerCache
from indexer.rebuild import rebuild_index
from tests.conftest import SearchIndex, offer_payload


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _cache(generation: list[str | None], clock: Clock, **kw: Any) -> AnswerCache[str]:
    kw = {"entries": 3, "check_s": 0.05, "max_age_s": 60.0} | kw
    return AnswerCache(read=lambda: generation[0], clock=clock, **kw)


@pytest.mark.anyio
async def test_an_answer_is_kept_until_the_generation_moves() -> None:
    generation: list[str | None] = ["g1"]
    clock = Clock()
    cache = _cache(generation, clock, check_s=60.0)  # the poller stays asleep here
    try:
        assert await cache.get("q") is None
        cache.put("q", "answer", asked_at=clock())
        assert await cache.get("q") == "answer"
        generation[0] = "g2"
        assert await cache.get("q") == "answer"  # searches do not re-read ...
        await cache.refresh()  # ... the background task does
        assert await cache.get("q") is None
    finally:
        cache.stop()


@pytest.mark.anyio
async def test_the_background_task_rereads_the_generation() -> None:
    generation: list[str | None] = ["g1"]
    clock = Clock()
    cache = _cache(generation, clock, check_s=0.01)
    try:
        await cache.get("q")
        cache.put("q", "answer", asked_at=clock())
        assert await cache.get("q") == "answer"
        generation[0] = "g2"
        for _ in range(200):
            await anyio.sleep(0.01)
            if await cache.get("q") is None:
                break
        assert await cache.get("q") is None
    finally:
        cache.stop()


@pytest.mark.anyio
async def test_age_and_size_are_bounded() -> None:
    clock = Clock()
    cache = _cache(["g"], clock, max_age_s=10.0)
    for key in "abcd":
        await cache.get(key)
        cache.put(key, key.upper(), asked_at=clock())
    assert await cache.get("a") is None  # the least recently used went first
    assert await cache.get("d") == "D"
    clock.now += 11
    assert await cache.get("d") is None


@pytest.mark.anyio
async def test_an_answer_fetched_across_a_generation_change_is_not_kept() -> None:
    generation: list[str | None] = ["g1"]
    clock = Clock()
    cache = _cache(generation, clock, check_s=0.0)
    await cache.get("q")
    asked_at = clock()
    clock.now += 0.01
    generation[0] = "g2"
    await cache.get("other")  # another request sees the change while the first one searches
    cache.put("q", "maybe older than g2", asked_at=asked_at)
    assert await cache.get("q") is None


@pytest.mark.anyio
async def test_a_reread_without_a_change_does_not_stop_keeping() -> None:
    # Under load, slow searches always overlap somebody's re-read; only a change matters.
    clock = Clock()
    cache = _cache(["g1"], clock, check_s=0.0)
    await cache.get("q")
    asked_at = clock()
    clock.now += 0.01
    await cache.get("other")
    cache.put("q", "answer", asked_at=asked_at)
    assert await cache.get("q") == "answer"


@pytest.mark.anyio
async def test_an_unreadable_generation_means_no_caching() -> None:
    def broken() -> str | None:
        raise OperationalError("SELECT", {}, Exception("database is away"))

    clock = Clock()
    cache: AnswerCache[str] = AnswerCache(
        entries=3, check_s=0.05, max_age_s=60.0, read=broken, clock=clock
    )
    try:
        assert await cache.get("q") is None
        cache.put("q", "answer", asked_at=clock())
        assert await cache.get("q") is None
    finally:
        cache.stop()


@pytest.mark.anyio
async def test_a_generation_that_becomes_unreadable_stops_the_caching() -> None:
    readable = [True]

    def flaky() -> str | None:
        if not readable[0]:
            raise OperationalError("SELECT", {}, Exception("database is away"))
        return "g1"

    clock = Clock()
    cache: AnswerCache[str] = AnswerCache(
        entries=3, check_s=60.0, max_age_s=60.0, read=flaky, clock=clock
    )
    try:
        await cache.get("q")
        cache.put("q", "answer", asked_at=clock())
        assert await cache.get("q") == "answer"
        readable[0] = False
        assert await cache.refresh() is False
        assert await cache.get("q") is None
        cache.put("q", "answer", asked_at=clock())
        assert await cache.get("q") is None
    finally:
        cache.stop()


def _hits(client: TestClient, q: str) -> set[int]:
    r = client.get("/api/v1/search", params={"q": q})
    assert r.status_code == 200, r.text
    return {h["id"] for h in r.json()["hits"]}


def _published(
    client: TestClient, provider: dict[str, Any], search_index: SearchIndex, title: str
) -> int:
    r = client.post("/api/v1/offers", json=offer_payload(title=title), headers=provider["headers"])
    assert r.status_code == 201, r.text
    search_index.drain()
    return int(r.json()["id"])


def _wipe_behind_the_indexers_back(search_index: SearchIndex) -> None:
    task = search_index.client.index(search_index.uid).delete_all_documents()
    search_index.client.wait_for_task(task.task_uid)


def test_search_answers_come_from_the_cache_until_the_indexer_reports_a_change(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    first = _published(client, trusted_provider, search_index, "Zwischenspeicherkurs eins")
    assert _hits(client, "Zwischenspeicherkurs") == {first}
    _wipe_behind_the_indexers_back(search_index)
    assert _hits(client, "Zwischenspeicherkurs") == {first}  # the kept answer ...
    # ... until the indexer settles a change, which moves the generation.
    second = _published(client, trusted_provider, search_index, "Zwischenspeicherkurs zwei")
    assert _hits(client, "Zwischenspeicherkurs") == {second}


def test_an_archived_offer_leaves_the_cached_answers(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    oid = _published(client, trusted_provider, search_index, "Archivierungskurs")
    assert _hits(client, "Archivierungskurs") == {oid}
    r = client.delete(f"/api/v1/offers/{oid}", headers=trusted_provider["headers"])
    assert r.status_code == 204
    search_index.drain()
    assert _hits(client, "Archivierungskurs") == set()


def test_a_reindex_moves_the_generation(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    oid = _published(client, trusted_provider, search_index, "Neuaufbaukurs")
    _wipe_behind_the_indexers_back(search_index)
    assert _hits(client, "Neuaufbaukurs") == set()  # cached from now on
    rebuild_index(
        engine=db.get_engine(),
        client=search_index.client,
        index_uid=search_index.uid,
        today=date.today(),
    )
    assert _hits(client, "Neuaufbaukurs") == {oid}


def test_an_answer_from_yesterday_is_not_served_today(
    monkeypatch: pytest.MonkeyPatch,
    client: TestClient,
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:

    r = client.post(
        "/api/v1/offers",
        json=offer_payload(title="Tageskurs", visible_until=date.today().isoformat()),
        headers=trusted_provider["headers"],
    )
    assert r.status_code == 201, r.text
    search_index.drain()
    assert _hits(client, "Tageskurs") == {r.json()["id"]}
    # Nothing reports the end of a visibility window; the new day in the key does.
    tomorrow = time.time() + 86_400
    monkeypatch.setattr("app.search.service.time.time", lambda: tomorrow)
    assert _hits(client, "Tageskurs") == set()


def test_the_cache_can_be_turned_off(
    monkeypatch: pytest.MonkeyPatch,
    client: TestClient,
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    from app import config
    from app.search import service as search

    monkeypatch.setenv("SEARCH_CACHE_ENTRIES", "0")
    config.get_settings.cache_clear()
    search.configure_backend()
    oid = _published(client, trusted_provider, search_index, "Ungepufferter Kurs")
    assert _hits(client, "Ungepufferter") == {oid}
    _wipe_behind_the_indexers_back(search_index)
    assert _hits(client, "Ungepufferter") == set()
