"""Whatever a client sends to any route (wrong types, missing fields, odd ids, another
provider's key, no key) gets a 4xx in the one error shape, never a 5xx, changes nothing, and
is an answer the route's OpenAPI document names (as schemathesis' status_code_conformance
checks it)."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.db import get_engine
from app.main import create_app
from app.models.offer import Offer
from app.models.outbox import OutboxEntry

BODIES: list[Any] = [
    None,
    {},
    [],
    "x",
    {"title": 5, "dates": "soon", "price": "cheap"},
    {"x" * 50: 1},
]
PATH_VALUES = ["1", "0", "-1", "abc", "99999999999", "%22%20OR%201%3D1"]


PAGES = [
    ("GET", "/p/{slug}/"),
    ("GET", "/p/{slug}/angebote/{id}"),
    ("GET", "/p/{slug}/embed"),
    ("GET", "/p/{slug}/barrierefreiheit"),
    ("GET", "/p/{slug}/leichte-sprache"),
    ("GET", "/widget/{slug}.js"),
    ("GET", "/p/{slug}/neu.atom"),
    ("GET", "/p/{slug}/opensearch.xml"),
    ("GET", "/p/{slug}/karte"),
    ("GET", "/p/{slug}/karte.json"),
    ("GET", "/p/{slug}/angebote/{id}/termine/{date}.ics"),
    ("GET", "/static/vendor/{name}"),
]


SPEC = create_app().openapi()


def _documented(method: str, path: str) -> set[int]:
    operation = SPEC["paths"].get(path, {}).get(method.lower())
    return set() if operation is None else {int(code) for code in operation["responses"]}


def _routes() -> list[tuple[str, str]]:
    spec = SPEC
    found = [
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    return found + [p for p in PAGES if p not in found]


def _state() -> tuple[int, int]:
    with Session(get_engine()) as session:
        offers = session.exec(select(func.count()).select_from(Offer)).one()
        queued = session.exec(select(func.count()).select_from(OutboxEntry)).one()
    return int(offers), int(queued)


@pytest.mark.parametrize(("method", "path"), _routes())
def test_no_5xx_and_nothing_changes(
    client: TestClient,
    make_org: Any,
    make_key: Any,
    make_offer: Any,
    search_index: Any,
    method: str,
    path: str,
) -> None:
    owner = make_key("provider", make_org(name="Eigentümer"))
    stranger = make_key("provider", make_org(name="Fremder Träger"))
    admin = make_key("admin")
    offer = make_offer(owner)
    before = _state()
    for value in PATH_VALUES:
        url = re.sub(r"\{[^}]+\}", value, path)
        callers = [{}, stranger, {"Authorization": "Bearer br_x_y"}]
        if value not in ("1", "%22%20OR%201%3D1"):
            callers.append(admin)  # ids that do not exist: validation runs, nothing can change
        for headers in callers:
            for body in BODIES if method in {"POST", "PUT", "PATCH"} else [None]:
                r = client.request(method, url, json=body, headers=headers)
                assert r.status_code < 500, (method, url, body, r.status_code, r.text[:300])
                if (method, path) not in PAGES:
                    documented = _documented(method, path)
                    assert r.status_code in documented, (method, url, r.status_code, documented)
                if r.status_code >= 400 and "json" in r.headers.get("content-type", ""):
                    assert "error" in r.json(), (method, url, r.text[:200])
    # Nothing a stranger, a bad key or no key sent created, changed or queued anything.
    assert _state() == before
    assert (
        client.get(f"/api/v1/offers/{offer['id']}", headers=owner).json()["status"]
        == (offer["status"])
    )
