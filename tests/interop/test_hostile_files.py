"""Import files that gave 500s or misleading answers: CSV the csv module cannot read (a field
of 200,000 characters, gzip bytes), a rejected file answered 200, UTF-16 open-Qcat read as
CSV, a file declared ISO-8859-15 but written as UTF-8, and files past a provider's limit."""

import gzip
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import config
from tests.interop.test_openqcat import CSV_ROWS, SAMPLE, SAMPLE_OFFERS, offer_count, run_import

URL = "/api/v1/imports"
HEADER = "Angebots-ID;Titel;Kategorie\r\n"


def _post(client: TestClient, headers: dict[str, str], data: bytes, query: str = "") -> Any:
    return client.post(f"{URL}{query}", content=data, headers=headers)


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("a huge field", (HEADER + "K1;" + "x" * 200_000 + ";it_digital\r\n").encode(), "field"),
        ("gzip bytes", gzip.compress(CSV_ROWS.encode()), "compressed"),
        ("NUL bytes", (HEADER + "K1;Kurs\x00;it_digital\r\n").encode(), "binary"),
        ("a broken quote", (HEADER + 'K1;"Kurs;it_digital\r\n').encode(), ""),
    ],
)
def test_unreadable_csv_is_a_file_level_422(
    client: TestClient, provider: dict[str, Any], name: str, data: bytes, says: str
) -> None:
    r = _post(client, provider["headers"], data, "?format=csv")
    assert r.status_code == 422, (name, r.status_code, r.text[:300])
    body = r.json()
    assert body["error"]["code"] == "import_rejected"
    assert says in body["error"]["message"]
    assert body["error"]["details"][0]["loc"][0] in ("file", "records")
    assert body["report"]["written"] is False
    assert body["report"]["counts"]["created"] == 0
    assert offer_count(provider["org_id"]) == 0


def test_a_rejected_import_answers_422_with_the_report(
    client: TestClient, provider: dict[str, Any]
) -> None:
    r = _post(client, provider["headers"], b"Spalte;Andere\r\n1;2\r\n")
    assert r.status_code == 422
    body = r.json()
    assert body["error"]["code"] == "import_rejected"
    assert "Angebots-ID" in body["error"]["message"]
    assert body["error"]["details"] == [{"loc": ["file", 1], "message": body["error"]["message"]}]
    assert set(body["report"]) >= {"format", "counts", "failures", "warnings", "written"}
    # records that fail reject the file unless the valid rest is asked for
    bad = CSV_ROWS + "K3;;;bogus;;;;;;;;\r\n"
    r = _post(client, provider["headers"], bad.encode())
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["loc"] == ["records", "K3"]
    assert offer_count(provider["org_id"]) == 0
    r = _post(client, provider["headers"], bad.encode(), "?partial=true")
    assert r.status_code == 200, r.text
    assert r.json()["error"] is None
    assert offer_count(provider["org_id"]) == 2


def test_utf16_openqcat_is_recognised_by_its_byte_order_mark(
    make_org: Callable[..., int],
) -> None:
    org_id = make_org(name="Riskec", trusted=True)
    text = SAMPLE.read_bytes().decode("iso-8859-15")
    for encoding in ("utf-16", "utf-16-be"):
        data = text.replace('encoding="iso-8859-15"', 'encoding="UTF-16"').encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        report = run_import(org_id, data, dry_run=True)
        assert report.format == "openqcat", encoding
        assert report.error is None, report.render_text()
        assert report.would is not None
        assert report.would["created"] == SAMPLE_OFFERS


def test_latin_declared_utf8_written_file_gets_a_warning(make_org: Callable[..., int]) -> None:
    org_id = make_org(name="Riskec", trusted=True)
    # The BA's sample: declared and written as ISO-8859-15.
    latin = SAMPLE.read_bytes()
    assert b'encoding="iso-8859-15"' in latin
    report = run_import(org_id, latin, dry_run=True)
    assert not any("bytes are UTF-8" in w.message for w in report.warnings)
    # Saved as UTF-8 by an editor that left the declaration as it was.
    utf8 = latin.decode("iso-8859-15").encode("utf-8")
    report = run_import(org_id, utf8, dry_run=True)
    messages = [w.message for w in report.warnings]
    assert any("declares encoding 'iso-8859-15' but its bytes are UTF-8" in m for m in messages)


@pytest.fixture
def small_provider_limit() -> Iterator[None]:
    import os

    os.environ["MAX_PROVIDER_IMPORT_BYTES"] = "5000"
    config.get_settings.cache_clear()
    yield
    del os.environ["MAX_PROVIDER_IMPORT_BYTES"]
    config.get_settings.cache_clear()


def test_a_provider_key_imports_files_up_to_its_own_limit(
    small_provider_limit: None,
    client: TestClient,
    provider: dict[str, Any],
    admin: dict[str, str],
) -> None:
    big = (CSV_ROWS * 40).encode()
    assert len(big) > 5000
    r = _post(client, provider["headers"], big, "?dry_run=true")
    assert r.status_code == 413
    assert "5,000 bytes" in r.json()["error"]["message"]
    # streamed without a length, and as multipart: the same limit
    r = client.post(
        f"{URL}?dry_run=true",
        content=iter([big[:3000], big[3000:]]),
        headers=provider["headers"],
    )
    assert r.status_code == 413
    r = client.post(
        f"{URL}?dry_run=true",
        files={"file": ("kurse.csv", big, "text/csv")},
        headers=provider["headers"],
    )
    assert r.status_code == 413
    # an admin's limit is larger
    r = _post(client, admin, big, f"?dry_run=true&organisation_id={provider['org_id']}")
    assert r.status_code in (200, 422), r.text
    assert r.json().get("report", r.json())["format"] == "csv"  # a 422 carries the report
