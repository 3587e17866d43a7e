"""Benchmark: import generated 10k-offer open-Qcat and Open-vhs files into PostgreSQL, side by
side in one run; offers/s, rows written by the re-import, and RSS."""

import argparse
import os
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from app import db  # noqa: E402
from app.config import normalise_database_url  # noqa: E402
from app.migrations import upgrade  # noqa: E402

CITIES = [
    ("44787", "Bochum"),
    ("44135", "Dortmund"),
    ("45127", "Essen"),
    ("47051", "Duisburg"),
    ("48143", "Münster"),
    ("50667", "Köln"),
]
TOPICS = [
    ("Excel für Einsteiger", "C 1415-10"),
    ("Buchhaltung mit DATEV", "C 0215-10-10"),
    ("Pflegehilfe Grundkurs", "C 1025-10"),
    ("Englisch B1", "C 3425-10"),
    ("Staplerschein", "C 1618-10"),
    ("Führung für neue Teamleitungen", "C 3220-10"),
]


def service(i: int, today: date) -> str:
    title, code = TOPICS[i % len(TOPICS)]
    postcode, city = CITIES[i % len(CITIES)]
    start = today + timedelta(days=7 + i % 300)
    pid = f"bench-{i}"
    return f"""<SERVICE mode="new"><PRODUCT_ID>{pid}</PRODUCT_ID><COURSE_TYPE>5</COURSE_TYPE>
<SERVICE_DETAILS><TITLE>{escape(title)} ({i})</TITLE>
<DESCRIPTION_LONG>Kurs {i}: {escape(title)} mit Praxisanteil.</DESCRIPTION_LONG>
<KEYWORD>{escape(title.split()[0])}</KEYWORD>
<SERVICE_MODULE><EDUCATION type="true"><COURSE_ID>{pid}</COURSE_ID>
<EXTENDED_INFO><INSTITUTION type="2"/><INSTRUCTION_FORM type="101"/>
<FUNDING_TYPES_FEDERAL type="2"/><TEACHING_LANGUAGES>deu</TEACHING_LANGUAGES>
<EDUCATION_TYPE type="104"/></EXTENDED_INFO><MODULE_COURSE/></EDUCATION></SERVICE_MODULE>
</SERVICE_DETAILS>
<SERVICE_CLASSIFICATION><FEATURE><FNAME>{code}</FNAME><FVALUE>x</FVALUE></FEATURE>
</SERVICE_CLASSIFICATION>
<SERVICE_PRICE_DETAILS><SERVICE_PRICE><PRICE_AMOUNT>{500 + i % 2000}.00</PRICE_AMOUNT>
<PRICE_CURRENCY>EUR</PRICE_CURRENCY></SERVICE_PRICE></SERVICE_PRICE_DETAILS></SERVICE>
<SERVICE mode="new"><PRODUCT_ID>{pid}-T1</PRODUCT_ID><COURSE_TYPE>5</COURSE_TYPE>
<SERVICE_DETAILS><TITLE>{escape(title)}</TITLE><SERVICE_DATE>
<START_DATE>{start.isoformat()}T00:00:00</START_DATE>
<END_DATE>{(start + timedelta(days=30)).isoformat()}T00:00:00</END_DATE></SERVICE_DATE>
<SERVICE_MODULE><EDUCATION type="false"><COURSE_ID>{pid}</COURSE_ID>
<EXTENDED_INFO><INSTITUTION type="2"/><INSTRUCTION_FORM type="101"/>
<INSTRUCTION_TIME type="2"/><EDUCATION_TYPE type="104"/></EXTENDED_INFO>
<MODULE_COURSE><LOCATION><NAME>Bildungszentrum</NAME><STREET>Hauptstraße {i % 90 + 1}</STREET>
<ZIP>{postcode}</ZIP><CITY>{city}</CITY></LOCATION><FLEXIBLE_START>false</FLEXIBLE_START>
</MODULE_COURSE></EDUCATION></SERVICE_MODULE></SERVICE_DETAILS></SERVICE>
"""


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


def generate_openvhs(path: Path, count: int) -> None:
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


def _rows_written(session: Any) -> int:
    """Audit and outbox rows: every write of an offer adds one of each."""
    return int(
        session.execute(
            text("SELECT (SELECT count(*) FROM audit_entry) + (SELECT count(*) FROM outbox)")
        ).scalar_one()
    )


def generate(path: Path, count: int) -> None:
    today = date.today()
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?><OPENQCAT version="1.1"><HEADER>'
            "<CATALOG><LANGUAGE>deu</LANGUAGE><CATALOG_ID>bench</CATALOG_ID>"
            "<CATALOG_VERSION>1</CATALOG_VERSION></CATALOG><SUPPLIER>"
            '<SUPPLIER_ID type="supplier_specific">1</SUPPLIER_ID>'
            "<SUPPLIER_NAME>Benchmark-Akademie</SUPPLIER_NAME><ADDRESS/>"
            '<EXTENDED_INFO input_type="0"/></SUPPLIER></HEADER><NEW_CATALOG>'
        )
        for i in range(count):
            out.write(service(i, today))
        out.write("</NEW_CATALOG></OPENQCAT>")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    url = normalise_database_url(
        os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    schema = "import_bench"
    admin_engine = db.build_engine(url)
    if db.is_postgres(admin_engine):
        with admin_engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in url else "?"
        url = f"{url}{sep}options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        engine = db.build_engine(url)
        from app.models.organisation import OrganisationIn
        from app.services.auth import Actor
        from app.services.interop import import_file
        from app.services.organisations import create_organisation

        files = {
            "open-Qcat": (Path("/tmp/import_bench.xml"), generate),
            "Open-vhs": (Path("/tmp/import_bench_openvhs.xml"), generate_openvhs),
        }
        load = os.getloadavg()[0]
        print(f"1-minute load average before: {load:.2f} (2 cores)")
        for name, (path, make) in files.items():
            with db.session_scope(engine) as session:
                org = create_organisation(
                    session=session,
                    actor=Actor.system("bench"),
                    data=OrganisationIn(name=f"Benchmark {name}", kind="provider", trusted=True),
                )
                org_id = org.id
            make(path, args.count)
            print(f"{name}: generated {args.count} offers, {path.stat().st_size / 1e6:.1f} MB")
            for label in ("first import", "re-import"):
                with db.session_scope(engine) as session:
                    rows_before = _rows_written(session)
                started, cpu = time.perf_counter(), time.process_time()
                with db.session_scope(engine) as session, open(path, "rb") as stream:
                    report = import_file(
                        session=session,
                        actor=Actor.system("bench"),
                        organisation_id=org_id,
                        stream=stream,
                    )
                elapsed = time.perf_counter() - started
                cpu = time.process_time() - cpu
                with db.session_scope(engine) as session:
                    written = _rows_written(session) - rows_before
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(
                    f"  {label}: {report.created} created, {report.unchanged} unchanged, "
                    f"{report.failed} failed in {elapsed:.1f}s = {args.count / elapsed:,.0f} "
                    f"offers/s ({cpu:.1f} s CPU in this process); {written} audit/outbox rows "
                    f"written; peak RSS so far {rss:.0f} MB"
                )
        print(f"1-minute load average after: {os.getloadavg()[0]:.2f}")
        engine.dispose()
    finally:
        if db.is_postgres(admin_engine):
            with admin_engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin_engine.dispose()


if __name__ == "__main__":
    main()
