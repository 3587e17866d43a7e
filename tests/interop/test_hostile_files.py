"""Import files that gave 500s or misleading answers: CSV the csv module cannot read (a field
of 200,000 characters, gzip bytes), a rejected file answered 200, UTF-16 open-Qcat read as
CSV, a file declared ISO-8859-15 but written as UTF-8 (rejected whole), and files past a
provider's limit."""

import gzip
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import config
from tests.interop.test_openqcat import (
    CSV_ROWS,
    SAMPLE,
    SAMPLE_OFFERS,
    document,
    offer_count,
    run_import,
    service_xml,
    snapshots,
)

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


def _mislabelled(body: str) -> bytes:
    """UTF-8 bytes under an ISO-8859-15 declaration, as an editor that kept it saves them."""
    return document(body, full=True).replace(b'encoding="UTF-8"', b'encoding="ISO-8859-15"')


def test_latin_declared_utf8_written_file_is_rejected(make_org: Callable[..., int]) -> None:
    org_id = make_org(name="Riskec", trusted=True)
    # The BA's sample: declared and written as ISO-8859-15 (with some doubly-encoded umlauts).
    latin = SAMPLE.read_bytes()
    assert b'encoding="iso-8859-15"' in latin
    assert run_import(org_id, latin).created == SAMPLE_OFFERS
    before = snapshots(org_id)
    # Saved as UTF-8 by an editor that left the declaration as it was.
    utf8 = latin.decode("iso-8859-15").replace("Wirtschaftsenglisch", "Übung für Anfänger")
    for partial in (False, True):
        report = run_import(org_id, utf8.encode("utf-8"), partial=partial)
        assert report.error is not None
        assert "not encoded as it declares: it declares 'iso-8859-15' but its bytes are UTF-8" in (
            report.error
        )
        assert report.error_line is not None
        assert not report.written
        assert report.would is None
    assert snapshots(org_id) == before


def test_utf8_after_a_long_ascii_start_is_found_with_its_line(
    make_org: Callable[..., int],
) -> None:
    org_id = make_org(trusted=True)
    ascii_offers = "".join(service_xml(f"A{n}", "Excel Kurs") for n in range(200))
    data = _mislabelled(ascii_offers + service_xml("U1", "Übung für Anfänger"))
    assert data.index("Ü".encode()) > 128 * 1024  # beyond what the parser peeks at first
    report = run_import(org_id, data)
    assert report.error is not None
    assert "its bytes are UTF-8" in report.error
    assert report.error_line == data[: data.index("Ü".encode())].count(b"\n") + 1
    assert offer_count(org_id) == 0


def test_a_mislabelled_file_is_a_file_level_422(
    client: TestClient, provider: dict[str, Any]
) -> None:
    data = _mislabelled(service_xml("U1", "Übung für Anfänger"))
    r = _post(client, provider["headers"], data, "?partial=true")
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "import_rejected"
    assert "its bytes are UTF-8" in error["message"]
    assert error["details"] == [{"loc": ["file", 2], "message": error["message"]}]
    assert offer_count(provider["org_id"]) == 0


def test_files_whose_bytes_match_the_declaration_are_read(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    title = "Übung für Anfänger"
    # A UTF-8 byte-order mark outranks the declaration: the parser reads UTF-8.
    with_bom = b"\xef\xbb\xbf" + _mislabelled(service_xml("U1", title))
    latin = document(service_xml("U2", title), full=True, encoding="ISO-8859-15")
    ascii_only = _mislabelled(service_xml("U3", "Excel Kurs"))
    for data, offer, read_as in (
        (with_bom, "U1", title),
        (latin, "U2", title),
        (ascii_only, "U3", "Excel Kurs"),
    ):
        report = run_import(org_id, data)
        assert report.ok, report.render_text()
        assert snapshots(org_id)[offer]["title"] == read_as


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
