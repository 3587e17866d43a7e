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
