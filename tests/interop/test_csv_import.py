"""CSV files that imported wrongly without a word: a UTF-8 file with one Windows-1252 line,
rows of one offer that disagree, prices like `1E3`, a quote never closed, ids the API cannot
address, doubled headers, cells beyond the header and CR line endings."""

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.services.interop.csv_import import parse_csv, parse_price
from app.services.interop.report import (
    FailedRecord,
    FileRejected,
    OfferRecord,
    Record,
    WarningRecord,
)
from tests.interop.test_openqcat import offer_count, run_import, snapshots

HEADER = "Angebots-ID;Titel;Kategorie;Preis;Förderung;Beginn;PLZ;Ort\n"


def _row(ext: str, title: str = "Excel kompakt", *, price: str = "100,00", start: str = "") -> str:
    return (
        f"{ext};{title};it_digital;{price};Bildungsgutschein;{start or '01.09.2030'};44787;Bochum\n"
    )


def _records(data: bytes) -> list[Record]:
    return list(parse_csv(io.BytesIO(data)))


def _offers(records: list[Record]) -> dict[str, OfferRecord]:
    return {r.external_id: r for r in records if isinstance(r, OfferRecord)}


def _failures(records: list[Record]) -> dict[str | None, str]:
    return {r.record_id: r.reason for r in records if isinstance(r, FailedRecord)}


# --- encodings -------------------------------------------------------------------------------


def test_a_windows_1252_line_in_a_utf8_file_is_read_alone() -> None:
    utf8 = HEADER + _row("W-1", "Übungsfirma für Bürokaufleute").replace("Bochum", "Lüdenscheid")
    pasted = _row("W-2", "Präsentieren für Einsteiger")
    records = _records(utf8.encode() + pasted.encode("cp1252"))
    offers = _offers(records)
    assert offers["W-1"].fields.title == "Übungsfirma für Bürokaufleute"
    assert offers["W-1"].fields.dates[0].location is not None
    assert offers["W-1"].fields.dates[0].location.city == "Lüdenscheid"
    assert offers["W-1"].fields.funding == ["bildungsgutschein"]  # the header Förderung is read
    assert offers["W-2"].fields.title == "Präsentieren für Einsteiger"
    [warning] = [r for r in records if isinstance(r, WarningRecord)]
    assert warning.line == 3
    assert "not UTF-8 like the rest of the file: read as Windows-1252" in warning.message


def test_a_windows_1252_file_is_read_without_warnings() -> None:
    data = (HEADER + _row("W-1", "Übungsfirma für Bürokaufleute")).encode("cp1252")
    records = _records(data)
    assert _offers(records)["W-1"].fields.title == "Übungsfirma für Bürokaufleute"
    assert not any(isinstance(r, WarningRecord) for r in records)


# --- rows of one offer -----------------------------------------------------------------------


def test_rows_of_one_offer_that_disagree_fail_it(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    data = (
        HEADER
        + _row("W-S1", "Excel kompakt", price="100,00")
        + _row("W-S1", "Excel für Profis", price="200,00", start="01.10.2030")
        + _row("W-S2")
    ).encode()
    [reason] = _failures(_records(data)).values()
    assert reason == (
        "line 3, Titel: 'Excel für Profis' differs from line 2 ('Excel kompakt'); the rows "
        "of one offer must agree on its columns; "
        "line 3, Preis: '200,00' differs from line 2 ('100,00'); the rows of one offer must "
        "agree on its columns"
    )
    report = run_import(org_id, data)
    assert [f.record_id for f in report.failures] == ["W-S1"]
    assert offer_count(org_id) == 0
    report = run_import(org_id, data, partial=True)
    assert report.created == 1
    assert set(snapshots(org_id)) == {"W-S2"}


def test_rows_that_add_dates_may_repeat_or_leave_out_the_offer_columns() -> None:
    data = (
        "Angebots-ID;Titel;Kategorie;Format;Preis;Beginn;PLZ;Ort\n"
        "W-1;Excel kompakt;it_digital;Präsenz;1.290,00;01.09.2030;44787;Bochum\n"
        "W-1;Excel kompakt;IT und Digitales;in_person;1290;01.10.2030;44787;Bochum\n"
        "W-1;;;;;01.11.2030;44787;Bochum\n"
    ).encode()
    [record] = _records(data)
    assert isinstance(record, OfferRecord), record
    assert record.fields.price == Decimal("1290.00")
    assert len(record.fields.dates) == 3


# --- prices ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("100", "100"),
        ("100,00", "100.00"),
        ("1.290,00", "1290.00"),
        ("1.290", "1290"),  # German thousands
        ("12.50", "12.50"),  # a decimal point
        ("1290.00", "1290.00"),
        ("1,290.00 €", "1290.00"),
        ("1.290,- €", "1290"),
        ("100 Euro", "100"),
        ("100 EUR", "100"),
        ("€ 100", "100"),
        ("100,-", "100"),
        ("100\u00a0€", "100"),
    ],
)
def test_prices_as_providers_write_them(written: str, amount: str) -> None:
    assert parse_price(written) == Decimal(amount)


@pytest.mark.parametrize("written", ["1E3", "1e3", "12abc", "1,2,3", "1,290", "1.290.00", "€"])
def test_other_prices_fail_the_offer_naming_column_and_value(written: str) -> None:
    [reason] = _failures(_records((HEADER + _row("P-1", price=written)).encode())).values()
    assert reason == f"line 2, Preis: {written!r} is not an amount"


# --- quotes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "rows", "reach"),
    [
        (
            "to the end",
            'K2;"Word kompakt;it_digital\nK3;Outlook;it_digital\n',
            "run to the end of the file,",
        ),
        (
            "to the next quote",
            'K2;"Word kompakt;it_digital\nK3;"Outlook";it_digital\nK4;Teams;it_digital\n',
            "take in the lines up to line 4,",
        ),
    ],
)
def test_a_quote_never_closed_rejects_the_file(
    make_org: Callable[..., int], name: str, rows: str, reach: str
) -> None:
    org_id = make_org(trusted=True)
    data = f"Angebots-ID;Titel;Kategorie\nK1;Excel kompakt;it_digital\n{rows}".encode()
    report = run_import(org_id, data, partial=True)
    assert report.error is not None, name
    assert report.error.startswith('the quote (") that opens a cell in this line is not closed')
    assert reach in report.error
    assert report.error_line == 3
    assert offer_count(org_id) == 0


def test_a_quote_never_closed_in_a_large_file_is_named_where_it_opened() -> None:
    rows = "".join(f"K{i};Excel kompakt;it_digital\n" for i in range(2, 6000))
    data = f'Angebots-ID;Titel;Kategorie\nK1;"Excel kompakt;it_digital\n{rows}'.encode()
    with pytest.raises(FileRejected) as rejected:
        _records(data)
    # The cell outgrows the csv module's limit long before the file ends.
    assert rejected.value.message.startswith("the CSV file cannot be read: field larger than")
    assert rejected.value.message.endswith('lines: is a quote (") in it not closed?')
    assert rejected.value.line == 2


def test_a_description_over_several_lines_is_one_cell_and_later_lines_count_right() -> None:
    data = (
        b"Angebots-ID;Titel;Kategorie;Beschreibung\n"
        b'K1;Excel kompakt;it_digital;"Tabellen; Formeln\n\nDiagramme ""mit Stil"""\n'
        b"K2;Word kompakt;Blumenkunde;\n"
    )
    records = _records(data)
    assert _offers(records)["K1"].fields.description == 'Tabellen; Formeln\n\nDiagramme "mit Stil"'
    [failed] = [r for r in records if isinstance(r, FailedRecord)]
    assert failed.line == 5
    assert failed.reason.startswith("line 5, Kategorie: unknown value 'Blumenkunde'")


@pytest.mark.parametrize(
    "row",
    [
        'K1;"Excel" kompakt;it_digital;"Zeile 1\nZeile 2"\n',  # a stray quote on the first line
        'K1;Excel kompakt;it_digital;"Zeile 1\nZeile 2"',  # the last line without a line end
    ],
)
def test_cells_over_several_lines_that_close_their_quote_are_read(row: str) -> None:
    [record] = _records(f"Angebots-ID;Titel;Kategorie;Beschreibung\n{row}".encode())
    assert isinstance(record, OfferRecord)
    assert (record.fields.title, record.fields.description) == ("Excel kompakt", "Zeile 1\nZeile 2")


# --- ids -------------------------------------------------------------------------------------


def test_ids_the_api_cannot_address_fail_their_offer(
    client: TestClient, provider: dict[str, Any]
) -> None:
    long_id = "L" * 201
    data = (HEADER + _row("W A B") + _row(long_id) + _row("W-1")).encode()
    failures = _failures(_records(data))
    assert failures == {
        "W A B": "line 2, Angebots-ID: 'W A B' contains a space: an id is one word, as the "
        "API addresses it",
        long_id: "line 3, Angebots-ID: 201 characters; an id has at most 200",
    }
    for external_id in ("W A B", long_id):  # the API refuses them too
        r = client.put(
            f"/api/v1/offers/external/{external_id}", json={}, headers=provider["headers"]
        )
        assert r.status_code == 422
        assert any(d["loc"][:2] == ["path", "external_id"] for d in r.json()["error"]["details"])


# --- headers, cells and line endings ---------------------------------------------------------


@pytest.mark.parametrize("second", ["Titel", "title"])
def test_a_column_given_twice_rejects_the_file(second: str) -> None:
    with pytest.raises(FileRejected) as rejected:
        _records(f"Angebots-ID;Titel;Kategorie;{second}\nK1;Eins;it_digital;Zwei\n".encode())
    assert rejected.value.line == 1
    assert rejected.value.message == (
        f"the columns 'Titel' and {second!r} both fill Titel: keep one of them"
    )


def test_cells_beyond_the_header_are_a_warning() -> None:
    data = (
        b"Angebots-ID;Titel;Kategorie\n"
        b"K1;Excel kompakt;it_digital;;\n"  # empty cells at the end, as spreadsheets write them
        b"K2;Word kompakt;it_digital;44787;Bochum\n"
    )
    records = _records(data)
    assert set(_offers(records)) == {"K1", "K2"}
    [warning] = [r for r in records if isinstance(r, WarningRecord)]
    assert (warning.record_id, warning.line) == ("K2", 3)
    assert warning.message == "5 cells but 3 columns: the cells after the last column are ignored"


def test_cr_line_endings_are_read(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    data = (HEADER + _row("K1") + _row("K2")).replace("\n", "\r").encode()
    report = run_import(org_id, data)
    assert report.error is None, report.render_text()
    assert report.created == 2
