"""Imported VHS courses in search and on the offer page: levels, DVV categories, sessions,
free places, and hostile text that stays inert everywhere it is shown."""

import json
import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from testkit.openvhs_files import course_xml, programme
from tests.conftest import SearchIndex
from tests.interop.test_openvhs import run_import

JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def ids_by_external(client: TestClient, headers: dict[str, str]) -> dict[str, int]:
    page = client.get("/api/v1/offers?per_page=100", headers=headers).json()
    return {item["external_id"]: item["id"] for item in page["items"]}


def search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_level_is_searchable_and_a_facet(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    org_id, headers = trusted_provider["org_id"], trusted_provider["headers"]
    data = programme(
        course_xml("E-A2", "Englisch A2 am Vormittag", level="A2"),
        course_xml("E-B1", "Englisch Konversation", level="B1.2"),
        course_xml("E-A1", "Englisch für Reisende", level="Niveau A1"),
        course_xml("S-B1", "Spanisch für den Urlaub", level="A2 - B1"),
        course_xml("X-5", "Tabellenkalkulation", dvv="5.01"),
    )
    assert run_import(org_id, data).created == 5
    search_index.drain()
    ids = ids_by_external(client, headers)

    b1 = search(client, q="Englisch B1")
    assert b1["hits"][0]["id"] == ids["E-B1"]  # found by its level, not its title
    a2 = search(client, q="Englisch A2")
    assert a2["hits"][0]["id"] == ids["E-A2"]

    facets = {f["value"]: f["count"] for f in search(client)["facets"]["level"]}
    assert facets == {"A1": 1, "A2": 2, "B1": 2}  # A2-B1 counts for both
    only_b1 = search(client, level="B1")
    assert {h["id"] for h in only_b1["hits"]} == {ids["E-B1"], ids["S-B1"]}
    assert client.get("/api/v1/search", params={"level": "D7"}).status_code == 422

    dvv = {f["value"]: f for f in search(client)["facets"]["dvv_category"]}
    assert dvv["4"]["count"] == 4
    assert dvv["4"]["label"] == "Sprachen"
    assert dvv["4.06"]["count"] == 4
    assert dvv["5.01"]["count"] == 1
    languages = search(client, dvv_category="4")
    assert languages["total"] == 4
    assert search(client, dvv_category="5")["hits"][0]["id"] == ids["X-5"]
    assert search(client, q="N-E-B1")["hits"][0]["id"] == ids["E-B1"]  # the course number
    # the citizen page offers the level as a facet and narrows by it
    from tests.portals.conftest import create_portal

    create_portal(client, admin, slug="vhs", name="VHS-Kurse", postcode_prefixes=["4"])
    page = client.get("/p/vhs/", params={"q": "Englisch"}).text
    assert "Sprachniveau" in page
    assert "B1 – Mittelstufe" in page
    narrowed = client.get("/p/vhs/", params={"level": "B1"}).text
    assert "2 Angebote gefunden" in narrowed
    bad = client.get("/api/v1/search", params={"dvv_category": "4; DROP"})
    assert bad.status_code == 422


def test_offer_page_shows_course_number_sessions_and_places(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    from tests.portals.conftest import create_portal

    org_id, headers = trusted_provider["org_id"], trusted_provider["headers"]
    seats = (
        "<minimale_teilnehmerzahl>6</minimale_teilnehmerzahl>"
        "<aktuelle_teilnehmerzahl>{n}</aktuelle_teilnehmerzahl>"
        "<maximale_teilnehmerzahl>12</maximale_teilnehmerzahl>"
        "<webadresse><typ>attachment</typ><name>Flyer</name>"
        "<uri>https://vhs.example/flyer.pdf</uri></webadresse>"
    )
    data = programme(
        course_xml("FREE", "Italienisch Grundkurs", sessions=3, extra=seats.format(n=9)),
        course_xml("FULL", "Französisch Grundkurs", extra=seats.format(n=12)),
    )
    assert run_import(org_id, data).created == 2
    create_portal(client, admin, slug="vhs", name="VHS-Kurse", postcode_prefixes=["4"])
    ids = ids_by_external(client, headers)

    page = client.get(f"/p/vhs/angebote/{ids['FREE']}")
    assert page.status_code == 200
    html = page.text
    assert "Kursnummer" in html
    assert "N-FREE" in html
    assert "noch 3 Plätze frei" in html
    assert "findet ab 6 Anmeldungen statt" in html
    assert "3 Termine" in html
    assert "18:00" in html
    # each session: weekday, the date as German readers write it, the time
    assert re.search(r"<li>\w\w, \d{1,2}\. \w+ \d{4}, ab 18:00 Uhr</li>", html)
    assert 'href="https://vhs.example/flyer.pdf"' in html
    full = client.get(f"/p/vhs/angebote/{ids['FULL']}").text
    assert "ausgebucht" in full
    english = client.get(f"/p/vhs/angebote/{ids['FREE']}?lang=en").text
    assert "3 places left" in english
    assert "Course number" in english
    data_ld = json.loads(JSONLD.search(html).group(1))  # type: ignore[union-attr]
    instance = data_ld["hasCourseInstance"][0]
    assert data_ld["courseCode"] == "N-FREE"
    assert (instance["maximumAttendeeCapacity"], instance["remainingAttendeeCapacity"]) == (12, 3)
    assert instance["courseSchedule"]["repeatCount"] == 3


EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_text_stays_inert(
    client: TestClient,
    admin: dict[str, str],
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
    search_index: SearchIndex,
) -> None:
    from tests.portals.conftest import create_portal

    org_id = make_org(name=f"VHS {EVIL}", kind="vhs", trusted=True)
    headers = make_key("provider", org_id)
    cdata = f"<![CDATA[{EVIL}]]>"
    extra = (
        f"<untertitel>{cdata}</untertitel><level>{cdata}</level>"
        f"<schlagwort>{cdata}</schlagwort><zielgruppe>{cdata}</zielgruppe>"
        f"<text><eigenschaft>text</eigenschaft><text><![CDATA[</script>{EVIL}"
        '<a href="javascript:alert(1)">hier</a> &lt;script&gt;alert(2)&lt;/script&gt;'
        "\r\nZeile]]></text></text>"
        f"<zertifikat><name>{cdata}</name><text>{cdata}</text></zertifikat>"
        f"<preis><betrag>10</betrag><zusatz>{cdata}</zusatz></preis>"
        "<webadresse><typ>website</typ><uri>javascript:alert(1)</uri></webadresse>"
        f"<webadresse><typ>attachment</typ><name>{cdata}</name>"
        "<uri>https://vhs.example/a.pdf?x=&quot;&gt;&lt;script&gt;</uri></webadresse>"
    )
    course = course_xml("EVIL", f"Kurs {EVIL}\r\nX-Header: 1", price=None, extra=extra)
    course = course.replace("<nummer>N-EVIL</nummer>", f"<nummer>{cdata}</nummer>").replace(
        "<name>VHS-Haus</name>", f"<name>{cdata}</name>"
    )
    report = run_import(org_id, programme(course))
    assert report.ok, report.render_text()
    search_index.drain()
    create_portal(client, admin, slug="vhs", name="VHS-Kurse", postcode_prefixes=["4"])
    offer_id = ids_by_external(client, headers)["EVIL"]
    offer = client.get(f"/api/v1/offers/{offer_id}").json()
    assert "\r" not in offer["title"]
    assert "\n" not in offer["title"]
    assert offer["url"] is None  # javascript: is no web address

    for lang in ("de", "en"):
        html = client.get(f"/p/vhs/angebote/{offer_id}?lang={lang}").text
        body = JSONLD.sub("", html)
        assert "<script>alert" not in body
        assert "<img src=x" not in body
        assert "javascript:" not in body
        assert '"><script>' not in html
        script = JSONLD.search(html).group(1)  # type: ignore[union-attr]
        assert "<" not in script
        assert ">" not in script
        assert json.loads(script)["name"].startswith('Kurs <script>alert("x")')
    hits = search(client, q="Kurs")["hits"]
    assert hits
    assert all("<script" not in h["title_html"] for h in hits)
    assert all("<img" not in h["snippet"] for h in hits)
    page = client.get("/p/vhs/?q=Kurs").text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
