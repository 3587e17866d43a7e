"""Open-vhs import: the DVV sample mapped field by field, full deliveries, the Berlin JSON
dialect, bad files, the API and the CLI."""

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from app import db
from app.models.offer import Offer
from app.services import offers
from app.services.auth import Actor
from app.services.interop import detect_format, import_file
from app.services.interop.report import ImportReport
from testkit.openvhs_files import berlin_json, course_xml, programme

# The shared Open-vhs sample (../shared/data/openvhs/beispiel-vhs-bochum.xml), kept as a
# fixture so that the suite runs in any clone.
SAMPLE = Path(__file__).resolve().parent / "fixtures" / "openvhs_beispiel_vhs_bochum.xml"
BERLIN = Path(__file__).parent / "fixtures" / "openvhs_berlin.json"
SPREADSHEETS = "7A1C0E52-0000-4000-8000-000000000001"
ENGLISH = "7A1C0E52-0000-4000-8000-000000000002"
BACK = "7A1C0E52-0000-4000-8000-000000000003"


def run_import(org_id: int, data: bytes, **kwargs: Any) -> ImportReport:
    with db.session_scope() as session:
        return import_file(
            session=session,
            actor=Actor.system("test"),
            organisation_id=org_id,
            stream=io.BytesIO(data),
            **kwargs,
        )


def snapshots(org_id: int) -> dict[str, dict[str, Any]]:
    """The organisation's current offers as a provider would send them, by external id."""
    with db.session_scope() as session:
        rows = list(
            session.exec(
                select(Offer).where(Offer.organisation_id == org_id, Offer.status != "archived")
            )
        )
        dates = offers.load_dates(session=session, offer_ids=[o.id for o in rows if o.id])
        return {o.external_id or "": offers.snapshot(o, dates[o.id or 0]) for o in rows}


def statuses(org_id: int) -> dict[str, str]:
    with db.session_scope() as session:
        rows = session.exec(select(Offer).where(Offer.organisation_id == org_id))
        return {o.external_id or "": o.status for o in rows}


# --- the shared sample ----------------------------------------------------------------------


def test_sample_maps_every_field(make_org: Callable[..., int]) -> None:
    org_id = make_org(name="vhs Beispielstadt", kind="vhs", trusted=True)
    report = run_import(org_id, SAMPLE.read_bytes())
    assert report.ok, report.render_text()
    assert report.written, report.render_text()
    assert (report.format, report.delivery, report.supplier) == (
        "openvhs",
        "full",
        "vhs Beispielstadt",
    )
    assert report.created == 3
    snaps = snapshots(org_id)

    sheet = snaps[SPREADSHEETS]
    assert sheet["title"] == "Tabellenkalkulation für den Büroalltag"
    assert sheet["subtitle"] == "Grundlagen mit Übungen aus der Praxis"
    assert sheet["course_number"] == "T5010-27F"
    assert (sheet["dvv_category"], sheet["category"]) == ("5.01", "it_digital")
    assert sheet["education_type"] == "anpassungsweiterbildung"
    assert sheet["level"] == "Einsteiger"
    assert sheet["format"] == "blended"  # merkmal kursart_digital blended_learning
    assert sheet["digital_accessibility"] is True  # barrierefreies_lernen
    assert sheet["leads_to_qualification"] is False
    assert sheet["keywords"] == ["Tabellenkalkulation", "Büro", "EDV"]
    assert sheet["target_groups"] == ["Berufstätige", "Wiedereinsteiger/innen"]
    assert sheet["description"].startswith("Sie lernen, Listen anzulegen")
    assert "\nZwischen den Abenden" in sheet["description"]
    assert sheet["price"] == "64.00"
    assert sheet["reduction_available"] is True
    assert sheet["price_note"] == "Ermäßigung mit Bochum-Pass"
    assert sheet["url"] == "https://vhs.example.org/kurse/T5010-27F"
    assert sheet["duration_hours"] == 12
    assert sheet["barrier_free"] is True
    [run] = sheet["dates"]
    assert (run["start_date"], run["end_date"]) == ("2027-03-02", "2027-03-23")
    assert run["schedule"] == "evening"  # every session starts at 18:00
    assert (run["seats"], run["min_participants"], run["free_seats"]) == (12, 7, 8)
    assert run["session_count"] == 4
    assert run["weekdays"] == ["tue"]
    assert run["sessions"][0] == {
        "date": "2027-03-02",
        "start_time": "18:00:00",
        "end_time": "21:00:00",
    }
    assert len(run["sessions"]) == 4
    assert run["online"] is False
    place = run["location"]
    assert (place["postcode"], place["city"], place["street"]) == (
        "44787",
        "Bochum",
        "Beispielstraße 12",
    )
    assert place["name"] == "Bildungszentrum am Markt, Raum 204 (Innenstadt)"
    assert place["barrier_free"] is True
    assert place["lat"] == pytest.approx(51.48, abs=0.05)  # placed by the postcode
    assert place["approximate"] is True
    assert place["lon"] == pytest.approx(7.22, abs=0.05)

    english = snaps[ENGLISH]
    assert (english["dvv_category"], english["category"]) == ("4.06", "languages")
    assert english["education_type"] == "sprachkurs"
    assert english["level"] == "A2"
    assert english["languages"] == ["eng", "deu"]
    assert english["degree"] == "telc English A2"  # zertifikat name
    assert english["price"] == "0.00"  # betrag 0: free
    assert english["childcare"] is True  # "Kinderbetreuung im Haus" in the text
    [run] = english["dates"]
    assert run["schedule"] == "part_time"  # 09:30 is not an evening
    assert run["free_seats"] is None
    assert run["seats"] == 14
    assert run["location"]["city"] == "Herne"
    assert run["location"]["lat"] is not None
    assert run["sessions"][1] == {"date": "2027-04-13", "start_time": None, "end_time": None}

    back = snaps[BACK]
    assert (back["dvv_category"], back["category"]) == ("3.02", "health_care")
    assert back["format"] == "online"
    [run] = back["dates"]
    assert run["online"] is True
    assert run["location"] is None
    # "<für>" is text, not markup: kept as written, escaped wherever it is shown
    assert back["description"] == "Live online: kurze Übungen & Tipps <für> zu Hause und im Büro."
    # anmeldung_kostenlos beside a price: the price stands, the note says it
    assert back["price"] == "18.50"
    assert back["price_note"] == "Anmeldung kostenlos"
    assert any("anmeldung_kostenlos" in w.message for w in report.warnings)

    again = run_import(org_id, SAMPLE.read_bytes())
    assert (again.created, again.updated, again.unchanged, again.deleted) == (0, 0, 3, 0)


def test_format_is_detected_from_the_content() -> None:
    assert detect_format(SAMPLE.read_bytes()[:4096]) == "openvhs"
    assert detect_format(BERLIN.read_bytes()[:4096]) == "openvhs"
    assert detect_format(b'<?xml version="1.0"?><OPENQCAT version="1.1">') == "openqcat"
    assert detect_format(b"<veranstaltungen>") == "openvhs"
    assert detect_format(b'<v:programm xmlns:v="http://www.dvv-vhs.de/Open-VHS">') == "openvhs"
    assert detect_format(b"Angebots-ID;Titel\r\n") == "csv"


def test_second_file_without_a_course_archives_it(
    make_org: Callable[..., int], client: Any, trusted_provider: dict[str, Any]
) -> None:
    org_id = trusted_provider["org_id"]
    first = programme(course_xml("K1"), course_xml("K2", "Spanisch A1"), course_xml("K3", "Yoga"))
    assert run_import(org_id, first).created == 3
    # an offer the VHS sent by API and an open-Qcat delivery are not this source's to archive
    api = client.post(
        "/api/v1/offers",
        json={
            "title": "Beratung zum Bildungsurlaub",
            "category": "other",
            "education_type": "seminar",
            "format": "online",
            "external_id": "API-1",
        },
        headers=trusted_provider["headers"],
    )
    assert api.status_code == 201, api.text
    second = run_import(org_id, programme(course_xml("K1"), course_xml("K3", "Yoga")))
    assert second.ok
    assert (second.unchanged, second.deleted) == (2, 1)
    assert "deleted: 1" in second.render_text()
    assert statuses(org_id) == {
        "K1": "published",
        "K2": "archived",
        "K3": "published",
        "API-1": "published",
    }
    # delivered again, it comes back
    revived = run_import(org_id, first)
    assert revived.updated == 1
    assert statuses(org_id)["K2"] == "published"


def test_berlin_dialect_maps_to_the_same_offers(make_org: Callable[..., int]) -> None:
    from_xml = make_org(name="vhs XML", trusted=True)
    from_json = make_org(name="vhs JSON", trusted=True)
    assert run_import(from_xml, SAMPLE.read_bytes()).created == 3
    report = run_import(from_json, BERLIN.read_bytes())
    assert report.ok, report.render_text()
    assert report.created == 3, report.render_text()
    assert report.format == "openvhs", report.render_text()
    assert snapshots(from_json) == snapshots(from_xml)
    assert run_import(from_json, BERLIN.read_bytes()).unchanged == 3


def test_berlin_extras(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    course = {
        "guid": "B-1",
        "nummer": "Pa1.234-F",
        "name": "Italienisch B1.2",
        "bezirk": "Pankow",
        "veranstaltungsart": "Bildungsurlaub/Vortrag",
        "dvv_kategorie": {"#text": "4.09", "@version": "2.0"},
        "level": "Niveau B1.2",
        "beginn_datum": "2030-06-03",
        "ende_datum": "2030-06-07",
        "anmeldung": {
            "telefon": "030 1234",
            "mail": "anmeldung@vhs.example",
            "link": "https://vhs.example/anmelden?k=1",
        },
        "ansprechperson": {"vorname": "Eva", "name": "Muster", "telefon": "030 5678"},
        "ortetermine": {
            "adresse": [
                {
                    "lehrstaette": "Schule am Park",
                    "raum": "R 12",
                    "strasse": "Parkweg 2",
                    "plz": "13187",
                    "ort": "Berlin",
                    "behindertenzugang": True,
                    "breitengrad": "52.5700",
                    "laengengrad": "13.4100",
                },
                {
                    "lehrstaette": "Schule am Park",
                    "strasse": "Parkweg 2",
                    "plz": "13187",
                    "ort": "Berlin",
                },
            ],
            "termin": [
                {
                    "beginn_datum": "2030-06-03",
                    "beginn_uhrzeit": "09:00",
                    "ende_uhrzeit": "16:00",
                    "wochentag": "Montag",
                },
                {
                    "beginn_datum": "2030-06-04",
                    "beginn_uhrzeit": "09:00",
                    "ende_uhrzeit": "16:00",
                    "wochentag": "Dienstag",
                },
            ],
        },
        "preis": {"betrag": "199,00", "rabatt_moeglich": "true", "zusatz": "ermäßigt 120,00 €"},
        "webadresse": [
            {"typ": "website", "uri": "https://vhs.example/kurs/B-1"},
            {"typ": "attachment", "name": "Flyer", "uri": "https://vhs.example/flyer.pdf"},
            {"typ": "attachment", "name": "Trick", "uri": "javascript:alert(1)"},
        ],
    }
    report = run_import(org_id, berlin_json([course]))
    assert report.ok, report.render_text()
    offer = snapshots(org_id)["B-1"]
    assert offer["level"] == "B1.2"
    assert offer["category"] == "languages"
    assert offer["languages"] == ["ita", "deu"]
    assert "Pankow" in offer["keywords"]
    assert "Bildungsurlaub" in offer["keywords"]
    assert offer["contact"] == {
        "name": "Eva Muster",
        "email": "anmeldung@vhs.example",
        "phone": "030 5678",
    }
    assert offer["url"] == "https://vhs.example/kurs/B-1"
    assert offer["links"] == [
        {"url": "https://vhs.example/flyer.pdf", "name": "Flyer", "kind": "attachment"},
        {"url": "https://vhs.example/anmelden?k=1", "name": "Anmeldung", "kind": "registration"},
    ]
    assert any("javascript" in w.message for w in report.warnings)
    assert offer["price"] == "199.00"
    assert offer["reduction_available"] is True
    [run] = offer["dates"]
    assert run["schedule"] == "full_time"  # Bildungsurlaub
    assert run["weekdays"] == ["mon", "tue"]
    assert run["location"]["name"] == "Schule am Park (R 12)"
    assert (run["location"]["lat"], run["location"]["lon"]) == (52.57, 13.41)  # as given
    assert run["location"]["approximate"] is False
    assert run["location"]["barrier_free"] is True


# --- levels, schedules, looser files -----------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("A2", "A2"),
        ("b 1", "B1"),
        ("B1,2", "B1.2"),
        ("Niveau A2 bis B1", "A2-B1"),
        ("GER: B1/B2", "B1-B2"),
        ("Einsteiger", "Einsteiger"),
        ("Englisch B1 mit Prüfung", "Englisch B1 mit Prüfung"),
    ],
)
def test_levels_are_normalised(make_org: Callable[..., int], given: str, stored: str) -> None:
    org_id = make_org(trusted=True)
    assert run_import(org_id, programme(course_xml("L1", level=given))).ok
    assert snapshots(org_id)["L1"]["level"] == stored


def test_weekend_schedule_and_unknown_merkmal(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    saturday = (5 - date.today().weekday()) % 7 or 7
    extra = (
        "<merkmale><merkmal><name>neues_merkmal</name><wert>x</wert></merkmal>"
        "<merkmal><name>abschlussbezogen</name><wert>true</wert></merkmal></merkmale>"
        "<wochentag>Samstag</wochentag>"
    )
    data = programme(
        course_xml(
            "W1",
            "Töpfern am Wochenende",
            dvv="2.04",
            days_ahead=saturday,
            start_time="10:00:00",
            extra=extra,
        )
    )
    report = run_import(org_id, data)
    assert report.ok
    assert any("neues_merkmal" in w.message for w in report.warnings)
    offer = snapshots(org_id)["W1"]
    assert offer["dates"][0]["schedule"] == "weekend"
    assert offer["leads_to_qualification"]
    assert offer["category"] == "other"
    assert offer["dvv_category"] == "2.04"


def test_looser_files_import_with_warnings(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    data = (
        programme(course_xml("O1"), version="1.1")
        .replace(b' xmlns:openvhs="http://www.dvv-vhs.de/Open-VHS"', b"")
        .replace(b"openvhs:veranstaltungen", b"veranstaltungen")
    )
    report = run_import(org_id, data)
    assert report.ok, report.render_text()
    assert report.created == 1, report.render_text()
    messages = " ".join(w.message for w in report.warnings)
    assert "no namespace" in messages
    assert "version 1.1" in messages


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (programme(course_xml("X1")).replace(b"</veranstaltung>", b"", 1), "malformed XML"),
        (programme(course_xml("X1"), namespace="http://example.org/kurse"), "wrong namespace"),
        (programme(course_xml("X1"), version="7.3"), "unknown Open-vhs version"),
        (programme(), "holds no veranstaltung"),
        (
            b'<?xml version="1.0"?><!DOCTYPE v [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<veranstaltungen version="1.2"><veranstaltung><guid>&x;</guid></veranstaltung>'
            b"</veranstaltungen>",
            "entities",
        ),
        (b'{"veranstaltungen": {"veranstaltung": [{"guid": "J1", "name": ', "malformed JSON"),
        (b'{"veranstaltungen": {"veranstaltung": []}}', "holds no veranstaltung"),
        (b'{"kurse": 1}', "no list of veranstaltung"),
    ],
)
def test_rejected_files_write_nothing(
    make_org: Callable[..., int], payload: bytes, expected: str
) -> None:
    org_id = make_org(trusted=True)
    assert run_import(org_id, programme(course_xml("KEEP"))).created == 1
    report = run_import(org_id, payload, format="openvhs", partial=True)
    assert report.error is not None, report.error
    assert expected in report.error, report.error
    assert not report.written
    assert statuses(org_id) == {"KEEP": "published"}  # the full delivery archived nothing


@pytest.mark.parametrize(
    ("course", "reason"),
    [
        (course_xml("").replace("<guid></guid>", ""), "guid is missing"),
        (course_xml("F2", name=""), "name is missing"),
        (course_xml("F3").replace("<beginn_datum>", "<beginn_datum>31.02.", 1), "is not a date"),
        (course_xml("F4", sessions=0, end_date="2001-01-01"), "before beginn_datum"),
        (course_xml("F5", price="-5"), "negative"),
    ],
)
def test_failed_courses_name_record_and_line(
    make_org: Callable[..., int], course: str, reason: str
) -> None:
    org_id = make_org(trusted=True)
    data = programme(course_xml("GOOD"), course)
    report = run_import(org_id, data)
    assert report.failed == 1, report.render_text()
    assert reason in report.failures[0].message, report.render_text()
    assert report.failures[0].line == 2
    assert not report.written
    assert statuses(org_id) == {}
    partial = run_import(org_id, data, partial=True)
    assert partial.written
    assert partial.created == 1
    assert set(statuses(org_id)) == {"GOOD"}


def test_failed_course_is_not_archived_by_a_partial_full_delivery(
    make_org: Callable[..., int],
) -> None:
    org_id = make_org(trusted=True)
    assert run_import(org_id, programme(course_xml("A"), course_xml("B"))).created == 2
    broken = programme(course_xml("A"), course_xml("B", price="-1"))
    report = run_import(org_id, broken, partial=True)
    assert report.failed == 1
    assert report.deleted == 0
    assert statuses(org_id) == {"A": "published", "B": "published"}


# --- API and CLI ------------------------------------------------------------------------------


def test_api_import_and_file_level_422(client: Any, provider: dict[str, Any]) -> None:
    headers = provider["headers"]
    response = client.post(
        "/api/v1/imports?format=openvhs", content=SAMPLE.read_bytes(), headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["format"] == "openvhs"
    assert body["counts"]["created"] == 3
    rejected = client.post(
        "/api/v1/imports",
        content=programme(course_xml("X"), namespace="urn:falsch"),
        headers=headers,
    )
    assert rejected.status_code == 422
    error = rejected.json()["error"]
    assert error["code"] == "import_rejected"
    assert "wrong namespace" in error["message"]
    assert error["details"][0]["loc"][0] == "file"
    assert rejected.json()["report"]["written"] is False


def test_cli_import_with_format(make_org: Callable[..., int], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from app.cli import cli

    org_id = make_org(trusted=True)
    path = tmp_path / "kurse.json"
    path.write_bytes(BERLIN.read_bytes())
    result = CliRunner().invoke(
        cli, ["import", str(path), "--org", str(org_id), "--format", "openvhs"]
    )
    assert result.exit_code == 0, result.output
    assert "openvhs import (full delivery)" in result.output
    assert "created: 3" in result.output


def test_a_file_saved_as_utf8_under_a_latin_declaration_is_refused(
    make_org: Callable[..., int],
) -> None:
    org_id = make_org(trusted=True)
    utf8 = SAMPLE.read_bytes()
    mislabelled = utf8.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-15"', 1)
    for partial in (False, True):
        report = run_import(org_id, mislabelled, partial=partial)
        assert report.error is not None
        assert "it declares 'ISO-8859-15' but its bytes are UTF-8" in report.error
        assert not report.written
    assert snapshots(org_id) == {}
    # Really written in ISO-8859-15, the same file is read with its umlauts.
    latin = utf8.decode("utf-8").encode("iso-8859-15", errors="xmlcharrefreplace")
    assert run_import(org_id, latin.replace(b'"UTF-8"', b'"ISO-8859-15"', 1)).created > 0
