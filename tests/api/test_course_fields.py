"""The course fields Open-vhs brought (course number, subtitle, level, DVV category, links,
sessions, free places) through the JSON API: stored, returned, validated with a field path."""

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import offer_payload

URL = "/api/v1/offers"
START = date.today() + timedelta(days=30)


def course_date(**overrides: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "start_date": START.isoformat(),
        "end_date": (START + timedelta(days=7)).isoformat(),
        "schedule": "evening",
        "seats": 12,
        "min_participants": 6,
        "free_seats": 3,
        "session_count": 2,
        "weekdays": ["tue", "mon", "tue"],
        "sessions": [
            {"date": START.isoformat(), "start_time": "18:00", "end_time": "21:00"},
            {"date": (START + timedelta(days=7)).isoformat(), "start_time": "18:00+01:00"},
        ],
        "location": {"postcode": "44787", "city": "Bochum"},
    }
    d.update(overrides)
    return d


def course(**overrides: Any) -> dict[str, Any]:
    body = offer_payload(
        title="Englisch Konversation",
        category="languages",
        education_type="sprachkurs",
        subtitle="Sprechen im Alltag",
        course_number="S4060-27F",
        level="b1,2",
        dvv_category="4.06",
        leads_to_qualification=True,
        reduction_available=True,
        links=[{"url": "https://vhs.example/flyer.pdf", "name": "Flyer", "kind": "attachment"}],
    )
    body["dates"] = [course_date()]
    body.update(overrides)
    return body


def test_course_fields_round_trip(client: TestClient, provider: dict[str, Any]) -> None:
    created = client.post(URL, json=course(), headers=provider["headers"])
    assert created.status_code == 201, created.text
    offer = created.json()
    assert (offer["subtitle"], offer["course_number"]) == ("Sprechen im Alltag", "S4060-27F")
    assert (offer["level"], offer["dvv_category"]) == ("B1.2", "4.06")
    assert offer["leads_to_qualification"]
    assert offer["reduction_available"]
    assert offer["links"] == [
        {"url": "https://vhs.example/flyer.pdf", "name": "Flyer", "kind": "attachment"}
    ]
    [run] = offer["dates"]
    assert (run["seats"], run["min_participants"], run["free_seats"]) == (12, 6, 3)
    assert run["weekdays"] == ["mon", "tue"]
    assert run["session_count"] == 2
    assert run["sessions"][1] == {
        "date": (START + timedelta(days=7)).isoformat(),
        "start_time": "18:00:00",
        "end_time": None,
    }
    patched = client.patch(
        f"{URL}/{offer['id']}",
        json={"level": "A2", "dates": [course_date(free_seats=0)]},
        headers=provider["headers"],
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["dates"][0]["free_seats"] == 0


@pytest.mark.parametrize(
    ("overrides", "loc", "message"),
    [
        ({"level": "x" * 61}, ["level"], "at most 60 characters"),
        ({"dvv_category": "Sprachen"}, ["dvv_category"], "give a DVV category"),
        ({"course_number": ""}, ["course_number"], "at least 1 character"),
        ({"links": [{"url": "javascript:alert(1)"}]}, ["links", 0, "url"], "URL scheme"),
        ({"links": [{"url": "https://x.example", "kind": "flyer"}]}, ["links", 0, "kind"], "Input"),
        ({"dates": [course_date(free_seats=13)]}, ["dates", 0], "free_seats is more than seats"),
        ({"dates": [course_date(free_seats=-1)]}, ["dates", 0, "free_seats"], "greater than"),
        ({"dates": [course_date(min_participants=20)]}, ["dates", 0], "min_participants"),
        ({"dates": [course_date(session_count=1)]}, ["dates", 0], "session_count"),
        ({"dates": [course_date(weekdays=["Dienstag"])]}, ["dates", 0, "weekdays", 0], "Input"),
        (
            {"dates": [course_date(sessions=[{"date": "2001-01-01"}])]},
            ["dates", 0],
            "outside start_date..end_date",
        ),
        (
            {"dates": [course_date(sessions=[{"date": START.isoformat(), "start_time": "25:00"}])]},
            ["dates", 0, "sessions", 0, "start_time"],
            "time",
        ),
        (
            {
                "dates": [
                    course_date(
                        sessions=[
                            {"date": START.isoformat(), "start_time": "18:00", "end_time": "17:00"}
                        ]
                    )
                ]
            },
            ["dates", 0, "sessions", 0],
            "end_time is before start_time",
        ),
    ],
)
def test_bad_course_fields_get_422_with_field_path(
    client: TestClient,
    provider: dict[str, Any],
    overrides: dict[str, Any],
    loc: list[Any],
    message: str,
) -> None:
    response = client.post(URL, json=course(**overrides), headers=provider["headers"])
    assert response.status_code == 422, response.text
    details = response.json()["error"]["details"]
    assert any(d["loc"] == loc and message in d["message"] for d in details), details
