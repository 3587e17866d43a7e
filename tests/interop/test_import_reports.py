"""Import reports say what happens next: every problem of a CSV row in one run, per offer
whether citizens will find it (and if not, why), and counts that are 0 when nothing was
written while `would` says what the file would do."""

import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from app.services.interop.csv_import import parse_csv, template_csv
from app.services.interop.report import FailedRecord, OfferRecord
from tests.interop.test_openqcat import document, offer_count, run_import, service_xml

FUTURE = date.today() + timedelta(days=60)


def _announced(pid: str, *, until: date) -> str:
    return service_xml(pid).replace(
        "<DESCRIPTION_LONG>Tabellen</DESCRIPTION_LONG>",
        "<DESCRIPTION_LONG>Tabellen</DESCRIPTION_LONG><ANNOUNCEMENT>"
        f"<START_DATE>2020-01-01T00:00:00</START_DATE><END_DATE>{until}T00:00:00</END_DATE>"
        "</ANNOUNCEMENT>",
    )


def _past(pid: str) -> str:
    return service_xml(pid).replace("2030-03-01T00:00:00", "2020-03-01T00:00:00")


def test_csv_row_with_four_mistakes_reports_all_four() -> None:
    data = (
        "Angebots-ID;Titel;Kategorie;Preis;Beginn;PLZ;Ort;Plätze\n"
        f"k-1;Finanzbuchhaltung;Kochen;zwölf Euro;32.13.2027;4478;Bochum;viele\n"
        f"k-1;Finanzbuchhaltung;Kochen;zwölf Euro;{FUTURE:%d.%m.%Y};44787;Bochum;12\n"
    ).encode()
    [record] = list(parse_csv(io.BytesIO(data)))
    assert isinstance(record, FailedRecord)
    assert record.line == 2
    problems = record.reason.split("; line ")
    assert problems[0].startswith("line 2, Kategorie: unknown value 'Kochen'; allowed: ")
    assert "Buchhaltung, Steuern und Finanzen" in problems[0]
    assert ["line " + p for p in problems[1:]] == [
        "line 2, Preis: 'zwölf Euro' is not an amount",
        "line 2, Beginn: '32.13.2027' is not a date (DD.MM.YYYY or YYYY-MM-DD)",
        "line 2, Plätze: 'viele' is not a whole number",
        "line 2, PLZ: give five digits (a postcode such as 44787)",
    ]


def test_csv_reports_model_errors_at_their_row_and_column() -> None:
    data = (
        "Angebots-ID;Titel;Kategorie;Beginn;Ende;PLZ;Ort\n"
        f"k-2;Ok;Buchhaltung, Steuern und Finanzen;{FUTURE:%d.%m.%Y};;44787;Bochum\n"
        f"k-2;Ok;Buchhaltung, Steuern und Finanzen;{FUTURE:%d.%m.%Y};;44787;\n"
        f"k-2;Ok;Buchhaltung, Steuern und Finanzen;{FUTURE:%d.%m.%Y};01.01.2020;44787;Bochum\n"
    ).encode()
    [record] = list(parse_csv(io.BytesIO(data)))
    assert isinstance(record, FailedRecord)
    assert record.reason.split("; ") == [
        "line 2, Titel: String should have at least 3 characters",
        "line 3, Ort: String should have at least 1 character",
        "line 4: end_date is before start_date",
    ]


def test_csv_template_dates_lie_ahead_and_it_imports(
    client: TestClient, provider: dict[str, Any]
) -> None:
    today = date(2027, 11, 20)
    rows = template_csv(today=today).splitlines()
    assert "01.01.2028" in rows[1]
    [record] = list(parse_csv(io.BytesIO(template_csv().encode())))
    assert isinstance(record, OfferRecord)
    assert record.fields.dates[0].start_date is not None
    assert record.fields.dates[0].start_date > date.today()
    template = client.get("/api/v1/imports/csv-template").content
    r = client.post("/api/v1/imports?dry_run=true", content=template, headers=provider["headers"])
    report = r.json()
    assert report["failures"] == []
    assert report["would"]["created"] == 1
    assert report["records"][0]["outcome"] == "waits_for_review"


def test_each_offer_says_whether_citizens_will_find_it(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=False)
    data = document(
        service_xml("now")
        + _announced("ended", until=date(2024, 12, 31))
        + _past("passed")
        + _announced("running", until=FUTURE)
    )
    report = run_import(org_id, data)
    assert report.written
    assert {o.record_id: (o.action, o.outcome) for o in report.outcomes} == {
        "now": ("created", "waits_for_review"),
        "ended": ("created", "announcement_ended"),
        "passed": ("created", "dates_passed"),
        "running": ("created", "waits_for_review"),
    }
    records = {r["record_id"]: r for r in report.to_dict()["records"]}
    assert records["ended"]["message"] == (
        "created; not visible: its announcement ended on 31.12.2024"
    )
    assert records["passed"]["visible"] is False
    text = report.render_text()
    assert "ended (line " in text
    assert "not visible: its announcement ended on 31.12.2024" in text
    assert "waits_for_review: 2" in text
    # A trusted provider's current offer is published at once, and says so.
    trusted = make_org(name="Vertraut", trusted=True)
    [outcome] = run_import(trusted, document(service_xml("now"))).outcomes
    assert (outcome.action, outcome.outcome) == ("created", "published")


def test_changes_of_a_published_offer_wait_for_review(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str]
) -> None:
    h = provider["headers"]
    first = client.post("/api/v1/imports", content=document(service_xml("A")), headers=h).json()
    assert first["records"][0]["outcome"] == "waits_for_review"
    [offer] = client.get("/api/v1/offers", headers=h).json()["items"]
    assert client.post(f"/api/v1/offers/{offer['id']}/publish", headers=admin).status_code == 200
    changed = document(service_xml("A", title="Excel für Fortgeschrittene"))
    report = client.post("/api/v1/imports", content=changed, headers=h).json()
    assert [(r["action"], r["outcome"], r["visible"]) for r in report["records"]] == [
        ("updated", "changes_wait_for_review", True)
    ]


def test_dry_run_writes_nothing_and_says_would(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    data = document(service_xml("A") + service_xml("B"))
    dry = run_import(org_id, data, dry_run=True)
    assert offer_count(org_id) == 0
    assert (dry.written, dry.created, dry.would) == (
        False,
        0,
        {"created": 2, "updated": 0, "unchanged": 0, "deleted": 0, "dates_deleted": 0},
    )
    text = dry.render_text()
    assert "would create: 2" in text
    assert "created: 0" not in text
    assert [r["message"] for r in dry.to_dict()["records"]] == [
        "would be created; published: citizens find it"
    ] * 2
    written = run_import(org_id, data)
    assert (written.created, written.would) == (2, None)
    assert "created: 2" in written.render_text()


def test_failed_run_counts_nothing_written(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    broken = service_xml("B").replace("<TITLE>Excel für Einsteiger</TITLE>", "")
    report = run_import(org_id, document(service_xml("A") + broken))
    assert report.failed == 1
    assert (report.created, report.written) == (0, False)
    assert report.would is not None
    assert report.would["created"] == 1
    assert offer_count(org_id) == 0
    assert "would create: 1" in report.render_text()
