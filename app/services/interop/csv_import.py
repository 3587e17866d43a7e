"""CSV import: one row per date, offer columns repeated, German or English headers and values."""

import csv
import io
import math
import re
from collections.abc import Callable, Generator, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import IO, Any

from pydantic import TypeAdapter, ValidationError

from app.codelists import (
    CATEGORY_LABELS,
    EDUCATION_TYPE_LABELS,
    FORMAT_LABELS,
    FUNDING_LABELS,
    LANGUAGE_LABELS,
    SCHEDULE_LABELS,
)
from app.errors import error_message
from app.geo import known_centre
from app.models.language_codes import language_code
from app.models.offer import ExternalId, OfferFields
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


# The amounts providers write: German `1.290,00`, `1.290`, `1.290,- €`, `100,-`, or with a
# decimal point `1290.00`, `1,290.00`; € / EUR / Euro before or after. Three digits after a
# single point are a thousands group (German `1.290`), one or two are cents (`12.50`); a bare
# `1,290` could be either and is refused. Anything else (`1E3`, `12abc`) is refused rather
# than read as some other number.
_CURRENCY = r"(?:€|EUR|Euro)"
_PRICE = re.compile(
    rf"(?:{_CURRENCY}\s*)?(?P<sign>-)?"
    r"(?:(?P<de>[0-9]{1,3}(?:[. \u00a0\u202f][0-9]{3})+|[0-9]+)"
    r"(?:,(?P<de_cents>[0-9]{1,2})|,[-–]{1,2})?"
    r"|(?P<en>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\.(?P<en_cents>[0-9]{1,2}))"
    rf"(?:\s*{_CURRENCY})?",
    re.IGNORECASE,
)


def parse_price(value: str) -> Decimal | None:
    """`1.290,00`, `1.290,- €`, `100 Euro`, `1290.00`, `1,290.00 €` → Decimal; empty → None."""
    value = value.strip()
    if not value:
        return None
    match = _PRICE.fullmatch(value)
    if match is None:
        raise _RowError(f"{value!r} is not an amount")
    if match["de"] is not None:
        whole, cents = re.sub(r"\D", "", match["de"]), match["de_cents"]
    else:
        whole, cents = match["en"].replace(",", ""), match["en_cents"]
    amount = Decimal(f"{whole}.{cents}" if cents else whole)
    return -amount if match["sign"] else amount


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


def _decode(raw: bytes) -> tuple[str, list[int]]:
    """The file's text, and the lines of an otherwise UTF-8 file that were read as Windows-1252."""
    utf8_declared = raw.startswith(b"\xef\xbb\xbf")
    if utf8_declared:
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), []
        except UnicodeDecodeError as exc:
            raise FileRejected(f"the file starts as UTF-16 but is not: {exc.reason}") from None
    if raw.startswith(b"\x1f\x8b") or raw.startswith(b"PK\x03\x04"):
        raise FileRejected(
            "the file is compressed (gzip or zip): unpack it and send the CSV or XML"
        )
    if b"\x00" in raw[:65536]:
        raise FileRejected("the file holds binary data: send a CSV text file or open-Qcat XML")
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    # Not UTF-8 as a whole. Decoding line by line keeps a UTF-8 file with a few Windows-1252
    # lines (rows pasted in from another export) readable: decoded as Windows-1252 throughout,
    # every umlaut of its UTF-8 lines, the headers' too, would turn into mojibake. Line breaks
    # are the same bytes in both encodings and never part of a UTF-8 sequence.
    parts: list[str] = []
    fallback: list[int] = []
    for number, line in enumerate(raw.splitlines(keepends=True), start=1):
        try:
            parts.append(line.decode("utf-8"))
            utf8_declared = utf8_declared or not line.isascii()
        except UnicodeDecodeError:
            parts.append(line.decode("cp1252", errors="replace"))
            fallback.append(number)
    # Without a line of UTF-8 beyond ASCII the file is a Windows-1252 file, as Excel saves it.
    return "".join(parts), fallback if utf8_declared else []


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


# The offer's own columns: COLUMNS lists them from the title to the first date column.
_NAMES = [name for name, _, _ in COLUMNS]
_OFFER_COLUMNS = tuple(_NAMES[_NAMES.index("title") : _NAMES.index("date_id")])
_EXTERNAL_ID: TypeAdapter[str] = TypeAdapter(ExternalId)


def _external_id_problem(value: str) -> str | None:
    """Why the API could not address an offer by this id (PUT /offers/external/{id}), if so."""
    try:
        _EXTERNAL_ID.validate_python(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        if error["type"] == "string_pattern_mismatch":
            return f"{value!r} contains a space: an id is one word, as the API addresses it"
        if error["type"] == "string_too_long":
            return f"{len(value)} characters; an id has at most {error['ctx']['max_length']}"
        return str(error["msg"]).removeprefix("Value error, ")
    return None


def _same_value(column: str, first: dict[str, Any], later: dict[str, Any]) -> bool:
    """Whether two rows' readings of an offer column agree (a cell that failed agrees with none)."""
    if column.startswith("contact_"):
        key = column.removeprefix("contact_")
        return bool(first["contact"].get(key) == later["contact"].get(key))
    return column in first and column in later and first[column] == later[column]


class _Group:
    def __init__(self, external_id: str, line: int) -> None:
        self.external_id = external_id
        self.line = line
        self.first_row: dict[str, str] = {}
        self.offer: dict[str, Any] = {}
        self.offer_failed: set[str] = set()
        self.dates: list[dict[str, Any]] = []
        self.date_lines: list[int] = []
        self.date_failed: list[set[str]] = []
        self.problems = _Problems()

    def add_row(self, row: dict[str, str], line: int) -> None:
        cells = _Reader(row, line, self.problems)
        if line == self.line:
            if (problem := _external_id_problem(self.external_id)) is not None:
                self.problems.add(line, "external_id", problem)
            self.first_row = row
            self.offer = _offer_values(cells)
            self.offer_failed = set(cells.failed)
            cells.failed.clear()
        else:
            self._compare_offer_cells(row, line)
        values = _date_values(cells, self.offer.get("format"))
        if values is not None:
            self.dates.append(values)
            self.date_lines.append(line)
            self.date_failed.append(set(cells.failed))

    def _compare_offer_cells(self, row: dict[str, str], line: int) -> None:
        """A later row may leave the offer's columns empty; a value there that differs from the
        first row's would be ignored, so it fails the offer instead."""
        later: dict[str, Any] | None = None
        for column in _OFFER_COLUMNS:
            value, first = row.get(column, ""), self.first_row.get(column, "")
            if not value or value == first:
                continue
            if later is None:
                # Read for comparing only: "Präsenz" and "in_person" agree, 100 and 100,00 too.
                later = _offer_values(_Reader(row, line, _Problems()))
            if _same_value(column, self.offer, later):
                continue
            self.problems.add(
                line,
                column,
                f"{value!r} differs from line {self.line} ({first!r}); "
                "the rows of one offer must agree on its columns",
            )

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
                # Worded as the API words it (app.errors), "required" for an empty cell.
                message = "required" if err.get("type") == "missing" else error_message(err)
                self.problems.add(where[0], where[1], message)
            fields = None
        if self.problems.items or fields is None:
            return FailedRecord(self.external_id, self.line, self.problems.text())
        return OfferRecord(self.external_id, self.line, fields)


class _Lines:
    """The text's lines for the csv reader (CR, LF or CRLF ended), and which of them made the
    row it read last: the reader takes a line only when it needs one."""

    def __init__(self, text: str) -> None:
        self._lines = iter(io.StringIO(text, newline=""))
        self._count = 0
        self._row: list[str] = []
        self.ended = False  # the reader asked past the last line

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = next(self._lines, None)
        if line is None:
            self.ended = True
            raise StopIteration
        self._count += 1
        self._row.append(line)
        return line

    def take_row(self) -> tuple[int, list[str]]:
        """The number of the first line of the row read last, and its lines."""
        row, self._row = self._row, []
        return self._count - len(row) + 1, row


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def parse_csv(stream: IO[bytes]) -> Iterator[Record]:
    """Rows of one offer must follow each other; an id seen again later fails that row."""
    # CSV files are read whole: the encoding must be known before the first row is decoded.
    text, not_utf8 = _decode(stream.read())
    for number in not_utf8:
        yield WarningRecord(
            None,
            number,
            "this line is not UTF-8 like the rest of the file: read as Windows-1252, check "
            "its umlauts (save the file as UTF-8 to be sure)",
        )
    # The sniffer looks for the delimiter line by line, and knows only LF as a line's end.
    sample = _LINE_BREAK.sub("\n", text[:20_000])
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        # A subclass: csv.excel itself stays as it is.
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        dialect = type("Fallback", (csv.excel,), {"delimiter": delimiter})
    lines = _Lines(text)
    # Doubled quotes in a quoted cell are one quote, as every spreadsheet writes them; the
    # sniffer turns that off when its sample happens to hold none.
    reader = csv.reader(lines, dialect, doublequote=True)
    try:
        yield from _records(reader, lines)
    except csv.Error as exc:
        # A field over the csv module's limit (131,072 characters), a NUL, a broken quote.
        first, row = lines.take_row()
        if len(row) > 1:
            raise FileRejected(
                f"the CSV file cannot be read: {exc}; the row starting here runs over "
                f"{len(row)} lines: is a quote ({dialect.quotechar}) in it not closed?",
                line=first,
            ) from None
        raise FileRejected(f"the CSV file cannot be read: {exc}", line=reader.line_num) from None


def _check_quotes(
    cells: list[str], row: list[str], first: int, *, dialect: Any, ended: bool
) -> None:
    """Refuse a row whose cell runs over line ends because a quote was never closed.

    Such a cell swallows the rows after it, up to the end of the file or to the next quote,
    and those offers would vanish without a word. A quoted cell may hold line breaks (a
    description in paragraphs), so what gives the runaway away is how the cell ends: the file
    ends inside the quote, or a quote closes in the middle of a cell on a later line than the
    one the cell began on (where the csv module in strict mode stops).
    """
    broken = max(i for i, cell in enumerate(cells) if _LINE_BREAK.search(cell))
    opened = first + sum(len(_LINE_BREAK.findall(cell)) for cell in cells[:broken])
    # Inside a quote at the end of the file, the line ends given after it join the cell.
    unclosed = ended and len(list(csv.reader([*row, "\n", "\n"], dialect))) == 1
    if not unclosed:
        strict = csv.reader(row, dialect, strict=True)
        try:
            for _ in strict:
                pass
        except csv.Error:
            # On the opening line itself it is a stray quote (`"Excel" kompakt`), read as text.
            unclosed = first + strict.line_num - 1 > opened
    if not unclosed:
        return
    reach = (
        "run to the end of the file"
        if ended
        else f"take in the lines up to line {first + len(row) - 1}"
    )
    quote = dialect.quotechar
    raise FileRejected(
        f"the quote ({quote}) that opens a cell in this line is not closed: the cell would "
        f"{reach}, and the rows in it would be lost. Close the quote, or write a quote "
        f"inside a quoted cell twice ({quote}{quote})",
        line=opened,
    )


def _records(reader: Any, lines: _Lines) -> Iterator[Record]:
    names = yield from _column_names(reader)
    lines.take_row()
    group: _Group | None = None
    finished: set[str] = set()
    for cells in reader:
        index, raw = lines.take_row()
        if any(_LINE_BREAK.search(cell) for cell in cells):
            _check_quotes(cells, raw, index, dialect=reader.dialect, ended=lines.ended)
        if not any(c.strip() for c in cells):
            continue
        row = {n: c.strip() for n, c in zip(names, cells, strict=False) if n}
        ext = row.get("external_id", "")
        if any(c.strip() for c in cells[len(names) :]):
            yield WarningRecord(
                ext or None,
                index,
                f"{len(cells)} cells but {len(names)} columns: the cells after the last "
                "column are ignored",
            )
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
        if name is not None and name in names:
            # Which of the two columns would win is an accident of their order: refuse.
            before = headers[names.index(name)]
            raise FileRejected(
                f"the columns {before!r} and {header!r} both fill {_HEADER[name]}: "
                "keep one of them",
                line=1,
            )
        names.append(name)
    if "external_id" not in names or "title" not in names:
        raise FileRejected(
            "the CSV needs the columns Angebots-ID (external_id) and Titel (title)", line=1
        )
    return names
