"""Map view, watch list, embed and widget in a real browser (tests/browser/follow.mjs): axe-core
at 1280 and 390 px in German and English, keyboard only, without JavaScript, map assets
loaded on demand, hostile text inert in map popups and the widget, the iframe sized to its
content. Needs `scripts/install-browser-test-deps.sh` once."""

import base64
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import SearchIndex
from tests.portals import test_browser
from tests.portals.conftest import BOCHUM, Region, at
from tests.portals.test_browser import run_browser_script

# Marked and skipped like the other browser tests.
pytestmark = test_browser.pytestmark

EVIL_TITLE = "Buchhaltung <img src=x onerror=window.__pwned=true> javascript:alert(1)"
# A 1×1 PNG: the tile server of the test serves it for every tile.
TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.fixture
def municipal_site() -> Iterator[tuple[str, dict[str, str]]]:
    """Another origin: serves the pages the test puts in, and tiles under /tiles/."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.path.startswith("/tiles/"):
                body, kind = TILE, "image/png"
            else:
                body, kind = pages.get(self.path, "").encode(), "text/html; charset=utf-8"
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", kind)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pages
    server.shutdown()
    server.server_close()


def _widget_page(app_url: str, lang: str) -> str:
    title = "Stadt Bochum" if lang == "de" else "City of Bochum"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><main><h1>{title}</h1>"
        f'<script src="{app_url}/widget/bochum.js" data-lang="{lang}" async></script>'
        "</main></body></html>"
    )


def test_follow_and_keep_in_chromium(
    client: TestClient,
    admin: dict[str, str],
    region: Region,
    trusted_provider: dict[str, Any],
    make_org: Any,
    make_key: Any,
    search_index: SearchIndex,
    municipal_site: tuple[str, dict[str, str]],
    live_app: str,
) -> None:
    origin, pages = municipal_site
    org = make_org(name="Anbieter <script>window.__pwned=true</script>", trusted=True)
    r = client.post(
        "/api/v1/offers",
        json=at(BOCHUM, title=EVIL_TITLE, keywords=["Buchhaltung"], price="0"),
        headers=make_key("provider", org),
    )
    assert r.status_code == 201, r.text
    evil_id = r.json()["id"]
    search_index.drain()
    r = client.patch(
        "/api/v1/admin/portals/bochum",
        json={
            "cors_origins": [origin],
            "map_tile_url": f"{origin}/tiles/{{z}}/{{x}}/{{y}}.png",
            "map_attribution": "Testkarten",
        },
        headers=admin,
    )
    assert r.status_code == 200, r.text
    pages["/"] = _widget_page(live_app, "de")
    pages["/en"] = _widget_page(live_app, "en")
    pages["/eingebettet"] = (
        '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Stadt Bochum</title>'
        "</head><body><main><h1>Weiterbildung in Bochum</h1>"
        f'<iframe src="{live_app}/p/bochum/embed?q=buchhaltung" title="Weiterbildung suchen" '
        "data-bildungsraum></iframe>"
        f'<script src="{live_app}/static/embed-host.js" async></script>'
        "</main></body></html>"
    )
    config = {
        "base": live_app,
        "slug": "bochum",
        "offerId": region.offers["bochum"],
        "evilId": evil_id,
        "query": "buchhaltung",
        "tileOrigin": origin,
        "widgetPage": f"{origin}/",
        "widgetPageEn": f"{origin}/en",
        "embedHostPage": f"{origin}/eingebettet",
        "screenshot": os.environ.get("BILDUNGSRAUM_MAP_SCREENSHOT"),
    }
    report = run_browser_script("follow.mjs", config, timeout=300)

    # axe-core: no WCAG 2.0/2.1 A or AA violation, 1280 and 390 px, German and English.
    assert set(report["axe"]) == {
        f"{page}_{lang}_{width}"
        for page in ("map", "results", "offer", "embed", "widget")
        for lang in ("de", "en")
        for width in (1280, 390)
    }
    assert {name: v for name, v in report["axe"].items() if v} == {}
    assert report["consoleErrors"] == []

    # Keyboard only: the toggle opens the map of the same search, a marker is a link with
    # the offer's title, Enter shows its details with the focus on the offer's link.
    kb = report["keyboardMap"]
    assert kb["toggle"] == "/p/bochum/karte?q=buchhaltung"
    assert "/p/bochum/karte?q=buchhaltung" in kb["url"]
    assert kb["marker"]["href"].startswith("/p/bochum/angebote/")
    assert kb["marker"]["name"]
    assert kb["outline"] != "none"
    assert kb["popup"]["focused"]
    assert kb["popup"]["link"] == kb["marker"]["href"]
    assert kb["marker"]["name"] in kb["popup"]["text"]
    assert kb["popup"]["close"] == "Details schließen"

    # Keyboard only: keep an offer, open the watch list, follow it; nothing was sent.
    watch = report["keyboardWatch"]
    assert watch["pressed"] == "true"
    assert watch["expanded"] == "true"
    assert watch["focusInPanel"]
    assert len(watch["items"]) == 1
    assert watch["items"][0]["href"].startswith("/p/bochum/angebote/")
    assert watch["stored"][0]["title"] == watch["items"][0]["text"]
    assert watch["link"] == watch["items"][0]["href"]
    assert watch["url"].endswith(watch["link"])
    assert watch["offerPressed"] == "true"
    assert watch["requests"] == []

    # Without JavaScript: no map toggle and no watch list; the feed and the list work.
    nojs = report["nojs"]
    assert nojs["toggles"] == 0
    assert nojs["watch"] == 0
    assert nojs["feed"] == "/p/bochum/neu.atom?q=buchhaltung"
    assert nojs["hits"] >= 2
    assert nojs["mapList"] >= 2

    # Map assets on demand: the list page loads no map code and weighs ≤ 60 KB.
    demand = report["onDemand"]
    assert not [p for p in demand["before"] if "vendor" in p or "map" in p or "tiles" in p]
    assert demand["bytes"] <= 60 * 1024, demand
    assert "/static/vendor/leaflet.js" in demand["after"]
    assert "/static/map.js" in demand["after"]
    assert demand["tiles"] > 0
    assert set(demand["hosts"]) <= {live_app, origin}

    # A hostile title in a map popup is text.
    popup = report["popup"]
    assert popup["title"] == EVIL_TITLE
    assert popup["injected"] == 0
    assert not popup["pwned"]
    assert popup["links"] == [f"/p/bochum/angebote/{evil_id}"]

    # The widget: postcode and radius searched, our host only, hostile text inert, ≤ 30 KB.
    widget = report["widget"]
    assert any(t == EVIL_TITLE for t in widget["titles"]), widget["titles"]
    assert widget["injected"] == 0
    assert not widget["pwned"]
    assert any("postcode=44787" in u and "radius_km=10" in u for u in widget["asked"])
    assert set(widget["hosts"]) <= {origin, live_app}
    assert widget["bad"]["invalid"] == "true"
    assert "Postleitzahl" in widget["bad"]["problem"]
    assert "gefunden" in widget["bad"]["status"]
    assert widget["wayOut"]["status"] == "Leider nichts gefunden."
    assert widget["wayOut"]["buttons"] == ["Ohne Umkreis suchen (3)"]
    assert widget["wayOut"]["after"] == {"status": "3 Angebote gefunden", "postcode": ""}
    assert widget["size"] <= 30 * 1024

    # Share: the link copied where the browser has no share sheet; print without controls.
    share = report["share"]
    assert share["copied"] == share["url"]
    assert share["said"] == "Der Link ist kopiert."
    assert share["print"] == {
        "header": "none",
        "form": "none",
        "follow": "none",
        "keep": "none",
        "hits": share["print"]["hits"],
    }
    assert share["print"]["hits"] >= 2

    # The iframe is as tall as its content.
    embed = report["embed"]
    assert embed["styleHeight"] != "40rem"
    assert abs(embed["outer"] - embed["inner"]) <= 2, embed
