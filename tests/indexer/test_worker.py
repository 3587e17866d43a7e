"""The drain removes what an offer no longer has: archived offers, places taken away."""

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import SearchIndex, offer_payload


def _doc_ids(search_index: SearchIndex, offer_id: int) -> list[str]:
    docs = search_index.client.index(search_index.uid).get_documents(
        {"filter": f"offer_id = {offer_id}", "fields": ["id"], "limit": 100}
    )
    return sorted(d.id for d in docs.results)


def test_stale_documents_are_removed(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    h = trusted_provider["headers"]
    start = (date.today() + timedelta(days=20)).isoformat()
    places = [
        {"postcode": "44787", "city": "Bochum", "lat": 51.48, "lon": 7.21},
        {"postcode": "44623", "city": "Herne", "lat": 51.54, "lon": 7.22},
        {"postcode": "58452", "city": "Witten", "lat": 51.44, "lon": 7.35},
    ]
    body = offer_payload(dates=[{"start_date": start, "location": p} for p in places])
    offer_id = client.post("/api/v1/offers", json=body, headers=h).json()["id"]
    search_index.drain()
    assert _doc_ids(search_index, offer_id) == [f"{offer_id}-0", f"{offer_id}-1", f"{offer_id}-2"]

    client.patch(f"/api/v1/offers/{offer_id}", json={"dates": body["dates"][:1]}, headers=h)
    search_index.drain()
    assert _doc_ids(search_index, offer_id) == [f"{offer_id}-0"]

    client.patch(f"/api/v1/offers/{offer_id}", json={"title": "Neuer Titel"}, headers=h)
    search_index.drain()
    assert _doc_ids(search_index, offer_id) == [f"{offer_id}-0"]

    client.delete(f"/api/v1/offers/{offer_id}", headers=h)
    search_index.drain()
    assert _doc_ids(search_index, offer_id) == []


def test_the_indexer_resumes_within_2_s_of_the_database_returning(
    database_url: str,
    client: TestClient,
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    import threading
    import time

    from sqlalchemy.engine import make_url

    from app import db
    from indexer.worker import Indexer
    from testkit.db_proxy import FaultProxy, Mode

    if not database_url.startswith("postgresql"):
        pytest.skip("the proxy stands in front of PostgreSQL")
    url = make_url(database_url)
    with FaultProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        engine = db.build_engine(
            url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        )
        indexer = Indexer(engine=engine, client=search_index.client, index_uid=search_index.uid)
        stop = threading.Event()
        worker = threading.Thread(target=indexer.run_forever, args=(stop,), kwargs={"poll_s": 0.05})
        proxy.set_mode(Mode.dropping)
        worker.start()
        try:
            # Queued while the database is away from the indexer (the API still reaches it).
            r = client.post(
                "/api/v1/offers", json=offer_payload(), headers=trusted_provider["headers"]
            )
            offer_id = r.json()["id"]
            time.sleep(8)  # long enough for a doubling backoff to reach 4-8 s
            proxy.set_mode(Mode.passing)
            back = time.monotonic()
            while not _doc_ids(search_index, offer_id):
                assert time.monotonic() - back < 10, "the indexer did not resume"
                time.sleep(0.05)
            resumed_after = time.monotonic() - back
        finally:
            stop.set()
            worker.join(timeout=30)
            engine.dispose()
    assert resumed_after < 2, f"the indexer resumed {resumed_after:.1f} s after the database"
