"""No lost updates: Meilisearch down, the indexer killed mid-batch, rebuilds under writes."""

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import meilisearch
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app import config, db
from app.models.offer import OfferCreate
from app.models.outbox import OutboxEntry
from app.search import documents
from app.search import service as search
from app.search.index_admin import create_index_with_settings, meili_client
from app.services.auth import Actor
from app.services.offers import create_offer, patch_offer
from indexer.rebuild import check_index, rebuild_index
from indexer.worker import Indexer, failed_entries
from testkit.meili_server import MeiliServer
from tests.conftest import SearchIndex, offer_payload

ROOT = Path(__file__).resolve().parents[2]


def _outbox_size() -> int:
    with Session(db.get_engine()) as session:
        return int(session.exec(select(func.count()).select_from(OutboxEntry)).one())


def _bulk_offers(org_id: int, count: int, title: str = "Massenkurs") -> list[int]:
    ids = []
    with db.session_scope() as session:
        for n in range(count):
            body = OfferCreate.model_validate(offer_payload(title=f"{title} {n}"))
            offer = create_offer(
                session=session, actor=Actor.system("test"), data=body, organisation_id=org_id
            )
            assert offer.id is not None
            ids.append(offer.id)
    return ids


def _primary_ids(client: meilisearch.Client, uid: str) -> list[int]:
    docs = client.index(uid).get_documents(
        {"filter": "primary = true", "fields": ["offer_id"], "limit": 10_000}
    )
    return [int(d.offer_id) for d in docs.results]


@pytest.mark.meili  # starts a Meilisearch of its own
def test_meilisearch_down_writes_queue_and_catch_up(
    database_url: str, make_org: Any, make_key: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = MeiliServer(data_dir=Path(tempfile.mkdtemp(prefix="meili-down-"))).start()
    try:
        uid = "offers_down"
        monkeypatch.setenv("MEILI_URL", server.url)
        monkeypatch.setenv("MEILI_MASTER_KEY", server.master_key)
        monkeypatch.setenv("MEILI_INDEX", uid)
        config.get_settings.cache_clear()
        meili = meili_client(server.url, server.master_key)
        create_index_with_settings(meili, uid)
        from app.main import create_app

        with TestClient(create_app(), raise_server_exceptions=False) as client:
            headers = make_key("provider", make_org(trusted=True))
            server.stop()
            created = [
                client.post(
                    "/api/v1/offers", headers=headers, json=offer_payload(title=f"Ausfallkurs {n}")
                ).json()["id"]
                for n in range(5)
            ]
            assert len(created) == 5
            assert _outbox_size() == 5

            started = time.monotonic()
            r = client.get("/api/v1/search", params={"q": "Ausfallkurs"})
            assert r.status_code == 503
            assert time.monotonic() - started < 2.5
            assert r.json()["error"]["code"] == "service_unavailable"
            ready = client.get("/ready")
            assert ready.status_code == 503
            assert ready.json()["checks"]["search"] == "down"

            indexer = Indexer(engine=db.get_engine(), client=meili, index_uid=uid)
            stop = threading.Event()
            worker = threading.Thread(target=indexer.run_forever, args=(stop,), daemon=True)
            worker.start()
            time.sleep(1.0)  # the indexer backs off while Meilisearch is away
            assert _outbox_size() == 5
            server.start()  # same port, same data
            deadline = time.monotonic() + 30
            while _outbox_size() and time.monotonic() < deadline:
                time.sleep(0.1)
            stop.set()
            worker.join(timeout=10)
            assert _outbox_size() == 0
            search.configure_backend()
            found = client.get("/api/v1/search", params={"q": "Ausfallkurs"}).json()
            assert {h["id"] for h in found["hits"]} == set(created)
            assert client.get("/ready").status_code == 200
    finally:
        server.stop()


@pytest.mark.meili  # starts a Meilisearch of its own
def test_a_hung_meilisearch_answers_503_within_two_seconds(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped, not gone: the kernel still accepts connections, nothing answers."""
    server = MeiliServer(data_dir=Path(tempfile.mkdtemp(prefix="meili-hung-"))).start()
    assert server.process is not None
    try:
        uid = "offers_hung"
        monkeypatch.setenv("MEILI_URL", server.url)
        monkeypatch.setenv("MEILI_MASTER_KEY", server.master_key)
        monkeypatch.setenv("MEILI_INDEX", uid)
        monkeypatch.setenv("SEARCH_CACHE_ENTRIES", "0")
        config.get_settings.cache_clear()
        create_index_with_settings(meili_client(server.url, server.master_key), uid)
        from app.main import create_app

        with TestClient(create_app(), raise_server_exceptions=False) as client:
            # a kept-alive connection first, then one that has to be opened
            assert client.get("/api/v1/search", params={"q": "Kurs"}).status_code == 200
            server.process.send_signal(signal.SIGSTOP)
            try:
                for _ in range(2):
                    started = time.monotonic()
                    r = client.get("/api/v1/search", params={"q": "Kurs"})
                    assert r.status_code == 503
                    assert time.monotonic() - started < 2.0
                    assert r.json()["error"]["code"] == "service_unavailable"
                started = time.monotonic()
                ready = client.get("/ready")
                assert ready.status_code == 503
                assert ready.json()["checks"]["search"] == "down"
                assert time.monotonic() - started < 2.0
            finally:
                server.process.send_signal(signal.SIGCONT)
            # connections left mid-answer are not reused: the next search is a clean 200
            assert client.get("/api/v1/search", params={"q": "Kurs"}).status_code == 200
    finally:
        server.stop()


def _indexer_process(server: MeiliServer, uid: str, database_url: str) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        MEILI_URL=server.url,
        MEILI_MASTER_KEY=server.master_key,
        MEILI_INDEX=uid,
        INDEXER_BATCH_SIZE="25",
        DATA_DIR=tempfile.mkdtemp(),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "indexer"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_sigkill_mid_batch_then_everything_indexed_once(
    database_url: str, make_org: Any, meili_server: MeiliServer, search_index: SearchIndex
) -> None:
    ids = _bulk_offers(make_org(trusted=True), 600)
    process = _indexer_process(meili_server, search_index.uid, database_url)
    deadline = time.monotonic() + 60
    while _outbox_size() > 450 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    left = _outbox_size()
    assert 0 < left < 600, "the kill should land mid-run"

    process = _indexer_process(meili_server, search_index.uid, database_url)
    try:
        deadline = time.monotonic() + 90
        while _outbox_size() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert _outbox_size() == 0
    indexed = _primary_ids(search_index.client, search_index.uid)
    assert sorted(indexed) == sorted(ids)  # every offer, each exactly once
    check = check_index(
        engine=db.get_engine(),
        client=search_index.client,
        index_uid=search_index.uid,
        today=date.today(),
    )
    assert check.clean
    assert check.in_index == 600


def test_reindex_under_concurrent_writes_loses_nothing(
    database_url: str, make_org: Any, search_index: SearchIndex
) -> None:
    org_id = make_org(trusted=True)
    ids = _bulk_offers(org_id, 400)
    search_index.drain()
    stop = threading.Event()
    writes: list[tuple[int, str]] = []

    def writer() -> None:
        n = 0
        while not stop.is_set():
            offer_id = ids[n % len(ids)]
            title = f"Geändert {n}"
            with db.session_scope() as session:
                from app.models.offer import OfferPatch

                patch_offer(
                    session=session,
                    actor=Actor.system("test"),
                    offer_id=offer_id,
                    data=OfferPatch(title=title),
                )
            writes.append((offer_id, title))
            n += 1
            time.sleep(0.005)

    drain_stop = threading.Event()
    drainer = threading.Thread(
        target=search_index.indexer.run_forever, args=(drain_stop,), daemon=True
    )
    writer_thread = threading.Thread(target=writer, daemon=True)
    drainer.start()
    writer_thread.start()
    stats = rebuild_index(
        engine=db.get_engine(),
        client=search_index.client,
        index_uid=search_index.uid,
        today=date.today(),
        chunk_size=50,
    )
    time.sleep(0.3)
    stop.set()
    writer_thread.join()
    deadline = time.monotonic() + 30
    while _outbox_size() and time.monotonic() < deadline:
        time.sleep(0.05)
    drain_stop.set()
    drainer.join(timeout=10)
    assert stats.offers == 400
    assert writes
    latest = dict(writes)
    docs = (
        search_index.client.index(search_index.uid)
        .get_documents(
            {"filter": "primary = true", "fields": ["offer_id", "title"], "limit": 10_000}
        )
        .results
    )
    titles = {int(d.offer_id): d.title for d in docs}
    for offer_id, title in latest.items():
        assert titles[offer_id] == title
    check = check_index(
        engine=db.get_engine(),
        client=search_index.client,
        index_uid=search_index.uid,
        today=date.today(),
    )
    assert check.clean
    assert check.in_index == 400
    assert not search_index.client.get_indexes({"limit": 1000})["results"] or all(
        i.uid != f"{search_index.uid}_new"
        for i in search_index.client.get_indexes({"limit": 1000})["results"]
    )


def test_failing_record_is_parked_and_does_not_block(
    database_url: str, make_org: Any, search_index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _bulk_offers(make_org(trusted=True), 3)
    poisoned = ids[1]
    real = documents.offer_documents

    def poison(source: Any, **kwargs: Any) -> list[dict[str, Any]]:
        docs = real(source, **kwargs)
        if source.offer.id == poisoned:
            docs[0]["_geo"] = {"lat": "nowhere", "lng": 1}
        return docs

    monkeypatch.setattr("indexer.worker.offer_documents", poison)
    indexer = Indexer(
        engine=db.get_engine(),
        client=search_index.client,
        index_uid=search_index.uid,
        max_attempts=3,
    )
    for _ in range(3):
        indexer.drain_once()
    parked = failed_entries(db.get_engine())
    assert [p.offer_id for p in parked] == [poisoned]
    assert parked[0].attempts == 3
    assert "geo" in (parked[0].last_error or "").lower()
    assert sorted(_primary_ids(search_index.client, search_index.uid)) == [ids[0], ids[2]]
    assert indexer.drain_once() == 0  # parked rows are not retried forever

    from typer.testing import CliRunner

    from app.cli import cli

    result = CliRunner().invoke(cli, ["indexer", "--failed"])
    assert result.exit_code == 1, (result.output, result.exception)
    assert f"offer {poisoned}" in result.output
    check = CliRunner().invoke(cli, ["index-check"])
    assert check.exit_code == 1
    assert "missing" in check.output
