"""Input that gave 500s or was stored wrongly (found by probing the service as an attacker and a
fuzzer would): control characters, ids beyond their column, null for required fields, dates
as numbers, floods of unknown fields. Each gets a 4xx in the one error shape naming the
field, on SQLite and PostgreSQL, and changes nothing."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import offer_payload

NUL = "\x00"


def _loc(response: Any) -> list[Any]:
    return [d["loc"] for d in response.json()["error"]["details"]]


@pytest.mark.parametrize(
    ("where", "change"),
    [
        (["title"], {"title": f"Buchhaltung{NUL}"}),
        (["description"], {"description": f"a{NUL}b"}),
        (["keywords"], {"keywords": ["DATEV", f"Buch{NUL}"]}),
        (["contact", "name"], {"contact": {"name": f"Frau{NUL}Meier"}}),
        (["price_note"], {"price_note": "zzgl.\x1b[31m Prüfung"}),
        (["title"], {"title": "Buchhaltung \ud800"}),  # a lone surrogate
    ],
)
def test_control_characters_are_refused_naming_the_field(
    client: TestClient, provider: dict[str, Any], where: list[str], change: dict[str, Any]
) -> None:
    # Sent as JSON escapes (\u0000, \ud800), as a hostile client would.
    r = client.post(
        "/api/v1/offers",
        content=json.dumps(offer_payload(**change)),
        headers={**provider["headers"], "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert where in _loc(r)
    assert client.get("/api/v1/offers", headers=provider["headers"]).json()["total"] == 0


def test_tab_and_line_breaks_stay_allowed(client: TestClient, provider: dict[str, Any]) -> None:
    body = offer_payload(description="Erste Zeile\r\nZweite\tZeile\n")
    r = client.post("/api/v1/offers", json=body, headers=provider["headers"])
    assert r.status_code == 201, r.text
    assert r.json()["description"] == "Erste Zeile\r\nZweite\tZeile\n"


def test_control_characters_in_nested_places_and_paths(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str]
) -> None:
    body = offer_payload()
    body["dates"][0]["location"]["city"] = f"Bo{NUL}chum"
    r = client.post("/api/v1/offers", json=body, headers=provider["headers"])
    assert r.status_code == 422
    assert ["dates", 0, "location", "city"] in _loc(r)
    # a path parameter (the provider's own id) and a query parameter
    r = client.put(
        "/api/v1/offers/external/abc%00def", json=offer_payload(), headers=provider["headers"]
    )
    assert r.status_code == 422, r.text
    assert ["path", "external_id"] in _loc(r)
    assert client.get("/api/v1/search", params={"q": f"a{NUL}"}).status_code == 422
    assert client.get("/api/v1/suggest", params={"q": f"a{NUL}"}).status_code == 422
    # organisations and portals are text too
    r = client.post(
        "/api/v1/organisations", json={"name": f"VHS{NUL}", "kind": "vhs"}, headers=admin
    )
    assert r.status_code == 422
    assert ["name"] in _loc(r)
    r = client.post(
        "/api/v1/admin/portals",
        json={"slug": "ruhr", "name": f"Ruhr{NUL}", "postcode_prefixes": ["44"]},
        headers=admin,
    )
    assert r.status_code == 422
    assert ["name"] in _loc(r)


def test_a_key_with_a_nul_is_refused_as_any_bad_key(client: TestClient) -> None:
    r = client.get("/api/v1/offers", headers={"Authorization": f"Bearer br_{NUL}abc_def"})
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "invalid API key"


def test_ids_beyond_their_column_are_refused(
    client: TestClient, admin: dict[str, str], provider: dict[str, Any]
) -> None:
    huge = 35108965263065920000000000000000
    r = client.post(
        "/api/v1/admin/portals",
        json={
            "slug": "ruhr",
            "name": "Ruhr",
            "postcode_prefixes": ["44"],
            "providers_allow": [huge],
        },
        headers=admin,
    )
    assert r.status_code == 422, r.text
    assert ["providers_allow", 0] in _loc(r)
    # the admin portal list keeps working (it broke with 500 while such a portal existed)
    assert client.get("/api/v1/admin/portals", headers=admin).status_code == 200
    for url in (
        f"/api/v1/offers?organisation_id={huge}",
        f"/api/v1/offers?organisation_id={2**31}",
    ):
        r = client.get(url, headers=admin)
        assert r.status_code == 422, (url, r.text)
        assert ["query", "organisation_id"] in _loc(r)
    r = client.post(
        "/api/v1/api-keys", json={"role": "provider", "organisation_id": 2**40}, headers=admin
    )
    assert r.status_code == 422
    assert ["organisation_id"] in _loc(r)
    r = client.post(f"/api/v1/imports?organisation_id={2**63}", content=b"x", headers=admin)
    assert r.status_code == 422


@pytest.mark.parametrize("field", ["kind", "trusted", "azav_approved", "name", "certificates"])
def test_admin_patch_refuses_null_for_required_fields(
    client: TestClient, admin: dict[str, str], make_org: Callable[..., int], field: str
) -> None:
    org_id = make_org()
    r = client.patch(f"/api/v1/organisations/{org_id}", json={field: None}, headers=admin)
    assert r.status_code == 422, r.text
    assert [field] in _loc(r)
    assert client.get(f"/api/v1/organisations/{org_id}", headers=admin).json()["kind"] == "provider"


def test_portal_patch_refuses_null_but_may_drop_the_radius(
    client: TestClient, admin: dict[str, str]
) -> None:
    body = {"slug": "ruhr", "name": "Ruhr", "postcode_prefixes": ["44"]}
    assert client.post("/api/v1/admin/portals", json=body, headers=admin).status_code == 201
    r = client.patch("/api/v1/admin/portals/ruhr", json={"languages": None}, headers=admin)
    assert r.status_code == 422
    assert ["languages"] in _loc(r)
    r = client.patch("/api/v1/admin/portals/ruhr", json={"radius_km": None}, headers=admin)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("value", [0, "0", 1700000000, True])
def test_dates_given_as_numbers_are_refused(
    client: TestClient, provider: dict[str, Any], value: Any
) -> None:
    r = client.post(
        "/api/v1/offers", json=offer_payload(visible_from=value), headers=provider["headers"]
    )
    assert r.status_code == 422, r.text
    assert ["visible_from"] in _loc(r)
    assert "YYYY-MM-DD" in r.text
    assert client.get("/api/v1/search", params={"start_from": "0"}).status_code == 422


def test_a_flood_of_unknown_fields_gets_a_short_answer(
    client: TestClient, provider: dict[str, Any]
) -> None:
    body = offer_payload()
    body.update({f"f{n}": 0 for n in range(55_000)})
    r = client.post("/api/v1/offers", json=body, headers=provider["headers"])
    assert r.status_code == 422
    error = r.json()["error"]
    assert len(error["details"]) == 50
    assert "(and 54,999 more)" in error["message"]
    assert len(r.content) < 10_000


def test_method_not_allowed_names_every_allowed_method(
    client: TestClient, provider: dict[str, Any]
) -> None:
    r = client.post("/api/v1/offers/1", headers=provider["headers"])
    assert r.status_code == 405
    assert r.headers["allow"] == "DELETE, GET, HEAD, PATCH, PUT"
    assert r.json()["error"]["code"] == "method_not_allowed"
    r = client.delete("/api/v1/search")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"


def test_an_unexpected_error_closes_the_connection_and_says_so(
    client: TestClient, provider: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import offers

    def broken(**_: Any) -> Any:
        raise RuntimeError("a defect")

    monkeypatch.setattr(offers, "list_offers", broken)
    r = client.get("/api/v1/offers", headers=provider["headers"])
    assert r.status_code == 500
    assert r.headers["connection"] == "close"
    assert r.json()["error"]["code"] == "internal_error"
    assert "defect" not in r.text
