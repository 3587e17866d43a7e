"""The dashboard: sign in once with a key, a signed HttpOnly SameSite=Strict cookie that
cannot be forged or reused after sign-out, pages from snapshots with a table for every
chart, German and English, CSV downloads with the session."""

import re
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app import db
from app.models.api_key import ApiKey
from app.models.monitoring import DashboardSession
from app.models.types import utcnow
from app.services.monitoring.sessions import COOKIE
from tests.monitoring_support import (
    KnownCatalogue,
    take_snapshot,
)

PAGES = [
    "/monitoring/bochum-test",
    "/monitoring/bochum-test/weisse-flecken",
    "/monitoring/bochum-test/nachfrage",
    "/monitoring/bochum-test/bedarf",
]


def _key(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def _sign_in(client: TestClient, key: str, **form: str) -> str:
    r = client.post("/monitoring/", data={"key": key, **form}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


@pytest.fixture
def ready(known: KnownCatalogue) -> KnownCatalogue:
    take_snapshot()
    return known


def test_without_a_session_every_page_redirects_to_sign_in(
    ready: KnownCatalogue, client: TestClient
) -> None:
    for page in [*PAGES, "/monitoring/bochum-test/export/kennzahlen.csv"]:
        r = client.get(page, follow_redirects=False)
        assert r.status_code == 303, page
        assert r.headers["location"].startswith("/monitoring/?next=%2Fmonitoring%2Fbochum-test")
    form = client.get("/monitoring/")
    assert form.status_code == 200
    assert 'type="password"' in form.text


def test_sign_in_sets_a_strict_http_only_cookie_and_goes_where_asked(
    ready: KnownCatalogue, client: TestClient
) -> None:
    r = client.post(
        "/monitoring/",
        data={"key": _key(ready.analyst), "next": "/monitoring/bochum-test/nachfrage"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/monitoring/bochum-test/nachfrage"
    header = r.headers["set-cookie"]
    cookie = SimpleCookie(header)[COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "strict"
    assert cookie["path"] == "/monitoring"
    assert _key(ready.analyst) not in header  # the key itself never goes into the cookie
    # an open redirect is not possible
    target = _sign_in(client, _key(ready.analyst), next="https://evil.example/")
    assert target == "/monitoring/"


def test_a_wrong_key_is_refused_on_the_form(
    ready: KnownCatalogue, client: TestClient, make_key: object
) -> None:
    r = client.post("/monitoring/", data={"key": "br_abc_def"}, follow_redirects=False)
    assert r.status_code == 401
    assert 'role="alert"' in r.text
    assert COOKIE not in r.headers.get("set-cookie", "")
    provider = make_key("provider", ready.orgs["A"])  # type: ignore[operator]
    r = client.post("/monitoring/", data={"key": _key(provider)}, follow_redirects=False)
    assert r.status_code == 401


def test_pages_show_figures_with_a_table_for_every_chart(
    ready: KnownCatalogue, client: TestClient
) -> None:
    _sign_in(client, _key(ready.analyst))
    for page in PAGES:
        r = client.get(page)
        assert r.status_code == 200, page
        assert r.headers["cache-control"] == "no-store"
        charts = re.findall(r'<svg class="chart" id="([^"]+)" role="img"', r.text)
        for chart in charts:
            assert f'aria-labelledby="{chart}-t {chart}-d"' in r.text
        # every chart is followed by its data table
        assert r.text.count("<table") >= len(charts)
        assert "<script" not in r.text  # no inline or external script at all
    supply = client.get("/monitoring/bochum-test").text
    assert len(re.findall(r'<svg class="chart"', supply)) == 5
    assert "Aktive Angebote" in supply
    assert "364.628" in supply
    assert "66,7" in supply  # Bildungsgutschein share, decimal comma
    assert "<caption>Angebote der Volkshochschulen nach DVV-Programmbereich</caption>" in supply
    assert '<th scope="row">Sprachen</th>' in supply
    assert "0,1" in supply
    english = client.get("/monitoring/bochum-test", params={"lang": "en"}).text
    assert '<html lang="en">' in english
    assert "Active offers" in english
    assert "66.7" in english
    csv = client.get("/monitoring/bochum-test/export/kennzahlen.csv")
    assert csv.status_code == 200
    assert csv.content.startswith(b"\xef\xbb\xbf")


def test_district_figures_only_for_keys_that_may_see_districts(
    ready: KnownCatalogue, client: TestClient
) -> None:
    """The API answers analysts 404 for every district: the portal page shows them none of a
    district's figures either, admins the districts the portal lies in with their own rates."""
    _sign_in(client, _key(ready.analyst))
    supply = client.get("/monitoring/bochum-test").text
    assert 'id="h-districts"' not in supply
    assert "Bochum, Stadt (05911)" not in supply
    assert "364.628" in supply  # the portal's own population (Bochum's, as the API gives it)
    r = client.get("/api/v1/monitoring/districts/05911/indicators", headers=ready.analyst)
    assert r.status_code == 404
    client.cookies.clear()
    _sign_in(client, _key(ready.admin))
    supply = client.get("/monitoring/bochum-test").text
    assert 'id="h-districts"' in supply
    # Bochum, 3 offers per 364,628
    assert '<th scope="row">Bochum, Stadt (05911)</th><td class="num">364.628</td>' in supply


def test_the_day_picker_lists_snapshots(ready: KnownCatalogue, client: TestClient) -> None:
    _sign_in(client, _key(ready.admin))
    page = client.get("/monitoring/kreise/05911").text
    assert '<select id="tag" name="tag">' in page
    assert page.count("<option") == 1
    assert client.get("/monitoring/kreise/05911", params={"tag": "not-a-day"}).status_code == 200
    assert client.get("/monitoring/kreise/99999").status_code == 404
    assert client.get("/monitoring/kreise/05911/nachfrage").status_code == 404


def test_an_analyst_gets_404_for_another_portal(ready: KnownCatalogue, client: TestClient) -> None:
    _sign_in(client, _key(ready.other_analyst))
    for page in [
        *PAGES,
        "/monitoring/kreise/05911",
        "/monitoring/bochum-test/export/kennzahlen.csv",
    ]:
        r = client.get(page)
        assert r.status_code == 404, page
        assert "Bochum" not in r.text
    regions = client.get("/monitoring/").text
    assert "Dresden" in regions
    assert "Weiterbildung Bochum" not in regions


def test_a_cookie_reused_after_sign_out_does_not_work(
    ready: KnownCatalogue, client: TestClient
) -> None:
    _sign_in(client, _key(ready.analyst))
    cookie = client.cookies[COOKIE]
    assert client.get(PAGES[0]).status_code == 200
    r = client.post("/monitoring/abmelden", follow_redirects=False)
    assert r.status_code == 303
    client.cookies.set(COOKIE, cookie, path="/monitoring")  # a copy kept before signing out
    assert client.get(PAGES[0], follow_redirects=False).status_code == 303


def test_a_forged_cookie_does_not_work(ready: KnownCatalogue, client: TestClient) -> None:
    _sign_in(client, _key(ready.analyst))
    token, signature = client.cookies[COOKIE].split(".")
    client.cookies.clear()
    for forged in (
        f"{token}.{signature[:-2]}xx",  # altered signature
        f"{token[:-2]}xx.{signature}",  # altered token
        token,  # no signature
        "x.y",
    ):
        client.cookies.set(COOKIE, forged, path="/monitoring")
        assert client.get(PAGES[0], follow_redirects=False).status_code == 303
        client.cookies.clear()


def test_revoking_the_key_ends_its_sessions(ready: KnownCatalogue, client: TestClient) -> None:
    _sign_in(client, _key(ready.analyst))
    keys = client.get("/api/v1/api-keys", headers=ready.admin).json()
    analyst_id = next(k["id"] for k in keys if k["portals"] == ["bochum-test"])
    assert client.delete(f"/api/v1/api-keys/{analyst_id}", headers=ready.admin).status_code == 200
    assert client.get(PAGES[0], follow_redirects=False).status_code == 303


def test_a_session_ends_when_its_key_expires(ready: KnownCatalogue, client: TestClient) -> None:
    """A key made with an end (`create-key --expires`): the session it opened ends with it,
    as the API's answers do, not hours later when the session's own time runs out."""
    ends = utcnow() + timedelta(minutes=45)
    r = client.post(
        "/api/v1/api-keys",
        json={"role": "analyst", "portals": ["bochum-test"], "expires_at": ends.isoformat()},
        headers=ready.admin,
    )
    assert r.status_code == 201, r.text
    key, key_id = r.json()["key"], r.json()["id"]
    _sign_in(client, key)
    csv = "/monitoring/bochum-test/export/kennzahlen.csv"
    assert client.get(PAGES[0]).status_code == 200
    assert client.get(csv).status_code == 200
    with db.session_scope() as session:
        [row] = session.exec(select(DashboardSession).where(DashboardSession.api_key_id == key_id))
        assert row.expires_at == ends  # not 12 hours on: the key ends first
        # The key's end has come (the clock moved on, as it does while a page stays open).
        api_key = session.get(ApiKey, key_id)
        assert api_key is not None
        api_key.expires_at = utcnow() - timedelta(seconds=1)
        session.add(api_key)
    api = "/api/v1/monitoring/portals/bochum-test/indicators"
    assert client.get(api, headers={"Authorization": f"Bearer {key}"}).status_code == 401
    for page in (*PAGES, csv):
        assert client.get(page, follow_redirects=False).status_code == 303, page


def test_a_sign_in_from_another_site_is_refused(ready: KnownCatalogue, client: TestClient) -> None:
    r = client.post(
        "/monitoring/",
        data={"key": _key(ready.analyst)},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert COOKIE not in r.headers.get("set-cookie", "")
