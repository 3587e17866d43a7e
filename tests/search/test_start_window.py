"""The start window ("Beginn ab/bis") against a real Meilisearch: it never reaches back before
today, in the hits, the hit's next start and the counts of the page's ways out alike."""

import asyncio
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from app.models.search import SearchParams
from app.search import service
from tests.conftest import SearchIndex, offer_payload


def _create(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> int:
    r = client.post("/api/v1/offers", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_start_to_alone_does_not_find_a_course_by_a_start_in_the_past(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    today = date.today()
    h = trusted_provider["headers"]
    # Began 5 days ago and takes people until it ends (no deadline), next run in 200 days.
    running = _create(
        client,
        h,
        offer_payload(
            title="Kurs mit laufendem Termin",
            dates=[
                {
                    "start_date": (today - timedelta(days=5)).isoformat(),
                    "end_date": (today + timedelta(days=30)).isoformat(),
                    "online": True,
                },
                {"start_date": (today + timedelta(days=200)).isoformat(), "online": True},
            ],
        ),
    )
    soon = _create(client, h, offer_payload(title="Kurs bald", days_ahead=10))
    search_index.drain()
    start_to = today + timedelta(days=60)

    result = client.get("/api/v1/search", params={"start_to": start_to.isoformat()}).json()
    assert [hit["id"] for hit in result["hits"]] == [soon]
    assert result["hits"][0]["next_start"] == (today + timedelta(days=10)).isoformat()
    # The ways out count with the same filters.
    params = SearchParams(start_to=start_to)
    assert asyncio.run(service.count_offers([(params, True)])) == [1]
    # Without a window the running course is still there, its next start ahead.
    anytime = {h["id"]: h for h in client.get("/api/v1/search").json()["hits"]}
    assert anytime[running]["next_start"] == (today + timedelta(days=200)).isoformat()


def test_a_hit_pairs_its_place_with_a_start_at_that_place(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    today = date.today()
    body = offer_payload(title="Excel kompakt an zwei Orten", days_ahead=120)  # Bochum
    dortmund = offer_payload(
        days_ahead=40, city="Dortmund", postcode="44139", lat=51.5045, lon=7.4747
    )["dates"][0]
    body["dates"].append(dortmund)
    offer = _create(client, trusted_provider["headers"], body)
    search_index.drain()
    near_bochum = {"q": "Excel kompakt", "postcode": "44787", "radius_km": 50}

    def hit(**params: str) -> dict[str, Any]:
        [found] = client.get("/api/v1/search", params={**near_bochum, **params}).json()["hits"]
        assert found["id"] == offer
        return dict(found)

    # Any start: Bochum, the nearest place, with its own start — not Dortmund's earlier one.
    anytime = hit()
    assert (anytime["city"], anytime["next_start"]) == (
        "Bochum",
        (today + timedelta(days=120)).isoformat(),
    )
    # A window only Dortmund's date is in: Dortmund is the place shown, with its distance.
    window = {
        "start_from": (today + timedelta(days=35)).isoformat(),
        "start_to": (today + timedelta(days=45)).isoformat(),
    }
    dated = hit(**window)
    assert (dated["city"], dated["next_start"]) == (
        "Dortmund",
        (today + timedelta(days=40)).isoformat(),
    )
    assert dated["distance_km"] > 10
    # Within 5 km of Bochum only Bochum's place counts: its start is not in that window.
    close = {**near_bochum, "radius_km": "5", **window}
    assert client.get("/api/v1/search", params=close).json()["hits"] == []
    assert hit(radius_km="5")["city"] == "Bochum"


def test_documents_written_before_starts_were_kept_per_place_are_still_found(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    from app.search import documents as f

    offer = _create(client, trusted_provider["headers"], offer_payload(days_ahead=40))
    search_index.drain()
    index = search_index.client.index(search_index.uid)
    docs = index.get_documents({"limit": 10}).results
    old = [{k: v for k, v in dict(d).items() if k != f.PLACE_STARTS} for d in docs]
    assert all(f.PLACE_STARTS not in d for d in old)
    task = index.add_documents(old)  # replaces the documents whole: as an older indexer wrote
    search_index.client.wait_for_task(task.task_uid)
    today = date.today()
    window = {
        "postcode": "44787",
        "radius_km": "10",
        "start_from": (today + timedelta(days=35)).isoformat(),
        "start_to": (today + timedelta(days=45)).isoformat(),
    }
    hits = client.get("/api/v1/search", params=window).json()["hits"]
    assert [h["id"] for h in hits] == [offer]
