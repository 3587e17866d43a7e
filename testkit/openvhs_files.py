"""Generated Open-vhs deliveries: single courses for the import tests (dates relative to
today), a rich 10k-course programme for bench/import_bench.py, the Berlin JSON shape."""

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from testkit.openqcat_files import CITIES

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


VHS_TOPICS = [
    ("Englisch A2 am Vormittag", "4.06", "A2"),
    ("Tabellenkalkulation für den Büroalltag", "5.01", "Einsteiger"),
    ("Rücken fit – Bewegung für den Arbeitsalltag", "3.02", ""),
    ("Aquarellmalerei", "2.04", ""),
    ("Spanisch B1 Konversation", "4.09", "B1.2"),
    ("Hauptschulabschluss nachholen", "6.02", ""),
]


def course(i: int, today: date) -> str:
    """One Open-vhs veranstaltung as rich as a real one: texts, 8 sessions, place, price."""
    title, dvv, level = VHS_TOPICS[i % len(VHS_TOPICS)]
    postcode, city = CITIES[i % len(CITIES)]
    start = today + timedelta(days=7 + i % 300)
    kind = "blended_learning" if i % 5 == 0 else "praesenz"
    sessions = "".join(
        f"<termin><beginn_datum>{(start + timedelta(days=7 * n)).isoformat()}</beginn_datum>"
        "<beginn_uhrzeit>18:00:00+01:00</beginn_uhrzeit>"
        "<ende_uhrzeit>19:30:00+01:00</ende_uhrzeit></termin>"
        for n in range(8)
    )
    return f"""<veranstaltung><guid>bench-vhs-{i}</guid><nummer>K{i:05d}</nummer>
<name><![CDATA[{title} ({i})]]></name><untertitel>Kurs {i}</untertitel>
<dvv_kategorie version="2.0">{dvv}</dvv_kategorie>
<merkmale><merkmal><name>kursart_digital</name><wert>{kind}</wert></merkmal></merkmale>
{f"<level>{level}</level>" if level else ""}
<minimale_teilnehmerzahl>6</minimale_teilnehmerzahl>
<aktuelle_teilnehmerzahl>{i % 13}</aktuelle_teilnehmerzahl>
<maximale_teilnehmerzahl>12</maximale_teilnehmerzahl><anzahl_termine>8</anzahl_termine>
<beginn_datum>{start.isoformat()}</beginn_datum><dauer>12</dauer>
<ende_datum>{(start + timedelta(days=49)).isoformat()}</ende_datum>
<zielgruppe>Erwachsene</zielgruppe><schlagwort>{escape(title.split()[0])}</schlagwort>
<text><eigenschaft>text</eigenschaft><text><![CDATA[<p>Kurs {i}: {title}.</p>
<p>Mit vielen Übungen &amp; Beispielen aus dem Alltag.</p>]]></text></text>
<veranstaltungsort><name>vhs-Haus</name><adresse><land>Deutschland</land>
<plz>{postcode}</plz><ort>{city}</ort><strasse>Hauptstraße {i % 90 + 1}</strasse></adresse>
<barrierefrei>true</barrierefrei></veranstaltungsort>{sessions}
<preis><betrag>{40 + i % 200}.00</betrag><rabatt_moeglich>true</rabatt_moeglich>
<zusatz>Ermäßigung mit Sozialpass</zusatz></preis>
<webadresse><typ>website</typ><uri>https://vhs.example/kurse/K{i:05d}</uri></webadresse>
</veranstaltung>
"""


def write_openvhs_file(path: Path, count: int) -> None:
    today = date.today()
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?><openvhs:veranstaltungen version="1.2" '
            'xmlns:openvhs="http://www.dvv-vhs.de/Open-VHS"><export><ersteller>'
            "<guid>bench</guid><name>vhs Benchmark</name></ersteller></export>"
        )
        for i in range(count):
            out.write(course(i, today))
        out.write("</openvhs:veranstaltungen>")
