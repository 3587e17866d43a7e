"""Admin API: organisations and keys; keys are stored hashed and shown once."""

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db import get_engine
from app.models.api_key import ApiKey


def test_organisation_and_key_lifecycle(client: TestClient, admin: dict[str, str]) -> None:
    org = client.post(
        "/api/v1/organisations",
        headers=admin,
        json={
            "name": "VHS Herne",
            "kind": "vhs",
            "postcode": "44623",
            "city": "Herne",
            "website": "https://vhs.example.org",
            "azav_approved": True,
            "azav_certifier": "CERTQUA",
            "azav_valid_until": "2028-03-31",
            "certificates": ["DIN EN ISO 9001"],
        },
    )
    assert org.status_code == 201, org.text
    org_id = org.json()["id"]
    assert client.get("/api/v1/organisations", headers=admin).json()["total"] == 1
    patched = client.patch(f"/api/v1/organisations/{org_id}", headers=admin, json={"trusted": True})
    assert patched.json()["trusted"] is True

    key = client.post(
        "/api/v1/api-keys", headers=admin, json={"role": "provider", "organisation_id": org_id}
    )
    assert key.status_code == 201
    plain = key.json()["key"]
    with Session(get_engine()) as session:
        stored = session.exec(select(ApiKey).where(ApiKey.id == key.json()["id"])).one()
    assert plain not in (stored.key_hash, stored.prefix)
    assert len(stored.key_hash) == 64
    assert "key" not in client.get("/api/v1/api-keys", headers=admin).json()[0]

    h = {"Authorization": f"Bearer {plain}"}
    assert client.get(f"/api/v1/organisations/{org_id}", headers=h).status_code == 200
    assert client.post("/api/v1/offers", headers=h, json={}).status_code == 422
    client.delete(f"/api/v1/api-keys/{key.json()['id']}", headers=admin)
    assert client.get("/api/v1/offers", headers=h).status_code == 401


def test_bad_admin_input(
    client: TestClient, admin: dict[str, str], provider: dict[str, Any]
) -> None:
    r = client.post("/api/v1/organisations", headers=admin, json={"name": "X", "kind": "castle"})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["loc"] == ["kind"]
    r = client.post("/api/v1/api-keys", headers=admin, json={"role": "provider"})
    assert r.status_code == 422
    r = client.post(
        "/api/v1/api-keys", headers=admin, json={"role": "provider", "organisation_id": 424242}
    )
    assert r.status_code == 404
    assert client.get("/api/v1/organisations/424242", headers=admin).status_code == 404
    other = client.get(
        f"/api/v1/organisations/{provider['org_id'] + 1}", headers=provider["headers"]
    )
    assert other.status_code == 403


def test_code_lists(client: TestClient) -> None:
    lists = client.get("/api/v1/codelists").json()
    assert lists["funding"]["bildungsgutschein"] == "Bildungsgutschein"
    assert "in_person" in lists["format"]
