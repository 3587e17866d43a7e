"""Small Open-vhs files for tests: one `veranstaltung` per call, dates relative to today."""

import json
from datetime import date, timedelta
from typing import Any
from xml.sax.saxutils import escape

NAMESPACE = "http://www.dvv-vhs.de/Open-VHS"


def course_xml(
    guid: str,
    name: str = "Englisch B1 – Konversation",
    *,
    days_ahead: int = 30,
    dvv: str | None = "4.06",
    level: str | None = None,
    postcode: str | None = "44787",
    city: str = "Bochum",
    price: str | None = "80.0",
    extra: str = "",
    sessions: int = 2,
    start_time: str = "18:00:00+01:00",
    end_date: str | None = None,
) -> str:
    start = date.today() + timedelta(days=days_ahead)
    end = start + timedelta(days=7 * (sessions - 1))
    parts = [f"<guid>{escape(guid)}</guid>", f"<nummer>N-{escape(guid)}</nummer>"]
    if name:
        parts.append(f"<name><![CDATA[{name}]]></name>")
    if dvv:
        parts.append(f'<dvv_kategorie version="2.0">{dvv}</dvv_kategorie>')
    if level:
        parts.append(f"<level>{escape(level)}</level>")
    parts.append(f"<beginn_datum>{start.isoformat()}</beginn_datum>")
    parts.append(f"<ende_datum>{end_date or end.isoformat()}</ende_datum>")
    parts.append("<text><eigenschaft>text</eigenschaft><text>Ein Kurs.</text></text>")
    if postcode:
        parts.append(
            "<veranstaltungsort><name>VHS-Haus</name><adresse><land>Deutschland</land>"
            f"<plz>{postcode}</plz><ort>{escape(city)}</ort><strasse>Markt 1</strasse>"
            "</adresse></veranstaltungsort>"
        )
    for n in range(sessions):
        day = start + timedelta(days=7 * n)
        parts.append(
            f"<termin><beginn_datum>{day.isoformat()}</beginn_datum>"
            f"<beginn_uhrzeit>{start_time}</beginn_uhrzeit></termin>"
        )
    if price is not None:
        parts.append(f"<preis><betrag>{price}</betrag></preis>")
    parts.append(extra)
    return "<veranstaltung>" + "".join(parts) + "</veranstaltung>"


def programme(*courses: str, version: str = "1.2", namespace: str = NAMESPACE) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<openvhs:veranstaltungen version="{version}" xmlns:openvhs="{namespace}">'
        "<export><ersteller><guid>VHS</guid><name>vhs Test</name></ersteller></export>"
        + "\n".join(courses)
        + "</openvhs:veranstaltungen>"
    ).encode()


def berlin_json(courses: list[dict[str, Any]]) -> bytes:
    return json.dumps({"veranstaltungen": {"veranstaltung": courses}}, ensure_ascii=False).encode()
