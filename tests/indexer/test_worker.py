"""The drain removes what an offer no longer has: archived offers, places taken away."""

from datetime import date, timedelta
from typing import Any

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
