"""Bad input: 422 with the field path and a plain message, 413 for big bodies, never a 500."""

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import offer_payload

URL = "/api/v1/offers"


def _date(**overrides: Any) -> dict[str, Any]:
    start = date.today() + timedelta(days=30)
    d: dict[str, Any] = {
        "start_date": start.isoformat(),
        "location": {"postcode": "44787", "city": "Bochum"},
    }
    d.update(overrides)
    return d


CASES: list[tuple[str, dict[str, Any], list[Any], str]] = [
    ("unknown field", {"colour": "blue"}, ["colour"], "unknown field"),
    (
        "end before start",
        {"dates": [_date(end_date=date.today().isoformat())]},
        ["dates", 0],
        "end_date is before start_date",
    ),
    (
        "deadline after start",
        {"dates": [_date(registration_deadline=(date.today() + timedelta(days=40)).isoformat())]},
        ["dates", 0],
        "registration_deadline is after start_date",
    ),
    ("negative price", {"price": "-1"}, ["price"], "greater than or equal to 0"),
    (
        "latitude out of range",
        {"dates": [_date(location={"postcode": "44787", "city": "Bochum", "lat": 91, "lon": 7})]},
        ["dates", 0, "location", "lat"],
        "less than or equal to 90",
    ),
    (
        "longitude out of range",
        {
            "dates": [
                _date(location={"postcode": "44787", "city": "Bochum", "lat": 51, "lon": -181})
            ]
        },
        ["dates", 0, "location", "lon"],
        "greater than or equal to -180",
    ),
    (
        "postcode not 5 digits",
        {"dates": [_date(location={"postcode": "4478", "city": "Bochum"})]},
        ["dates", 0, "location", "postcode"],
        "give five digits",
    ),
    ("unknown category", {"category": "astrology"}, ["category"], "accounting_finance"),
    ("unknown funding", {"funding": ["lottery"]}, ["funding", 0], "bildungsgutschein"),
    ("unknown format", {"format": "hologram"}, ["format"], "in_person"),
    (
        "unknown schedule",
        {"dates": [_date(schedule="sometimes")]},
        ["dates", 0, "schedule"],
        "full_time",
    ),
    ("unknown language", {"languages": ["xxx"]}, ["languages", 0], "allowed: deu (de), eng (en)"),
    ("regex-free language message", {"languages": ["d"]}, ["languages", 0], "unknown language"),
    (
        "unknown teaching language",
        {"dates": [_date(teaching_language="xx")]},
        ["dates", 0, "teaching_language"],
        "allowed: deu (de)",
    ),
    (
        "unknown postcode without coordinates",
        {"dates": [_date(location={"postcode": "99999", "city": "Nirgendwo"})]},
        ["dates", 0, "location", "postcode"],
        "unknown postcode 99999; send lat and lon",
    ),
    ("title too long", {"title": "x" * 301}, ["title"], "at most 300"),
    ("description too long", {"description": "x" * 20_001}, ["description"], "at most 20000"),
    ("dqr out of range", {"dqr_level": 9}, ["dqr_level"], "less than or equal to 8"),
    ("missing title", {"title": None}, ["title"], "valid string"),
    ("wrong type", {"duration_hours": "viele"}, ["duration_hours"], "valid integer"),
    ("bad url", {"url": "javascript:alert(1)"}, ["url"], "URL"),
    (
        "date without place",
        {"dates": [{"start_date": date.today().isoformat()}]},
        ["dates", 0],
        "give a location or set online",
    ),
]


@pytest.mark.parametrize(("name", "change", "loc", "message"), CASES, ids=[c[0] for c in CASES])
def test_rule(
    client: TestClient,
    provider: dict[str, Any],
    name: str,
    change: dict[str, Any],
    loc: list[Any],
    message: str,
) -> None:
    body = offer_payload(**change)
    if change.get("title", "") is None:
        body.pop("title")
        loc, message = ["title"], "field required"
    r = client.post(URL, json=body, headers=provider["headers"])
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_input"
    locs = [d["loc"] for d in error["details"]]
    assert loc in locs, locs
    detail = next(d for d in error["details"] if d["loc"] == loc)
    assert message.lower() in detail["message"].lower()
    assert ".".join(str(p) for p in error["details"][0]["loc"]) in error["message"]
    # Nothing was written.
    assert client.get(URL, headers=provider["headers"]).json()["total"] == 0


def test_patch_is_validated_as_a_whole(
    client: TestClient, provider: dict[str, Any], make_offer: Any
) -> None:
    oid = make_offer(provider["headers"])["id"]
    r = client.patch(
        f"{URL}/{oid}", json={"dates": [_date(end_date="2000-01-01")]}, headers=provider["headers"]
    )
    assert r.status_code == 422
    r = client.patch(f"{URL}/{oid}", json={"title": None}, headers=provider["headers"])
    assert r.status_code == 422
    assert "title cannot be null" in r.json()["error"]["message"]


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b'"text"', b"\xff\xfe", b""])
def test_malformed_bodies(client: TestClient, provider: dict[str, Any], raw: bytes) -> None:
    r = client.post(
        URL, content=raw, headers={**provider["headers"], "Content-Type": "application/json"}
    )
    assert r.status_code == 422
    assert "error" in r.json()


def test_oversized_body_is_413(client: TestClient, provider: dict[str, Any]) -> None:
    body = offer_payload(description="x" * 1_100_000)
    r = client.post(URL, json=body, headers=provider["headers"])
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"

    def chunks() -> Any:
        for _ in range(30):
            yield b" " * 50_000

    streamed = client.post(
        URL, content=chunks(), headers={**provider["headers"], "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/offers/abc",
        "/api/v1/offers/0",
        "/api/v1/offers/99999999999999999999",
        "/api/v1/nothing",
    ],
)
def test_bad_paths(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (404, 422)
    assert "error" in r.json()


def test_query_parameter_errors_are_located_alike(
    client: TestClient, admin: dict[str, str]
) -> None:
    """Whether FastAPI or a service finds it, a bad query parameter is at ["query", name]."""
    found = {
        "page": client.get("/api/v1/search", params={"page": 0}),
        "sort": client.get("/api/v1/search", params={"sort": "distance"}),
        "postcode": client.get("/api/v1/search", params={"postcode": "99999"}),
        "organisation_id": client.post(URL, json=offer_payload(), headers=admin),
        "format": client.post("/api/v1/imports?format=xml", content=b"<x/>", headers=admin),
    }
    imports = client.post("/api/v1/imports", content=b"<x/>", headers=admin)
    for name, r in found.items():
        assert r.status_code == 422, (name, r.text)
        assert ["query", name] in [d["loc"] for d in r.json()["error"]["details"]], r.text
    assert imports.json()["error"]["details"][0]["loc"] == ["query", "organisation_id"]


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("multipart/form-data; boundary=x", b"garbage", "the multipart body cannot be read"),
        ("multipart/form-data", b"--x\r\n", "the multipart body cannot be read"),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="other"\r\n\r\nabc\r\n--x--\r\n',
            "send the file in the multipart field 'file'",
        ),
    ],
)
def test_malformed_multipart_imports_are_422(
    client: TestClient, provider: dict[str, Any], content_type: str, body: bytes, message: str
) -> None:
    r = client.post(
        "/api/v1/imports",
        content=body,
        headers={**provider["headers"], "Content-Type": content_type},
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["loc"] == ["file"]
    assert message in r.json()["error"]["message"]


def test_a_multipart_text_field_is_read_as_the_file(
    client: TestClient, provider: dict[str, Any]
) -> None:
    csv = "Angebots-ID;Titel;Kategorie;Beginn;PLZ;Ort\nk-1;Excel kompakt;it_digital;;44787;Bochum\n"
    r = client.post(
        "/api/v1/imports?dry_run=true", files={"file": (None, csv)}, headers=provider["headers"]
    )
    assert r.status_code == 200, r.text
    assert r.json()["would"]["created"] == 1


def _patterns(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["pattern"]} if isinstance(node.get("pattern"), str) else set()
        return found.union(*(_patterns(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_patterns(v) for v in node))
    return set()


def test_every_pattern_a_client_can_miss_is_explained_in_words(client: TestClient) -> None:
    from app.errors import pattern_words

    patterns = _patterns(client.get("/openapi.json").json())
    assert r"^\d{5}$" in patterns
    assert sorted(p for p in patterns if pattern_words(p) is None) == []


def test_a_missed_pattern_and_a_broken_body_are_told_in_words(
    client: TestClient, provider: dict[str, Any]
) -> None:
    body = offer_payload()
    body["dates"][0]["location"]["postcode"] = "1067"
    r = client.post(URL, json=body, headers=provider["headers"])
    assert r.status_code == 422, r.text
    [detail] = r.json()["error"]["details"]
    assert detail == {
        "loc": ["dates", 0, "location", "postcode"],
        "message": "give five digits (a postcode such as 44787)",
    }
    raw = b'{"title": "Kurs",, "category": "it_digital"}'
    headers = {**provider["headers"], "Content-Type": "application/json"}
    r = client.post(URL, content=raw, headers=headers)
    assert r.status_code == 422, r.text
    [detail] = r.json()["error"]["details"]
    assert detail["loc"] == []
    assert detail["message"].startswith("the body is not valid JSON (")
    assert "at character 17" in detail["message"]
