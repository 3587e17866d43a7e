"""Provider write API: happy paths, ownership, moderation, upsert, archive, audit."""

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import offer_payload

URL = "/api/v1/offers"


def test_create_read_update_patch_delete(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str]
) -> None:
    h = provider["headers"]
    created = client.post(URL, json=offer_payload(external_id="k-1"), headers=h)
    assert created.status_code == 201
    offer = created.json()
    assert offer["status"] == "submitted"
    assert offer["id"] > 0
    assert offer["price"] == "1290.00"
    assert offer["dates"][0]["location"]["city"] == "Bochum"

    assert client.get(f"{URL}/{offer['id']}", headers=h).json()["title"] == offer["title"]

    put = client.put(
        f"{URL}/{offer['id']}", json=offer_payload(title="Lohnbuchhaltung kompakt"), headers=h
    )
    assert put.status_code == 200
    assert put.json()["title"] == "Lohnbuchhaltung kompakt"

    patch = client.patch(f"{URL}/{offer['id']}", json={"price": "99.5"}, headers=h)
    assert patch.status_code == 200
    assert patch.json()["price"] == "99.50"
    assert patch.json()["title"] == "Lohnbuchhaltung kompakt"

    listing = client.get(URL, headers=h).json()
    assert listing["total"] == 1
    assert listing["items"][0]["id"] == offer["id"]

    assert client.delete(f"{URL}/{offer['id']}", headers=h).status_code == 204
    assert client.get(f"{URL}/{offer['id']}").status_code == 404
    assert client.get(f"{URL}/{offer['id']}", headers=h).json()["status"] == "archived"


def test_public_read_only_published(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str], make_offer: Any
) -> None:
    offer = make_offer(provider["headers"])
    assert client.get(f"{URL}/{offer['id']}").status_code == 404
    published = client.post(f"{URL}/{offer['id']}/publish", headers=admin)
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    public = client.get(f"{URL}/{offer['id']}")
    assert public.status_code == 200
    assert public.json()["rejection_reason"] is None
    assert public.json()["pending_revision"] is None


def test_trusted_organisation_publishes_at_once(
    client: TestClient, trusted_provider: dict[str, Any], make_offer: Any
) -> None:
    offer = make_offer(trusted_provider["headers"])
    assert offer["status"] == "published"
    assert client.get(f"{URL}/{offer['id']}").status_code == 200


def test_provider_isolation(
    client: TestClient, make_org: Any, make_key: Any, make_offer: Any, admin: dict[str, str]
) -> None:
    a = make_key("provider", make_org(name="Träger A"))
    b = make_key("provider", make_org(name="Träger B"))
    b_draft = make_offer(b)
    b_public = make_offer(b)
    client.post(f"{URL}/{b_public['id']}/publish", headers=admin)

    assert client.get(f"{URL}/{b_draft['id']}", headers=a).status_code == 404
    assert client.get(URL, headers=a).json()["total"] == 0
    for offer_id, expected in ((b_draft["id"], 404), (b_public["id"], 403)):
        assert (
            client.put(f"{URL}/{offer_id}", json=offer_payload(), headers=a).status_code == expected
        )
        assert (
            client.patch(f"{URL}/{offer_id}", json={"title": "Übernommen"}, headers=a).status_code
            == expected
        )
        assert client.delete(f"{URL}/{offer_id}", headers=a).status_code == expected
        assert client.post(f"{URL}/{offer_id}/withdraw", headers=a).status_code == expected
    # The public version of B's offer is untouched.
    assert client.get(f"{URL}/{b_public['id']}").json()["title"] == "Finanzbuchhaltung mit DATEV"
    # Upsert by external id stays inside the caller's organisation.
    ext = client.put(f"{URL}/external/shared-1", json=offer_payload(), headers=a)
    ext_b = client.put(f"{URL}/external/shared-1", json=offer_payload(), headers=b)
    assert ext.status_code == ext_b.status_code == 201
    assert ext.json()["id"] != ext_b.json()["id"]
    # A provider cannot create offers for another organisation.
    other = client.post(
        URL,
        params={"organisation_id": b_public["organisation_id"]},
        json=offer_payload(),
        headers=a,
    )
    assert other.status_code == 403


def test_writes_need_a_key(client: TestClient, provider: dict[str, Any], make_offer: Any) -> None:
    offer = make_offer(provider["headers"])
    for method, path, body in (
        ("post", URL, offer_payload()),
        ("put", f"{URL}/{offer['id']}", offer_payload()),
        ("patch", f"{URL}/{offer['id']}", {"title": "Neu"}),
        ("delete", f"{URL}/{offer['id']}", None),
        ("put", f"{URL}/external/x", offer_payload()),
        ("get", URL, None),
        ("post", f"{URL}/{offer['id']}/publish", None),
    ):
        r = client.request(method, path, json=body)
        assert r.status_code == 401, (method, path)
        assert r.json()["error"]["code"] == "unauthorized"
    bad = client.post(URL, json=offer_payload(), headers={"Authorization": "Bearer br_nope_nope"})
    assert bad.status_code == 401
    basic = client.post(URL, json=offer_payload(), headers={"Authorization": "Basic abc"})
    assert basic.status_code == 401


def test_admin_only_endpoints(
    client: TestClient, provider: dict[str, Any], make_offer: Any
) -> None:
    offer = make_offer(provider["headers"])
    h = provider["headers"]
    assert client.post(f"{URL}/{offer['id']}/publish", headers=h).status_code == 403
    assert (
        client.post(f"{URL}/{offer['id']}/reject", json={"reason": "nein"}, headers=h).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/organisations", json={"name": "X", "kind": "vhs"}, headers=h
        ).status_code
        == 403
    )
    assert client.post("/api/v1/api-keys", json={"role": "admin"}, headers=h).status_code == 403


def test_upsert_idempotence(client: TestClient, provider: dict[str, Any]) -> None:
    h = provider["headers"]
    first = client.put(f"{URL}/external/kurs-42", json=offer_payload(), headers=h)
    assert first.status_code == 201
    assert first.headers["X-Upsert-Outcome"] == "created"
    same = client.put(f"{URL}/external/kurs-42", json=offer_payload(), headers=h)
    assert same.status_code == 200
    assert same.headers["X-Upsert-Outcome"] == "unchanged"
    assert same.json()["updated_at"] == first.json()["updated_at"]
    # Same content spelt differently (price 1290 vs 1290.00) is still unchanged.
    respelt = client.put(f"{URL}/external/kurs-42", json=offer_payload(price=1290), headers=h)
    assert respelt.headers["X-Upsert-Outcome"] == "unchanged"
    changed = client.put(f"{URL}/external/kurs-42", json=offer_payload(price="990"), headers=h)
    assert changed.status_code == 200
    assert changed.headers["X-Upsert-Outcome"] == "updated"
    assert changed.json()["id"] == first.json()["id"]
    assert client.get(URL, headers=h).json()["total"] == 1
    history = client.get(f"{URL}/{first.json()['id']}/history", headers=h).json()
    assert [e["action"] for e in history] == ["create", "update"]


def test_upsert_takes_the_body_post_takes(client: TestClient, provider: dict[str, Any]) -> None:
    """The body POST accepts (with external_id) is accepted by the upsert when the ids agree;
    a different id is a 422 at that field and writes nothing."""
    h = provider["headers"]
    created = client.put(
        f"{URL}/external/kurs-7", json=offer_payload(external_id="kurs-7"), headers=h
    )
    assert created.status_code == 201, created.text
    assert created.json()["external_id"] == "kurs-7"
    other = client.put(
        f"{URL}/external/kurs-8", json=offer_payload(external_id="kurs-7"), headers=h
    )
    assert other.status_code == 422
    error = other.json()["error"]
    assert error["details"][0]["loc"] == ["external_id"]
    assert "differs from the one in the path" in error["message"]
    assert client.get(URL, headers=h).json()["total"] == 1


def test_language_codes_in_two_or_three_letters(
    client: TestClient, provider: dict[str, Any]
) -> None:
    body = offer_payload(languages=["de", "DEU", "en", "ces"])
    body["dates"][0]["teaching_language"] = "fr"
    r = client.post(URL, json=body, headers=provider["headers"])
    assert r.status_code == 201, r.text
    assert r.json()["languages"] == ["deu", "eng", "cze"]
    assert r.json()["dates"][0]["teaching_language"] == "fra"


def test_moderation_flow(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str], make_offer: Any
) -> None:
    h = provider["headers"]
    offer = make_offer(h)
    oid = offer["id"]
    rejected = client.post(
        f"{URL}/{oid}/reject", json={"reason": "Beschreibung zu knapp"}, headers=admin
    )
    assert rejected.json()["status"] == "rejected"
    seen = client.get(f"{URL}/{oid}", headers=h).json()
    assert seen["rejection_reason"] == "Beschreibung zu knapp"
    # Answering a rejection with an edit sends it back to review.
    resubmitted = client.patch(f"{URL}/{oid}", json={"description": "Ausführlich " * 20}, headers=h)
    assert resubmitted.json()["status"] == "submitted"
    client.post(f"{URL}/{oid}/publish", headers=admin)

    # A substantial edit waits for review; the public keeps the published version.
    edit = client.patch(f"{URL}/{oid}", json={"title": "Buchhaltung für Profis"}, headers=h)
    assert edit.status_code == 200
    assert edit.json()["pending_revision"]["title"] == "Buchhaltung für Profis"
    assert client.get(f"{URL}/{oid}").json()["title"] == "Finanzbuchhaltung mit DATEV"
    # A minor edit (dates) of a published offer applies at once.
    client.post(f"{URL}/{oid}/reject", json={"reason": "Titel irreführend"}, headers=admin)
    assert client.get(f"{URL}/{oid}", headers=h).json()["pending_revision"] is None
    minor = offer_payload(days_ahead=45)
    minor_resp = client.patch(f"{URL}/{oid}", json={"dates": minor["dates"]}, headers=h)
    assert minor_resp.json()["pending_revision"] is None
    assert (
        client.get(f"{URL}/{oid}").json()["dates"][0]["start_date"]
        == minor["dates"][0]["start_date"]
    )
    # Substantial again, then approved: the revision becomes public.
    client.patch(f"{URL}/{oid}", json={"title": "Buchhaltung kompakt"}, headers=h)
    client.post(f"{URL}/{oid}/publish", headers=admin)
    assert client.get(f"{URL}/{oid}").json()["title"] == "Buchhaltung kompakt"
    # Withdraw and submit again.
    assert client.post(f"{URL}/{oid}/withdraw", headers=h).json()["status"] == "withdrawn"
    assert client.get(f"{URL}/{oid}").status_code == 404
    assert client.post(f"{URL}/{oid}/submit", headers=h).json()["status"] == "submitted"
    actions = [e["action"] for e in client.get(f"{URL}/{oid}/history", headers=admin).json()]
    assert actions == [
        "create",
        "rejected",
        "update",
        "published",
        "revision_submitted",
        "revision_rejected",
        "update",
        "revision_submitted",
        "revision_published",
        "withdrawn",
        "submitted",
    ]
    entry = client.get(f"{URL}/{oid}/history", headers=admin).json()[2]
    assert entry["fields"] == ["description"]
    assert entry["actor"].startswith("key:")


def test_status_filter_and_pagination(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str], make_offer: Any
) -> None:
    ids = [make_offer(provider["headers"])["id"] for _ in range(5)]
    client.post(f"{URL}/{ids[0]}/publish", headers=admin)
    mine = client.get(URL, headers=provider["headers"], params={"per_page": 2, "page": 2}).json()
    assert mine["total"] == 5
    assert len(mine["items"]) == 2
    published = client.get(URL, headers=admin, params={"status": "published"}).json()
    assert [o["id"] for o in published["items"]] == [ids[0]]
    assert client.get(URL, headers=admin, params={"status": "bogus"}).status_code == 422


def test_invalid_transitions_are_conflicts(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str], make_offer: Any
) -> None:
    oid = make_offer(provider["headers"])["id"]
    client.delete(f"{URL}/{oid}", headers=provider["headers"])
    r = client.post(f"{URL}/{oid}/publish", headers=admin)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "conflict"
    assert (
        client.put(f"{URL}/{oid}", json=offer_payload(), headers=provider["headers"]).status_code
        == 409
    )
    assert client.post(f"{URL}/999999/publish", headers=admin).status_code == 404


def test_an_offer_whose_dates_all_passed_is_gone(
    client: TestClient,
    trusted_provider: dict[str, Any],
    admin: dict[str, str],
    make_offer: Any,
) -> None:
    ended = make_offer(trusted_provider["headers"], days_ahead=-90)
    current = make_offer(trusted_provider["headers"])
    assert ended["status"] == current["status"] == "published"
    for url in (f"{URL}/{ended['id']}", f"{URL}/{ended['id']}.jsonld"):
        r = client.get(url)
        assert r.status_code == 410, (url, r.text)
        assert r.json()["error"]["code"] == "gone"
    assert client.get(f"{URL}/{current['id']}").status_code == 200
    # its owner and admins still read it (to change its dates, say)
    assert (
        client.get(f"{URL}/{ended['id']}", headers=trusted_provider["headers"]).status_code == 200
    )
    assert client.get(f"{URL}/{ended['id']}", headers=admin).status_code == 200
    # a portal's API says the same
    body = {"slug": "ruhr", "name": "Ruhr", "postcode_prefixes": ["447"]}
    assert client.post("/api/v1/admin/portals", json=body, headers=admin).status_code == 201
    assert client.get(f"/api/v1/portals/ruhr/offers/{ended['id']}").status_code == 410
    assert client.get(f"/api/v1/portals/ruhr/offers/{current['id']}").status_code == 200
    # an offer on request (no dates) never ends this way
    on_request = make_offer(trusted_provider["headers"], dates=[])
    assert client.get(f"{URL}/{on_request['id']}").status_code == 200
