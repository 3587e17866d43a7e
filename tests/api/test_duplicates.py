"""Duplicate candidates in the moderation queue: listed with score and reason, decided by an
admin (not a duplicate: never proposed again; the same: one canonical hit naming the other
provider, or the other left out, as the portal says), every decision in the audit log."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app import db
from app.services import changes, outbox
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


def _decide(client: TestClient, admin: dict[str, str], pair_id: int, canonical: int) -> Any:
    return client.post(
        f"/api/v1/moderation/duplicates/{pair_id}/decision",
        json={"decision": "same", "canonical_offer_id": canonical},
        headers=admin,
    )


def _pair_of(client: TestClient, admin: dict[str, str], a: int, b: int) -> int:
    for item in _queue(client, admin)["items"]:
        if {o["id"] for o in item["offers"]} == {a, b}:
            return int(item["id"])
    raise AssertionError(f"no pair of {a} and {b}")


def test_the_other_offer_is_found_again_when_the_canonical_one_ends(
    client: TestClient, admin: dict[str, str], twins: dict[str, Any], search_index: SearchIndex
) -> None:
    pair_id = _pair_of(client, admin, twins["vhs"], twins["ihk"])
    assert _decide(client, admin, pair_id, twins["vhs"]).status_code == 200
    search_index.drain()
    hits = client.get("/api/v1/search", params={"q": "DATEV"}).json()["hits"]
    assert [h["id"] for h in hits] == [twins["vhs"]]
    # The canonical offer's dates pass (still published): the daily sweep queues it again.
    with db.session_scope() as session:
        session.execute(
            text(
                "UPDATE offer_date SET start_date = '2020-01-01', end_date = '2020-02-01', "
                "registration_deadline = NULL WHERE offer_id = :id"
            ),
            {"id": twins["vhs"]},
        )
        session.execute(
            text(
                "INSERT INTO outbox (offer_id, created_at, attempts) "
                "VALUES (:id, CURRENT_TIMESTAMP, 0)"
            ),
            {"id": twins["vhs"]},
        )
    search_index.drain()
    hits = client.get("/api/v1/search", params={"q": "DATEV"}).json()["hits"]
    assert [h["id"] for h in hits] == [twins["ihk"]]


def test_decisions_never_chain(
    client: TestClient,
    admin: dict[str, str],
    twins: dict[str, Any],
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
) -> None:
    """A twin is nobody's canonical offer and a canonical offer nobody's twin: a cycle of
    "same" decisions would hide every offer in it."""
    third_key = make_key("provider", make_org(name="Bildungswerk", trusted=True))
    third = _offer(client, third_key, "Finanzbuchhaltung mit DATEV kompakt")
    _check()
    vhs, ihk = twins["vhs"], twins["ihk"]
    assert _decide(client, admin, _pair_of(client, admin, vhs, ihk), vhs).status_code == 200
    refused = _decide(client, admin, _pair_of(client, admin, ihk, third), ihk)
    assert refused.status_code == 409, refused.text
    assert f"offer {ihk} is marked as the same as offer {vhs}" in refused.text
    refused = _decide(client, admin, _pair_of(client, admin, vhs, third), third)
    assert refused.status_code == 409, refused.text
    assert f"offer {vhs} is the canonical offer of pair" in refused.text
    # The third joins the existing canonical offer: allowed.
    assert _decide(client, admin, _pair_of(client, admin, vhs, third), vhs).status_code == 200


def _news(client: TestClient, path: str, since: str) -> tuple[list[dict[str, Any]], str]:
    page = client.get(path, params={"since": since, "limit": 1000}).json()
    return page["items"], page["next_cursor"]


def test_a_merged_offer_leaves_the_feeds_and_portals_and_returns_when_unmerged(
    client: TestClient, admin: dict[str, str], twins: dict[str, Any], search_index: SearchIndex
) -> None:
    """Partners hear that the other offer left (`merged`, naming the canonical one), as search
    no longer finds it; a later decision brings it back."""
    body = {"slug": "bochum", "name": "Bochum", "postcode_prefixes": ["447"]}
    assert client.post("/api/v1/admin/portals", json=body, headers=admin).status_code == 201
    search_index.drain()
    feeds = {"/api/v1/changes": "", "/api/v1/portals/bochum/changes": ""}
    for path in feeds:
        items, feeds[path] = _news(client, path, changes.encode_cursor(0))
        assert {twins["vhs"], twins["ihk"]} <= {i["offer_id"] for i in items}
    pair_id = _pair_of(client, admin, twins["vhs"], twins["ihk"])
    assert _decide(client, admin, pair_id, twins["vhs"]).status_code == 200
    search_index.drain()
    for path in feeds:
        items, feeds[path] = _news(client, path, feeds[path])
        assert [
            (i["offer_id"], i["kind"], i["reason"], i.get("canonical_offer_id")) for i in items
        ] == [(twins["ihk"], "removed", "merged", twins["vhs"])], path
    hits = client.get("/api/v1/portals/bochum/search", params={"q": "DATEV"}).json()["hits"]
    assert [h["id"] for h in hits] == [twins["vhs"]]
    assert client.get(f"/api/v1/portals/bochum/offers/{twins['ihk']}").status_code == 404
    assert client.get(f"/p/bochum/angebote/{twins['ihk']}").status_code == 404
    assert client.get(f"/api/v1/portals/bochum/offers/{twins['vhs']}").status_code == 200
    # Its own address keeps answering: a link to it still leads to the course.
    assert client.get(f"/api/v1/offers/{twins['ihk']}").status_code == 200
    # Indexed again, nothing new; undone, it is back.
    with db.session_scope() as session:
        outbox.enqueue(session=session, offer_ids=[twins["vhs"], twins["ihk"]])
    search_index.drain()
    assert _news(client, "/api/v1/changes", feeds["/api/v1/changes"])[0] == []
    r = client.post(
        f"/api/v1/moderation/duplicates/{pair_id}/decision",
        json={"decision": "not_duplicate"},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    search_index.drain()
    for path in feeds:
        items, _ = _news(client, path, feeds[path])
        assert [(i["offer_id"], i["event"]) for i in items] == [
            (twins["ihk"], "offer.published")
        ], path
        assert items[0]["offer"] == client.get(f"/api/v1/offers/{twins['ihk']}").json()
    assert client.get(f"/api/v1/portals/bochum/offers/{twins['ihk']}").status_code == 200
