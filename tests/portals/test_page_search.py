"""The search page against a real index: the way back, postcodes and radius, filters with
chips, ways out when little is found, typos, trust and the offer page's details."""

import html as htmllib
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from fastapi.testclient import TestClient

from app.i18n import format_date
from tests.conftest import SearchIndex
from tests.portals.conftest import BOCHUM, Region, at, create_portal

HIT_LINK = re.compile(r'<li class="hit">\s*<article>\s*<h3><a href="([^"]+)"')


def _hits(page: str) -> list[str]:
    return [htmllib.unescape(u) for u in HIT_LINK.findall(page)]


def _titles(page: str) -> set[str]:
    found = re.findall(r'<li class="hit">\s*<article>\s*<h3><a href="[^"]+">(.*?)</a>', page)
    return {re.sub(r"</?mark>", "", t) for t in found}


@pytest.fixture
def courses(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
    search_index: SearchIndex,
) -> dict[str, int]:
    """Excel courses in Bochum that differ in one thing each, on the portal `bochum`."""
    create_portal(client, admin, slug="bochum", name="Bochum", postcode_prefixes=["447"])
    soon = (date.today() + timedelta(days=20)).isoformat()
    approved = make_org(
        name="Akademie Zugelassen",
        trusted=True,
        azav_approved=True,
        azav_certifier="CERT Prüfstelle",
        azav_valid_until=(date.today() + timedelta(days=365)).isoformat(),
        certificates=["ISO 9001"],
    )
    expired = make_org(
        name="Akademie Abgelaufen",
        trusted=True,
        azav_approved=True,
        azav_certifier="Alt-Zert",
        azav_valid_until=(date.today() - timedelta(days=1)).isoformat(),
    )
    h = trusted_provider["headers"]

    def offer(headers: dict[str, str], **body: Any) -> int:
        r = client.post("/api/v1/offers", json=at(BOCHUM, **body), headers=headers)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    evening = at(BOCHUM, title="Excel am Abend", price="0", funding=[])
    evening["dates"][0].update(schedule="evening", start_date=soon, free_seats=3, seats=12)
    evening["dates"][0].pop("registration_deadline")
    r = client.post("/api/v1/offers", json=evening, headers=h)
    assert r.status_code == 201, r.text
    ids = {
        "evening": int(r.json()["id"]),
        "full_time": offer(h, title="Excel in Vollzeit", price="900", days_ahead=200),
        "azav": offer(make_key("provider", approved), title="Excel mit Zulassung"),
        "expired": offer(make_key("provider", expired), title="Excel ohne gültige Zulassung"),
    }
    search_index.drain()
    return ids


def test_back_link_keeps_query_filters_and_page(client: TestClient, region: Region) -> None:
    search = [("q", "buchhaltung"), ("category", "accounting_finance"), ("lang", "en")]
    page = client.get("/p/bochum/", params=search).text
    link = _hits(page)[0]
    query = parse_qs(urlsplit(link).query)
    assert query["lang"] == ["en"]
    assert parse_qs(query["back"][0]) == {"q": ["buchhaltung"], "category": ["accounting_finance"]}
    offer = client.get(link).text
    back = re.search(r'<p class="back"><a href="([^"]+)"', offer).group(1)  # type: ignore[union-attr]
    assert htmllib.unescape(back) == (
        "/p/bochum/?q=buchhaltung&category=accounting_finance&lang=en"
    )
    # the page number comes along too, and a crafted `back` leads only to the portal's search
    from app.services.pages import back_to_search

    assert back_to_search("bochum", "q=a&page=3&radius_km=any&utm=x&lang=de", "en") == (
        "/p/bochum/?q=a&page=3&radius_km=any&lang=en"
    )
    crafted = client.get(
        link.split("?")[0],
        params={"back": 'q=a&next=https://evil.example&x="><script>', "lang": "en"},
    ).text
    back = re.search(r'<p class="back"><a href="([^"]+)"', crafted).group(1)  # type: ignore[union-attr]
    assert htmllib.unescape(back) == "/p/bochum/?q=a&lang=en"
    assert "<script>" not in crafted


@pytest.mark.parametrize("postcode", ["00000", "4478", "abcde"])
def test_a_postcode_the_page_cannot_place_is_named_at_the_field(
    client: TestClient, region: Region, postcode: str
) -> None:
    r = client.get(
        "/p/bochum/", params={"q": "buchhaltung", "postcode": postcode, "radius_km": "10"}
    )
    assert r.status_code == 200
    page = r.text
    assert "Diese Postleitzahl kennen wir nicht" in page
    assert "Wir suchen deshalb ohne Umkreis." in page
    assert 'aria-invalid="true" aria-describedby="postcode-error"' in page
    assert 'class="notice problems"' not in page  # said at the field, not again at the top
    # the search ran without a radius: the portal's offers are found
    assert len(_hits(page)) == 2


def test_egal_means_no_radius_and_the_default_radius_is_shown(
    client: TestClient, region: Region
) -> None:
    base = {"q": "buchhaltung", "postcode": "44787"}
    default = client.get("/p/umkreis/", params=base).text
    assert "Umkreis: 25 km um 44787" in default
    assert '<option value="25" selected>' in default
    narrow = client.get("/p/umkreis/", params={**base, "radius_km": "5"}).text
    assert f"/p/umkreis/angebote/{region.offers['herne']}" not in " ".join(_hits(narrow))
    anywhere = client.get("/p/umkreis/", params={**base, "radius_km": "any"}).text
    assert "Ohne Umkreis, Entfernungen ab 44787" in anywhere
    assert '<option value="any" selected>' in anywhere
    assert any(f"/angebote/{region.offers['herne']}" in u for u in _hits(anywhere))
    assert "km entfernt" in anywhere  # distances are still measured
    # without a postcode the form's preset radius is no mistake
    plain = client.get("/p/umkreis/", params={"q": "buchhaltung", "radius_km": "25"})
    assert plain.status_code == 200
    assert 'class="notice problems"' not in plain.text


def test_every_filter_works_from_the_form(client: TestClient, courses: dict[str, int]) -> None:
    def titles(**params: str) -> set[str]:
        r = client.get("/p/bochum/", params={"q": "excel", **params})
        assert r.status_code == 200, r.text
        return _titles(r.text)

    everything = titles()
    assert len(everything) == 4
    assert titles(azav="1") == {"Excel mit Zulassung"}
    assert titles(free="1") == {"Excel am Abend"}
    assert titles(price_max="950") == {"Excel am Abend", "Excel in Vollzeit"}
    assert titles(schedule="evening") == {"Excel am Abend"}
    later = (date.today() + timedelta(days=100)).isoformat()
    assert titles(start_from=later) == {"Excel in Vollzeit"}
    assert "Excel in Vollzeit" not in titles(start_to=later)
    assert titles(barrier_free="1") == set()
    assert titles(childcare="1") == set()


def test_active_filters_are_removable_chips_and_the_count_stays_visible(
    client: TestClient, courses: dict[str, int]
) -> None:
    page = client.get(
        "/p/bochum/", params={"q": "excel", "schedule": "evening", "price_max": "950"}
    ).text
    chips = dict(
        (re.sub(r"\s+", " ", label).strip(), htmllib.unescape(url))
        for url, label in re.findall(r'<li><a href="([^"]+)">([^<]*) <span aria-hidden', page)
    )
    assert set(chips) == {"abends", "bis 950,00 €"}
    assert chips["abends"] == "/p/bochum/?q=excel&price_max=950"
    assert chips["bis 950,00 €"] == "/p/bochum/?q=excel&schedule=evening"
    assert "Alle Filter entfernen" in page
    assert '<span class="found">1 Angebot gefunden</span>' in page
    assert '<details class="filters" open>' in page


def test_trust_and_seats_on_hits(client: TestClient, courses: dict[str, int]) -> None:
    page = client.get("/p/bochum/", params={"q": "excel"}).text
    hits = page.split('<li class="hit">')[1:]
    by_title = {_titles('<li class="hit">' + h).pop(): h for h in hits}
    valid = format_date(date.today() + timedelta(days=365), "de")
    assert "AZAV-zugelassen" in by_title["Excel mit Zulassung"]
    assert f"gültig bis {valid}" in by_title["Excel mit Zulassung"]
    assert "ISO 9001" in by_title["Excel mit Zulassung"]
    assert "AZAV" not in by_title["Excel ohne gültige Zulassung"]
    assert "noch 3 Plätze frei" in by_title["Excel am Abend"]


def test_ways_out_when_little_is_found(client: TestClient, courses: dict[str, int]) -> None:
    page = client.get("/p/bochum/", params={"q": "excel", "schedule": "evening"}).text
    ways = [htmllib.unescape(w) for w in re.findall(r'<li><a href="[^"]+">([^<]+)</a></li>', page)]
    assert "ohne den Filter abends: 4" in ways
    # with many results, no extra searches and no ways out
    assert "So finden Sie mehr" not in client.get("/p/bochum/", params={"q": "excel"}).text


def test_ways_out_name_the_radius_and_online(
    client: TestClient, region: Region, trusted_provider: dict[str, Any], search_index: SearchIndex
) -> None:
    body = at(BOCHUM, title="Buchhaltung online", format="online")
    body["dates"][0]["location"].update(postcode="44623", city="Herne", lat=51.5388, lon=7.2256)
    client.post("/api/v1/offers", json=body, headers=trusted_provider["headers"])
    search_index.drain()
    page = client.get(
        "/p/umkreis/", params={"q": "Grundkurs", "postcode": "44787", "radius_km": "5"}
    ).text
    assert "Leider haben wir nichts gefunden" in page
    assert "ohne Umkreis: 1" in page
    assert "radius_km=any" in page


def test_typos_forgiven_are_said(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    create_portal(client, admin, slug="bochum", name="Bochum", postcode_prefixes=["447"])
    client.post(
        "/api/v1/offers",
        json=at(BOCHUM, title="Buchhaltung für Einsteiger", description="Grundlagen.", keywords=[]),
        headers=trusted_provider["headers"],
    )
    search_index.drain()
    page = client.get("/p/bochum/", params={"q": "Buchaltung"}).text
    assert "Ergebnisse für „Buchhaltung“" in page
    assert "Sie haben „Buchaltung“ eingegeben." in page
    exact = client.get("/p/bochum/", params={"q": "Buchhaltung"}).text
    assert "Ergebnisse für" not in exact


def test_did_you_mean_comes_from_the_catalogue_vocabulary() -> None:
    from app.services.query_hints import did_you_mean, forgiven_words

    assert did_you_mean("Buchaltung") == "Buchhaltung"
    assert did_you_mean("Gabelstaplr kurs") == "Gabelstapler kurs"
    assert did_you_mean("Buchhaltung") is None
    assert did_you_mean("Wattenschid", extra=["Wattenscheid"]) == "Wattenscheid"
    assert forgiven_words("stapler", ["<mark>Gabelstapler</mark>"]) == {}
    assert forgiven_words("Buchaltung", ["<mark>Buch</mark>haltung"]) == {
        "Buchaltung": "Buchhaltung"
    }


def test_offer_page_trust_registration_dates_and_plain_words(
    client: TestClient,
    admin: dict[str, str],
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
) -> None:
    create_portal(client, admin, slug="bochum", name="Bochum", postcode_prefixes=["447"])
    org = make_org(
        name="Akademie",
        trusted=True,
        email="info@akademie.example",
        azav_approved=True,
        azav_certifier="CERT Prüfstelle",
        azav_valid_until="2099-12-31",
        certificates=["ISO 9001"],
    )
    body = at(
        BOCHUM,
        title='Excel "&" <b>Profi</b>',
        contact={"name": "Frau Muster", "email": "kurs@akademie.example"},
    )
    later = dict(body["dates"][0], start_date=(date.today() + timedelta(days=90)).isoformat())
    later["end_date"] = (date.today() + timedelta(days=120)).isoformat()
    later["registration_deadline"] = None
    body["dates"] = [later, body["dates"][0]]
    r = client.post("/api/v1/offers", json=body, headers=make_key("provider", org))
    assert r.status_code == 201, r.text
    page = client.get(f"/p/bochum/angebote/{r.json()['id']}").text
    # trust: AZAV with certifier and end, certificates
    assert "AZAV-zugelassen" in page
    assert "geprüft von CERT Prüfstelle, gültig bis 31. Dezember 2099" in page
    assert "ISO 9001" in page
    # registration: a prefilled e-mail, every character of the title encoded
    mailto = htmllib.unescape(
        re.search(r'<a class="button primary" href="(mailto:[^"]+)"', page).group(1)  # type: ignore[union-attr]
    )
    assert mailto.startswith("mailto:kurs@akademie.example?subject=")
    for raw in ("<", '"', "\n"):
        assert raw not in mailto
    assert 'Anfrage: Excel "&" <b>Profi</b>' in unquote(mailto)
    # the next date first
    soon = format_date(date.today() + timedelta(days=30), "de")
    far = format_date(date.today() + timedelta(days=90), "de")
    assert page.index(soon) < page.index(far)
    # plain words for the jargon, and one "Kontakt zum Anbieter"
    assert "Präsenz: Sie lernen vor Ort" in page
    assert "Anpassungsweiterbildung: Sie bringen" in page
    assert page.count("Kontakt zum Anbieter") == 1
    assert "Ansprechperson" in page
    # an expired approval is not shown
    r2 = client.patch(
        f"/api/v1/organisations/{org}", json={"azav_valid_until": "2020-01-01"}, headers=admin
    )
    assert r2.status_code == 200, r2.text
    assert "AZAV-zugelassen" not in client.get(f"/p/bochum/angebote/{r.json()['id']}").text


def test_search_page_explains_its_words(client: TestClient, region: Region) -> None:
    page = client.get("/p/bochum/").text
    assert "Begriffe erklärt" in page
    for word in ("Teilqualifizierung:", "Bildungsgutschein:", "Blended:", "DaF / DaZ:"):
        assert word in page
    en = client.get("/p/bochum/", params={"lang": "en"}).text
    assert "Terms explained" in en
    assert "Retraining (Umschulung)" in en


EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_text_in_the_new_places_is_inert(
    client: TestClient,
    admin: dict[str, str],
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
    search_index: SearchIndex,
) -> None:
    create_portal(client, admin, slug="bochum", name="Bochum", postcode_prefixes=["447"])
    org = make_org(
        name="Akademie",
        trusted=True,
        azav_approved=True,
        azav_certifier=EVIL[:200],
        certificates=[EVIL[:200]],
    )
    body = at(BOCHUM, title="Excel sicher", contact={"email": "a@b.example"})
    body["dates"][0]["location"]["city"] = f"Bochum {EVIL}"[:100]
    r = client.post("/api/v1/offers", json=body, headers=make_key("provider", org))
    assert r.status_code == 201, r.text
    search_index.drain()
    pages = [
        # hits with certificates, a city facet and its chip, a way out named after it
        client.get("/p/bochum/", params={"q": "excel", "city": f"Bochum {EVIL}"[:100]}).text,
        client.get("/p/bochum/", params={"q": f"excel {EVIL}"}).text,
        client.get(f"/p/bochum/angebote/{r.json()['id']}").text,
    ]
    for page in pages:
        assert "<script>alert" not in page
        assert "<img src=x" not in page
    assert "&lt;script&gt;" in pages[0]
    assert "&lt;script&gt;" in pages[2]


@pytest.mark.parametrize(
    "params",
    [
        {"start_from": "2027-02-30"},
        {"start_from": "morgen", "start_to": "-1"},
        {"start_from": "2027-05-01", "start_to": "2027-04-01"},
        {"price_max": "-5"},
        {"price_max": "1e400"},
        {"postcode": "4478", "radius_km": "any", "sort": "distance"},
        {"radius_km": "0", "postcode": "44787"},
        {"radius_km": "egal", "postcode": "44787", "sort": "distance"},
        {"azav": "vielleicht", "free": "2", "schedule": "nachts"},
        {"page": "10001"},
        {"lang": "xx", "format": "<b>"},
    ],
)
def test_bad_filter_values_become_messages(
    client: TestClient, region: Region, params: dict[str, str]
) -> None:
    r = client.get("/p/bochum/", params=params)
    assert r.status_code == 200, r.text
    assert "<b>" not in r.text
    assert (
        "verstanden" in r.text
        or "Postleitzahl kennen wir nicht" in r.text
        or (params.get("radius_km") == "egal")
    )


def test_did_you_mean_on_the_page(client: TestClient, region: Region) -> None:
    page = client.get("/p/bochum/", params={"q": "Bhuchaltnug", "lang": "en"}).text
    assert "Sorry, we found nothing" in page
    link = re.search(r'Did you mean: <a href="([^"]+)">Buchhaltung</a> \((\d+)\)', page)
    assert link is not None, page
    assert htmllib.unescape(link.group(1)) == "/p/bochum/?lang=en&q=Buchhaltung"
    assert int(link.group(2)) == 2
