"""Duplicate candidates in the moderation queue: listed with score and reason, decided by an
admin (not a duplicate: never proposed again; the same: one canonical hit naming the other
provider, or the other left out, as the portal says), every decision in the audit log."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app import db
from app.services.quality.duplicates import check_pending
from tests.conftest import SearchIndex, offer_payload

DESCRIPTION = (
    "Sie lernen die doppelte Buchführung, Kontenrahmen, Umsatzsteuer und die Arbeit mit DATEV "
    "an echten Belegen aus kleinen und mittleren Unternehmen."
)


def _offer(
    client: TestClient, headers: dict[str, str], title: str, description: str = DESCRIPTION
) -> int:
    body = offer_payload(title=title, description=description, keywords=title.split()[:1])
    r = client.post("/api/v1/offers", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _check() -> None:
    with db.session_scope() as session:
        check_pending(session=session)


@pytest.fixture
def twins(
    client: TestClient,
    trusted_provider: dict[str, Any],
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
) -> dict[str, Any]:
    """The same course from the VHS and from the chamber, both published, and one pair."""
    chamber = make_org(name="IHK Mittleres Ruhrgebiet", kind="chamber", trusted=True)
    chamber_key = make_key("provider", chamber)
    vhs = _offer(client, trusted_provider["headers"], "Finanzbuchhaltung mit DATEV")
    ihk = _offer(client, chamber_key, "Finanzbuchhaltung mit DATEV (IHK)")
    _offer(client, chamber_key, "Schweißen Grundkurs", "MAG- und WIG-Schweißen an Stahl.")
    _check()
    return {
        "vhs": vhs,
        "ihk": ihk,
        "chamber_key": chamber_key,
        "vhs_key": trusted_provider["headers"],
    }


def _queue(client: TestClient, admin: dict[str, str], **params: str) -> dict[str, Any]:
    r = client.get("/api/v1/moderation/duplicates", params=params, headers=admin)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_candidates_are_listed_with_score_and_reason(
    client: TestClient, admin: dict[str, str], twins: dict[str, Any]
) -> None:
    queue = _queue(client, admin)
    assert queue["total"] == 1
    [pair] = queue["items"]
    assert {o["id"] for o in pair["offers"]} == {twins["vhs"], twins["ihk"]}
    assert {o["organisation_name"] for o in pair["offers"]} == {
        "VHS Bochum",
        "IHK Mittleres Ruhrgebiet",
    }
    assert pair["score"] >= 90
    assert pair["status"] == "open"
    assert pair["reason"].startswith("title ")
    assert "both in Bochum" in pair["reason"]
    assert pair["details"]["place"] == "Bochum"


def test_not_a_duplicate_is_never_proposed_again(
    client: TestClient, admin: dict[str, str], twins: dict[str, Any]
) -> None:
    pair_id = _queue(client, admin)["items"][0]["id"]
    r = client.post(
        f"/api/v1/moderation/duplicates/{pair_id}/decision",
        json={"decision": "not_duplicate"},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "not_duplicate"
    r = client.patch(
        f"/api/v1/offers/{twins['ihk']}",
        json={"description": DESCRIPTION + " Neu."},
        headers=twins["chamber_key"],
    )
    assert r.status_code == 200, r.text
    _check()
    assert _queue(client, admin)["total"] == 0
    assert _queue(client, admin, status="not_duplicate")["total"] == 1
    with db.session_scope() as session:
        entry = session.execute(
            text("SELECT action, detail FROM audit_entry WHERE entity = 'duplicate_candidate'")
        ).one()
    assert entry[0] == "not_duplicate"


def test_the_same_offer_shows_once_naming_the_other_provider(
    client: TestClient,
    admin: dict[str, str],
    twins: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    search_index.drain()
    before = client.get("/api/v1/search", params={"q": "DATEV"}).json()
    assert before["total"] == 2
    pair_id = _queue(client, admin)["items"][0]["id"]
    r = client.post(
        f"/api/v1/moderation/duplicates/{pair_id}/decision",
        json={"decision": "same", "canonical_offer_id": twins["vhs"]},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert r.json()["canonical_offer_id"] == twins["vhs"]
    search_index.drain()
    after = client.get("/api/v1/search", params={"q": "DATEV"}).json()
    assert [(h["id"], h["also_offered_by"]) for h in after["hits"]] == [
        (twins["vhs"], ["IHK Mittleres Ruhrgebiet"])
    ]
    for slug, mode in (("nennt", "also_offered"), ("still", "hidden")):
        body = {"slug": slug, "name": slug, "postcode_prefixes": ["44"], "duplicates": mode}
        assert client.post("/api/v1/admin/portals", json=body, headers=admin).status_code == 201
    named = client.get("/api/v1/portals/nennt/search", params={"q": "DATEV"}).json()
    assert named["hits"][0]["also_offered_by"] == ["IHK Mittleres Ruhrgebiet"]
    quiet = client.get("/api/v1/portals/still/search", params={"q": "DATEV"}).json()
    assert [(h["id"], h["also_offered_by"]) for h in quiet["hits"]] == [(twins["vhs"], [])]
    page = client.get("/p/nennt/", params={"q": "DATEV"}).text
    assert "auch angeboten von IHK Mittleres Ruhrgebiet" in page
    assert "auch angeboten von" not in client.get("/p/still/", params={"q": "DATEV"}).text
    # The other offer keeps its own page, and is found again when the canonical one leaves.
    assert client.get(f"/api/v1/offers/{twins['ihk']}").status_code == 200
    r = client.post(f"/api/v1/offers/{twins['vhs']}/withdraw", headers=twins["vhs_key"])
    assert r.status_code == 200, r.text
    search_index.drain()
    left = client.get("/api/v1/search", params={"q": "DATEV"}).json()
    assert [h["id"] for h in left["hits"]] == [twins["ihk"]]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"decision": "same"}, ["canonical_offer_id"]),
        ({"decision": "not_duplicate", "canonical_offer_id": 1}, ["canonical_offer_id"]),
        ({"decision": "merge"}, ["decision"]),
        ({"decision": "same", "canonical_offer_id": 999}, ["canonical_offer_id"]),
        ({"decision": "not_duplicate", "extra": 1}, ["extra"]),
    ],
)
def test_bad_decisions_are_422(
    client: TestClient,
    admin: dict[str, str],
    twins: dict[str, Any],
    body: dict[str, Any],
    loc: list[str],
) -> None:
    pair_id = _queue(client, admin)["items"][0]["id"]
    r = client.post(f"/api/v1/moderation/duplicates/{pair_id}/decision", json=body, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["loc"][: len(loc)] == loc
    assert _queue(client, admin)["items"][0]["status"] == "open"


def test_unknown_pair_is_404_and_a_removed_offer_409(
    client: TestClient, admin: dict[str, str], twins: dict[str, Any], provider: dict[str, Any]
) -> None:
    url = "/api/v1/moderation/duplicates/{}/decision"
    r = client.post(url.format(424242), json={"decision": "not_duplicate"}, headers=admin)
    assert r.status_code == 404
    assert "error" in r.json()
    r = client.post(url.format(0), json={"decision": "not_duplicate"}, headers=admin)
    assert r.status_code == 422
    pair_id = _queue(client, admin)["items"][0]["id"]
    r = client.post(
        url.format(pair_id), json={"decision": "not_duplicate"}, headers=provider["headers"]
    )
    assert r.status_code == 403
    assert (
        client.get("/api/v1/moderation/duplicates", headers=provider["headers"]).status_code == 403
    )
    r = client.get("/api/v1/moderation/duplicates", params={"status": "maybe"}, headers=admin)
    assert r.status_code == 422
    deleted = client.delete(f"/api/v1/offers/{twins['ihk']}", headers=twins["chamber_key"])
    assert deleted.status_code == 204
    assert _queue(client, admin)["total"] == 0  # an archived offer leaves the queue
    r = client.post(url.format(pair_id), json={"decision": "not_duplicate"}, headers=admin)
    assert r.status_code == 409
    assert "archived" in r.json()["error"]["message"]
