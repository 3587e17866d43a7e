"""The map view of a portal search: page, JSON, tile server policy, vendored library."""

import html
import re
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import SearchIndex
from tests.portals.conftest import BOCHUM, Region, at

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)> javascript:alert(2)'


def _img_src(response: Any) -> str:
    policy = str(response.headers["content-security-policy"])
    return next(p for p in policy.split("; ") if p.startswith("img-src"))


def test_map_page_and_its_data(client: TestClient, region: Region) -> None:
    r = client.get("/p/bochum/karte?q=buchhaltung")
    assert r.status_code == 200
    html = r.text
    # The same offers as a list, each a link with its title.
    for name in ("bochum", "reviewed"):
        assert f'href="/p/bochum/angebote/{region.offers[name]}"' in html
    assert f"/angebote/{region.offers['dortmund']}" not in html
    assert 'href="/p/bochum/?q=buchhaltung"' in html  # back to the list, search kept
    assert 'data-source="/p/bochum/karte.json?q=buchhaltung"' in html
    assert '<script src="/static/vendor/leaflet.js" defer></script>' in html
    assert 'href="https://www.openstreetmap.org/copyright"' in html
    # Only the map page may load images from the tile server.
    assert _img_src(r) == "img-src 'self' data: https://tile.openstreetmap.org"
    assert _img_src(client.get("/p/bochum/?q=buchhaltung")) == "img-src 'self' data:"

    data = client.get("/p/bochum/karte.json?q=buchhaltung").json()
    assert data["total"] == 2
    by_id = {m["id"]: m for m in data["markers"]}
    assert set(by_id) == {region.offers["bochum"], region.offers["reviewed"]}
    marker = by_id[region.offers["bochum"]]
    assert marker["title"] == "Finanzbuchhaltung mit DATEV"
    assert marker["url"] == f"/p/bochum/angebote/{region.offers['bochum']}"
    assert (marker["lat"], marker["lon"]) == (BOCHUM[0], BOCHUM[1])
    assert marker["place"] == "44787 Bochum"
    english = client.get("/p/bochum/karte.json?q=buchhaltung&lang=en").json()
    assert english["markers"][0]["url"].endswith("?lang=en")
    assert "Search results on a map" in client.get("/p/bochum/karte?lang=en").text


def test_map_tiles_per_portal(client: TestClient, admin: dict[str, str], region: Region) -> None:
    r = client.patch(
        "/api/v1/admin/portals/bochum",
        json={
            "map_tile_url": "https://{s}.karten.example.org/tiles/{z}/{x}/{y}.png",
            "map_attribution": "© Stadt Bochum <b>Geodaten</b>",
        },
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert r.json()["map_tile_url"] == "https://{s}.karten.example.org/tiles/{z}/{x}/{y}.png"
    r = client.get("/p/bochum/karte?q=buchhaltung")
    assert _img_src(r) == "img-src 'self' data: https://*.karten.example.org"
    assert 'data-tiles="https://{s}.karten.example.org/tiles/{z}/{x}/{y}.png"' in r.text
    assert "© Stadt Bochum &lt;b&gt;Geodaten&lt;/b&gt;" in r.text
    for bad in (
        "javascript:alert(1)//{z}{x}{y}",
        "https://karten.example.org/tiles.png",
        "https://karten.example.org/{z}/{x}/{y}.png; script-src *",
        "https://karten.example.org/{z}/{x}/{y}.png' onerror='x",
    ):
        r = client.patch("/api/v1/admin/portals/bochum", json={"map_tile_url": bad}, headers=admin)
        assert r.status_code == 422, bad
        assert "error" in r.json()


def test_map_bad_parameters(client: TestClient, region: Region) -> None:
    r = client.get("/p/bochum/karte?q=buchhaltung&radius_km=abc&postcode=00000")
    assert r.status_code == 200
    assert "haben wir nicht verstanden" in r.text
    # The map's data is asked for with the search as the page understood it.
    assert 'data-source="/p/bochum/karte.json?q=buchhaltung"' in r.text
    r = client.get("/p/bochum/karte.json?radius_km=abc")
    assert r.status_code == 422
    assert "error" in r.json()
    assert client.get("/p/unbekannt/karte").status_code == 404
    assert client.get("/p/unbekannt/karte.json").status_code == 404
    none = client.get("/p/bochum/karte?q=xylophonbau").text
    assert "leaflet.js" not in none  # nothing to show: no map library either
    assert "Keines der gefundenen Angebote" in none


def test_hostile_text_is_data_on_the_map(
    client: TestClient, region: Region, make_org: Any, make_key: Any, search_index: SearchIndex
) -> None:
    org = make_org(name=f"Anbieter {EVIL}", trusted=True)
    body = at(BOCHUM, title=f"Buchhaltung {EVIL}", keywords=["Buchhaltung"])
    body["dates"][0]["location"]["city"] = "Bochum"
    r = client.post("/api/v1/offers", json=body, headers=make_key("provider", org))
    offer_id = r.json()["id"]
    search_index.drain()
    html = client.get("/p/bochum/karte?q=buchhaltung").text
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    marker = next(
        m
        for m in client.get("/p/bochum/karte.json?q=buchhaltung").json()["markers"]
        if m["id"] == offer_id
    )
    # Plain values: the script shows them with textContent (tests/browser checks the popup).
    assert marker["title"] == f"Buchhaltung {EVIL}"
    assert marker["provider"] == f"Anbieter {EVIL}"
    assert marker["url"] == f"/p/bochum/angebote/{offer_id}"


def test_vendored_map_library(client: TestClient) -> None:
    r = client.get("/static/vendor/leaflet.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/vendor/leaflet.markercluster.js").status_code == 200
    assert client.get("/static/vendor/images/marker-icon.png").status_code == 200
    assert client.get("/static/vendor/..%2F..%2Fservices%2Fpages.py").status_code == 404
    assert client.get("/static/vendor/nope.js").status_code == 404
    # The map scripts load nothing from other hosts: no absolute URL in our own code.
    own = client.get("/static/map.js").text + client.get("/static/follow.js").text
    assert not re.search(r"https?://", own)


def test_links_of_an_egal_search_keep_it(client: TestClient, region: Region) -> None:
    """ "Umkreis: egal" far from the portal's offers: the list finds them, and so do the map,
    the feed and the way back, which carry the search as `radius_any`."""
    query = {"q": "buchhaltung", "postcode": "50667", "radius_km": "any"}  # Köln, ~60 km away
    page = client.get("/p/umkreis/", params=query).text
    assert f"/angebote/{region.offers['bochum']}" in page
    links = set(re.findall(r'(?:href|data-[a-z-]+)="(/p/umkreis/(?:karte|neu\.atom)[^"]*)"', page))
    assert links, "the page links its map and feed"
    for link in links:
        assert "radius_any=1" in html.unescape(link), link
    egal = {"q": "buchhaltung", "postcode": "50667", "radius_any": "1"}
    data = client.get("/p/umkreis/karte.json", params=egal)
    assert data.status_code == 200, data.text
    assert region.offers["bochum"] in {m["id"] for m in data.json()["markers"]}
    near_only = {"q": "buchhaltung", "postcode": "50667"}
    assert client.get("/p/umkreis/karte.json", params=near_only).json()["markers"] == []
