"""Every place is on the map: a location sent with a postcode and no coordinates is placed at
the postcode's centre, marked approximate, and found by a radius search, whichever way the
offer came in (POST, PUT upsert, PATCH, CSV and open-Qcat imports)."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.geo import distance_km, known_centre
from testkit.openqcat_files import service
from tests.conftest import SearchIndex, offer_payload

# Witten's postcode centre lies 10.1 km from Bochum's (44787): in a 12 km radius, not in 8 km.
WITTEN = ("58452", "Witten")
BOCHUM_POSTCODE = "44787"
MUENSTER = {"postcode": "48143", "city": "Münster", "lat": 51.9625, "lon": 7.6256}


def _postcode_only(postcode: str = WITTEN[0], city: str = WITTEN[1]) -> dict[str, Any]:
    body = offer_payload()
    body["dates"][0]["location"] = {"name": "Haus der Bildung", "postcode": postcode, "city": city}
    return body


def _near_bochum(client: TestClient, radius_km: float) -> dict[int, dict[str, Any]]:
    r = client.get("/api/v1/search", params={"postcode": BOCHUM_POSTCODE, "radius_km": radius_km})
    assert r.status_code == 200, r.text
    return {h["id"]: h for h in r.json()["hits"]}


def _write_by_post(client: TestClient, headers: dict[str, str]) -> int:
    r = client.post("/api/v1/offers", json=_postcode_only(), headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _write_by_upsert(client: TestClient, headers: dict[str, str]) -> int:
    r = client.put("/api/v1/offers/external/witten-1", json=_postcode_only(), headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _write_by_patch(client: TestClient, headers: dict[str, str]) -> int:
    body = offer_payload()
    body["dates"][0]["location"] = MUENSTER
    r = client.post("/api/v1/offers", json=body, headers=headers)
    assert r.status_code == 201, r.text
    offer_id = int(r.json()["id"])
    r = client.patch(
        f"/api/v1/offers/{offer_id}", json={"dates": _postcode_only()["dates"]}, headers=headers
    )
    assert r.status_code == 200, r.text
    return offer_id


def _write_by_import(client: TestClient, headers: dict[str, str], data: bytes) -> int:
    r = client.post("/api/v1/imports", content=data, headers=headers)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["written"] is True, report
    assert report["counts"]["created"] == 1, report
    r = client.get("/api/v1/offers", headers=headers)
    [offer] = r.json()["items"]
    return int(offer["id"])


def _csv() -> bytes:
    start = date.today() + timedelta(days=30)
    return (
        "Angebots-ID;Titel;Kategorie;Format;Beginn;PLZ;Ort\n"
        f"witten-1;Finanzbuchhaltung in Witten;accounting_finance;Präsenz;"
        f"{start:%d.%m.%Y};{WITTEN[0]};{WITTEN[1]}\n"
    ).encode()


def _openqcat() -> bytes:
    body = service(0, date.today()).replace(
        "<ZIP>44787</ZIP><CITY>Bochum</CITY>", f"<ZIP>{WITTEN[0]}</ZIP><CITY>{WITTEN[1]}</CITY>"
    )
    assert WITTEN[0] in body
    return (
        '<?xml version="1.0" encoding="UTF-8"?><OPENQCAT version="1.1"><HEADER><SUPPLIER>'
        "<SUPPLIER_NAME>Akademie</SUPPLIER_NAME></SUPPLIER></HEADER>"
        f'<UPDATE_CATALOG seq_number="1"><NEW>{body}</NEW></UPDATE_CATALOG></OPENQCAT>'
    ).encode()


WRITES: dict[str, Callable[[TestClient, dict[str, str]], int]] = {
    "post": _write_by_post,
    "put-upsert": _write_by_upsert,
    "patch": _write_by_patch,
    "csv-import": lambda c, h: _write_by_import(c, h, _csv()),
    "openqcat-import": lambda c, h: _write_by_import(c, h, _openqcat()),
}


def test_the_two_postcodes_lie_ten_km_apart() -> None:
    a, b = known_centre(BOCHUM_POSTCODE), known_centre(WITTEN[0])
    assert a is not None
    assert b is not None
    assert 9.5 < distance_km(a, b) < 11


@pytest.mark.parametrize("way", list(WRITES))
def test_postcode_only_is_found_by_radius(
    client: TestClient,
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
    way: str,
) -> None:
    headers = trusted_provider["headers"]
    offer_id = WRITES[way](client, headers)
    [place] = [
        d["location"]
        for d in client.get(f"/api/v1/offers/{offer_id}", headers=headers).json()["dates"]
    ]
    centre = known_centre(WITTEN[0])
    assert centre is not None
    assert (place["lat"], place["lon"], place["approximate"]) == (*centre, True)
    search_index.drain()
    hit = _near_bochum(client, 12).get(offer_id)
    assert hit is not None
    assert hit["city"] == "Witten"
    assert hit["location"]["approximate"] is True
    assert 9.5 < hit["distance_km"] < 11
    assert offer_id not in _near_bochum(client, 8)


def test_exact_coordinates_stay_exact(client: TestClient, trusted_provider: dict[str, Any]) -> None:
    body = offer_payload()
    r = client.post("/api/v1/offers", json=body, headers=trusted_provider["headers"])
    place = r.json()["dates"][0]["location"]
    assert (place["lat"], place["lon"], place["approximate"]) == (51.4818, 7.2162, False)


def _as_body(offer: dict[str, Any]) -> dict[str, Any]:
    """What GET returned, as a PUT body."""
    body = {k: offer[k] for k in ("title", "category", "education_type", "format")}
    body["dates"] = [{k: v for k, v in d.items() if k != "id"} for d in offer["dates"]]
    return body


def test_a_round_trip_with_a_new_postcode_is_placed_again(
    client: TestClient, trusted_provider: dict[str, Any]
) -> None:
    """What GET returns can be sent back: an approximate place follows its postcode, and
    the same content sent again changes nothing."""
    headers = trusted_provider["headers"]
    offer_id = _write_by_post(client, headers)
    body = _as_body(client.get(f"/api/v1/offers/{offer_id}", headers=headers).json())
    body["dates"][0]["location"] |= {"postcode": "44135", "city": "Dortmund"}
    r = client.put(f"/api/v1/offers/{offer_id}", json=body, headers=headers)
    assert r.status_code == 200, r.text
    place = r.json()["dates"][0]["location"]
    assert (place["lat"], place["lon"]) == known_centre("44135")
    assert place["approximate"] is True
    again = client.put(f"/api/v1/offers/{offer_id}", json=_as_body(r.json()), headers=headers)
    assert again.json()["updated_at"] == r.json()["updated_at"]


@pytest.mark.parametrize("way", ["post", "put-upsert", "patch"])
def test_unknown_postcode_without_coordinates_is_422_and_changes_nothing(
    client: TestClient, trusted_provider: dict[str, Any], make_offer: Any, way: str
) -> None:
    headers = trusted_provider["headers"]
    existing = make_offer(headers)
    before = client.get("/api/v1/offers", headers=headers).json()
    body = _postcode_only("99999", "Nirgendwo")
    if way == "post":
        r = client.post("/api/v1/offers", json=body, headers=headers)
    elif way == "put-upsert":
        r = client.put("/api/v1/offers/external/nowhere", json=body, headers=headers)
    else:
        r = client.patch(
            f"/api/v1/offers/{existing['id']}", json={"dates": body["dates"]}, headers=headers
        )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["details"] == [
        {
            "loc": ["dates", 0, "location", "postcode"],
            "message": "unknown postcode 99999; send lat and lon",
        }
    ]
    assert client.get("/api/v1/offers", headers=headers).json() == before
    # With coordinates the same postcode is fine: the place is where the provider says.
    body["dates"][0]["location"] |= {"lat": 51.5, "lon": 7.3}
    assert client.post("/api/v1/offers", json=body, headers=headers).status_code == 201


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            _csv().replace(WITTEN[0].encode(), b"99999"),
            "line 2, PLZ: unknown postcode 99999; correct it, or fill in Breitengrad and "
            "Längengrad",
        ),
        (
            _openqcat().replace(WITTEN[0].encode(), b"99999"),
            "dates.0.location.postcode: unknown postcode 99999; correct the ZIP "
            "(open-Qcat carries no coordinates)",
        ),
    ],
    ids=["csv", "openqcat"],
)
def test_imports_report_an_unknown_postcode(
    client: TestClient, trusted_provider: dict[str, Any], data: bytes, reason: str
) -> None:
    headers = trusted_provider["headers"]
    r = client.post("/api/v1/imports", content=data, headers=headers)
    # Rejected (a record failed, and the valid rest was not asked for): 422, report beside.
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "import_rejected"
    report = r.json()["report"]
    assert [f["message"] for f in report["failures"]] == [reason]
    assert report["written"] is False
    assert client.get("/api/v1/offers", headers=headers).json()["total"] == 0


def test_csv_coordinates_columns_place_exactly(
    client: TestClient, trusted_provider: dict[str, Any]
) -> None:
    data = (
        _csv()
        .decode()
        .replace("PLZ;Ort\n", "PLZ;Ort;Breitengrad;Längengrad\n")
        .replace("Witten\n", "Witten;51,4372;7,3346\n")
        .encode()
    )
    offer_id = _write_by_import(client, trusted_provider["headers"], data)
    offer = client.get(f"/api/v1/offers/{offer_id}", headers=trusted_provider["headers"]).json()
    place = offer["dates"][0]["location"]
    assert (place["lat"], place["lon"], place["approximate"]) == (51.4372, 7.3346, False)


def test_pages_name_the_city_of_a_place_placed_by_its_postcode(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    offer_id = _write_by_post(client, trusted_provider["headers"])
    search_index.drain()
    body = {"slug": "ruhr", "name": "Ruhr", "postcode_prefixes": ["44", "58"]}
    assert client.post("/api/v1/admin/portals", json=body, headers=admin).status_code == 201
    page = client.get("/p/ruhr/", params={"postcode": BOCHUM_POSTCODE, "radius_km": "25"}).text
    hit = page[page.index(f"/p/ruhr/angebote/{offer_id}") :][:3000]
    assert "Witten" in hit
    assert "km" in hit  # the distance is measured from the postcode's centre
    offer_page = client.get(f"/p/ruhr/angebote/{offer_id}").text
    assert "58452 Witten" in offer_page
