"""Legal and accessible: Impressum, Datenschutz and DGS links per portal, the accessibility
statement with its feedback contact, and the Leichte Sprache page."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.portals.conftest import create_portal

LINKS = {
    "imprint_url": "https://stadt.example/impressum",
    "privacy_url": "https://stadt.example/datenschutz",
    "sign_language_url": "https://stadt.example/dgs",
    "accessibility_email": "barrierefrei@stadt.example",
    "accessibility_phone": "0234 910",
}


@pytest.fixture
def portal(client: TestClient, admin: dict[str, str]) -> dict[str, Any]:
    return create_portal(
        client,
        admin,
        slug="bochum",
        name="Weiterbildung Bochum",
        postcode_prefixes=["447"],
        **LINKS,
    )


def test_the_links_are_portal_settings(
    client: TestClient, admin: dict[str, str], portal: dict[str, Any]
) -> None:
    assert {k: portal[k] for k in LINKS} == LINKS
    info = client.get("/api/v1/portals/bochum").json()
    assert info["imprint_url"] == LINKS["imprint_url"]
    for bad in ("javascript:alert(1)", "data:text/html,x", "ftp://x.example/"):
        r = client.patch("/api/v1/admin/portals/bochum", json={"imprint_url": bad}, headers=admin)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["error"]
    r = client.patch("/api/v1/admin/portals/bochum", json={"privacy_url": None}, headers=admin)
    assert r.status_code == 200
    assert r.json()["privacy_url"] is None


@pytest.mark.parametrize(
    "path", ["/p/bochum/", "/p/bochum/barrierefreiheit", "/p/bochum/leichte-sprache"]
)
def test_every_page_links_imprint_privacy_accessibility_and_dgs(
    client: TestClient, portal: dict[str, Any], path: str
) -> None:
    page = client.get(path).text
    for url in ("https://stadt.example/impressum", "https://stadt.example/datenschutz"):
        assert f'href="{url}"' in page
    assert 'href="/p/bochum/barrierefreiheit">Barrierefreiheit</a>' in page
    assert 'href="/p/bochum/leichte-sprache">Leichte Sprache</a>' in page
    assert 'href="https://stadt.example/dgs">Gebärdensprache (DGS)</a>' in page
    en = client.get(path, params={"lang": "en"}).text
    assert 'href="/p/bochum/barrierefreiheit?lang=en">Accessibility</a>' in en
    assert ">Legal notice</a>" in en


def test_a_portal_without_links_still_has_statement_and_easy_read(
    client: TestClient, admin: dict[str, str]
) -> None:
    create_portal(client, admin, slug="herne", name="Herne", postcodes=["44623"])
    page = client.get("/p/herne/").text
    assert "Impressum" not in page
    assert "Gebärdensprache" not in page
    assert 'href="/p/herne/barrierefreiheit"' in page


def test_accessibility_statement(client: TestClient, portal: dict[str, Any]) -> None:
    r = client.get("/p/bochum/barrierefreiheit")
    assert r.status_code == 200
    page = r.text
    assert "<h1>Erklärung zur Barrierefreiheit</h1>" in page
    assert "BITV 2.0" in page
    assert "weitgehend vereinbar" in page
    assert 'href="mailto:barrierefrei@stadt.example"' in page
    assert 'href="tel:0234910"' in page
    assert "schlichtungsstelle-bgg.de" in page
    en = client.get("/p/bochum/barrierefreiheit", params={"lang": "en"}).text
    assert '<html lang="en">' in en
    assert "<h1>Accessibility statement</h1>" in en
    assert client.get("/p/nope/barrierefreiheit").status_code == 404


def test_easy_read_page(client: TestClient, portal: dict[str, Any]) -> None:
    page = client.get("/p/bochum/leichte-sprache").text
    assert "<h1>Leichte Sprache</h1>" in page
    assert "So suchen Sie einen Kurs" in page
    assert 'class="back"><a href="/p/bochum/">' in page
    en = client.get("/p/bochum/leichte-sprache", params={"lang": "en"}).text
    assert "<h1>Easy read</h1>" in en
    assert 'class="back"><a href="/p/bochum/?lang=en">' in en
    # an unknown language falls back to German, as every page does
    odd = client.get("/p/bochum/leichte-sprache", params={"lang": "<x>"})
    assert odd.status_code == 200
    assert '<html lang="de">' in odd.text
    assert "<x>" not in odd.text
    # however long: a page, never the API's JSON error
    too_long = client.get("/p/bochum/leichte-sprache", params={"lang": "x" * 50})
    assert too_long.status_code == 200
    assert '<html lang="de">' in too_long.text
