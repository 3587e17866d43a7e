"""The API documentation tells the truth and works offline: /docs and /redoc load only assets
served here, "Authorize" has a bearer scheme, every route documents its error answers with
the one error body, and every request example in the document is accepted as it stands."""

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app

SPEC: dict[str, Any] = create_app().openapi()
OPERATIONS = [
    (method, path, op)
    for path, item in SPEC["paths"].items()
    for method, op in item.items()
    if method in {"get", "post", "put", "patch", "delete"}
]
ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "spec-url", "data-openapi-url") and value:
                self.urls.append(value)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_doc_pages_load_only_what_we_serve(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "<script>" not in r.text  # no inline script: a strict CSP can forbid it
    parser = _References()
    parser.feed(r.text)
    assert parser.urls, r.text
    for url in parser.urls:
        assert url.startswith("/"), f"{page} refers to {url}, not to this host"
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 0, url
    scripts = [u for u in parser.urls if u.endswith(".js")]
    for url in scripts:
        assert client.get(url).headers["content-type"].startswith("text/javascript")
    init = client.get("/docs/assets/swagger-init.js").text
    assert not re.search(r"https?://", init)
    assert "validatorUrl: null" in init


def test_doc_assets_are_whitelisted(client: TestClient) -> None:
    assert client.get("/docs/assets/..%2Fconfig.py").status_code == 404
    assert client.get("/docs/assets/core.py").status_code == 404


def test_home_leads_to_the_docs_and_the_portals(client: TestClient, admin: dict[str, str]) -> None:
    empty = client.get("/")
    assert empty.status_code == 200
    assert empty.headers["content-type"].startswith("text/html")
    assert 'href="/docs"' in empty.text
    assert "No portal yet" in empty.text
    body = {"slug": "ruhr", "name": "Weiterbildung <im> Ruhrgebiet", "postcodes": ["44787"]}
    assert client.post("/api/v1/admin/portals", json=body, headers=admin).status_code == 201
    page = client.get("/").text
    assert '<a href="/p/ruhr/">Weiterbildung &lt;im&gt; Ruhrgebiet</a>' in page


def test_bearer_scheme_for_authorize() -> None:
    schemes = SPEC["components"]["securitySchemes"]
    assert schemes["APIKey"]["type"] == "http"
    assert schemes["APIKey"]["scheme"] == "bearer"
    secured = {(m, p) for m, p, op in OPERATIONS if op.get("security")}
    assert ("post", "/api/v1/offers") in secured
    assert ("post", "/api/v1/imports") in secured
    assert ("get", "/api/v1/moderation") in secured
    assert ("get", "/api/v1/search") not in secured


@pytest.mark.parametrize(
    ("method", "path", "op"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_every_error_answer_is_the_one_error_body(
    method: str, path: str, op: dict[str, Any]
) -> None:
    responses = op["responses"]
    errors = {code: r for code, r in responses.items() if int(code) >= 400}
    if (method, path) == ("get", "/ready"):
        errors.pop("503")
    for code, response in errors.items():
        assert response["content"]["application/json"]["schema"] == ERROR_REF, (code, path)
    if op.get("security"):
        assert "401" in errors
    if "{" in path:
        assert {"404", "422"} <= set(errors)
    if op.get("parameters") or op.get("requestBody"):
        assert "422" in errors
    if op.get("requestBody"):
        assert "413" in errors


def test_no_fastapi_error_shape_left() -> None:
    assert "HTTPValidationError" not in SPEC["components"]["schemas"]
    assert SPEC["components"]["schemas"]["ErrorBody"]["required"] == ["error"]


def test_known_answers_are_documented() -> None:
    """What the route's logic adds to what its signature says."""
    expected = {
        ("post", "/api/v1/offers"): {"401", "403", "404", "408", "409", "413", "422", "429", "503"},
        ("patch", "/api/v1/offers/{offer_id}"): {
            *("401", "403", "404", "408", "409", "413", "422", "429", "503")
        },
        ("post", "/api/v1/offers/{offer_id}/publish"): {
            *("401", "403", "404", "409", "422", "429", "503")
        },
        ("post", "/api/v1/imports"): {"401", "403", "404", "408", "413", "422", "429", "503"},
        ("post", "/api/v1/admin/portals"): {
            *("401", "403", "408", "409", "413", "422", "429", "503")
        },
        ("get", "/api/v1/search"): {"422", "429", "503"},
        ("get", "/api/v1/offers/{offer_id}"): {"401", "404", "410", "422", "429", "503"},
        ("get", "/api/v1/codelists"): set(),
    }
    for (method, path), codes in expected.items():
        documented = {c for c in SPEC["paths"][path][method]["responses"] if int(c) >= 400}
        assert documented == codes, (method, path)


def _examples(method: str, path: str) -> dict[str, Any]:
    content = SPEC["paths"][path][method]["requestBody"]["content"]
    return dict(content["application/json"]["examples"])


def test_examples_are_documented() -> None:
    for method, path in [
        ("post", "/api/v1/offers"),
        ("put", "/api/v1/offers/external/{external_id}"),
        ("put", "/api/v1/offers/{offer_id}"),
        ("patch", "/api/v1/offers/{offer_id}"),
        ("post", "/api/v1/admin/portals"),
        ("patch", "/api/v1/admin/portals/{slug}"),
        ("post", "/api/v1/admin/portals/{slug}/contacts"),
    ]:
        assert _examples(method, path), (method, path)
    imports = SPEC["paths"]["/api/v1/imports"]["post"]["requestBody"]["content"]
    assert "Angebots-ID" in imports["text/csv"]["example"]
    assert "<OPENQCAT" in imports["application/xml"]["example"]
    assert "multipart/form-data" in imports


def test_every_example_is_accepted(
    client: TestClient, trusted_provider: dict[str, Any], admin: dict[str, str]
) -> None:
    h = trusted_provider["headers"]
    for name, example in _examples("post", "/api/v1/offers").items():
        r = client.post("/api/v1/offers", json=example["value"], headers=h)
        assert r.status_code == 201, (name, r.text)
    offer_id = r.json()["id"]
    for name, example in _examples("put", "/api/v1/offers/external/{external_id}").items():
        r = client.put("/api/v1/offers/external/doc-1", json=example["value"], headers=h)
        assert r.status_code == 201, (name, r.text)
    for name, example in _examples("put", "/api/v1/offers/{offer_id}").items():
        r = client.put(f"/api/v1/offers/{offer_id}", json=example["value"], headers=h)
        assert r.status_code == 200, (name, r.text)
    for name, example in _examples("patch", "/api/v1/offers/{offer_id}").items():
        r = client.patch(f"/api/v1/offers/{offer_id}", json=example["value"], headers=h)
        assert r.status_code == 200, (name, r.text)
    imports = SPEC["paths"]["/api/v1/imports"]["post"]["requestBody"]["content"]
    for media_type in ("text/csv", "application/xml"):
        r = client.post(
            "/api/v1/imports",
            content=imports[media_type]["example"].encode(),
            headers={**h, "Content-Type": media_type},
        )
        report = r.json()
        assert (report["failures"], report["error"], report["written"]) == ([], None, True)
        assert [x["outcome"] for x in report["records"]] == ["published"], report
    [portal] = _examples("post", "/api/v1/admin/portals").values()
    r = client.post("/api/v1/admin/portals", json=portal["value"], headers=admin)
    assert r.status_code == 201, r.text
    slug = portal["value"]["slug"]
    [change] = _examples("patch", "/api/v1/admin/portals/{slug}").values()
    r = client.patch(f"/api/v1/admin/portals/{slug}", json=change["value"], headers=admin)
    assert r.status_code == 200, r.text
    [contact] = _examples("post", "/api/v1/admin/portals/{slug}/contacts").values()
    r = client.post(f"/api/v1/admin/portals/{slug}/contacts", json=contact["value"], headers=admin)
    assert r.status_code == 201, r.text
