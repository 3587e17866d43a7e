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


def _dortmund(days_ahead: int = 40, **date: Any) -> dict[str, Any]:
    place = offer_payload(
        days_ahead=days_ahead, city="Dortmund", postcode="44139", lat=51.5045, lon=7.4747
    )["dates"][0]
    return {**place, **date}


def test_a_place_where_one_can_start_any_time_meets_a_start_window_only_there(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    today = date.today()
    body = offer_payload(title="Excel kompakt an zwei Orten", days_ahead=120)  # Bochum
    anytime = _dortmund(flexible_start=True)
    del anytime["start_date"]
    body["dates"].append(anytime)
    offer = _create(client, trusted_provider["headers"], body)
    search_index.drain()
    search = {
        "q": "Excel kompakt",
        "postcode": "44787",
        "start_from": (today + timedelta(days=35)).isoformat(),
        "start_to": (today + timedelta(days=45)).isoformat(),
    }
    # Within 5 km only Bochum counts, and nothing starts there in the window.
    assert client.get("/api/v1/search", params={**search, "radius_km": 5}).json()["hits"] == []
    # Within 50 km Dortmund, where one can start any time, is the place shown.
    [hit] = client.get("/api/v1/search", params={**search, "radius_km": 50}).json()["hits"]
    assert (hit["id"], hit["city"], hit["flexible_start"]) == (offer, "Dortmund", True)


def test_sorted_by_start_hits_follow_the_start_at_the_place_they_show(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    today = date.today()
    two_places = offer_payload(title="Kurs an zwei Orten", days_ahead=120)  # Bochum
    two_places["dates"].append(_dortmund(days_ahead=10))
    _create(client, trusted_provider["headers"], two_places)
    _create(
        client, trusted_provider["headers"], offer_payload(title="Kurs in Bochum", days_ahead=60)
    )
    search_index.drain()

    def listed(radius_km: int) -> list[tuple[str, str, str]]:
        params = {"postcode": "44787", "radius_km": radius_km, "sort": "start"}
        hits = client.get("/api/v1/search", params=params).json()["hits"]
        return [(h["title"], h["city"], h["next_start"]) for h in hits]

    def day(n: int) -> str:
        return (today + timedelta(days=n)).isoformat()

    # Within 5 km only Bochum counts: the course there in 60 days comes first.
    assert listed(5) == [
        ("Kurs in Bochum", "Bochum", day(60)),
        ("Kurs an zwei Orten", "Bochum", day(120)),
    ]
    # Within 50 km the course in Dortmund in 10 days comes first, shown at Dortmund.
    assert listed(50) == [
        ("Kurs an zwei Orten", "Dortmund", day(10)),
        ("Kurs in Bochum", "Bochum", day(60)),
    ]


def test_a_hit_names_the_free_seats_of_the_place_it_shows(
    client: TestClient, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    body = offer_payload(title="Schweißkurs an zwei Orten", days_ahead=40)  # Bochum
    body["dates"][0] |= {"seats": 12, "free_seats": 0}
    body["dates"].append(_dortmund(days_ahead=40, seats=12, free_seats=9))
    _create(client, trusted_provider["headers"], body)
    search_index.drain()

    def shown(postcode: str) -> tuple[str, int]:
        params = {"q": "Schweißkurs", "postcode": postcode, "radius_km": 5}
        [hit] = client.get("/api/v1/search", params=params).json()["hits"]
        return hit["city"], hit["free_seats"]

    assert shown("44139") == ("Dortmund", 9)
    assert shown("44787") == ("Bochum", 0)
