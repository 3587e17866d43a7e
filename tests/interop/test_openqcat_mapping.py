"""open-Qcat values that gave 500s or were lost: unreadable prices and seat counts, prices on
date services, and an offer or a date delivered twice in one file."""

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models.offer import OfferFields
from app.services.interop.openqcat_import import parse_openqcat
from app.services.interop.report import FailedRecord, OfferRecord, WarningRecord
from tests.interop.test_openqcat import (
    SAMPLE,
    document,
    offer_count,
    run_import,
    service_xml,
    snapshots,
)


def priced(xml: str, amount: str | None = None, remarks: str | None = None) -> str:
    """A SERVICE with SERVICE_PRICE_DETAILS added."""
    price = f"<SERVICE_PRICE><PRICE_AMOUNT>{amount}</PRICE_AMOUNT></SERVICE_PRICE>"
    details = (price if amount is not None else "") + (
        f"<REMARKS>{remarks}</REMARKS>" if remarks is not None else ""
    )
    return xml.replace(
        "</SERVICE>", f"<SERVICE_PRICE_DETAILS>{details}</SERVICE_PRICE_DETAILS></SERVICE>"
    )


def date_xml(
    pid: str,
    course: str,
    *,
    start: str = "2030-04-01",
    amount: str | None = None,
    remarks: str | None = None,
    course_extra: str = "",
) -> str:
    """A date service (EDUCATION type="false") of the offer `course`."""
    xml = f"""<SERVICE mode="new"><PRODUCT_ID>{pid}</PRODUCT_ID><COURSE_TYPE>5</COURSE_TYPE>
<SERVICE_DETAILS><TITLE>Excel für Einsteiger</TITLE>
<SERVICE_DATE><START_DATE>{start}T00:00:00</START_DATE></SERVICE_DATE>
<SERVICE_MODULE><EDUCATION type="false"><COURSE_ID>{course}</COURSE_ID>
<EXTENDED_INFO><INSTITUTION type="2"/><INSTRUCTION_FORM type="101"/>
<INSTRUCTION_TIME type="2"/><EDUCATION_TYPE type="104"/></EXTENDED_INFO>
<MODULE_COURSE><LOCATION><ZIP>44787</ZIP><CITY>Bochum</CITY></LOCATION>{course_extra}
</MODULE_COURSE></EDUCATION></SERVICE_MODULE></SERVICE_DETAILS></SERVICE>"""
    if amount is None and remarks is None:
        return xml
    return priced(xml, amount, remarks)


def parsed(body: str) -> tuple[dict[str, OfferFields], list[str], list[FailedRecord]]:
    """The offers, warning messages and failures the file's records carry."""
    records = list(parse_openqcat(io.BytesIO(document(body, full=True))))
    offers = {r.external_id: r.fields for r in records if isinstance(r, OfferRecord)}
    warnings = [r.message for r in records if isinstance(r, WarningRecord)]
    return offers, warnings, [r for r in records if isinstance(r, FailedRecord)]


# --- values that are no numbers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    [
        "NaN",
        "-NaN",
        "sNaN",
        "nan",
        "Infinity",
        "INF",
        "-INF",
        "١٢٣",
        "0x10",
        "12,50",
        "1e99999999999999999999",  # beyond what Decimal takes: no 500
    ],
)
def test_a_price_amount_that_is_no_number_is_a_warning(amount: str) -> None:
    offers, warnings, failures = parsed(priced(service_xml("P1"), amount))
    assert not failures
    assert offers["P1"].price is None
    assert f"PRICE_AMOUNT {amount!r} is not a number; treated as not given" in warnings


@pytest.mark.parametrize(
    ("amount", "price", "warned"),
    [
        ("-0", Decimal("0.00"), False),
        ("1.25E2", Decimal("125.00"), False),
        ("1000001", None, True),
        ("1e999", None, True),
        ("-1e999", None, True),
    ],
)
def test_price_amounts_in_xsd_float_spelling(
    amount: str, price: Decimal | None, warned: bool
) -> None:
    offers, warnings, failures = parsed(priced(service_xml("P1"), amount))
    assert not failures
    assert offers["P1"].price == price
    assert str(offers["P1"].price) != "-0.00"
    assert any("implausibly high" in w for w in warnings) is warned


def test_a_negative_price_fails_its_offer() -> None:
    offers, _, failures = parsed(priced(service_xml("P1"), "-5") + service_xml("P2"))
    assert set(offers) == {"P2"}
    assert [(f.record_id, f.reason) for f in failures] == [
        ("P1", "price: Input should be greater than or equal to 0")
    ]


def test_a_nan_price_is_answered_with_a_warning_not_a_500(
    client: TestClient, provider: dict[str, Any]
) -> None:
    data = document(priced(service_xml("P1"), "NaN"), full=True)
    r = client.post("/api/v1/imports?dry_run=true", content=data, headers=provider["headers"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["would"]["created"] == 1
    assert [w["record_id"] for w in body["warnings"] if "PRICE_AMOUNT" in w["message"]] == ["P1"]


@pytest.mark.parametrize("seats", ["²", "١٢", "-3", "12.5", "100001", "zwanzig"])
def test_max_participants_that_is_no_count_is_a_warning(seats: str) -> None:
    extra = f"<MAX_PARTICIPANTS>{seats}</MAX_PARTICIPANTS>"
    own = service_xml("S1").replace("</LOCATION>", f"</LOCATION>{extra}")
    offers, warnings, failures = parsed(
        own + service_xml("S2") + date_xml("S2-T1", "S2", course_extra=extra)
    )
    assert not failures
    assert offers["S1"].dates[0].seats is None
    assert offers["S2"].dates[0].seats is None
    for date_id in ("S1", "S2-T1"):
        message = f"date {date_id}: MAX_PARTICIPANTS {seats!r} is not a number of places"
        assert any(w.startswith(message) for w in warnings), (date_id, warnings)


def test_max_participants_in_ascii_digits_is_read() -> None:
    own = service_xml("S1").replace(
        "</LOCATION>", "</LOCATION><MAX_PARTICIPANTS>+20</MAX_PARTICIPANTS>"
    )
    offers, warnings, _ = parsed(own)
    assert offers["S1"].dates[0].seats == 20
    assert not any("MAX_PARTICIPANTS" in w for w in warnings)


def test_digits_of_other_scripts_are_no_postcode_or_duration() -> None:
    offer = (
        service_xml("D1")
        .replace("<ZIP>44787</ZIP>", "<ZIP>٤٤٧٨٧</ZIP>")
        .replace(
            "</MODULE_COURSE>",
            "<DURATION><DATE_REMARKS>١٢ Stunden</DATE_REMARKS></DURATION></MODULE_COURSE>",
        )
    )
    offers, warnings, failures = parsed(offer)
    assert not failures
    assert offers["D1"].duration_hours is None
    assert offers["D1"].dates[0].location is None
    assert "location postcode '٤٤٧٨٧' is not a German postcode; location ignored" in warnings


# --- prices on date services ------------------------------------------------------------------


def test_the_bas_sample_prices_offers_by_their_dates(make_org: Callable[..., int]) -> None:
    org_id = make_org(name="Riskec", trusted=True)
    report = run_import(org_id, SAMPLE.read_bytes())
    assert report.ok, report.render_text()
    snaps = snapshots(org_id)
    # Offers "Lehrgangsgebühr: auf Anfrage" whose one date states the price.
    for offer, price in [
        ("vg4983685", "125.00"),
        ("vg4983701", "220.00"),
        ("vg4983713", "190.00"),
        ("vg4983717", "440.00"),
        ("vg4983721", "250.00"),
    ]:
        assert (snaps[offer]["price"], snaps[offer]["price_note"]) == (price, None), offer
    # An offer's own price stands beside a date "auf Anfrage".
    assert (snaps["vg4983690"]["price"], snaps["vg4983690"]["price_note"]) == ("250.00", None)
    assert snaps["vg4983705"]["price_note"] == "Zzgl. Prüfungsgebühr EUR 150,-"
    # Offer and dates on request: still on request.
    assert snaps["vg4983682"]["price"] is None
    assert snaps["vg4983682"]["price_note"] == "Lehrgangsgebühr: auf Anfrage"
    assert snaps["1297394"]["price"] is None
    assert not any("price" in w.message for w in report.warnings), report.render_text()
    assert run_import(org_id, SAMPLE.read_bytes()).unchanged == 50


def test_dates_with_different_prices_give_the_lowest_as_from(
    make_org: Callable[..., int],
) -> None:
    org_id = make_org(trusted=True)
    offer = priced(service_xml("K1"), "0.0", "Lehrgangsgebühr: auf Anfrage")
    body = (
        offer
        + date_xml("K1-T1", "K1", amount="1450.0", remarks="inkl. Prüfungsgebühr")
        + date_xml("K1-T2", "K1", start="2030-05-01", amount="1290")
        + date_xml("K1-T3", "K1", start="2030-06-01", amount="0.0", remarks="auf Anfrage")
    )
    report = run_import(org_id, document(body, full=True))
    assert report.ok, report.render_text()
    k1 = snapshots(org_id)["K1"]
    assert k1["price"] == "1290.00"
    assert k1["price_note"] == "ab 1.290,00 €, je nach Termin bis 1.450,00 €"
    assert [w.message for w in report.warnings if w.record_id == "K1"] == [
        "the dates give different prices (1290.00 to 1450.00); the offer shows the lowest, "
        "noted as 'ab 1.290,00 €'"
    ]


def test_dates_that_agree_give_their_price_and_remarks(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    body = (
        priced(service_xml("K1"), remarks="Lehrgangsgebühr: auf Anfrage")
        + date_xml("K1-T1", "K1", amount="125.0", remarks="zzgl. Material")
        + date_xml("K1-T2", "K1", start="2030-05-01", amount="125")
    )
    report = run_import(org_id, document(body, full=True))
    assert report.ok, report.render_text()
    k1 = snapshots(org_id)["K1"]
    assert (k1["price"], k1["price_note"]) == ("125.00", "zzgl. Material")
    assert not report.warnings


def test_the_offers_own_price_wins_over_its_dates() -> None:
    body = priced(service_xml("K1"), "99.0") + date_xml("K1-T1", "K1", amount="125.0")
    offers, warnings, _ = parsed(body)
    assert offers["K1"].price == Decimal("99.00")
    assert "date K1-T1 gives the price 125.00, the offer 99.00; the offer's price stands" in (
        warnings
    )


def test_a_date_price_that_is_no_number_or_negative() -> None:
    body = (
        service_xml("K1")
        + date_xml("K1-T1", "K1", amount="NaN")
        + date_xml("K1-T2", "K1", start="2030-05-01", amount="-5")
    )
    offers, warnings, failures = parsed(body)
    assert offers["K1"].price is None
    assert [d.external_id for d in offers["K1"].dates] == ["K1-T1"]
    assert "date K1-T1: PRICE_AMOUNT 'NaN' is not a number; treated as not given" in warnings
    assert [(f.record_id, f.reason) for f in failures] == [
        ("K1-T2", "PRICE_AMOUNT -5.00 is negative")
    ]


def test_a_date_apart_from_its_offer_says_its_price_is_not_applied() -> None:
    body = (
        date_xml("K1-T1", "K1", amount="125.0")
        + service_xml("K1")
        + date_xml("K1-T2", "K1", start="2030-05-01")
    )
    offers, warnings, _ = parsed(body)
    assert offers["K1"].price is None
    assert any(w.startswith("date K1-T1: its price is not applied to offer K1") for w in warnings)


# --- an offer or a date delivered twice ---------------------------------------------------------


def _twice() -> bytes:
    """Offer A1 twice (each with a date), and date B1-T1 twice for offer B1."""
    return document(
        service_xml("A1", "Excel für Einsteiger")
        + date_xml("A1-T1", "A1")
        + service_xml("B1", "Word für Einsteiger")
        + date_xml("B1-T1", "B1")
        + date_xml("B1-T1", "B1", start="2030-09-01")
        + service_xml("A1", "Excel Aufbaukurs")
        + date_xml("A1-T2", "A1", start="2030-10-01"),
        full=True,
    )


def _lines_of(data: bytes, text: str) -> list[int]:
    return [n for n, line in enumerate(data.decode().splitlines(), start=1) if text in line]


def test_an_offer_or_date_delivered_twice_fails_and_writes_nothing(
    make_org: Callable[..., int],
) -> None:
    org_id = make_org(trusted=True)
    data = _twice()
    report = run_import(org_id, data)
    assert not report.written
    assert offer_count(org_id) == 0
    a1, a1_again = _lines_of(data, "<PRODUCT_ID>A1</PRODUCT_ID>")
    t1, t1_again = _lines_of(data, "<PRODUCT_ID>B1-T1</PRODUCT_ID>")
    [a1_t2] = _lines_of(data, "<PRODUCT_ID>A1-T2</PRODUCT_ID>")
    assert [(f.record_id, f.line, f.message) for f in report.failures] == [
        (
            "B1-T1",
            t1_again,
            f"date B1-T1 is delivered a second time in this file (first at line {t1}); "
            "a file names each date once",
        ),
        (
            "A1",
            a1_again,
            f"offer A1 is delivered a second time in this file (first at line {a1}); "
            "a file names each offer once",
        ),
        (
            "A1-T2",
            a1_t2,
            f"its offer A1 at line {a1_again} is delivered a second time in this file, "
            "so its dates are not imported either",
        ),
    ]


def test_partial_keeps_the_first_of_an_offer_or_date_delivered_twice(
    make_org: Callable[..., int],
) -> None:
    org_id = make_org(trusted=True)
    report = run_import(org_id, _twice(), partial=True)
    assert report.written
    assert (report.created, report.failed) == (2, 3)
    snaps = snapshots(org_id)
    assert snaps["A1"]["title"] == "Excel für Einsteiger"
    assert [d["external_id"] for d in snaps["A1"]["dates"]] == ["A1-T1"]
    assert [(d["external_id"], d["start_date"]) for d in snaps["B1"]["dates"]] == [
        ("B1-T1", "2030-04-01")
    ]


def test_an_offer_delivered_twice_is_a_422_naming_it(
    client: TestClient, provider: dict[str, Any]
) -> None:
    data = document(service_xml("A1") + service_xml("A1", "Excel Aufbaukurs"), full=True)
    r = client.post("/api/v1/imports", content=data, headers=provider["headers"])
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "import_rejected"
    assert error["details"][0]["loc"] == ["records", "A1"]
    assert "delivered a second time" in error["details"][0]["message"]
    assert offer_count(provider["org_id"]) == 0
