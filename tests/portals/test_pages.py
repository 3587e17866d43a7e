"""Citizen pages: content, plain-language labels, languages, escaping, JSON-LD and weight."""

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.errors import ServiceUnavailable
from app.models.search import FacetValue, SearchParams, SearchResult, SearchScope
from app.search import service as search
from tests.conftest import SearchIndex, search_hit
from tests.portals.conftest import BOCHUM, Region, at, create_portal

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'
JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _fake_result(n: int = 10, *, provider: str = "VHS Bochum") -> SearchResult:
    hits = [
        search_hit(
            id=i + 1,
            title=f"Kurs {i}",
            provider=provider,
            price=[None, Decimal("0"), Decimal("1290.5")][i % 3],
            snippet="Sie lernen <mark>Buchhaltung</mark> &amp; mehr " + "Lorem ipsum dolor " * 12,
            title_html=f"<mark>Kurs</mark> {i}",
        )
        for i in range(n)
    ]
    facets = {
        name: [FacetValue(value=v, label=label, count=7) for v, label in values]
        for name, values in {
            "category": [
                ("it_digital", "IT und Digitales"),
                ("health_care", "Gesundheit und Pflege"),
                ("languages", "Fremdsprachen"),
            ],
            "format": [("in_person", "vor Ort"), ("online", "online")],
            "schedule": [("part_time", "Teilzeit"), ("evening", "abends")],
            "funding": [("bildungsgutschein", "Bildungsgutschein")],
            "city": [(f"Stadt {i}", f"Stadt {i}") for i in range(12)],
        }.items()
    }
    return SearchResult(total=95, page=1, per_page=10, hits=hits, facets=facets)


@pytest.fixture
def fake_search(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replaces the search service's answer; records what the page asked for."""
    seen: dict[str, Any] = {"result": _fake_result()}

    async def fake(
        params: SearchParams, *, scope: SearchScope | None = None, default_radius: bool = True
    ) -> SearchResult:
        seen["params"], seen["scope"] = params, scope
        seen["default_radius"] = default_radius
        if isinstance(seen["result"], Exception):
            raise seen["result"]
        return seen["result"]  # type: ignore[no-any-return]

    monkeypatch.setattr(search, "search_offers", fake)
    return seen


@pytest.fixture
def portal(client: TestClient, admin: dict[str, str]) -> dict[str, Any]:
    return create_portal(
        client,
        admin,
        slug="bochum",
        name="Weiterbildung Bochum",
        postcode_prefixes=["447"],
        moderation="review_all",
        contacts=[
            {
                "name": "Beratung <b>Bochum</b>",
                "phone": "0234 123",
                "opening_hours": "Mo–Fr\n9–12 Uhr",
            }
        ],
    )


def test_search_page_is_an_accessible_form(
    client: TestClient, portal: dict[str, Any], fake_search: dict[str, Any]
) -> None:
    r = client.get(
        "/p/bochum/",
        params=[
            ("q", "buchhaltung"),
            ("category", "it_digital"),
            ("category", "bogus"),
            ("postcode", "44787"),
            ("radius_km", "25"),
            ("sort", "distance"),
            ("page", "2"),
            ("barrier_free", "1"),
        ],
    )
    assert r.status_code == 200
    html = r.text
    assert '<html lang="de">' in html
    assert 'class="skip" href="#main"' in html
    assert '<main id="main"' in html
    assert 'method="get"' in html
    assert 'role="search"' in html
    for field in ("q", "postcode", "radius", "sort"):
        assert f'<label for="{field}">' in html
    assert 'list="q-suggestions"' in html
    assert "<datalist" in html
    # facets are checkboxes with counts; what was ticked stays ticked
    assert re.search(r'name="category" value="it_digital" checked>', html)
    assert "(7)</span>" in html
    assert "95 Angebote gefunden" in html
    assert 'aria-label="Seiten"' in html
    assert 'aria-current="page"' in html
    assert "Preis auf Anfrage" in html
    assert "kostenlos" in html
    assert "1.290,50\xa0€" in html
    assert "<mark>Buchhaltung</mark> &amp; mehr" in html
    # the portal's rules went to the search service, and unknown values were dropped
    params, scope = fake_search["params"], fake_search["scope"]
    assert params.category == ["it_digital"]
    assert params.page == 2
    assert params.postcode == "44787"
    assert params.radius_km == 25
    assert params.barrier_free
    assert scope.postcode_prefixes == ["447"]
    assert scope.reviewed_only
    # counselling contacts, escaped, line breaks kept by CSS
    assert "Beratung &lt;b&gt;Bochum&lt;/b&gt;" in html
    assert 'href="tel:0234123"' in html


def test_english_page(
    client: TestClient, portal: dict[str, Any], fake_search: dict[str, Any]
) -> None:
    html = client.get("/p/bochum/", params={"q": "x", "lang": "en"}).text
    assert '<html lang="en">' in html
    assert "95 offers found" in html
    assert "Price on request" in html
    assert '<input type="hidden" name="lang" value="en">' in html
    assert 'hreflang="de"' in html
    # German page links to the English one
    de = client.get("/p/bochum/", params={"q": "x"}).text
    assert 'href="/p/bochum/?q=x&amp;lang=en"' in de


def test_lenient_query_never_errors(
    client: TestClient, portal: dict[str, Any], fake_search: dict[str, Any]
) -> None:
    r = client.get(
        "/p/bochum/",
        params={
            "page": "abc",
            "postcode": "00000",
            "radius_km": "7",
            "sort": "weird",
            "price_max": "x",
            "provider": "a",
        },
    )
    assert r.status_code == 200
    params = fake_search["params"]
    assert (params.page, params.postcode, params.radius_km, params.sort) == (
        1,
        None,
        None,
        "relevance",
    )


def test_search_outage_shows_a_page(
    client: TestClient, portal: dict[str, Any], fake_search: dict[str, Any]
) -> None:
    fake_search["result"] = ServiceUnavailable("down")
    r = client.get("/p/bochum/", params={"q": "x"})
    assert r.status_code == 503
    assert "nicht erreichbar" in r.text
    assert "Beratung" in r.text


def test_non_html_hit_fields_are_escaped(
    client: TestClient, portal: dict[str, Any], fake_search: dict[str, Any]
) -> None:
    fake_search["result"] = _fake_result(2, provider=EVIL)
    html = client.get("/p/bochum/", params={"q": EVIL}).text
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_search_page_weight(
    client: TestClient, portal: dict[str, Any], fake_search: dict[str, Any]
) -> None:
    html = client.get("/p/bochum/", params={"q": "kurs", "category": "it_digital"}).content
    css = client.get("/static/portal.css").content
    js = client.get("/static/search.js").content
    assert len(html) + len(css) + len(js) <= 60 * 1024, len(html) + len(css) + len(js)
    widget = client.get("/widget/bochum.js")
    assert widget.status_code == 200
    assert "javascript" in widget.headers["content-type"]
    assert len(widget.content) <= 30 * 1024


def test_embed_page_is_minimal(
    client: TestClient, portal: dict[str, Any], fake_search: dict[str, Any]
) -> None:
    html = client.get("/p/bochum/embed", params={"q": "kurs"}).text
    assert 'action="/p/bochum/embed"' in html
    assert 'target="_top"' in html
    assert "<header" not in html
    assert "Beratung" not in html


def test_static_files_are_whitelisted(client: TestClient) -> None:
    assert client.get("/static/portal.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/..%2Fservices%2Fpages.py").status_code == 404
    assert client.get("/static/nope.css").status_code == 404


def test_offer_page_shows_everything_a_citizen_needs(
    client: TestClient, admin: dict[str, str], portal: dict[str, Any], provider: dict[str, Any]
) -> None:
    body = at(
        BOCHUM,
        title="Finanzbuchhaltung mit DATEV",
        price=None,
        funding=["bildungsgutschein", "bildungsscheck_nrw"],
        contact={"name": "Frau Muster", "phone": "0234 555", "email": "kurs@bw.example"},
        url="https://bw.example/kurs",
    )
    body["dates"].append({"flexible_start": True, "schedule": "evening", "online": True})
    offer_id = client.post("/api/v1/offers", json=body, headers=provider["headers"]).json()["id"]
    # the portal reviews everything: not shown until an admin published it
    assert client.get(f"/p/bochum/angebote/{offer_id}").status_code == 404
    client.post(f"/api/v1/offers/{offer_id}/publish", headers=admin)
    r = client.get(f"/p/bochum/angebote/{offer_id}")
    assert r.status_code == 200, r.text
    html = r.text
    assert "<h1>Finanzbuchhaltung mit DATEV</h1>" in html
    assert "Preis auf Anfrage" in html
    assert "Fragen Sie dort nach einem Bildungsgutschein" in html
    assert "Eine Beratungsstelle stellt den Bildungsscheck aus." in html
    assert "Kortumstraße 1" in html
    assert "44787 Bochum" in html
    assert "Einstieg jederzeit" in html
    assert "Frau Muster" in html
    assert 'href="mailto:kurs@bw.example"' in html
    assert "Beratung &lt;b&gt;Bochum&lt;/b&gt;" in html
    data = json.loads(JSONLD.search(html).group(1))  # type: ignore[union-attr]
    assert data["@type"] == "Course"
    assert data["name"] == "Finanzbuchhaltung mit DATEV"
    # a free offer says so
    client.patch(f"/api/v1/offers/{offer_id}", json={"price": "0"}, headers=admin)
    client.post(f"/api/v1/offers/{offer_id}/publish", headers=admin)
    assert "kostenlos" in client.get(f"/p/bochum/angebote/{offer_id}").text
    en = client.get(f"/p/bochum/angebote/{offer_id}?lang=en").text
    assert '<html lang="en">' in en
    assert "Who can pay for it?" in en


def test_injection_is_escaped_in_page_and_jsonld(
    client: TestClient,
    admin: dict[str, str],
    make_org: Any,
    make_key: Any,
    search_index: SearchIndex,
) -> None:
    create_portal(client, admin, slug="bochum", name="Bochum", postcode_prefixes=["447"])
    org = make_org(name=f"Anbieter {EVIL}", trusted=True)
    body = at(
        BOCHUM,
        title=f"Buchhaltung {EVIL}",
        description=f"</script>{EVIL}",
        keywords=[EVIL],
        degree=EVIL[:200],
        awarding_body=EVIL[:200],
        target_groups=[EVIL],
        entry_requirements=EVIL,
        price_note=EVIL,
        contact={"name": EVIL[:200]},
    )
    body["dates"][0]["schedule_note"] = EVIL[:200]
    body["dates"][0]["location"].update(name=EVIL[:200], street=EVIL[:200])
    r = client.post("/api/v1/offers", json=body, headers=make_key("provider", org))
    offer_id = r.json()["id"]
    search_index.drain()
    for url in (
        f"/p/bochum/angebote/{offer_id}",
        "/p/bochum/?q=buchhaltung",
        f"/p/bochum/?q={EVIL}",
    ):
        html = client.get(url).text
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "</script><img" not in html, url
    page = client.get(f"/p/bochum/angebote/{offer_id}").text
    block = JSONLD.search(page).group(1)  # type: ignore[union-attr]
    assert "<" not in block
    assert ">" not in block
    assert json.loads(block)["name"] == f"Buchhaltung {EVIL}"
    results = client.get("/p/bochum/", params={"q": "buchhaltung"}).text
    assert f"/p/bochum/angebote/{offer_id}" in results


def test_region_page_flow(client: TestClient, region: Region) -> None:
    html = client.get(
        "/p/bochum/", params={"q": "buchhaltung", "category": "accounting_finance"}
    ).text
    assert 'value="accounting_finance" checked' in html
    offer_html = client.get(f"/p/bochum/angebote/{region.offers['bochum']}").text
    assert "Beratung Bochum" in offer_html
    assert "Mo–Fr 9–12 Uhr" in offer_html


def test_bad_page_parameters_become_messages(
    client: TestClient, portal: dict[str, Any], fake_search: dict[str, Any]
) -> None:
    # Each of these gave a 500 (str.isdigit() accepts "²"; Decimal("NaN") is no amount).
    r = client.get(
        "/p/bochum/",
        params=[
            ("q", "kurs"),
            ("page", "²"),
            ("price_max", "NaN"),
            ("provider", "²"),
            ("provider", "7"),
            ("radius_km", "²"),
            ("start_from", "0"),
            ("category", "it_digital"),
        ],
    )
    assert r.status_code == 200, r.text
    params = fake_search["params"]
    assert (params.q, params.page, params.price_max, params.radius_km) == ("kurs", 1, None, None)
    assert params.provider == [7]
    assert params.start_from is None
    assert params.category == ["it_digital"]
    html = r.text
    assert 'class="notice problems" role="alert"' in html
    for shown in ("Seite: „²“", "Anbieter: „²“"):
        assert shown in html, shown
    # a value of a field on the form is named at that field
    assert "„NaN“ haben wir nicht verstanden und weggelassen." in html
    assert 'id="price_max" name="price_max"' in html
    assert 'aria-invalid="true" aria-describedby="price_max-error"' in html
    # without a postcode the form's radius means nothing, and is no mistake of the citizen's
    assert "Umkreis: „²“" not in html


def test_page_parameters_follow_the_api_rules(
    client: TestClient, portal: dict[str, Any], fake_search: dict[str, Any]
) -> None:
    from app.services.pages import search_params_from_query

    params, problems = search_params_from_query(
        [("page", "3"), ("price_max", "1e3"), ("radius_km", "7"), ("postcode", "44787")]
    )
    # what the API accepts, the page accepts: any radius, a finite decimal
    assert (params.page, params.price_max, params.radius_km) == (3, Decimal(1000), 7.0)
    assert problems == []
    params, problems = search_params_from_query([("price_max", "Infinity"), ("q", "a\x00b")])
    assert params.price_max is None
    assert params.q == ""
    assert [p.field for p in problems] == ["q", "price_max"]
    # cross-field rules of the API too: sorting by distance needs a place
    params, problems = search_params_from_query([("sort", "distance")])
    assert params.sort == "relevance"
    assert [(p.field, p.value) for p in problems] == [("sort", "distance")]
    # the English page names the fields in English
    html = client.get("/p/bochum/", params={"lang": "en", "page": "x"}).text
    assert "Page: „x“" in html


def test_an_offer_whose_dates_passed_gets_a_page_that_says_so(
    client: TestClient, admin: dict[str, str], trusted_provider: dict[str, Any]
) -> None:
    create_portal(client, admin, slug="ruhr", name="Ruhr", postcode_prefixes=["447"])
    body = at(BOCHUM, title="Buchhaltung kompakt", days_ahead=-90)
    r = client.post("/api/v1/offers", json=body, headers=trusted_provider["headers"])
    assert r.status_code == 201, r.text
    offer_id = r.json()["id"]
    page = client.get(f"/p/ruhr/angebote/{offer_id}")
    assert page.status_code == 410
    assert "Dieses Angebot gibt es nicht mehr" in page.text
    assert "Buchhaltung kompakt" in page.text
    assert 'href="/p/ruhr/?category=accounting_finance"' in page.text
    assert '<meta name="robots" content="noindex">' in page.text
    assert "application/ld+json" not in page.text  # not its full content
    en = client.get(f"/p/ruhr/angebote/{offer_id}?lang=en")
    assert en.status_code == 410
    assert "?category=accounting_finance&amp;lang=en" in en.text
