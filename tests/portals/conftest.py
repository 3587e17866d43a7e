"""Portal fixtures: a small indexed catalogue around Bochum and portals that cut it up."""

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from testkit.meili_server import free_port
from tests.conftest import SearchIndex, offer_payload

BOCHUM = (51.4818, 7.2162, "44787", "Bochum")
HERNE = (51.5388, 7.2256, "44623", "Herne")  # ~6 km north of Bochum
WITTEN = (51.4437, 7.3528, "58452", "Witten")  # ~10 km south-east, another prefix
DORTMUND = (51.5136, 7.4653, "44137", "Dortmund")  # ~17 km east
KOELN = (50.9375, 6.9603, "50667", "Köln")  # far away
ALLOWED_ORIGIN = "http://stadt.example:8080"


def at(place: tuple[float, float, str, str], **extra: Any) -> dict[str, Any]:
    lat, lon, postcode, city = place
    return offer_payload(lat=lat, lon=lon, postcode=postcode, city=city, **extra)


def create_portal(client: TestClient, admin: dict[str, str], **body: Any) -> dict[str, Any]:
    r = client.post("/api/v1/admin/portals", json=body, headers=admin)
    assert r.status_code == 201, r.text
    return dict(r.json())


@dataclass
class Region:
    offers: dict[str, int]
    blocked_org: int


@pytest.fixture
def region(
    client: TestClient,
    admin: dict[str, str],
    trusted_provider: dict[str, Any],
    provider: dict[str, Any],
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
    search_index: SearchIndex,
) -> Region:
    """Offers in and around Bochum, indexed, and four portals:
    `bochum` (prefixes 447/448, one provider blocked, CORS for ALLOWED_ORIGIN),
    `umkreis` (12 km around 44787), `herne` (postcode 44623 only) and
    `geprueft` (prefix 447, everything reviewed)."""
    h = trusted_provider["headers"]

    def offer(headers: dict[str, str], body: dict[str, Any]) -> int:
        r = client.post("/api/v1/offers", json=body, headers=headers)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    blocked_org = make_org(name="Blockiert GmbH", trusted=True)
    ids = {
        "bochum": offer(h, at(BOCHUM, title="Finanzbuchhaltung mit DATEV")),
        "herne": offer(h, at(HERNE, title="Buchhaltung Grundkurs Herne")),
        "witten": offer(h, at(WITTEN, title="Buchhaltung kompakt Witten")),
        "dortmund": offer(h, at(DORTMUND, title="Buchhaltung für Fortgeschrittene Dortmund")),
        "koeln": offer(h, at(KOELN, title="Buchhaltung am Rhein")),
        "blocked": offer(
            make_key("provider", blocked_org),
            at(BOCHUM, title="Buchhaltung beim blockierten Anbieter"),
        ),
        "reviewed": offer(provider["headers"], at(BOCHUM, title="Lohnbuchhaltung geprüft")),
    }
    r = client.post(f"/api/v1/offers/{ids['reviewed']}/publish", headers=admin)
    assert r.status_code == 200, r.text
    search_index.drain()
    create_portal(
        client,
        admin,
        slug="bochum",
        name="Weiterbildung Bochum",
        postcode_prefixes=["447", "448"],
        providers_block=[blocked_org],
        cors_origins=[ALLOWED_ORIGIN],
        contacts=[
            {
                "name": "Beratung Bochum",
                "phone": "0234 123",
                "city": "Bochum",
                "opening_hours": "Mo–Fr 9–12 Uhr",
            }
        ],
    )
    create_portal(
        client, admin, slug="umkreis", name="Rund um Bochum", center_postcode="44787", radius_km=12
    )
    create_portal(client, admin, slug="herne", name="Herne", postcodes=["44623"])
    create_portal(
        client,
        admin,
        slug="geprueft",
        name="Geprüft",
        postcode_prefixes=["447"],
        moderation="review_all",
    )
    return Region(offers=ids, blocked_org=blocked_org)


# --- served for the browser tests ------------------------------------------------------------


@pytest.fixture
def live_app(database_url: str, search_index: SearchIndex) -> Iterator[str]:
    """The app on a free loopback port, served by uvicorn in a thread."""
    from app.main import create_app
    from app.server import GuardedHttpToolsProtocol

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            http=GuardedHttpToolsProtocol,
            server_header=False,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def other_origin() -> Iterator[tuple[str, dict[str, str]]]:
    """A municipal website on a second port: serves whatever page the test puts in."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
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
