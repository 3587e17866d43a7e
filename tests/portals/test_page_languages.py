"""Citizen pages in German and English: code-list labels, dates, prices and numbers are written
in the page's language (Babel's CLDR formats), not only its fixed texts."""

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models.search import FacetValue, SearchParams, SearchResult, SearchScope
from app.search import service as search
from tests.conftest import search_hit
from tests.portals.conftest import BOCHUM, at, create_portal

NBSP = "\xa0"
JSONLD = re.compile(r'<script type="application/ld\+json">.*?</script>', re.S)


def _result() -> SearchResult:
    hit = search_hit(next_start=date(2030, 3, 6), price=Decimal("1290.5"), distance_km=1234.4)
    # The search service labels facet values in German, whatever the page language.
    facets = {
        "category": [FacetValue(value="it_digital", label="IT und Digitales", count=7)],
        "schedule": [FacetValue(value="evening", label="abends", count=1200)],
        "funding": [FacetValue(value="bildungsgutschein", label="Bildungsgutschein", count=3)],
    }
    return SearchResult(total=1234, page=1, per_page=10, hits=[hit], facets=facets)


@pytest.fixture
def bochum(client: TestClient, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    create_portal(
        client, admin, slug="bochum", name="Weiterbildung Bochum", postcode_prefixes=["447"]
    )

    async def fake(
        params: SearchParams, *, scope: SearchScope | None = None, default_radius: bool = True
    ) -> SearchResult:
        return _result()

    monkeypatch.setattr(search, "search_offers", fake)


FILTERS = {
    "q": "excel",
    "postcode": "44787",
    "category": "it_digital",
    "language": "eng",
    "price_max": "1500",
    "start_from": "2030-03-01",
}


def test_english_search_page_speaks_english(client: TestClient, bochum: None) -> None:
    html = client.get("/p/bochum/", params=FILTERS | {"lang": "en"}).text
    # facets and chips: English code-list labels
    assert "IT and digital skills" in html
    assert "evenings" in html
    assert "Education voucher (Bildungsgutschein)" in html
    assert "IT und Digitales" not in html
    assert '">English <span aria-hidden="true">×' in html  # the chip of the ticked language
    # dates, prices and numbers as written in British English
    assert "6 March 2030" in html
    assert "€1,290.50" in html
    assert "€1,500.00" in html  # the price chip
    assert "1 March 2030" in html  # the start chip
    assert "1,234 offers found" in html
    assert "1,234 km" in html
    assert "1,200" in html  # a facet count


def test_german_search_page_speaks_german(client: TestClient, bochum: None) -> None:
    html = client.get("/p/bochum/", params=FILTERS).text
    assert "IT und Digitales" in html
    assert "abends" in html
    assert "IT and digital skills" not in html
    assert "6. März 2030" in html
    assert f"1.290,50{NBSP}€" in html
    assert f"1.500,00{NBSP}€" in html
    assert "1. März 2030" in html
    assert "1.234 Angebote gefunden" in html
    assert "1.234 km" in html
    assert "1.200" in html


def test_offer_page_in_both_languages(
    client: TestClient, admin: dict[str, str], provider: dict[str, Any]
) -> None:
    create_portal(
        client, admin, slug="bochum", name="Weiterbildung Bochum", postcode_prefixes=["447"]
    )
    body = at(
        BOCHUM,
        category="it_digital",
        format="blended",
        languages=["deu", "eng"],
        target_groups=["jobseekers"],
        funding=["bildungsgutschein"],
        price="1290.00",
    )
    body["dates"][0].update(
        start_date="2030-03-06",
        end_date="2030-05-08",
        registration_deadline="2030-02-27",
        schedule="evening",
    )
    r = client.post("/api/v1/offers", json=body, headers=provider["headers"])
    assert r.status_code == 201, r.text
    offer_id = r.json()["id"]
    client.post(f"/api/v1/offers/{offer_id}/publish", headers=admin)

    en = client.get(f"/p/bochum/angebote/{offer_id}", params={"lang": "en"}).text
    for text in (
        "IT and digital skills",
        "mixed (in person and online)",
        "evenings",
        "German",
        "English",
        "Education voucher (Bildungsgutschein)",
        "6 March 2030",
        "8 May 2030",
        "27 February 2030",
        "€1,290.00",
    ):
        assert text in en, text
    # (the JSON-LD for search engines stays German, the catalogue's language)
    shown = JSONLD.sub("", en)
    for german in ("IT und Digitales", "6. März 2030", "abends"):
        assert german not in shown, german

    de = client.get(f"/p/bochum/angebote/{offer_id}").text
    for text in (
        "IT und Digitales",
        "abends",
        "Bildungsgutschein",
        "6. März 2030",
        "8. Mai 2030",
        "27. Februar 2030",
        f"1.290,00{NBSP}€",
    ):
        assert text in de, text
    assert "6 March 2030" not in de


def test_widget_texts_come_from_the_catalogues(client: TestClient, bochum: None) -> None:
    code = client.get("/widget/bochum.js").text
    table = json.loads(re.search(r"var TEXTS = (\{.*?\});\n", code).group(1))  # type: ignore[union-attr]
    assert set(table) == {"de", "en"}
    assert table["de"]["label"] == "Weiterbildung suchen"
    assert table["en"]["label"] == "Search further education"
    assert table["de"]["found"] == "{n} Angebote gefunden"
    assert table["en"]["one"] == "1 offer found"
    assert (table["de"]["locale"], table["en"]["locale"]) == ("de-DE", "en-GB")
    # every text the script reads is there, in both languages
    used = set(re.findall(r"\bT\.(\w+)", code))
    for lang in ("de", "en"):
        assert used <= set(table[lang]), used - set(table[lang])
        assert all(table[lang].values())
    # the script without its texts is not served
    assert client.get("/static/widget.js").status_code == 404
