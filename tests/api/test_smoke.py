from tests.conftest import offer_payload


def test_create_and_read(client, provider, trusted_provider):
    r = client.post("/api/v1/offers", json=offer_payload(), headers=provider["headers"])
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "submitted"
    r2 = client.get(f"/api/v1/offers/{r.json()['id']}")
    assert r2.status_code == 404
