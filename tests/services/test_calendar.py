"""Calendar files of offer dates: their links and event UIDs outlive edits that keep the date."""

from typing import Any

from fastapi.testclient import TestClient
from icalendar import Calendar

from tests.conftest import offer_payload


def _uids(client: TestClient, offer_id: int, date_id: int) -> list[str]:
    r = client.get(f"/p/bochum/angebote/{offer_id}/termine/{date_id}.ics")
    assert r.status_code == 200, r.text
    return [str(e["UID"]) for e in Calendar.from_ical(r.content).walk("VEVENT")]


def test_an_edit_keeps_the_link_and_uid_of_each_date_it_keeps(
    client: TestClient, admin: dict[str, str], trusted_provider: dict[str, Any]
) -> None:
    portal = {"slug": "bochum", "name": "Bochum", "postcode_prefixes": ["447"]}
    assert client.post("/api/v1/admin/portals", json=portal, headers=admin).status_code == 201
    h = trusted_provider["headers"]
    offer = client.post("/api/v1/offers", json=offer_payload(), headers=h).json()
    oid, date_id = offer["id"], offer["dates"][0]["id"]
    uids = _uids(client, oid, date_id)

    r = client.patch(f"/api/v1/offers/{oid}", json={"price": "990.00"}, headers=h)
    assert r.json()["dates"][0]["id"] == date_id
    assert _uids(client, oid, date_id) == uids
    # Fewer free seats: still the same date, with the same event in saved calendars.
    dates = offer_payload()["dates"]
    dates[0]["free_seats"] = 2
    r = client.patch(f"/api/v1/offers/{oid}", json={"dates": dates}, headers=h)
    assert r.json()["dates"][0]["id"] == date_id
    assert _uids(client, oid, date_id) == uids
