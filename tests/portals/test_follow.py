"""Following a portal's search: the Atom feed, calendar files and the OpenSearch description."""

import re
from datetime import date, timedelta
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from lxml import etree

from tests.conftest import SearchIndex
from tests.portals.conftest import BOCHUM, Region, at

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)> javascript:alert(2)'
CRLF_EVIL = "Kurs\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:gefälscht"


def _feed(client: TestClient, url: str) -> Any:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def _offer_ids(parsed: Any) -> list[int]:
    return [int(e.link.split("?")[0].rsplit("/", 1)[1]) for e in parsed.entries]


def test_feed_follows_publications_and_withdrawals(
    client: TestClient,
    region: Region,
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
) -> None:
    parsed = _feed(client, "/p/bochum/neu.atom?q=buchhaltung")
    ids = _offer_ids(parsed)
    # The portal's region and rules hold: Bochum's offers, not Dortmund's nor the blocked one's.
    assert set(ids) == {region.offers["bochum"], region.offers["reviewed"]}
    assert parsed.feed.title == "Weiterbildung Bochum: neue Angebote zu „buchhaltung“"
    assert parsed.feed.links[0].href.endswith("/p/bochum/neu.atom?q=buchhaltung")

    # Published after the feed was read: it is the newest entry now.
    r = client.post(
        "/api/v1/offers",
        json=at(
            BOCHUM,
            title="Buchhaltung für Vereine",
            keywords=["Buchhaltung"],
            description="Kassenbuch und Jahresabschluss für Vereinsvorstände.",
        ),
        headers=trusted_provider["headers"],
    )
    new_id = int(r.json()["id"])
    search_index.drain()
    parsed = _feed(client, "/p/bochum/neu.atom?q=buchhaltung")
    assert _offer_ids(parsed)[0] == new_id
    assert parsed.entries[0].title == "Buchhaltung für Vereine"
    assert parsed.entries[0].author == "VHS Bochum"
    # A search it does not match leaves it out.
    assert new_id not in _offer_ids(_feed(client, "/p/bochum/neu.atom?q=datev"))
    # Other search parameters count as on the page: a category it is not in.
    assert _offer_ids(_feed(client, "/p/bochum/neu.atom?category=languages")) == []

    # Withdrawn: it leaves the feed.
    r = client.post(f"/api/v1/offers/{new_id}/withdraw", headers=trusted_provider["headers"])
    assert r.status_code == 200, r.text
    search_index.drain()
    assert new_id not in _offer_ids(_feed(client, "/p/bochum/neu.atom?q=buchhaltung"))
    # Brought back after a newer offer was published: it leads the feed again.
    newer = client.post(
        "/api/v1/offers",
        json=at(BOCHUM, title="Buchhaltung kompakt", keywords=["Buchhaltung"]),
        headers=trusted_provider["headers"],
    )
    assert newer.status_code == 201, newer.text
    r = client.post(f"/api/v1/offers/{new_id}/submit", headers=trusted_provider["headers"])
    assert r.status_code == 200, r.text
    search_index.drain()
    assert _offer_ids(_feed(client, "/p/bochum/neu.atom?q=buchhaltung"))[:2] == [
        new_id,
        int(newer.json()["id"]),
    ]


def test_feed_in_english_and_bad_parameters(client: TestClient, region: Region) -> None:
    parsed = _feed(client, "/p/bochum/neu.atom?lang=en")
    assert parsed.feed.title == "Weiterbildung Bochum: new offers"
    assert all(e.link.endswith("?lang=en") for e in parsed.entries)
    # categories carry the English label; the German feed the German one
    labels = {t.label for e in parsed.entries for t in e.tags}
    assert "Accounting, tax and finance" in labels
    assert "Buchhaltung, Steuern und Finanzen" not in labels
    german = _feed(client, "/p/bochum/neu.atom")
    assert "Buchhaltung, Steuern und Finanzen" in {t.label for e in german.entries for t in e.tags}
    for bad in ("radius_km=abc", "category=nonsense", "q=" + "x" * 300, "radius_km=10"):
        r = client.get(f"/p/bochum/neu.atom?{bad}")
        assert r.status_code == 422, (bad, r.text)
        assert "error" in r.json()
    assert client.get("/p/unbekannt/neu.atom").status_code == 404
    assert "error" in client.get("/p/unbekannt/neu.atom").json()


def _hostile_offer(client: TestClient, make_org: Any, make_key: Any) -> int:
    org = make_org(name=f"Anbieter {EVIL}", trusted=True)
    start = date.today() + timedelta(days=20)
    body = at(
        BOCHUM,
        title=f"Buchhaltung {EVIL}"[:300],
        subtitle="javascript:alert(3)",
        description=f"</summary></entry>{EVIL}\r\nSUMMARY:x\r\n]]>",
        keywords=["Buchhaltung"],
        price_note=EVIL,
    )
    body["dates"][0]["location"].update(name=CRLF_EVIL, street=EVIL[:200])
    body["dates"].append(
        {
            "start_date": start.isoformat(),
            "schedule": "evening",
            "sessions": [
                {"date": start.isoformat(), "start_time": "18:00", "end_time": "21:00"},
                {"date": (start + timedelta(days=7)).isoformat(), "start_time": "18:00"},
            ],
            "location": {"postcode": "44787", "city": "Bochum", "name": CRLF_EVIL},
        }
    )
    r = client.post("/api/v1/offers", json=body, headers=make_key("provider", org))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_hostile_text_is_inert_in_feed_and_calendar(
    client: TestClient,
    region: Region,
    make_org: Any,
    make_key: Any,
    search_index: SearchIndex,
) -> None:
    offer_id = _hostile_offer(client, make_org, make_key)
    search_index.drain()
    r = client.get("/p/bochum/neu.atom?q=buchhaltung")
    root = etree.fromstring(r.content)
    # Only Atom's own elements: nothing a provider wrote became an element or attribute.
    assert {el.tag for el in root.iter()} <= {
        f"{ATOM}{t}"
        for t in [
            "feed",
            "id",
            "title",
            "subtitle",
            "updated",
            "link",
            "author",
            "name",
            "generator",
            "entry",
            "published",
            "category",
            "summary",
        ]
    }
    entry = next(
        e
        for e in root.iter(f"{ATOM}entry")
        if f"/angebote/{offer_id}" in e.findtext(f"{ATOM}id", "")
    )
    assert entry.findtext(f"{ATOM}title", "").startswith(f"Buchhaltung {EVIL}"[:60])
    assert entry.find(f"{ATOM}title").get("type") == "text"
    assert "</summary>" in entry.findtext(f"{ATOM}summary", "")
    hrefs = [link.get("href", "") for link in root.iter(f"{ATOM}link")]
    assert all(h.startswith("http://testserver/p/bochum/") for h in hrefs)
    assert "<script>" not in r.text
    assert "<img" not in r.text

    dates = client.get(f"/api/v1/offers/{offer_id}").json()["dates"]
    for d in dates:
        r = client.get(f"/p/bochum/angebote/{offer_id}/termine/{d['id']}.ics")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/calendar")
        cal = Calendar.from_ical(r.content)
        events = list(cal.walk("VEVENT"))
        # The CRLF in the place name did not start a new event or property.
        assert len(events) == (2 if d["sessions"] else 1)
        for event in events:
            assert str(event["SUMMARY"]) == f"Buchhaltung {EVIL}"[:300]
            assert "\n" not in str(event["SUMMARY"])
            assert str(event["URL"]).startswith("http://testserver/p/bochum/angebote/")
        lines = r.content.split(b"\r\n")
        assert lines.count(b"BEGIN:VEVENT") == len(events)
        assert not any(line.startswith(b"SUMMARY:gef") for line in lines)
    sessions = next(d for d in dates if d["sessions"])
    cal = Calendar.from_ical(
        client.get(f"/p/bochum/angebote/{offer_id}/termine/{sessions['id']}.ics").content
    )
    first, second = cal.walk("VEVENT")
    assert first.decoded("DTSTART").hour == 18
    assert str(first.decoded("DTSTART").tzinfo) == "Europe/Berlin"
    assert (first.decoded("DTEND") - first.decoded("DTSTART")) == timedelta(hours=3)
    assert str(first["LOCATION"]).startswith("Kurs\r\nEND:VEVENT") or "END:VEVENT" in str(
        first["LOCATION"]
    )
    assert list(cal.walk("VTIMEZONE"))


def test_calendar_of_an_all_day_date(client: TestClient, region: Region) -> None:
    offer_id = region.offers["bochum"]
    d = client.get(f"/api/v1/offers/{offer_id}").json()["dates"][0]
    cal = Calendar.from_ical(
        client.get(f"/p/bochum/angebote/{offer_id}/termine/{d['id']}.ics").content
    )
    [event] = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == date.fromisoformat(d["start_date"])
    assert event.decoded("DTEND") == date.fromisoformat(d["end_date"]) + timedelta(days=1)
    assert str(event["SUMMARY"]) == "Finanzbuchhaltung mit DATEV"
    assert "Kortumstraße 1" in str(event["LOCATION"])


@pytest.mark.parametrize(
    "path",
    [
        "angebote/{dortmund}/termine/{dortmund_date}.ics",  # out of the portal's region
        "angebote/{bochum}/termine/{dortmund_date}.ics",  # a date of another offer
        "angebote/{blocked}/termine/{blocked_date}.ics",  # a blocked provider's
        "angebote/999999/termine/1.ics",
    ],
)
def test_calendar_of_what_the_portal_does_not_show_is_404(
    client: TestClient, region: Region, path: str
) -> None:
    def first_date(name: str) -> int:
        return int(client.get(f"/api/v1/offers/{region.offers[name]}").json()["dates"][0]["id"])

    url = "/p/bochum/" + path.format(
        dortmund=region.offers["dortmund"],
        bochum=region.offers["bochum"],
        blocked=region.offers["blocked"],
        dortmund_date=first_date("dortmund"),
        blocked_date=first_date("blocked"),
    )
    r = client.get(url)
    assert r.status_code == 404, r.text
    # a link followed in a browser: the portal's page "not found", as for an offer page
    assert r.headers["content-type"].startswith("text/html")


def test_calendar_of_unpublished_withdrawn_and_flexible_dates(
    client: TestClient,
    region: Region,
    provider: dict[str, Any],
    trusted_provider: dict[str, Any],
) -> None:
    # Submitted, not yet published (untrusted provider).
    r = client.post("/api/v1/offers", json=at(BOCHUM), headers=provider["headers"])
    waiting = r.json()
    r = client.get(f"/p/bochum/angebote/{waiting['id']}/termine/{waiting['dates'][0]['id']}.ics")
    assert r.status_code == 404
    # Withdrawn.
    offer_id = region.offers["bochum"]
    date_id = client.get(f"/api/v1/offers/{offer_id}").json()["dates"][0]["id"]
    assert client.get(f"/p/bochum/angebote/{offer_id}/termine/{date_id}.ics").status_code == 200
    client.post(f"/api/v1/offers/{offer_id}/withdraw", headers=trusted_provider["headers"])
    assert client.get(f"/p/bochum/angebote/{offer_id}/termine/{date_id}.ics").status_code == 404
    # A date without a start has no calendar entry.
    body = at(BOCHUM)
    body["dates"][0] = {
        "flexible_start": True,
        "schedule": "part_time",
        "location": body["dates"][0]["location"],
    }
    flexible = client.post("/api/v1/offers", json=body, headers=trusted_provider["headers"]).json()
    r = client.get(f"/p/bochum/angebote/{flexible['id']}/termine/{flexible['dates'][0]['id']}.ics")
    assert r.status_code == 404
    # Ids that are no ids: the page "not found", never the API's JSON.
    for bad in ("abc", "0", "-1", "99999999999", "1.5"):
        for path in (f"angebote/{offer_id}/termine/{bad}.ics", f"angebote/{bad}/termine/1.ics"):
            r = client.get(f"/p/bochum/{path}")
            assert r.status_code == 404, (bad, r.status_code)
            assert r.headers["content-type"].startswith("text/html"), bad


def test_opensearch_description(client: TestClient, region: Region) -> None:
    r = client.get("/p/bochum/opensearch.xml")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/opensearchdescription+xml")
    root = etree.fromstring(r.content)
    assert root.tag == f"{OPENSEARCH}OpenSearchDescription"
    short = root.findtext(f"{OPENSEARCH}ShortName", "")
    assert 0 < len(short) <= 16
    templates = {u.get("type"): u.get("template") for u in root.iter(f"{OPENSEARCH}Url")}
    assert templates["text/html"] == "http://testserver/p/bochum/?q={searchTerms}"
    assert (
        templates["application/atom+xml"] == "http://testserver/p/bochum/neu.atom?q={searchTerms}"
    )
    english = etree.fromstring(client.get("/p/bochum/opensearch.xml?lang=en").content)
    assert english.findtext(f"{OPENSEARCH}Language") == "en"
    html_url = next(u for u in english.iter(f"{OPENSEARCH}Url") if u.get("type") == "text/html")
    assert html_url.get("template", "").endswith("?q={searchTerms}&lang=en")
    assert client.get("/p/unbekannt/opensearch.xml").status_code == 404


def test_public_base_url_setting(
    client: TestClient, region: Region, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import config

    monkeypatch.setenv("PUBLIC_BASE_URL", "https://weiterbildung.example.de")
    config.get_settings.cache_clear()
    root = etree.fromstring(client.get("/p/bochum/opensearch.xml").content)
    assert all(
        u.get("template", "").startswith("https://weiterbildung.example.de/p/bochum/")
        for u in root.iter(f"{OPENSEARCH}Url")
    )
    parsed = _feed(client, "/p/bochum/neu.atom")
    assert parsed.feed.id.startswith("https://weiterbildung.example.de/")
    assert client.get("/p/bochum/neu.atom").headers["cache-control"] == "public, max-age=300"
    offer_id = region.offers["bochum"]
    [first, *_] = client.get(f"/api/v1/offers/{offer_id}").json()["dates"]
    calendar = f"/p/bochum/angebote/{offer_id}/termine/{first['id']}.ics"
    assert client.get(calendar).headers["cache-control"].startswith("public")
    monkeypatch.delenv("PUBLIC_BASE_URL")
    config.get_settings.cache_clear()
    # Links from the request's Host header (which a client sets) stay out of shared caches.
    for path in ("/p/bochum/neu.atom", "/p/bochum/opensearch.xml", calendar):
        assert client.get(path).headers["cache-control"].startswith("private"), path


_ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="(/static/[^"]+)"([^>]*)>')


def test_search_page_links_feed_opensearch_and_print(client: TestClient, region: Region) -> None:
    html = client.get("/p/bochum/?q=buchhaltung&category=accounting_finance&page=1").text
    feed = "/p/bochum/neu.atom?q=buchhaltung&amp;category=accounting_finance"
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="{feed}"' in html
    assert "Neue Angebote zu dieser Suche abonnieren" in html
    assert 'rel="search" type="application/opensearchdescription+xml"' in html
    assert 'href="/p/bochum/opensearch.xml"' in html
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in html
    assert 'data-map-url="/p/bochum/karte?q=buchhaltung&amp;category=accounting_finance"' in html
    # The feed link leads to a feed of the same search.
    parsed = _feed(client, feed.replace("&amp;", "&"))
    assert parsed.feed.title.endswith("„buchhaltung“")

    english = client.get("/p/bochum/?q=buchhaltung&lang=en").text
    assert "Subscribe to new offers for this search" in english
    assert 'href="/p/bochum/neu.atom?q=buchhaltung&amp;lang=en"' in english
    assert 'href="/p/bochum/opensearch.xml?lang=en"' in english
    # Nothing found: no map to show.
    assert 'data-map-url=""' in client.get("/p/bochum/?q=xylophonbau").text


def test_search_page_weight_without_the_map(client: TestClient, region: Region) -> None:
    """The page and everything it loads on screen (not the print sheet, not the map): ≤ 60 KB."""
    html = client.get("/p/bochum/?q=buchhaltung&category=accounting_finance").text
    assets = [path for path, rest in _ASSET.findall(html) if 'media="print"' not in rest]
    assert "/static/follow.js" in assets
    assert not [a for a in assets if "vendor" in a or "map" in a]
    total = len(html.encode()) + sum(len(client.get(a).content) for a in assets)
    assert total <= 60 * 1024, total


def test_offer_page_links_each_date_to_its_calendar(client: TestClient, region: Region) -> None:
    offer_id = region.offers["bochum"]
    html = client.get(f"/p/bochum/angebote/{offer_id}").text
    links = re.findall(r'href="(/p/bochum/angebote/\d+/termine/\d+\.ics)"', html)
    assert len(links) == 1
    assert 'aria-label="Termin ' in html
    assert client.get(links[0]).status_code == 200
    assert f'data-offer-id="{offer_id}"' in html
    assert 'data-offer-title="Finanzbuchhaltung mit DATEV"' in html
    english = client.get(f"/p/bochum/angebote/{offer_id}?lang=en").text
    assert "Add to calendar" in english


def test_feed_reads_publications_in_batches(
    client: TestClient, region: Region, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A regional search matches only some of the newest publications: the feed reads on,
    batch after batch (same publication time or not), up to its limit."""
    from app.services import feeds

    monkeypatch.setattr(feeds, "FEED_BATCH", 2)
    ids = _offer_ids(_feed(client, "/p/bochum/neu.atom?q=buchhaltung"))
    # Newest first: the reviewed offer was published last, Bochum's first of all.
    assert ids == [region.offers["reviewed"], region.offers["bochum"]]
    monkeypatch.setattr(feeds, "FEED_BATCHES", 2)
    assert _offer_ids(_feed(client, "/p/bochum/neu.atom?q=buchhaltung")) == [
        region.offers["reviewed"]
    ]
    monkeypatch.setattr(feeds, "FEED_BATCHES", 6)
    monkeypatch.setattr(feeds, "FEED_ENTRIES", 1)
    assert _offer_ids(_feed(client, "/p/bochum/neu.atom")) == [region.offers["reviewed"]]
