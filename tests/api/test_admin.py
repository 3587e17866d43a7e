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


def test_every_failing_key_gets_the_same_answer(
    client: TestClient, admin: dict[str, str], make_org: Any
) -> None:
    org_id = make_org()
    created = client.post(
        "/api/v1/api-keys", json={"role": "provider", "organisation_id": org_id}, headers=admin
    ).json()
    key = created["key"]
    assert client.get(f"/api/v1/organisations/{org_id}", headers=_bearer(key)).status_code == 200
    assert client.delete(f"/api/v1/api-keys/{created['id']}", headers=admin).status_code == 200
    prefix = key[:15]  # br_<12 hex digits>
    answers = {}
    for name, token in (
        ("revoked", key),
        ("unknown", "br_0123456789ab_" + "A" * 43),
        ("wrong secret", prefix + "_" + "B" * 43),
        ("malformed", "br_x_y"),
    ):
        r = client.get(f"/api/v1/organisations/{org_id}", headers=_bearer(token))
        answers[name] = (r.status_code, r.json())
    assert len(set(map(str, answers.values()))) == 1, answers
    assert answers["revoked"][0] == 401


def test_a_key_can_expire(client: TestClient, admin: dict[str, str], make_org: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from app import db

    org_id = make_org()
    soon = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    r = client.post(
        "/api/v1/api-keys",
        json={"role": "provider", "organisation_id": org_id, "expires_at": soon},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["expires_at"] is not None
    assert (
        client.get(f"/api/v1/organisations/{org_id}", headers=_bearer(created["key"])).status_code
        == 200
    )
    with db.session_scope() as session:
        row = session.get(ApiKey, created["id"])
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    r = client.get(f"/api/v1/organisations/{org_id}", headers=_bearer(created["key"]))
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "invalid API key"
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    r = client.post(
        "/api/v1/api-keys",
        json={"role": "provider", "organisation_id": org_id, "expires_at": past},
        headers=admin,
    )
    assert r.status_code == 422
    naive = datetime.now().isoformat()
    r = client.post(
        "/api/v1/api-keys",
        json={"role": "provider", "organisation_id": org_id, "expires_at": naive},
        headers=admin,
    )
    assert r.status_code == 422


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
