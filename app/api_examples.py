"""Request examples for the API documentation (/docs, /redoc): offers, upsert, imports in both
formats, portals. Dates lie ahead of the day the service started, so each example can be sent
as it is; tests/api/test_openapi.py sends every one and expects it accepted."""

from datetime import date, timedelta
from typing import Any

_START = date.today() + timedelta(days=60)
_END = _START + timedelta(days=90)
_DEADLINE = _START - timedelta(days=14)


def _offer() -> dict[str, Any]:
    return {
        "title": "Finanzbuchhaltung mit DATEV",
        "description": "Doppelte Buchführung, Kontenrahmen SKR 03 und die Arbeit mit DATEV.",
        "keywords": ["Buchhaltung", "DATEV"],
        "category": "accounting_finance",
        "education_type": "anpassungsweiterbildung",
        "degree": "Zertifikat",
        "languages": ["de"],
        "funding": ["bildungsgutschein"],
        "price": "1290.00",
        "duration_hours": 120,
        "format": "in_person",
        "barrier_free": True,
        "url": "https://www.example.org/kurse/fibu",
        "contact": {"name": "Anna Beispiel", "email": "kurse@example.org", "phone": "0234 123"},
        "dates": [
            {
                "external_id": "fibu-herbst",
                "start_date": _START.isoformat(),
                "end_date": _END.isoformat(),
                "registration_deadline": _DEADLINE.isoformat(),
                "schedule": "part_time",
                "schedule_note": "Mo und Mi 18–21 Uhr",
                "seats": 16,
                "location": {
                    "name": "Bildungszentrum",
                    "street": "Kortumstraße 1",
                    "postcode": "44787",
                    "city": "Bochum",
                },
            }
        ],
    }


def offer_examples() -> dict[str, dict[str, Any]]:
    exact = _offer()
    exact["dates"][0]["location"] |= {"lat": 51.4818, "lon": 7.2162}
    return {
        "postcode": {
            "summary": "An offer with one date (placed at the postcode's centre)",
            "description": "Without lat/lon the place is put at the centre of its postcode "
            "and marked `approximate`; a radius search finds it.",
            "value": _offer() | {"external_id": "FIBU-2026"},
        },
        "exact": {
            "summary": "The same with the building's coordinates",
            "value": exact,
        },
        "online": {
            "summary": "An online course with a flexible start",
            "value": {
                "title": "Excel für Einsteiger (online)",
                "category": "it_digital",
                "education_type": "seminar",
                "format": "online",
                "price": "0",
                "dates": [{"flexible_start": True, "online": True, "schedule": "flexible"}],
            },
        },
    }


def upsert_examples() -> dict[str, dict[str, Any]]:
    return {
        "offer": {
            "summary": "The whole offer under your own id (the id in the body may repeat it)",
            "value": _offer(),
        }
    }


def patch_examples() -> dict[str, dict[str, Any]]:
    later = _START + timedelta(days=7)
    return {
        "price": {"summary": "A new price", "value": {"price": "990.00"}},
        "dates": {
            "summary": "New dates (replace all dates)",
            "value": {
                "dates": [
                    {
                        "start_date": later.isoformat(),
                        "schedule": "evening",
                        "location": {"postcode": "44135", "city": "Dortmund"},
                    }
                ]
            },
        },
    }


def csv_import_example() -> str:
    return (
        "Angebots-ID;Titel;Kategorie;Bildungsart;Format;Beginn;Ende;PLZ;Ort;Preis;Förderung\n"
        f"fibu-1;Finanzbuchhaltung mit DATEV;Buchhaltung, Steuern und Finanzen;"
        f"Anpassungsweiterbildung;Präsenz;{_START:%d.%m.%Y};{_END:%d.%m.%Y};44787;Bochum;"
        "1.290,00;Bildungsgutschein\n"
    )


def openqcat_import_example() -> str:
    start, end = f"{_START}T00:00:00", f"{_END}T00:00:00"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OPENQCAT version="1.1">
<HEADER><SUPPLIER><SUPPLIER_NAME>Bildungswerk Ruhr</SUPPLIER_NAME></SUPPLIER></HEADER>
<UPDATE_CATALOG seq_number="1"><NEW>
<SERVICE mode="new"><PRODUCT_ID>FIBU-01</PRODUCT_ID><COURSE_TYPE>5</COURSE_TYPE>
<SERVICE_DETAILS><TITLE>Finanzbuchhaltung mit DATEV</TITLE>
<DESCRIPTION_LONG>Doppelte Buchführung und DATEV.</DESCRIPTION_LONG>
<SERVICE_MODULE><EDUCATION type="true"><COURSE_ID>FIBU-01</COURSE_ID>
<EXTENDED_INFO><INSTRUCTION_FORM type="101"/><EDUCATION_TYPE type="104"/>
<TEACHING_LANGUAGES>deu</TEACHING_LANGUAGES></EXTENDED_INFO><MODULE_COURSE/></EDUCATION>
</SERVICE_MODULE></SERVICE_DETAILS>
<SERVICE_CLASSIFICATION><FEATURE><FNAME>C 0215-10-10</FNAME><FVALUE>Buchhaltung</FVALUE>
</FEATURE></SERVICE_CLASSIFICATION></SERVICE>
<SERVICE mode="new"><PRODUCT_ID>FIBU-01-T1</PRODUCT_ID><COURSE_TYPE>5</COURSE_TYPE>
<SERVICE_DETAILS><TITLE>Finanzbuchhaltung mit DATEV</TITLE>
<SERVICE_DATE><START_DATE>{start}</START_DATE><END_DATE>{end}</END_DATE></SERVICE_DATE>
<SERVICE_MODULE><EDUCATION type="false"><COURSE_ID>FIBU-01</COURSE_ID>
<EXTENDED_INFO><INSTRUCTION_FORM type="101"/><INSTRUCTION_TIME type="2"/></EXTENDED_INFO>
<MODULE_COURSE><LOCATION><NAME>Bildungszentrum</NAME><STREET>Kortumstraße 1</STREET>
<ZIP>44787</ZIP><CITY>Bochum</CITY></LOCATION></MODULE_COURSE></EDUCATION>
</SERVICE_MODULE></SERVICE_DETAILS></SERVICE>
</NEW></UPDATE_CATALOG></OPENQCAT>
"""


def import_request_body() -> dict[str, Any]:
    """The imports route reads its body itself: the file as the raw body or as multipart."""
    text = {"type": "string"}
    return {
        "requestBody": {
            "required": True,
            "description": "An open-Qcat XML or CSV file: the raw body, or multipart field `file`",
            "content": {
                "text/csv": {"schema": text, "example": csv_import_example()},
                "application/xml": {"schema": text, "example": openqcat_import_example()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
            },
        }
    }


def portal_examples() -> dict[str, dict[str, Any]]:
    return {
        "city": {
            "summary": "A city's portal: postcode prefixes and a radius, with counselling",
            "value": {
                "slug": "bochum",
                "name": "Weiterbildung in Bochum",
                "postcode_prefixes": ["447", "448"],
                "center_postcode": "44787",
                "radius_km": 30,
                "moderation": "trusted_publish",
                "languages": ["de", "en"],
                "cors_origins": ["https://www.bochum.de"],
                "contacts": [
                    {
                        "name": "Weiterbildungsberatung VHS Bochum",
                        "phone": "0234 910-1555",
                        "email": "beratung@example.org",
                        "opening_hours": "Mo–Do 9–16 Uhr",
                    }
                ],
            },
        }
    }


def portal_patch_examples() -> dict[str, dict[str, Any]]:
    return {
        "review": {
            "summary": "Show only reviewed offers, and allow one more website",
            "value": {
                "moderation": "review_all",
                "cors_origins": ["https://www.bochum.de", "https://www.herne.de"],
            },
        }
    }


def contact_examples() -> dict[str, dict[str, Any]]:
    return {
        "counselling": {
            "summary": "A counselling contact (Weiterbildungsberatung)",
            "value": {
                "name": "Weiterbildungsberatung Agentur für Arbeit Bochum",
                "street": "Universitätsstraße 66",
                "postcode": "44789",
                "city": "Bochum",
                "phone": "0800 4 5555 00",
                "url": "https://www.arbeitsagentur.de",
            },
        }
    }
