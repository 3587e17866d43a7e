"""open-Qcat import/export, XML safety, CSV, the API endpoints, JSON-LD and the CLI."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from sqlmodel import func, select

from app import db
from app.models.offer import Offer
from app.models.outbox import OutboxEntry
from app.services import offers
from app.services.auth import Actor
from app.services.interop import import_file
from app.services.interop.jsonld import jsonld_script_text
from app.services.interop.openqcat_export import export_openqcat
from app.services.interop.report import ImportReport

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "openq_beispiel_differenzlieferung.xml"
SAMPLE_OFFERS = 50


def run_import(org_id: int, data: bytes, **kwargs: Any) -> ImportReport:
    with db.session_scope() as session:
        return import_file(
            session=session,
            actor=Actor.system("test"),
            organisation_id=org_id,
            stream=io.BytesIO(data),
            **kwargs,
        )


def offer_count(org_id: int, status: str | None = None) -> int:
    with db.session_scope() as session:
        query = select(func.count()).select_from(Offer).where(Offer.organisation_id == org_id)
        if status:
            query = query.where(Offer.status == status)
        return int(session.exec(query).one())


def snapshots(org_id: int) -> dict[str, dict[str, Any]]:
    with db.session_scope() as session:
        rows = list(
            session.exec(
                select(Offer).where(Offer.organisation_id == org_id, Offer.status != "archived")
            )
        )
        dates = offers.load_dates(session=session, offer_ids=[o.id for o in rows if o.id])
        return {o.external_id or "": offers.snapshot(o, dates[o.id or 0]) for o in rows}


def export_bytes(org_id: int) -> bytes:
    out = io.BytesIO()
    with db.session_scope() as session:
        export_openqcat(session=session, organisation_id=org_id, out=out)
    return out.getvalue()


def service_xml(
    pid: str, title: str = "Excel für Einsteiger", extra: str = "", edu_type: str = "104"
) -> str:
    return f"""<SERVICE mode="new"><PRODUCT_ID>{pid}</PRODUCT_ID><COURSE_TYPE>5</COURSE_TYPE>
<SERVICE_DETAILS><TITLE>{title}</TITLE><DESCRIPTION_LONG>Tabellen</DESCRIPTION_LONG>
<SERVICE_DATE><START_DATE>2030-03-01T00:00:00</START_DATE></SERVICE_DATE>
<SERVICE_MODULE><EDUCATION type="true"><COURSE_ID>{pid}</COURSE_ID>
<EXTENDED_INFO><INSTITUTION type="2"/><INSTRUCTION_FORM type="101"/>{extra}
<EDUCATION_TYPE type="{edu_type}"/></EXTENDED_INFO>
<MODULE_COURSE><LOCATION><ZIP>44787</ZIP><CITY>Bochum</CITY>
<BARRIER_FREE_LOCATION>true</BARRIER_FREE_LOCATION></LOCATION></MODULE_COURSE>
</EDUCATION></SERVICE_MODULE></SERVICE_DETAILS>
<SERVICE_CLASSIFICATION><FEATURE><FNAME>C 1415-10</FNAME><FVALUE>Excel</FVALUE></FEATURE>
</SERVICE_CLASSIFICATION></SERVICE>"""


def document(
    body: str, *, full: bool = False, encoding: str = "UTF-8", prolog: str = "", deletes: str = ""
) -> bytes:
    header = (
        "<HEADER><CATALOG><LANGUAGE>deu</LANGUAGE><CATALOG_ID>1</CATALOG_ID>"
        "<CATALOG_VERSION>1</CATALOG_VERSION></CATALOG><SUPPLIER>"
        '<SUPPLIER_ID type="supplier_specific">1</SUPPLIER_ID>'
        "<SUPPLIER_NAME>Akademie</SUPPLIER_NAME><ADDRESS/>"
        '<EXTENDED_INFO input_type="0"/></SUPPLIER></HEADER>'
    )
    if full:
        catalog = f"<NEW_CATALOG>{body}</NEW_CATALOG>"
    else:
        delete = f"<DELETE>{deletes}</DELETE>" if deletes else ""
        catalog = f'<UPDATE_CATALOG seq_number="1">{delete}<NEW>{body}</NEW></UPDATE_CATALOG>'
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>{prolog}'
        f'<OPENQCAT version="1.1">{header}{catalog}</OPENQCAT>'
    )
    return text.encode("utf-8" if encoding.upper() == "UTF-8" else encoding)


# --- the BA's sample -------------------------------------------------------------------------


def test_official_sample_imports_and_reimport_is_unchanged(make_org: Callable[..., int]) -> None:
    org_id = make_org(name="Riskec", trusted=True)
    report = run_import(org_id, SAMPLE.read_bytes())
    assert report.error is None, report.render_text()
    assert report.failed == 0, report.render_text()
    assert report.created == SAMPLE_OFFERS
    assert report.written
    assert offer_count(org_id) == SAMPLE_OFFERS
    assert any("COURSE_TYPE" in w.message for w in report.warnings)
    with db.session_scope() as session:
        outbox = session.exec(select(func.count()).select_from(OutboxEntry)).one()
        offer = session.exec(select(Offer).where(Offer.external_id == "1297422")).one()
        assert offer.id is not None
        dates = offers.load_dates(session=session, offer_ids=[offer.id])[offer.id]
    assert outbox == SAMPLE_OFFERS
    assert offer.title == "Wirtschaftsenglisch für Fortgeschrittene"
    assert offer.category == "languages"
    assert offer.status == "published"
    assert [d.external_id for d in dates] == ["1297389", "1297390"]
    assert dates[0].postcode == "12435"
    assert dates[0].lat is not None
    assert offer.visible_from is not None
    assert offer.visible_from.isoformat() == "2008-04-04"

    again = run_import(org_id, SAMPLE.read_bytes())
    assert (again.created, again.updated, again.unchanged, again.deleted) == (0, 0, 50, 0)


def test_delta_applies_new_update_delete(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    first = run_import(
        org_id,
        document(
            service_xml("A1") + service_xml("A2", "Word Kurs") + service_xml("A3", "Access Kurs"),
            full=True,
        ),
    )
    assert first.created == 3
    assert first.delivery == "full"
    delta = document(
        service_xml("A2", "Word Aufbaukurs") + service_xml("A4", "Outlook Kurs"),
        deletes="<SERVICE><PRODUCT_ID>A3</PRODUCT_ID></SERVICE>"
        "<SERVICE><PRODUCT_ID>NOPE</PRODUCT_ID></SERVICE>",
    )
    report = run_import(org_id, delta)
    assert (report.created, report.updated, report.unchanged, report.deleted) == (1, 1, 0, 1)
    assert any(w.record_id == "NOPE" for w in report.warnings)
    snaps = snapshots(org_id)
    assert set(snaps) == {"A1", "A2", "A4"}
    assert snaps["A2"]["title"] == "Word Aufbaukurs"
    # a full delivery replaces the catalogue: A2 and A4 are not in it, so they go
    full = run_import(org_id, document(service_xml("A1"), full=True))
    assert full.deleted == 2
    assert full.unchanged == 1
    assert set(snapshots(org_id)) == {"A1"}


def test_export_validates_and_round_trips(make_org: Callable[..., int]) -> None:
    source = make_org(name="Quelle", trusted=True)
    assert run_import(source, SAMPLE.read_bytes()).created == SAMPLE_OFFERS
    xml = export_bytes(source)
    schema = xmlschema.XMLSchema(str(FIXTURES / "openQ-cat.xsd"))
    errors = list(schema.iter_errors(io.BytesIO(xml)))
    assert not errors, str(errors[0])[:1000]
    target = make_org(name="Ziel", trusted=True)
    report = run_import(target, xml)
    assert report.ok
    assert report.created == SAMPLE_OFFERS
    assert report.delivery == "full"

    def comparable(snaps: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for snap in snaps.values():
            for d in snap["dates"]:
                d["external_id"] = None
        return snaps

    got, want = comparable(snapshots(target)), comparable(snapshots(source))
    diffs = {(k, f) for k in want for f in want[k] if got[k][f] != want[k][f]}
    assert not diffs, repr([(k, f, got[k][f], want[k][f]) for k, f in sorted(diffs)][:2])
    assert run_import(target, xml).unchanged == SAMPLE_OFFERS


# --- hostile and broken files ----------------------------------------------------------------


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE OPENQCAT [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<OPENQCAT version="1.1"><HEADER/><NEW_CATALOG><SERVICE><PRODUCT_ID>&xxe;</PRODUCT_ID>
</SERVICE></NEW_CATALOG></OPENQCAT>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<OPENQCAT version="1.1"><HEADER/><NEW_CATALOG><SERVICE><PRODUCT_ID>&lol3;</PRODUCT_ID>
</SERVICE></NEW_CATALOG></OPENQCAT>"""


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (XXE, "entities"),
        (BILLION_LAUGHS, "entities"),
        (document(service_xml("B1") + "<SERVICE><PRODUCT_ID>B2", full=True), "malformed XML"),
        (
            document(service_xml("B1", title="Kurs für Ältere"), full=True).replace(
                "für Ältere".encode(), "für Ältere".encode("latin-1")
            ),
            "not encoded as it declares",
        ),
    ],
)
def test_rejected_files_write_nothing(
    make_org: Callable[..., int], payload: bytes, expected: str
) -> None:
    org_id = make_org(trusted=True)
    report = run_import(org_id, payload, format="openqcat")
    assert report.error is not None
    assert expected in report.error
    assert not report.written
    assert offer_count(org_id) == 0
    assert "root:" not in report.render_text()


def test_iso_8859_15_file_is_read_as_declared(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    data = document(service_xml("C1", title="Kurs für Ältere €"), full=True, encoding="ISO-8859-15")
    report = run_import(org_id, data)
    assert report.ok
    assert snapshots(org_id)["C1"]["title"] == "Kurs für Ältere €"


def test_failures_write_nothing_unless_partial(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    broken = service_xml("D2").replace("<TITLE>Excel für Einsteiger</TITLE>", "")
    data = document(
        service_xml("D1")
        + broken
        + service_xml("D3", extra='<FUNDING_TYPES_FEDERAL type="77"/>', edu_type="999"),
        full=True,
    )
    report = run_import(org_id, data)
    assert report.failed == 1
    assert report.failures[0].record_id == "D2"
    assert report.failures[0].line is not None
    assert "TITLE" in report.failures[0].message
    assert not report.written
    assert offer_count(org_id) == 0
    # unknown codes are warnings, the offer itself imports
    messages = " ".join(w.message for w in report.warnings)
    assert "'999'" in messages
    assert "'77'" in messages

    dry = run_import(org_id, data, partial=True, dry_run=True)
    assert dry.created == 0
    assert dry.would is not None
    assert dry.would["created"] == 2
    assert not dry.written
    assert offer_count(org_id) == 0

    partial = run_import(org_id, data, partial=True)
    assert partial.created == 2
    assert partial.failed == 1
    assert partial.written
    assert set(snapshots(org_id)) == {"D1", "D3"}
    assert snapshots(org_id)["D3"]["funding"] == ["other"]


# --- CSV -------------------------------------------------------------------------------------


CSV_ROWS = (
    "Angebots-ID;Titel;Beschreibung;Kategorie;Format;Beginn;Ende;PLZ;Ort;Preis;Förderung;"
    "Unterrichtszeit\r\n"
    "K1;Grundlagen der Buchführung;Soll & Haben;Buchhaltung, Steuern und Finanzen;Präsenz;"
    "01.09.2030;30.11.2030;44787;Bochum;1.290,00;Bildungsgutschein;Vollzeit\r\n"
    "K1;Grundlagen der Buchführung;Soll & Haben;Buchhaltung, Steuern und Finanzen;Präsenz;"
    "2031-01-10;;44135;Dortmund;1.290,00;Bildungsgutschein;Teilzeit\r\n"
    "K2;Deutsch für den Beruf;;german_integration;online;;;;;;;\r\n"
)


def test_csv_windows_1252_german_headers(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    report = run_import(org_id, CSV_ROWS.encode("cp1252"))
    assert report.format == "csv"
    assert report.ok, report.render_text()
    assert report.created == 2
    snaps = snapshots(org_id)
    k1 = snaps["K1"]
    assert k1["price"] == "1290.00"
    assert k1["funding"] == ["bildungsgutschein"]
    assert k1["format"] == "in_person"
    assert k1["description"] == "Soll & Haben"
    assert [d["start_date"] for d in k1["dates"]] == ["2030-09-01", "2031-01-10"]
    assert k1["dates"][1]["schedule"] == "part_time"
    assert snaps["K2"]["format"] == "online"
    assert snaps["K2"]["dates"] == []
    assert run_import(org_id, CSV_ROWS.encode("utf-8-sig")).unchanged == 2


def test_csv_unknown_code_fails_the_row(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    data = CSV_ROWS.replace("german_integration", "Blumenkunde")
    report = run_import(org_id, data.encode())
    assert report.failed == 1
    assert "Blumenkunde" in report.failures[0].message
    assert not report.written
    assert offer_count(org_id) == 0


# --- API -------------------------------------------------------------------------------------


def test_api_import(
    client: Any,
    provider: dict[str, Any],
    make_org: Callable[..., int],
    admin: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = SAMPLE.read_bytes()
    assert client.post("/api/v1/imports", content=data).status_code == 401
    other = make_org(name="Andere")
    response = client.post(
        f"/api/v1/imports?organisation_id={other}", content=data, headers=provider["headers"]
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/imports?dry_run=true", content=data, headers=provider["headers"]
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["counts"]["created"] == 0
    assert body["would"]["created"] == SAMPLE_OFFERS
    assert body["written"] is False
    assert set(body) >= {"format", "delivery", "counts", "failures", "warnings", "error"}
    files = {"file": ("angebote.csv", CSV_ROWS.encode("cp1252"), "text/csv")}
    response = client.post(
        f"/api/v1/imports?organisation_id={other}&format=csv", files=files, headers=admin
    )
    assert response.status_code == 200
    assert response.json()["counts"]["created"] == 2
    assert offer_count(other) == 2

    template = client.get("/api/v1/imports/csv-template")
    assert template.status_code == 200
    assert template.headers["content-type"].startswith("text/csv")
    assert "Angebots-ID;Titel" in template.text


def test_api_import_size_limit(database_url: str) -> None:
    import os

    from fastapi.testclient import TestClient

    from app import config
    from app.main import create_app

    os.environ["MAX_IMPORT_BYTES"] = "1000"
    config.get_settings.cache_clear()
    try:
        with TestClient(create_app(), raise_server_exceptions=False) as c:
            small = c.post("/api/v1/imports", content=b"x" * 900)
            big = c.post("/api/v1/imports", content=b"x" * 1001)
    finally:
        del os.environ["MAX_IMPORT_BYTES"]
        config.get_settings.cache_clear()
    assert small.status_code == 401  # under the limit: the request reaches authentication
    assert big.status_code == 413


def test_jsonld_endpoint(
    client: Any,
    provider: dict[str, Any],
    trusted_provider: dict[str, Any],
    make_offer: Callable[..., dict[str, Any]],
) -> None:
    hidden = make_offer(provider["headers"], title="Kurs </script><script>alert(1)</script>")
    assert client.get(f"/api/v1/offers/{hidden['id']}.jsonld").status_code == 404
    own = client.get(f"/api/v1/offers/{hidden['id']}.jsonld", headers=provider["headers"])
    assert own.status_code == 200
    public = make_offer(trusted_provider["headers"], degree="Zertifikat")
    response = client.get(f"/api/v1/offers/{public['id']}.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    data = response.json()
    assert data["@type"] == "Course"
    assert data["offers"][0]["price"] == "1290.00"
    instance = data["hasCourseInstance"][0]
    assert instance["location"]["address"]["postalCode"] == "44787"
    assert instance["location"]["geo"]["latitude"] == pytest.approx(51.4818)
    # schema.org as validators read it: BCP 47 language tags, no properties a Course lacks,
    # the workload as an ISO 8601 duration (or not at all).
    assert data["inLanguage"] == ["de"]
    assert not {"location", "availableLanguage"} & set(data)
    assert "courseWorkload" not in instance or instance["courseWorkload"].startswith("PT")
    script = jsonld_script_text(own.json())
    assert "</script>" not in script
    assert "\\u003c/script\\u003e" in script


# --- CLI -------------------------------------------------------------------------------------


def test_cli_import_and_export(make_org: Callable[..., int], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from app.cli import cli

    org_id = make_org(trusted=True)
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(SAMPLE), "--org", str(org_id), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would create: 50" in result.output
    assert offer_count(org_id) == 0
    result = runner.invoke(cli, ["import", str(SAMPLE), "--org", str(org_id)])
    assert result.exit_code == 0
    assert offer_count(org_id) == SAMPLE_OFFERS
    broken = tmp_path / "broken.xml"
    broken.write_bytes(XXE)
    result = runner.invoke(cli, ["import", str(broken), "--org", str(org_id)])
    assert result.exit_code == 1
    assert "entities" in result.output
    out = tmp_path / "export.xml"
    result = runner.invoke(
        cli, ["export", "--org", str(org_id), "--format", "openqcat", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    schema = xmlschema.XMLSchema(str(FIXTURES / "openQ-cat.xsd"))
    assert schema.is_valid(str(out))


def test_csv_comma_separated_utf8(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    data = (
        "external_id,title,category,format,start_date,postcode,city,price,funding\n"
        'E1,Excel kompakt,it_digital,in_person,2030-05-04,44787,Bochum,"1290.00",'
        "Bildungsscheck NRW\n"
    )
    report = run_import(org_id, data.encode("utf-8"))
    assert report.ok, report.render_text()
    assert report.created == 1
    assert snapshots(org_id)["E1"]["funding"] == ["bildungsscheck_nrw"]


def test_teaching_languages_in_the_bas_spelling(make_org: Callable[..., int]) -> None:
    """The BA's unterrichtssprache.dat spells Slovak, German Sign Language and "other" svk,
    dgs and oth; the catalogue keeps ISO codes (slo, gsg, mis) and exports the BA's again."""
    org_id = make_org(trusted=True)
    languages = "".join(
        f"<TEACHING_LANGUAGES>{c}</TEACHING_LANGUAGES>" for c in ("svk", "dgs", "oth", "de")
    )
    report = run_import(org_id, document(service_xml("L1", extra=languages), full=True))
    assert report.ok, report.render_text()
    assert snapshots(org_id)["L1"]["languages"] == ["slo", "gsg", "mis", "deu"]
    xml = export_bytes(org_id).decode()
    for spelling in ("svk", "dgs", "oth", "deu"):
        assert f"<TEACHING_LANGUAGES>{spelling}</TEACHING_LANGUAGES>" in xml
