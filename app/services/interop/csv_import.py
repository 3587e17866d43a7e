"""CSV import: one row per date, offer columns repeated, German or English headers and values."""

import csv
import io
import math
import re
from collections.abc import Callable, Generator, Iterator
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from pydantic import ValidationError

from app.codelists import (
    CATEGORY_LABELS,
    EDUCATION_TYPE_LABELS,
    FORMAT_LABELS,
    FUNDING_LABELS,
    LANGUAGE_LABELS,
    SCHEDULE_LABELS,
)
from app.geo import known_centre
from app.models.language_codes import language_code
from app.models.offer import OfferFields
from app.services.interop.report import (
    FailedRecord,
    FileRejected,
    OfferRecord,
    Record,
    WarningRecord,
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
    ("languages", "Sprachen", "ISO 639-2 (deu) or 639-1 (de) codes or German names, by |"),
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
    ("lat", "Breitengrad", "latitude, e.g. 51.4818 (empty: the centre of the PLZ)"),
    ("lon", "Längengrad", "longitude, e.g. 7.2162 (empty: the centre of the PLZ)"),
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
    "latitude": "lat",
    "breite": "lat",
    "longitude": "lon",
    "lng": "lon",
    "laenge": "lon",
}


def _key(header: str) -> str:
    text = header.strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]", "", text)


_HEADER: dict[str, str] = {name: german for name, german, _ in COLUMNS}
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


def _code(value: str, table: dict[str, str], labels: dict[str, str]) -> str:
    code = table.get(_key(value))
    if code is None:
        allowed = "; ".join(labels.values())
        raise _RowError(f"unknown value {value!r}; allowed: {allowed} (or their codes)")
    return code


def _language(value: str) -> str:
    code = _LANGUAGE.get(_key(value))
    if code is not None:
        return code
    try:
        return language_code(value)
    except ValueError as exc:
        raise _RowError(str(exc)) from None


def _list(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[|;]", value) if part.strip()]


def parse_date(value: str, what: str = "") -> date | None:
    value = value.strip()
    if not value:
        return None
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value)
    try:
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return date.fromisoformat(value)
    except ValueError:
        raise _RowError(f"{value!r} is not a date (DD.MM.YYYY or YYYY-MM-DD)") from None


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
        amount = Decimal(text)
    except InvalidOperation:
        raise _RowError(f"{value!r} is not an amount") from None
    if not amount.is_finite():
        raise _RowError(f"{value!r} is not an amount")
    return amount


def _whole(value: str) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", value.strip()):
        raise _RowError(f"{value!r} is not a whole number")
    return int(value)


def _decimal_degrees(value: str) -> float:
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        raise _RowError(f"{value!r} is not a number (decimal degrees, e.g. 51.4818)") from None
    if not math.isfinite(number):
        raise _RowError(f"{value!r} is not a number (decimal degrees, e.g. 51.4818)")
    return number


def _yes(value: str) -> bool:
    return _key(value) in ("ja", "yes", "true", "1", "x", "wahr")


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileRejected(f"the file starts as UTF-8 but is not: {exc.reason}") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileRejected(f"the file starts as UTF-16 but is not: {exc.reason}") from None
    if raw.startswith(b"\x1f\x8b") or raw.startswith(b"PK\x03\x04"):
        raise FileRejected(
            "the file is compressed (gzip or zip): unpack it and send the CSV or XML"
        )
    if b"\x00" in raw[:65536]:
        raise FileRejected("the file holds binary data: send a CSV text file or open-Qcat XML")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def template_csv(*, today: date | None = None) -> str:
    """An empty CSV with the German headers and one example row whose dates lie ahead."""
    today = today or date.today()
    # The first of a month at least two months ahead, so the example imports as it is.
    start = date(today.year + (today.month + 1) // 12, (today.month + 1) % 12 + 1, 1)
    end = start + timedelta(days=60)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([german for _, german, _ in COLUMNS])
    example = {
        "external_id": f"FIBU-{start.year}",
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
        "start_date": start.strftime("%d.%m.%Y"),
        "end_date": end.strftime("%d.%m.%Y"),
        "schedule": "Teilzeit",
        "postcode": "44787",
        "city": "Bochum",
        "street": "Kortumstraße 1",
        "location_name": "Bildungszentrum",
    }
    writer.writerow([example.get(name, "") for name, _, _ in COLUMNS])
    return out.getvalue()


class _Problems:
    """Every problem of one offer's rows, so that one run reports them all."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str | None, str]] = []

    def add(self, line: int, column: str | None, message: str) -> None:
        self.items.append((line, column, message))

    def text(self) -> str:
        return "; ".join(
            f"line {line}, {_HEADER[column]}: {message}" if column else f"line {line}: {message}"
            for line, column, message in self.items
        )


class _Reader:
    """Reads the cells of one row into values; a cell that cannot be read is noted as a
    problem of its column and left out, and the rest is read on."""

    def __init__(self, row: dict[str, str], line: int, problems: _Problems) -> None:
        self.row = row
        self.line = line
        self.problems = problems
        self.failed: set[str] = set()

    def text(self, column: str) -> str:
        return self.row.get(column, "")

    def read(self, column: str, convert: Callable[[str], Any], default: str = "") -> Any:
        """`convert` of the cell (or of `default` when it is empty); None when it failed."""
        value = self.row.get(column, "") or default
        if not value:
            return None
        try:
            return convert(value)
        except _RowError as exc:
            self.problems.add(self.line, column, str(exc))
            self.failed.add(column)
            return None

    def read_list(self, column: str, convert: Callable[[str], str]) -> list[str]:
        found = []
        for part in _list(self.row.get(column, "")):
            try:
                found.append(convert(part))
            except _RowError as exc:
                self.problems.add(self.line, column, str(exc))
                self.failed.add(column)
        return found


def _offer_values(cells: _Reader) -> dict[str, Any]:
    text = cells.text
    contact = {
        k: v
        for k, v in (
            ("name", text("contact_name")),
            ("email", text("contact_email")),
            ("phone", text("contact_phone")),
        )
        if v
    }
    values: dict[str, Any] = {
        "title": text("title"),
        "description": text("description"),
        "keywords": _list(text("keywords")),
        "category": cells.read("category", lambda v: _code(v, _CATEGORY, CATEGORY_LABELS)),
        "education_type": cells.read(
            "education_type",
            lambda v: _code(v, _EDUCATION_TYPE, EDUCATION_TYPE_LABELS),
            "anpassungsweiterbildung",
        ),
        "format": cells.read("format", lambda v: _code(v, _FORMAT, FORMAT_LABELS), "in_person"),
        "languages": cells.read_list("languages", _language) or ["deu"],
        "funding": cells.read_list("funding", lambda v: _code(v, _FUNDING, FUNDING_LABELS)),
        "price": cells.read("price", parse_price),
        "price_note": text("price_note") or None,
        "duration_hours": cells.read("duration_hours", _whole),
        "degree": text("degree") or None,
        "awarding_body": text("awarding_body") or None,
        "target_groups": _list(text("target_groups")),
        "entry_requirements": text("entry_requirements") or None,
        "url": text("url") or None,
        "contact": contact,
        "visible_from": cells.read("visible_from", parse_date),
        "visible_until": cells.read("visible_until", parse_date),
        "barrier_free": _yes(text("barrier_free")),
        "childcare": _yes(text("childcare")),
    }
    # A cell that could not be read is reported already; the model must not call it missing.
    return {k: v for k, v in values.items() if k not in cells.failed}


def _date_values(cells: _Reader, offer_format: str | None) -> dict[str, Any] | None:
    text = cells.text
    if not any(text(k) for k in ("start_date", "postcode", "city", "date_id", "end_date")):
        return None
    postcode = text("postcode")
    location = None
    if postcode or text("city"):
        lat = cells.read("lat", _decimal_degrees)
        lon = cells.read("lon", _decimal_degrees)
        unplaced = lat is None and lon is None and re.fullmatch(r"\d{5}", postcode)
        if unplaced and known_centre(postcode) is None:
            cells.problems.add(
                cells.line,
                "postcode",
                f"unknown postcode {postcode}; correct it, or fill in Breitengrad and Längengrad",
            )
            cells.failed.add("postcode")
        location = {
            "name": text("location_name") or None,
            "street": text("street") or None,
            "postcode": postcode,
            "city": text("city"),
            "lat": lat,
            "lon": lon,
        }
    start = cells.read("start_date", parse_date)
    values = {
        "external_id": text("date_id") or None,
        "start_date": start,
        "end_date": cells.read("end_date", parse_date),
        "flexible_start": start is None,
        "schedule": cells.read(
            "schedule", lambda v: _code(v, _SCHEDULE, SCHEDULE_LABELS), "full_time"
        ),
        "schedule_note": text("schedule_note") or None,
        "registration_deadline": cells.read("registration_deadline", parse_date),
        "seats": cells.read("seats", _whole),
        "online": location is None and offer_format == "online",
        "location": location,
    }
    return {k: v for k, v in values.items() if k not in cells.failed}


# Where a field of OfferFields comes from in the file: its column (offer fields and date fields).
_OFFER_FIELD_COLUMN = {
    **{name: name for name, _, _ in COLUMNS},
    "contact.name": "contact_name",
    "contact.email": "contact_email",
    "contact.phone": "contact_phone",
}
_DATE_FIELD_COLUMN = {
    **{name: name for name, _, _ in COLUMNS},
    "external_id": "date_id",
    "location.name": "location_name",
    "location.street": "street",
    "location.postcode": "postcode",
    "location.city": "city",
    "location.lat": "lat",
    "location.lon": "lon",
}


def _column(loc: tuple[Any, ...], columns: dict[str, str]) -> str | None:
    names = [str(p) for p in loc if not isinstance(p, int)]
    return columns.get(".".join(names)) or (columns.get(names[0]) if names else None)


class _Group:
    def __init__(self, external_id: str, line: int) -> None:
        self.external_id = external_id
        self.line = line
        self.offer: dict[str, Any] = {}
        self.offer_failed: set[str] = set()
        self.dates: list[dict[str, Any]] = []
        self.date_lines: list[int] = []
        self.date_failed: list[set[str]] = []
        self.problems = _Problems()

    def add_row(self, row: dict[str, str], line: int) -> None:
        cells = _Reader(row, line, self.problems)
        if line == self.line:
            self.offer = _offer_values(cells)
            self.offer_failed = set(cells.failed)
            cells.failed.clear()
        values = _date_values(cells, self.offer.get("format"))
        if values is not None:
            self.dates.append(values)
            self.date_lines.append(line)
            self.date_failed.append(set(cells.failed))

    def _where(self, loc: tuple[Any, ...]) -> tuple[int, str | None] | None:
        """The line and column of a model error; None when that cell is reported already."""
        if len(loc) > 1 and loc[0] == "dates" and isinstance(loc[1], int):
            index = loc[1]
            if index >= len(self.date_lines):
                return self.line, None
            column = _column(loc[2:], _DATE_FIELD_COLUMN)
            if column in self.date_failed[index]:
                return None
            return self.date_lines[index], column
        column = _column(loc, _OFFER_FIELD_COLUMN)
        return None if column in self.offer_failed else (self.line, column)

    def record(self) -> Record:
        try:
            fields = OfferFields.model_validate({**self.offer, "dates": self.dates})
        except ValidationError as exc:
            for err in exc.errors():
                where = self._where(tuple(err.get("loc", ())))
                if where is None:
                    continue
                message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
                if err.get("type") == "missing":
                    message = "required"
                self.problems.add(where[0], where[1], message)
            fields = None
        if self.problems.items or fields is None:
            return FailedRecord(self.external_id, self.line, self.problems.text())
        return OfferRecord(self.external_id, self.line, fields)


def parse_csv(stream: IO[bytes]) -> Iterator[Record]:
    """Rows of one offer must follow each other; an id seen again later fails that row."""
    # CSV files are read whole: the encoding must be known before the first row is decoded.
    text = _decode(stream.read())
    sample = text[:20_000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        # A subclass: csv.excel itself stays as it is.
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        dialect = type("Fallback", (csv.excel,), {"delimiter": delimiter})
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        yield from _records(reader)
    except csv.Error as exc:
        # A field over the csv module's limit (131,072 characters), a NUL, a broken quote.
        raise FileRejected(f"the CSV file cannot be read: {exc}", line=reader.line_num) from None


def _records(reader: Any) -> Iterator[Record]:
    names = yield from _column_names(reader)
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
            group = _Group(ext, index)
        group.add_row(row, index)
    if group is not None:
        yield group.record()


def _column_names(reader: Any) -> Generator[Record, None, list[str | None]]:
    """The field each column fills (None: ignored, with a warning if it had a header)."""
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
    return names
