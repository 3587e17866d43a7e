"""Edits of published offers: what applies at once and what waits as a revision, what counts
as reviewed, and what the public's `updated_at` says."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import offer_payload

URL = "/api/v1/offers"


def _published(client: TestClient, provider: dict[str, Any], admin: dict[str, str]) -> int:
    """An untrusted provider's offer, published by an admin (so reviewed)."""
    r = client.post(URL, json=offer_payload(), headers=provider["headers"])
    assert r.status_code == 201, r.text
    oid = int(r.json()["id"])
    assert client.post(f"{URL}/{oid}/publish", headers=admin).status_code == 200
    return oid


def _later_dates(days_ahead: int = 45) -> list[dict[str, Any]]:
    return list(offer_payload(days_ahead=days_ahead)["dates"])


def test_content_applied_without_review_is_no_longer_reviewed(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str]
) -> None:
    h = provider["headers"]
    oid = _published(client, provider, admin)
    portal = {"slug": "geprueft", "name": "Geprüft", "postcode_prefixes": ["447"]}
    r = client.post(
        "/api/v1/admin/portals", json={**portal, "moderation": "review_all"}, headers=admin
    )
    assert r.status_code == 201, r.text
    assert client.get(f"/api/v1/portals/geprueft/offers/{oid}").status_code == 200
    trusted = client.patch(
        f"/api/v1/organisations/{provider['org_id']}", json={"trusted": True}, headers=admin
    )
    assert trusted.status_code == 200, trusted.text

    # Routine edits apply at once for everybody and keep the review.
    routine = client.patch(
        f"{URL}/{oid}", json={"dates": _later_dates(), "price_note": "Raten möglich"}, headers=h
    ).json()
    assert routine["reviewed_at"] is not None
    # Content moderation looks at, applied at once for a trusted organisation: unreviewed.
    edited = client.patch(f"{URL}/{oid}", json={"title": "Buchhaltung für alle"}, headers=h).json()
    assert (edited["title"], edited["pending_revision"]) == ("Buchhaltung für alle", None)
    assert edited["reviewed_at"] is None
    assert client.get(f"/api/v1/portals/geprueft/offers/{oid}").status_code == 404
    # An admin's approval makes it reviewed again.
    again = client.post(f"{URL}/{oid}/publish", headers=admin).json()
    assert again["reviewed_at"] is not None
    assert client.get(f"/api/v1/portals/geprueft/offers/{oid}").json()["title"] == (
        "Buchhaltung für alle"
    )


def test_routine_edits_apply_at_once_while_a_revision_waits(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str]
) -> None:
    h = provider["headers"]
    oid = _published(client, provider, admin)
    waiting = client.patch(f"{URL}/{oid}", json={"title": "Buchhaltung kompakt"}, headers=h)
    assert waiting.json()["pending_revision"]["title"] == "Buchhaltung kompakt"

    dates = _later_dates()
    for body in ({"dates": dates}, {"price_note": "Ratenzahlung möglich"}):
        r = client.patch(f"{URL}/{oid}", json=body, headers=h)
        assert r.status_code == 200, r.text
        assert r.json()["pending_revision"]["title"] == "Buchhaltung kompakt"
    public = client.get(f"{URL}/{oid}").json()
    assert public["title"] == "Finanzbuchhaltung mit DATEV"
    assert public["dates"][0]["start_date"] == dates[0]["start_date"]
    assert public["price_note"] == "Ratenzahlung möglich"
    # The moderation queue shows only what waits.
    [item] = client.get("/api/v1/moderation", headers=admin).json()["items"]
    assert [c["field"] for c in item["changes"]] == ["title"]

    # A title and a date in one edit: the date applies, the title waits with the first one.
    later = _later_dates(days_ahead=60)
    r = client.patch(
        f"{URL}/{oid}", json={"subtitle": "Mit Abschluss", "dates": later}, headers=h
    ).json()
    assert r["dates"][0]["start_date"] == later[0]["start_date"]
    assert (r["pending_revision"]["title"], r["pending_revision"]["subtitle"]) == (
        "Buchhaltung kompakt",
        "Mit Abschluss",
    )

    # Approving the revision keeps what applied meanwhile.
    approved = client.post(f"{URL}/{oid}/publish", headers=admin).json()
    assert approved["pending_revision"] is None
    public = client.get(f"{URL}/{oid}").json()
    assert (public["title"], public["subtitle"]) == ("Buchhaltung kompakt", "Mit Abschluss")
    assert public["dates"][0]["start_date"] == later[0]["start_date"]
    assert public["price_note"] == "Ratenzahlung möglich"
    actions = [e["action"] for e in client.get(f"{URL}/{oid}/history", headers=h).json()]
    assert actions == [
        "create",
        "published",
        "revision_submitted",
        "update",
        "update",
        "update",
        "revision_submitted",
        "revision_published",
    ]


def test_a_waiting_revision_does_not_move_the_public_updated_at(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str]
) -> None:
    h = provider["headers"]
    oid = _published(client, provider, admin)
    before = client.get(f"{URL}/{oid}").json()["updated_at"]
    r = client.patch(f"{URL}/{oid}", json={"title": "Buchhaltung kompakt"}, headers=h)
    assert r.json()["pending_revision"] is not None
    assert client.get(f"{URL}/{oid}").json()["updated_at"] == before
    assert client.get(f"{URL}/{oid}", headers=h).json()["updated_at"] == before
    # What the public sees changes with the approval.
    client.post(f"{URL}/{oid}/publish", headers=admin)
    after = client.get(f"{URL}/{oid}").json()["updated_at"]
    assert datetime.fromisoformat(after) > datetime.fromisoformat(before)


def test_sending_the_public_content_again_drops_the_revision(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str]
) -> None:
    h = provider["headers"]
    body = offer_payload()
    created = client.put(f"{URL}/external/fibu-1", json=body, headers=h).json()
    oid = created["id"]
    client.post(f"{URL}/{oid}/publish", headers=admin)
    renamed = client.put(f"{URL}/external/fibu-1", json={**body, "title": "Neu"}, headers=h)
    assert renamed.json()["pending_revision"]["title"] == "Neu"
    back = client.put(f"{URL}/external/fibu-1", json=body, headers=h)
    assert back.headers["X-Upsert-Outcome"] == "updated"
    assert back.json()["pending_revision"] is None
    assert back.json()["reviewed_at"] is not None
    assert client.get("/api/v1/moderation", headers=admin).json()["total"] == 0
    history = client.get(f"{URL}/{oid}/history", headers=h).json()
    assert [(e["action"], e["fields"]) for e in history][-2:] == [
        ("revision_submitted", ["title"]),
        ("revision_withdrawn", ["title"]),
    ]


def test_ids_with_a_slash_are_addressed_by_the_upsert(
    client: TestClient, provider: dict[str, Any]
) -> None:
    h = provider["headers"]
    created = client.post(URL, json=offer_payload(external_id="2027/FIBU-1"), headers=h)
    assert created.status_code == 201, created.text
    for path in ("2027%2FFIBU-1", "2027/FIBU-1"):
        r = client.put(f"{URL}/external/{path}", json=offer_payload(), headers=h)
        assert r.status_code == 200, (path, r.text)
        assert r.headers["X-Upsert-Outcome"] == "unchanged"
        assert r.json()["id"] == created.json()["id"]
    new = client.put(f"{URL}/external/2027%2FLOHN-2", json=offer_payload(), headers=h)
    assert new.status_code == 201, new.text
    assert new.json()["external_id"] == "2027/LOHN-2"
    # What the id may not hold is refused at the path as in a body.
    r = client.put(f"{URL}/external/2027%2F%20x", json=offer_payload(), headers=h)
    assert r.status_code == 422
    assert ["path", "external_id"] in [d["loc"] for d in r.json()["error"]["details"]]


def test_the_dates_kept_by_an_edit_keep_their_ids(
    client: TestClient, trusted_provider: dict[str, Any]
) -> None:
    h = trusted_provider["headers"]
    body = offer_payload()
    second = {**body["dates"][0], "start_date": (date.today() + timedelta(days=90)).isoformat()}
    second["end_date"] = (date.today() + timedelta(days=120)).isoformat()
    second["registration_deadline"] = None
    body["dates"].append(second)
    offer = client.post(URL, json=body, headers=h).json()
    ids = [d["id"] for d in offer["dates"]]
    patched = client.patch(f"{URL}/{offer['id']}", json={"price": "990.00"}, headers=h).json()
    assert [d["id"] for d in patched["dates"]] == ids
    # A changed seat count is the same date; a dropped date goes, a new one is new.
    body["dates"][1]["free_seats"] = 3
    third = {**second, "start_date": (date.today() + timedelta(days=150)).isoformat()}
    third["end_date"] = (date.today() + timedelta(days=180)).isoformat()
    r = client.patch(f"{URL}/{offer['id']}", json={"dates": [body["dates"][1], third]}, headers=h)
    kept, added = r.json()["dates"]
    assert (kept["id"], kept["free_seats"]) == (ids[1], 3)
    assert added["id"] not in ids


def test_the_same_upsert_sent_at_once_converges(
    client: TestClient, provider: dict[str, Any]
) -> None:
    h = provider["headers"]
    body = offer_payload()
    start = threading.Barrier(8)

    def put(_: int) -> tuple[int, int]:
        start.wait()
        r = client.put(f"{URL}/external/kurs-1", json=body, headers=h)
        return r.status_code, int(r.json()["id"]) if r.status_code < 300 else 0

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(put, range(8)))
    assert sorted(status for status, _ in answers) == [200] * 7 + [201], answers
    assert len({offer_id for _, offer_id in answers}) == 1
    assert client.get(URL, headers=h).json()["total"] == 1
