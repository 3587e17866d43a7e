"""Security headers on every kind of answer: a strict Content-Security-Policy (no inline script
anywhere we render), framing refused except the embed page (exactly the portal's origins),
nosniff, a referrer policy, HSTS in production."""

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import config
from tests.portals.conftest import BOCHUM, at, create_portal

ORIGINS = ["https://www.bochum.de", "http://stadt.example:8080"]


@pytest.fixture
def site(
    client: TestClient, admin: dict[str, str], trusted_provider: dict[str, Any]
) -> dict[str, Any]:
    create_portal(
        client, admin, slug="bochum", name="Bochum", postcode_prefixes=["447"], cors_origins=ORIGINS
    )
    h = trusted_provider["headers"]
    current = client.post("/api/v1/offers", json=at(BOCHUM), headers=h).json()["id"]
    ended = client.post("/api/v1/offers", json=at(BOCHUM, days_ahead=-90), headers=h).json()["id"]
    return {"current": current, "ended": ended}


def _policy(response: Any) -> dict[str, str]:
    header = response.headers["content-security-policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
        if part
    }


def _common(response: Any, what: str) -> None:
    assert response.headers["x-content-type-options"] == "nosniff", what
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin", what
    assert "server" not in response.headers, what
    assert "strict-transport-security" not in response.headers, what  # not in development


def _assert_strict_page(response: Any, what: str, *, ancestors: str = "'none'") -> None:
    _common(response, what)
    policy = _policy(response)
    assert policy["default-src"] == "'none'", what
    assert policy["script-src"] == "'self'", what
    assert policy["style-src"] == "'self'", what
    assert policy["base-uri"] == "'none'", what
    assert policy["frame-ancestors"] == ancestors, what
    html = response.text
    # nothing inline for the policy to block: every script is a file or a JSON-LD data block
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/ld+json"' in tag, (what, tag)
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), what


def test_every_page_has_a_strict_policy_and_refuses_framing(
    client: TestClient, site: dict[str, Any], search_index: Any
) -> None:
    search_index.drain()
    pages = {
        "search page": client.get("/p/bochum/", params={"q": "buchhaltung"}),
        "search page with a bad parameter": client.get("/p/bochum/", params={"page": "²"}),
        "offer page": client.get(f"/p/bochum/angebote/{site['current']}"),
        "ended offer page": client.get(f"/p/bochum/angebote/{site['ended']}"),
        "unknown portal": client.get("/p/nowhere/"),
        "unknown offer": client.get("/p/bochum/angebote/999999"),
        "home": client.get("/"),
        "monitoring sign-in": client.get("/monitoring/"),
    }
    for what, response in pages.items():
        assert response.headers["content-type"].startswith("text/html"), what
        _assert_strict_page(response, what)
        assert response.headers["x-frame-options"] == "DENY", what
    # the offer page's JSON-LD is data, not script: CSP does not apply to it
    assert 'type="application/ld+json"' in pages["offer page"].text


def test_the_embed_page_may_be_framed_by_the_portals_sites_only(
    client: TestClient, site: dict[str, Any], search_index: Any, admin: dict[str, str]
) -> None:
    r = client.get("/p/bochum/embed", params={"q": "kurs"})
    assert r.status_code == 200
    _assert_strict_page(r, "embed page", ancestors=" ".join(ORIGINS))
    assert "x-frame-options" not in r.headers
    # a portal without sites of its own may be framed by nobody
    create_portal(client, admin, slug="herne", name="Herne", postcode_prefixes=["446"])
    _assert_strict_page(client.get("/p/herne/embed"), "embed page without origins")
    _assert_strict_page(client.get("/p/nowhere/embed"), "embed page of no portal")


def test_api_answers_files_and_errors_carry_the_headers(
    client: TestClient, site: dict[str, Any], search_index: Any
) -> None:
    answers = {
        "search": client.get("/api/v1/search"),
        "offer": client.get(f"/api/v1/offers/{site['current']}"),
        "gone": client.get(f"/api/v1/offers/{site['ended']}"),
        "422": client.get("/api/v1/search?page=0"),
        "404": client.get("/nowhere"),
        "405": client.delete("/api/v1/search"),
        "413": client.post("/api/v1/offers", content=b"x" * 2_000_000),
        "widget": client.get("/widget/bochum.js"),
        "stylesheet": client.get("/static/portal.css"),
        "script": client.get("/static/search.js"),
        "openapi": client.get("/openapi.json"),
    }
    for what, response in answers.items():
        _common(response, what)
        policy = _policy(response)
        assert policy["default-src"] == "'none'", what
        assert policy["frame-ancestors"] == "'none'", what
    # the widget stays loadable from any site
    assert answers["widget"].headers["access-control-allow-origin"] == "*"


def test_the_documentation_pages_run_no_inline_script(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        r = client.get(path)
        assert r.status_code == 200
        _common(r, path)
        policy = _policy(r)
        assert policy["frame-ancestors"] == "'none'"
        assert policy["script-src"] == "'self'"
        assert not re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", r.text), path


@pytest.fixture
def production(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("BILDUNGSRAUM_ENV", "production")
    monkeypatch.setenv("MEILI_SEARCH_KEY", "a-search-key-for-the-test")
    monkeypatch.setenv("DASHBOARD_SECRET", "s" * 48)
    config.get_settings.cache_clear()
    yield
    config.get_settings.cache_clear()


def test_hsts_in_production(production: None, make_org: Callable[..., int]) -> None:
    from app.main import create_app

    with TestClient(create_app()) as client:
        for path in ("/health", "/p/nowhere/", "/api/v1/codelists"):
            hsts = client.get(path).headers["strict-transport-security"]
            assert hsts.startswith("max-age=")
            assert int(hsts.split("=")[1].split(";")[0]) >= 31536000
