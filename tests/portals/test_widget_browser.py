"""The widget in a real browser when the API refuses a request (tests/browser/widget_errors.mjs):
a query longer than the API takes is cut and searched, not reported as the service being down.
Needs `scripts/install-browser-test-deps.sh` once."""

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import SearchIndex
from tests.portals import test_browser
from tests.portals.conftest import BOCHUM, Region, at
from tests.portals.test_browser import run_browser_script

pytestmark = test_browser.pytestmark


def test_a_query_longer_than_the_api_takes_is_cut_not_called_an_outage(
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
        json=at(BOCHUM, title="Buchhaltung kompakt", keywords=["Buchhaltung"]),
        headers=trusted_provider["headers"],
    )
    assert r.status_code == 201, r.text
    search_index.drain()
    r = client.patch("/api/v1/admin/portals/bochum", json={"cors_origins": [origin]}, headers=admin)
    assert r.status_code == 200, r.text
    pages["/"] = (
        '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Stadt Bochum</title>'
        f'</head><body><main><script src="{live_app}/widget/bochum.js" async></script>'
        "</main></body></html>"
    )
    long_query = "Buchhaltung " + "und noch mehr Worte " * 14  # 292 characters
    config = {"widgetPage": f"{origin}/", "longQuery": long_query}
    report = run_browser_script("widget_errors.mjs", config, timeout=120)

    found = report["longQuery"]
    assert found["statuses"][0] == 422  # the API refused the whole text ...
    assert found["statuses"][-1] == 200  # ... and answered its first 200 characters
    assert "nicht erreichbar" not in found["status"]
    assert "Buchhaltung kompakt" in found["titles"]
    assert len(found["value"]) <= 200
    assert long_query.startswith(found["value"])
    assert found["maxLength"] == 200
    assert report["consoleErrors"] == []
