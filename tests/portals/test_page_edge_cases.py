"""Citizen pages under URLs typed, cut short or edited by hand: always an HTML page (a lenient
search with a message, or the portal's 404), every active filter visible as a chip, the
past-the-end page explained, and AZAV described as what it is."""

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from app.models.search import FacetValue, SearchParams, SearchResult
from app.services.page_query import search_params_from_query
from tests.portals.conftest import BOCHUM, at, create_portal
from tests.portals.test_pages import fake_search as fake_search
from tests.portals.test_pages import portal as portal

PROBLEMS = re.compile(r'<div class="notice problems" role="alert">(.*?)</div>', re.S)
CHIPS = re.compile(r'<div class="chips">(.*?)</div>', re.S)


def _is_html(r: Any) -> bool:
    return str(r.headers["content-type"]).startswith("text/html") and "<html" in r.text


# --- coordinates that cannot be used ------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"lon": "7.2"}, "Längengrad: „7.2“"),
        ({"lat": "51.4"}, "Breitengrad: „51.4“"),
        ({"lat": "91", "lon": "7"}, "Längengrad: „7“"),
    ],
)
@pytest.mark.parametrize("path", ["/p/bochum/", "/p/bochum/embed", "/p/bochum/karte"])
def test_a_lone_or_impossible_coordinate_is_left_out_with_a_message(
    client: TestClient,
    portal: dict[str, Any],
    fake_search: dict[str, Any],
    path: str,
    query: dict[str, str],
    shown: str,
) -> None:
    r = client.get(path, params={"q": "kurs", **query})
    assert r.status_code == 200, r.text
    assert _is_html(r)
    params = fake_search["params"]
    assert (params.q, params.lat, params.lon) == ("kurs", None, None)
    problems = PROBLEMS.search(r.text)
    assert problems is not None
    assert shown in problems.group(1)


def test_a_lone_coordinate_is_reported_at_the_parameter_that_was_sent() -> None:
    params, problems = search_params_from_query([("lon", "7.2"), ("q", "kurs")])
    assert (params.lat, params.lon, params.q) == (None, None, "kurs")
    assert [(p.field, p.value) for p in problems] == [("lon", "7.2")]
    # an impossible latitude goes first, its longitude then stands alone
    params, problems = search_params_from_query([("lat", "91"), ("lon", "7")])
    assert (params.lat, params.lon) == (None, None)
    assert [(p.field, p.value) for p in problems] == [("lat", "91"), ("lon", "7")]


def test_the_api_still_refuses_a_lone_coordinate(
    client: TestClient, portal: dict[str, Any]
) -> None:
    r = client.get("/api/v1/portals/bochum/search", params={"lon": "7.2"})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["loc"] == ["query", "lat"]


# --- paths no page has -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/p/Bochum/",
        "/p/Bochum",
        "/p/BOCHUM/embed",
        "/p/Bochum/barrierefreiheit",
        "/p/Bochum/leichte-sprache",
        "/p/" + "a" * 61 + "/",
        "/p/bochum/angebote/abc",
        "/p/bochum/angebote/0",
        "/p/bochum/angebote/-1",
        "/p/bochum/angebote/1.5",
        "/p/bochum/angebote/²",
        "/p/bochum/angebote/99999999999",
        "/p/Bochum/angebote/1",
        "/p/Bochum/karte",
        "/p/Bochum/karte?lang=en",
        "/p/Bochum/angebote/1/termine/1.ics",
        "/p/bochum/angebote/abc/termine/1.ics",
        "/p/bochum/angebote/1/termine/0.ics",
        "/p/bochum/angebote/99999999999/termine/1.ics",
        "/p/bochum/angebote/1/termine/1.ics",
    ],
)
def test_a_path_no_page_has_gets_the_html_404(
    client: TestClient, portal: dict[str, Any], path: str
) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 404, r.text
    assert _is_html(r)


def test_the_widget_of_a_slug_no_portal_can_have_is_a_script_404(client: TestClient) -> None:
    r = client.get("/widget/Bochum.js")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/javascript")


def test_an_offer_page_forgives_an_overlong_back_and_an_unknown_language(
    client: TestClient, admin: dict[str, str], portal: dict[str, Any], provider: dict[str, Any]
) -> None:
    body = at(BOCHUM, title="Finanzbuchhaltung mit DATEV")
    offer_id = client.post("/api/v1/offers", json=body, headers=provider["headers"]).json()["id"]
    client.post(f"/api/v1/offers/{offer_id}/publish", headers=admin)
    r = client.get(f"/p/bochum/angebote/{offer_id}", params={"back": "q=" + "x" * 4100})
    assert r.status_code == 200, r.text
    assert '<p class="back"><a href="/p/bochum/">' in r.text
    r = client.get(f"/p/bochum/angebote/{offer_id}", params={"back": "q=datev"})
    assert '<p class="back"><a href="/p/bochum/?q=datev">' in r.text
    r = client.get(f"/p/bochum/angebote/{offer_id}", params={"lang": "klingonisch"})
    assert r.status_code == 200, r.text
    assert '<html lang="de">' in r.text


# --- a page number past the last ------------------------------------------------------------


def test_a_page_past_the_last_says_so_and_leads_back(
    client: TestClient, portal: dict[str, Any], fake_search: dict[str, Any]
) -> None:
    fake_search["result"] = SearchResult(total=14, page=99, per_page=10, hits=[], facets={})
    html = client.get("/p/bochum/", params={"q": "Pflege", "page": "99"}).text
    assert "14 Angebote gefunden" in html
    assert "Leider haben wir nichts gefunden" not in html
    assert "Seite 99 gibt es bei dieser Suche nicht: Die Ergebnisse enden auf Seite 2." in html
    assert '<a href="/p/bochum/?q=Pflege&amp;page=2">Zur letzten Seite (2)</a>' in html
    # the page links are those around the last page
    nav = re.search(r'<nav class="pages".*?</nav>', html, re.S)
    assert nav is not None
    assert re.findall(r'aria-label="Seite (\d+)"', nav.group()) == ["1", "2"]
    assert 'rel="prev"' in nav.group()
    assert 'rel="next"' not in nav.group()
    # a search that finds nothing says so, whatever the page
    fake_search["result"] = SearchResult(total=0, page=3, per_page=10, hits=[], facets={})
    html = client.get("/p/bochum/", params={"q": "Pflege", "page": "3"}).text
    assert "Leider haben wir nichts gefunden" in html
    assert "gibt es bei dieser Suche nicht" not in html


# --- every filter visible -------------------------------------------------------------------

# A valid value of every search parameter that narrows the results. A new SearchParams field
# fails the first assertion below until it is named here or among the NOT_FILTERS.
FILTER_EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "category": [("category", "it_digital")],
    "education_type": [("education_type", "umschulung")],
    "format": [("format", "online")],
    "schedule": [("schedule", "evening")],
    "funding": [("funding", "bildungsgutschein")],
    "language": [("language", "eng")],
    "provider": [("provider", "7")],
    "city": [("city", "Herne")],
    "level": [("level", "B1")],
    "dvv_category": [("dvv_category", "4")],
    "barrier_free": [("barrier_free", "1")],
    "childcare": [("childcare", "1")],
    "free": [("free", "1")],
    "azav": [("azav", "1")],
    "include_online": [("include_online", "1")],
    "price_max": [("price_max", "500")],
    "start_from": [("start_from", date.today().isoformat())],
    "start_to": [("start_to", (date.today() + timedelta(days=30)).isoformat())],
    "radius_km": [("postcode", "44787"), ("radius_km", "10")],
}
# The words, the place (shown in the form and in "Umkreis … um …"), the order and the paging.
NOT_FILTERS = frozenset({"q", "page", "per_page", "sort", "postcode", "lat", "lon", "radius_any"})


def test_every_filter_parameter_is_named() -> None:
    assert set(SearchParams.model_fields) == set(FILTER_EXAMPLES) | NOT_FILTERS


@pytest.mark.parametrize("name", sorted(FILTER_EXAMPLES))
def test_every_filter_shows_as_a_chip_that_removes_it(
    client: TestClient, portal: dict[str, Any], fake_search: dict[str, Any], name: str
) -> None:
    query = [("q", "kurs"), *FILTER_EXAMPLES[name]]
    html = client.get("/p/bochum/", params=query).text
    assert getattr(fake_search["params"], name) not in (None, False, [])
    chips = CHIPS.search(html)
    assert chips is not None, name
    links = re.findall(r'<a( class="all")? href="([^"]*)"', chips.group(1))
    assert [cls for cls, _ in links] == ["", ' class="all"'], name
    assert urlencode(FILTER_EXAMPLES[name][-1:]) not in links[0][1], name
    assert "Alle Filter entfernen" in chips.group(1)


def test_the_form_offers_the_named_dvv_areas_only(
    client: TestClient, portal: dict[str, Any], fake_search: dict[str, Any]
) -> None:
    fake_search["result"].facets["dvv_category"] = [
        FacetValue(value="4", label="Sprachen", count=4),
        FacetValue(value="4.06", label="4.06", count=4),
        FacetValue(value="5.01", label="5.01", count=1),
    ]
    html = client.get("/p/bochum/", params=[("q", "kurs"), ("dvv_category", "5.01")]).text
    boxes = re.findall(r'name="dvv_category" value="([^"]+)"( checked)?', html)
    # the area by its name; a sub-code only because the link chose it
    assert boxes == [("4", ""), ("5.01", " checked")]
    assert "Programmbereich (Volkshochschule)" in html
    assert ">Sprachen <span" in html


# --- what the page echoes -------------------------------------------------------------------


def test_control_characters_are_not_echoed(
    client: TestClient, portal: dict[str, Any], fake_search: dict[str, Any]
) -> None:
    r = client.get("/p/bochum/?q=a%00b%1Bc&city=x%07y")
    assert r.status_code == 200
    problems = PROBLEMS.search(r.text)
    assert problems is not None
    for raw in ("\x00", "\x1b", "\x07"):
        assert raw not in r.text
    assert "„a\ufffdb\ufffdc“" in problems.group(1)
    assert "„x\ufffdy“" in problems.group(1)
    _, found = search_params_from_query([("q", "\u202ecba" + "x" * 300)])
    assert found[0].value.startswith("\ufffdcba")
    assert len(found[0].value) == 100


# --- AZAV and the Bildungsgutschein ----------------------------------------------------------


def test_azav_is_the_providers_approval_and_the_course_needs_its_own(
    client: TestClient,
    admin: dict[str, str],
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
    fake_search: dict[str, Any],
) -> None:
    create_portal(client, admin, slug="ruhr", name="Ruhr", postcode_prefixes=["447"])
    org = make_org(name="Akademie", trusted=True, azav_approved=True, azav_valid_until="2099-12-31")
    key = make_key("provider", org)

    def page(funding: list[str], lang: str = "de") -> str:
        body = at(BOCHUM, title="Buchhaltung", funding=funding)
        r = client.post("/api/v1/offers", json=body, headers=key)
        assert r.status_code == 201, r.text
        offer_id = r.json()["id"]
        return str(client.get(f"/p/ruhr/angebote/{offer_id}", params={"lang": lang}).text)

    voucher, other = page(["bildungsgutschein"]), page(["bildungsscheck_nrw"])
    for html in (voucher, other):
        assert "Anbieter AZAV-zugelassen" in html
        assert "Für einen Bildungsgutschein muss auch der Kurs selbst zugelassen sein." in html
        assert "Mit der AZAV-Zulassung kann ein Bildungsgutschein" not in html
    said = "gibt der Anbieter an, dass Sie mit einem Bildungsgutschein teilnehmen können"
    not_said = "nennt der Anbieter den Bildungsgutschein nicht"
    assert said in voucher
    assert not_said not in voucher
    assert not_said in other
    assert said not in other
    en = page([], lang="en")
    assert "the course itself must be approved too" in en
    assert "the provider does not mention the education voucher" in en

    search_page = client.get("/p/ruhr/", params={"azav": "1"}).text
    assert '<label for="flag-azav">Anbieter mit AZAV-Zulassung</label>' in search_page
    assert "Bildungsgutschein möglich" not in search_page
    assert "nur dann kann ein Bildungsgutschein" not in search_page
    assert "Für einen Bildungsgutschein muss außerdem der Kurs selbst zugelassen sein." in (
        search_page
    )
    assert "Dafür müssen der Anbieter und der Kurs nach AZAV zugelassen sein." in search_page
    en_search = client.get("/p/ruhr/", params={"lang": "en"}).text
    assert '<label for="flag-azav">Provider with AZAV approval</label>' in en_search
