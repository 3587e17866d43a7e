"""A portal never shows what lies outside its region and rules: search, suggest, detail, pages."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app import db
from app.services import outbox
from tests.conftest import SearchIndex
from tests.portals.conftest import ALLOWED_ORIGIN, BOCHUM, KOELN, Region, at, create_portal

EXPECTED = {
    # prefixes 447/448, provider blocked
    "bochum": {"bochum", "reviewed"},
    # 12 km around Bochum's centre, whatever the postcode
    "umkreis": {"bochum", "herne", "witten", "blocked", "reviewed"},
    # one exact postcode
    "herne": {"herne"},
    # prefix 447, only reviewed offers
    "geprueft": {"reviewed"},
}


def _search(client: TestClient, slug: str, **params: Any) -> dict[str, Any]:
    r = client.get(f"/api/v1/portals/{slug}/search", params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _names(region: Region, ids: set[int]) -> set[str]:
    by_id = {v: k for k, v in region.offers.items()}
    return {by_id[i] for i in ids}


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_search_stays_inside_the_portal(client: TestClient, region: Region, slug: str) -> None:
    result = _search(client, slug, q="buchhaltung", per_page=50)
    assert _names(region, {h["id"] for h in result["hits"]}) == EXPECTED[slug]
    assert result["total"] == len(EXPECTED[slug])
    # Browsing without words and asking for a far-away place still stays inside.
    browse = _search(client, slug, per_page=50)
    assert _names(region, {h["id"] for h in browse["hits"]}) == EXPECTED[slug]
    far = _search(client, slug, postcode="50667", radius_km=10)
    assert far["total"] == 0


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_suggest_stays_inside_the_portal(client: TestClient, region: Region, slug: str) -> None:
    r = client.get(f"/api/v1/portals/{slug}/suggest", params={"q": "buchh"})
    assert r.status_code == 200, r.text
    ids = {s["offer_id"] for s in r.json()["suggestions"]}
    assert _names(region, ids) <= EXPECTED[slug]


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_detail_is_404_outside_the_portal(client: TestClient, region: Region, slug: str) -> None:
    for name, offer_id in region.offers.items():
        api = client.get(f"/api/v1/portals/{slug}/offers/{offer_id}")
        page = client.get(f"/p/{slug}/angebote/{offer_id}")
        expected = 200 if name in EXPECTED[slug] else 404
        assert (api.status_code, page.status_code) == (expected, expected), (slug, name)
        if expected == 200:
            assert api.json()["id"] == offer_id
            assert "rejection_reason" not in api.json() or api.json()["rejection_reason"] is None


def test_unpublished_offer_is_404_everywhere(
    client: TestClient, region: Region, provider: dict[str, Any]
) -> None:
    from tests.portals.conftest import BOCHUM, at

    r = client.post(
        "/api/v1/offers", json=at(BOCHUM, title="Noch in Prüfung"), headers=provider["headers"]
    )
    offer_id = r.json()["id"]
    assert client.get(f"/api/v1/portals/bochum/offers/{offer_id}").status_code == 404
    assert client.get(f"/p/bochum/angebote/{offer_id}").status_code == 404


def test_page_without_javascript_lists_only_portal_offers(
    client: TestClient, region: Region
) -> None:
    # What the <form method=get> sends when a citizen presses "Suchen" without JavaScript.
    r = client.get("/p/bochum/", params={"q": "buchhaltung", "postcode": "", "radius_km": ""})
    assert r.status_code == 200
    shown = {int(i) for i in re.findall(r'href="/p/bochum/angebote/(\d+)[?"]', r.text)}
    assert _names(region, shown) == EXPECTED["bochum"]
    assert "2 Angebote gefunden" in r.text


def test_unknown_portal_is_404(client: TestClient, region: Region) -> None:
    assert client.get("/api/v1/portals/nirgendwo/search").status_code == 404
    assert client.get("/api/v1/portals/nirgendwo").status_code == 404
    assert client.get("/p/nirgendwo/").status_code == 404
    assert client.get("/widget/nirgendwo.js").status_code == 404


def test_scoped_search_validates_like_the_global_one(client: TestClient, region: Region) -> None:
    r = client.get("/api/v1/portals/bochum/search", params={"category": "astrology"})
    assert r.status_code == 422
    assert "it_digital" in r.text


def test_portal_info_is_public_with_contacts(client: TestClient, region: Region) -> None:
    r = client.get("/api/v1/portals/bochum")
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "Weiterbildung Bochum"
    assert body["contacts"][0]["name"] == "Beratung Bochum"
    assert "cors_origins" not in body
    assert "providers_block" not in body


def test_cors_only_for_listed_origins(client: TestClient, region: Region) -> None:
    preflight = client.options(
        "/api/v1/portals/bochum/search",
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "GET" in preflight.headers["access-control-allow-methods"]

    ok = client.get(
        "/api/v1/portals/bochum/search",
        params={"q": "buchhaltung"},
        headers={"Origin": ALLOWED_ORIGIN},
    )
    assert ok.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "Origin" in ok.headers["vary"]
    # Errors carry the header too, so the embedding page can read them.
    error = client.get("/api/v1/portals/bochum/offers/999999", headers={"Origin": ALLOWED_ORIGIN})
    assert error.status_code == 404
    assert error.headers["access-control-allow-origin"] == ALLOWED_ORIGIN

    for origin in ("http://evil.example", "http://stadt.example:8081"):
        denied = client.options(
            "/api/v1/portals/bochum/search",
            headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
        )
        assert "access-control-allow-origin" not in denied.headers
        got = client.get("/api/v1/portals/bochum/search", headers={"Origin": origin})
        assert "access-control-allow-origin" not in got.headers
    # Another portal's list does not count.
    other = client.get("/api/v1/portals/herne/search", headers={"Origin": ALLOWED_ORIGIN})
    assert "access-control-allow-origin" not in other.headers


def test_a_changed_portal_is_served_changed_at_once(
    client: TestClient, region: Region, admin: dict[str, str]
) -> None:
    """Citizen routes keep portals per process; a change through the admin API moves the
    portal generation, so the next request already sees the new region, name and origins."""
    assert _search(client, "herne", per_page=50)["total"] == 1
    assert client.get("/api/v1/portals/herne").json()["name"] != "Herne und Witten"
    origin = {"Origin": ALLOWED_ORIGIN}
    before = client.get("/api/v1/portals/herne/search", headers=origin)
    assert "access-control-allow-origin" not in before.headers
    changed = client.patch(
        "/api/v1/admin/portals/herne",
        json={
            "name": "Herne und Witten",
            "postcodes": ["44623", "58452"],
            "cors_origins": [ALLOWED_ORIGIN],
        },
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    assert _names(region, {h["id"] for h in _search(client, "herne", per_page=50)["hits"]}) == {
        "herne",
        "witten",
    }
    assert client.get("/api/v1/portals/herne").json()["name"] == "Herne und Witten"
    after = client.get("/api/v1/portals/herne/search", headers=origin)
    assert after.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "Herne und Witten" in client.get("/p/herne/").text
    assert client.delete("/api/v1/admin/portals/herne", headers=admin).status_code == 204
    assert client.get("/api/v1/portals/herne/search").status_code == 404


def test_an_offer_is_judged_by_its_current_dates_only(
    client: TestClient,
    region: Region,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    """A course that ran in Bochum and now runs only in Köln is no Bochum offer: not in the
    portal's search, detail, page, calendar or change feed, as for any offer outside it."""
    past = at(BOCHUM, title="Buchhaltung einst in Bochum", days_ahead=-90)
    now = at(KOELN)
    body = {**past, "dates": past["dates"] + now["dates"]}
    r = client.post("/api/v1/offers", json=body, headers=trusted_provider["headers"])
    assert r.status_code == 201, r.text
    offer = r.json()
    offer_id, bochum_date = offer["id"], offer["dates"][0]["id"]
    search_index.drain()
    assert _search(client, "bochum", q="einst")["total"] == 0
    assert client.get(f"/api/v1/portals/bochum/offers/{offer_id}").status_code == 404
    assert client.get(f"/p/bochum/angebote/{offer_id}").status_code == 404
    ics = f"/p/bochum/angebote/{offer_id}/termine/{bochum_date}.ics"
    assert client.get(ics).status_code == 404
    feed = client.get("/api/v1/portals/bochum/changes", params={"limit": 1000}).json()
    assert offer_id not in {i["offer_id"] for i in feed["items"]}
    # Where it runs now, it is shown.
    create_portal(client, admin, slug="koeln", name="Köln", postcode_prefixes=["50"])
    assert _search(client, "koeln", q="einst")["total"] == 1
    assert client.get(f"/api/v1/portals/koeln/offers/{offer_id}").status_code == 200
    assert client.get(f"/p/koeln/angebote/{offer_id}").status_code == 200
    feed = client.get("/api/v1/portals/koeln/changes", params={"limit": 1000}).json()
    assert [i["offer_id"] for i in feed["items"]] == [region.offers["koeln"], offer_id]


def test_a_date_that_passes_takes_the_offer_out_of_the_portal_feed(
    client: TestClient, region: Region, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    """When its last date in the region passes (the daily sweep queues it), the portal's feed
    gets a tombstone; the offer stays public elsewhere."""
    first, later = at(BOCHUM), at(KOELN, days_ahead=60)
    body = {**first, "title": "Buchhaltung wandert", "dates": first["dates"] + later["dates"]}
    offer_id = client.post("/api/v1/offers", json=body, headers=trusted_provider["headers"])
    offer_id = offer_id.json()["id"]
    search_index.drain()
    path = "/api/v1/portals/bochum/changes"
    page = client.get(path, params={"limit": 1000}).json()
    assert offer_id in {i["offer_id"] for i in page["items"]}
    with db.session_scope() as session:
        gone = date.today() - timedelta(days=2)
        session.execute(
            text(
                "UPDATE offer_date SET start_date = :d, end_date = :d, registration_deadline = :d"
                " WHERE offer_id = :o AND postcode = :pc"
            ),
            {"d": gone, "o": offer_id, "pc": BOCHUM[2]},
        )
        outbox.enqueue(session=session, offer_ids=[offer_id])
    search_index.drain()
    news = client.get(path, params={"since": page["next_cursor"]}).json()["items"]
    assert [(i["offer_id"], i["reason"]) for i in news] == [(offer_id, "left_portal")]
    assert client.get(f"/api/v1/portals/bochum/offers/{offer_id}").status_code == 404
    assert client.get(f"/api/v1/offers/{offer_id}").status_code == 200
