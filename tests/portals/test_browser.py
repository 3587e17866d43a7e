"""The citizen pages in a real browser: axe-core (WCAG 2.1 AA), keyboard only, no JavaScript,
and the widget on another origin. Needs `scripts/install-browser-test-deps.sh` once."""

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import SearchIndex
from tests.monitoring_support import KnownCatalogue, take_snapshot
from tests.portals.conftest import BOCHUM, Region, at

BROWSER_DIR = Path(__file__).resolve().parent.parent / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def run_browser_script(script: str, config: dict[str, Any], *, timeout: int) -> dict[str, Any]:
    """Run one of tests/browser/*.mjs in Chromium with this configuration and return its JSON
    report, which must name no error of the pages."""
    proc = subprocess.run(
        ["node", str(BROWSER_DIR / script), json.dumps(config)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=BROWSER_DIR,
        env={**os.environ, "CHROMIUM": CHROMIUM},
    )
    assert proc.returncode == 0, proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    assert report["errors"] == []
    return report


EVIL_TITLE = "Buchhaltung <img src=x onerror=window.__pwned=true> Spezial"

_BROWSER_READY = bool(
    Path(CHROMIUM).exists()
    and shutil.which("node")
    and (BROWSER_DIR / "node_modules" / "playwright-core").exists()
)
if not _BROWSER_READY and os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
    # `make test` installs the browser and sets this: a missing browser is a failure there,
    # not a quiet skip.
    raise RuntimeError(
        "browser test dependencies missing: run scripts/install-browser-test-deps.sh"
    )
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not _BROWSER_READY,
        reason="browser test dependencies missing: run scripts/install-browser-test-deps.sh",
    ),
]


def test_pages_in_chromium(
    client: TestClient,
    admin: dict[str, str],
    region: Region,
    trusted_provider: dict[str, Any],
    search_index: SearchIndex,
    other_origin: tuple[str, dict[str, str]],
    live_app: str,
) -> None:
    origin, pages = other_origin
    r = client.post(
        "/api/v1/offers",
        json=at(
            BOCHUM,
            title=EVIL_TITLE,
            price="0",
            description="Buchhaltung für alle.",
            keywords=["Buchhaltung"],
        ),
        headers=trusted_provider["headers"],
    )
    assert r.status_code == 201, r.text
    search_index.drain()
    r = client.patch("/api/v1/admin/portals/bochum", json={"cors_origins": [origin]}, headers=admin)
    assert r.status_code == 200, r.text
    pages["/"] = (
        '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Stadt Bochum</title>'
        "</head><body><main><h1>Stadt Bochum: Weiterbildung</h1>"
        f'<script src="{live_app}/widget/bochum.js" async></script></main></body></html>'
    )
    config = {
        "base": live_app,
        "slug": "bochum",
        "offerId": region.offers["bochum"],
        "query": "buchhaltung",
        "widgetPage": f"{origin}/",
        "screenshot": os.environ.get("BILDUNGSRAUM_SCREENSHOT"),
    }
    report = run_browser_script("run.mjs", config, timeout=180)

    # axe-core: no WCAG 2.0/2.1 A or AA violation on any page
    assert set(report["axe"]) == {
        "search",
        "results",
        "results_mobile",
        "results_en",
        "offer",
        "embed",
        "widget",
    }
    assert {name: v for name, v in report["axe"].items() if v} == {}

    # keyboard only: skip link first, then search, then a result, then the offer page
    kb = report["keyboard"]
    assert kb["firstStop"] == "skip"
    assert "/p/bochum/angebote/" in kb["url"]
    assert kb["h1"]
    assert kb["focusOutline"] != "none"

    # without JavaScript the form still finds the portal's offers, and only those
    expected = {f"/p/bochum/angebote/{region.offers[n]}" for n in ("bochum", "reviewed")}
    assert "q=buchhaltung" in report["nojs"]["url"]
    # (hit links carry the search in `back`, for the offer page's way back)
    hits = {h.split("?")[0] for h in report["nojs"]["hits"]}
    assert expected <= hits
    assert f"/p/bochum/angebote/{region.offers['dortmund']}" not in hits

    # the widget: results from our API only, hostile text shown as text
    widget = report["widget"]
    assert widget["titles"], widget
    assert any("<img src=x" in t for t in widget["titles"])
    assert widget["injected"] == 0
    assert not widget["pwned"]
    assert widget["marks"] > 0
    assert set(widget["hosts"]) <= {origin, live_app}
    assert all(link.startswith(f"{live_app}/p/bochum/angebote/") for link in widget["links"])
    assert widget["consoleErrors"] == []
    # The municipal test server has no favicon; every request to our API succeeded.
    assert [f for f in widget["failed"] if not f.endswith("/favicon.ico")] == []


def test_monitoring_dashboard_in_chromium(known: KnownCatalogue, live_app: str) -> None:
    """Keyboard-only sign-in and navigation, axe at 1280 and 390 px on every page, a table
    for every chart, and a print layout without navigation."""
    take_snapshot()
    pages = [
        ["supply", ""],
        ["white_spots", "/weisse-flecken"],
        ["demand", "/nachfrage"],
        ["needs", "/bedarf"],
    ]
    config = {
        "mode": "monitoring",
        "base": live_app,
        "slug": "bochum-test",
        "key": known.analyst["Authorization"].removeprefix("Bearer "),
        "pages": pages,
        "screenshot": os.environ.get("BILDUNGSRAUM_MONITORING_SCREENSHOT"),
    }
    report = run_browser_script("run.mjs", config, timeout=240)
    m = report["monitoring"]
    expected = {"sign_in", "sign_in_mobile"} | {
        f"{name}_{width}" for name, _ in pages for width in (1280, 390)
    }
    assert set(m["axe"]) == expected
    assert {name: v for name, v in m["axe"].items() if v} == {}
    kb = m["keyboard"]
    assert "/monitoring/?next=" in kb["signInUrl"]
    assert kb["firstStop"] == "skip"
    assert kb["landed"].endswith("/monitoring/bochum-test")
    assert "/monitoring/bochum-test/weisse-flecken?tag=" in kb["url"]
    assert kb["focusOutline"] != "none"
    assert m["charts"]["supply"]
    assert all(c["table"] and c["role"] == "img" for charts in m["charts"].values() for c in charts)
    assert m["print"]["nav"] == "none"
    assert m["print"]["picker"] == "none"
    assert m["print"]["tables"] > 5
    assert m["consoleErrors"] == []
