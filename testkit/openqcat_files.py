"""Generated open-Qcat deliveries: any number of offers with one date each, for the import
tests and bench/import_bench.py."""

from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

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


def write_openqcat_file(path: Path, count: int, *, first: int = 0) -> None:
    """A full delivery of `count` offers (numbered from `first`), each with one date."""
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
        for i in range(first, first + count):
            out.write(service(i, today))
        out.write("</NEW_CATALOG></OPENQCAT>")
