"""Open-vhs vocabulary → offers: one `veranstaltung`, as plain data, becomes an offer record
(or a failure) with its warnings. The XML and the Berlin JSON reader (openvhs_import) both hand
their courses to `course_records`; docs/interop.md has the mapping as a table."""

import html
import re
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from pydantic import HttpUrl, TypeAdapter, ValidationError

from app.levels import MAX_LEVEL_LENGTH, normalise_level
from app.models.offer import MAX_DESCRIPTION, OfferFields
from app.services.interop import openvhs_codes as codes
from app.services.interop.report import (
    FailedRecord,
    OfferRecord,
    Record,
    WarningRecord,
    describe_validation_error,
)

Raw = dict[str, Any]

# --- text -------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Tags of the HTML that VHS systems put into text blocks. Only these are taken for markup;
# anything else in angle brackets ("Tipps <für> zu Hause") is text and stays as written.
_HTML_TAGS = (
    "p|br|div|span|strong|b|i|em|u|s|ul|ol|li|a|h[1-6]|table|thead|tbody|tr|td|th|font|small|"
    "big|sup|sub|hr|blockquote|img|pre|code|center|section|article|header|footer|nav|label"
)
_HTML_TAG = re.compile(rf"(?i)</?(?:{_HTML_TAGS})(?:\s[^<>]*)?/?>")
_HTML_BREAK = re.compile(r"(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|tr|blockquote|pre)\s*>")
_SCRIPT = re.compile(r"(?is)<(script|style)\b[^>]*>.*?</\1\s*>")
_BLANK_LINES = re.compile(r"\n{3,}")
# Childcare is a reason to choose a course that VHS exports only say in their text.
_CHILDCARE = re.compile(r"(?i)(?<!keine )(?<!ohne )kinderbetreuung")
_URL = TypeAdapter(HttpUrl)


def _scalar(value: Any) -> str | None:
    """The text of a value: strings, numbers, `{"#text": …}` wrappers; the first of a list."""
    if isinstance(value, list):
        value = next((v for v in value if v not in (None, "", {})), None)
    if isinstance(value, dict):
        value = next(
            (value[k] for k in ("#text", "$", "value", "text", "name") if k in value), None
        )
        if isinstance(value, dict | list):
            return None
    if value is None or isinstance(value, bool):
        return None if value is None else str(value).lower()
    return str(value)


def line_of(value: Any) -> str | None:
    """One line of text: control characters gone, any whitespace run (CR, LF) one space."""
    if value is None:
        return None
    if type(value) is str and "&" not in value and value.isprintable():
        # Most values: one clean line already (a tenth of the import's mapping time).
        stripped = value.strip()
        if "  " not in stripped:
            return stripped or None
    text = value if type(value) is str else _scalar(value)
    if text is None:
        return None
    if "&" in text:
        text = html.unescape(text)
    if not text.isprintable():
        text = _CONTROL.sub("", text)
    text = " ".join(text.split())
    return text or None


def _block(value: Any) -> str | None:
    """A paragraph of plain text: known HTML tags removed (breaks kept), entities decoded."""
    text = _scalar(value)
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SCRIPT.sub("", text)
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_TAG.sub("", text)
    text = _CONTROL.sub("", html.unescape(text)).replace("\xa0", " ")
    lines = [" ".join(part.split()) for part in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text or None


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _bool(value: Any) -> bool | None:
    text = _scalar(value)
    if text is None:
        return None
    lowered = text.strip().lower()
    if lowered in ("true", "1", "ja", "yes", "j"):
        return True
    if lowered in ("false", "0", "nein", "no", "n"):
        return False
    return None


def _cut(value: str | None, limit: int, what: str, notes: "_Notes") -> str | None:
    if value is None or len(value) <= limit:
        return value
    notes.add(f"{what} is longer than {limit} characters; shortened")
    return value[: limit - 1].rstrip() + "…"


# --- dates, times, numbers --------------------------------------------------------------------

_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")


class _BadValue(ValueError):
    pass


def _date(value: Any, what: str) -> date | None:
    """`2027-03-02`, `2027-03-02T00:00:00+01:00`, `02.03.2027`; _BadValue if none of them."""
    if value is None:
        return None
    found = _date_of(value) if type(value) is str else _date_of(line_of(value))
    if found is _BAD:
        raise _BadValue(f"{what} {line_of(value)!r} is not a date")
    return found  # type: ignore[return-value]  # _BAD was refused above


_BAD = object()


# A programme repeats the same few hundred days and times thousands of times: each spelling
# is cleaned and parsed once.
@lru_cache(maxsize=8192)
def _date_of(value: str | None) -> date | None | object:
    text = line_of(value)
    if text is None:
        return None
    try:
        if len(text) >= 10 and text[4] == "-":
            return date.fromisoformat(text[:10])
        match = _GERMAN_DATE.match(text)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        pass
    return _BAD


def _time(value: Any) -> time | None:
    if value is None:
        return None
    found = _time_of(value) if type(value) is str else _time_of(line_of(value))
    if found is _BAD:
        raise _BadValue(f"time {line_of(value)!r} is not a time of day")
    return found  # type: ignore[return-value]  # _BAD was refused above


@lru_cache(maxsize=8192)
def _time_of(value: str | None) -> time | None | object:
    text = line_of(value)
    if text is None:
        return None
    match = _TIME.match(text)
    if match is None:
        return _BAD
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours == 24 and minutes == 0:
        return time(23, 59)
    try:
        return time(hours, minutes)
    except ValueError:
        return _BAD


def _number(value: Any) -> Decimal | None:
    text = line_of(value)
    if text is None:
        return None
    cleaned = text.replace("€", "").replace("EUR", "").strip()
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise _BadValue(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise _BadValue(f"{text!r} is not a number")
    return number


def _count(value: Any, what: str, notes: "_Notes") -> int | None:
    try:
        number = _number(value)
    except _BadValue as exc:
        notes.add(f"{what}: {exc}; ignored")
        return None
    if number is None:
        return None
    if number < 0 or number > 100_000 or number != number.to_integral_value():
        notes.add(f"{what} {number} is not a count of people or sessions; ignored")
        return None
    return int(number)


# --- mapping ----------------------------------------------------------------------------------


class _Failed(Exception):
    """The veranstaltung cannot become an offer; the message says why."""


@dataclass
class _Notes:
    items: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        if message not in self.items:
            self.items.append(message)


def _merkmale(raw: Raw, notes: _Notes) -> dict[str, str]:
    found: dict[str, str] = {}
    container = raw.get("merkmale")
    entries = _items(container.get("merkmal")) if isinstance(container, dict) else []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        name = (line_of(entry.get("name")) or "").lower()
        value = (line_of(entry.get("wert")) or "").lower()
        if not name:
            continue
        if name not in codes.KNOWN_MERKMALE:
            notes.add(f"unknown merkmal {name!r} (value {value!r}); ignored")
            continue
        found[name] = value
    return found


def _format(merkmale: dict[str, str], notes: _Notes) -> str | None:
    kind = merkmale.get("kursart_digital")
    if not kind:
        return None
    if kind in codes.DIGITAL_KIND_TO_FORMAT:
        return codes.DIGITAL_KIND_TO_FORMAT[kind]
    notes.add(f"unknown kursart_digital {kind!r}; read as in person")
    return None


def _dvv_category(raw: Raw, notes: _Notes) -> str | None:
    value = raw.get("dvv_kategorie")
    code = line_of(value)
    if code is None:
        notes.add("no dvv_kategorie; category guessed from the title")
        return None
    version = (
        line_of(value.get("@version") or value.get("version")) if isinstance(value, dict) else None
    )
    if version and version != codes.DVV_CATEGORY_VERSION:
        notes.add(f"dvv_kategorie version {version}; read as version {codes.DVV_CATEGORY_VERSION}")
    code = code.lstrip("0") if re.fullmatch(r"0\d(\.\d+)*", code) else code
    if not re.fullmatch(r"[1-9](\.[0-9]{1,3}){0,3}", code):
        notes.add(f"dvv_kategorie {code!r} is not a DVV category; category guessed from the title")
        return None
    if code[0] not in codes.DVV_AREA_TO_EDUCATION_TYPE:
        notes.add(f"dvv_kategorie {code!r} names no DVV programme area (1-6); kept as given")
    return code


@dataclass
class _Place:
    name: str | None
    street: str | None
    postcode: str
    city: str
    lat: float | None
    lon: float | None
    barrier_free: bool | None

    def as_location(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "street": self.street,
            "postcode": self.postcode,
            "city": self.city,
            "lat": self.lat,
            "lon": self.lon,
            "barrier_free": self.barrier_free,
        }


def _place(entry: Raw, name: str | None, barrier_free: bool | None, notes: _Notes) -> _Place | None:
    """A place from an `adresse` (XML: inside `veranstaltungsort`; Berlin: in `ortetermine`)."""
    postcode = line_of(entry.get("plz"))
    city = line_of(entry.get("ort"))
    street = line_of(entry.get("strasse"))
    if not postcode and not city and not street:
        return None
    if street and street.lower() in ("online", "internet", "virtuell"):
        return None
    country = (line_of(entry.get("land")) or "Deutschland").lower()
    if country not in ("deutschland", "de", "d", "deu", "germany"):
        notes.add(f"place in {country!r}, not Germany; place ignored")
        return None
    if not postcode or not re.fullmatch(r"\d{5}", postcode):
        notes.add(f"postcode {postcode!r} is not a German postcode; place ignored")
        return None
    if not city:
        notes.add("place without ort; place ignored")
        return None
    district = line_of(entry.get("ortsteil"))
    room = line_of(entry.get("raum"))
    label = name or line_of(entry.get("lehrstaette"))
    extras = [x for x in (room, district) if x and (label is None or x not in label)]
    if extras:
        label = f"{label} ({', '.join(extras)})" if label else ", ".join(extras)
    # Coordinates only when the file gives them (Berlin does); without them the offer service
    # places the location at its postcode's centre and marks it approximate.
    lat = lon = None
    given = (_scalar(entry.get("breitengrad")), _scalar(entry.get("laengengrad")))
    if given[0] and given[1]:
        try:
            lat, lon = float(given[0].replace(",", ".")), float(given[1].replace(",", "."))
        except ValueError:
            notes.add("breitengrad/laengengrad are not numbers; placed by the postcode")
        else:
            # Berlin's open data has places at (0, 0) and swapped pairs: keep only German ones.
            if not (47.0 <= lat <= 55.2 and 5.8 <= lon <= 15.1):
                notes.add(f"coordinates {lat}, {lon} are not in Germany; placed by the postcode")
                lat = lon = None
    accessible = _bool(entry.get("behindertenzugang"))
    return _Place(
        name=label[:200] if label else None,
        street=street[:200] if street else None,
        postcode=postcode,
        city=city[:100],
        lat=lat,
        lon=lon,
        barrier_free=barrier_free if barrier_free is not None else accessible,
    )


def _places(raw: Raw, notes: _Notes) -> list[_Place]:
    places: list[_Place] = []
    for venue in _items(raw.get("veranstaltungsort")):
        if not isinstance(venue, dict):
            continue
        barrier_free = _bool(venue.get("barrierefrei"))
        for address in _items(venue.get("adresse")) or [{}]:
            if isinstance(address, dict):
                place = _place(address, line_of(venue.get("name")), barrier_free, notes)
                if place is not None:
                    places.append(place)
    wrapper = raw.get("ortetermine")
    for block in _items(wrapper):
        if isinstance(block, dict):
            for address in _items(block.get("adresse")):
                if isinstance(address, dict):
                    place = _place(address, None, None, notes)
                    if place is not None:
                        places.append(place)
    distinct: dict[tuple[str, str | None], _Place] = {}
    for place in places:
        distinct.setdefault((place.postcode, (place.street or "").lower() or None), place)
    if len(distinct) > 1:
        notes.add(f"sessions at {len(distinct)} places; the first place is shown")
    return list(distinct.values())[:1]


@dataclass
class _Run:
    """The course run: first and last day, sessions, weekdays, schedule."""

    start: date | None
    end: date | None
    sessions: list[dict[str, Any]]
    weekdays: list[str]
    session_count: int | None
    schedule: str


def _sessions(raw: Raw, notes: _Notes) -> list[dict[str, Any]]:
    entries = list(_items(raw.get("termin")))
    for block in _items(raw.get("ortetermine")):
        if isinstance(block, dict):
            entries += _items(block.get("termin"))
    found: dict[tuple[date, time | None, time | None], dict[str, Any]] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        try:
            day = _date(entry.get("beginn_datum") or entry.get("datum"), "termin beginn_datum")
        except _BadValue as exc:
            notes.add(f"{exc}; session ignored")
            continue
        if day is None:
            notes.add("termin without beginn_datum; session ignored")
            continue
        start = end = None
        try:
            start = _time(entry.get("beginn_uhrzeit"))
            end = _time(entry.get("ende_uhrzeit"))
        except _BadValue as exc:
            notes.add(f"termin on {day.isoformat()}: {exc}; times ignored")
            start = end = None
        if start and end and end < start:
            notes.add(f"termin on {day.isoformat()} ends before it starts; end time ignored")
            end = None
        found.setdefault((day, start, end), {"date": day, "start_time": start, "end_time": end})
    return sorted(found.values(), key=lambda s: (s["date"], s["start_time"] or time(0)))


def _weekdays(raw: Raw, sessions: list[dict[str, Any]], notes: _Notes) -> list[str]:
    named: list[str] = []
    for value in _items(raw.get("wochentag")):
        word = (line_of(value) or "").lower().rstrip(".")
        if not word:
            continue
        if word in codes.WEEKDAYS:
            named.append(codes.WEEKDAYS[word])
        else:
            notes.add(f"wochentag {word!r} is not a weekday; ignored")
    from_sessions = [
        ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[s["date"].weekday()] for s in sessions
    ]
    return list(dict.fromkeys(named or from_sessions))


def _schedule(sessions: list[dict[str, Any]], weekdays: list[str], kind: str | None) -> str:
    """Evening when every session with a time starts at 17:00 or later; weekend when every day
    is a Saturday or Sunday; part time otherwise (a VHS course is taken beside other things)."""
    if kind and "bildungsurlaub" in kind.lower():
        return "full_time"
    starts = [s["start_time"] for s in sessions if s["start_time"] is not None]
    if starts and all(t >= time(17, 0) for t in starts):
        return "evening"
    if weekdays and set(weekdays) <= {"sat", "sun"}:
        return "weekend"
    return "part_time"


def _run(raw: Raw, notes: _Notes) -> _Run:
    try:
        start = _date(raw.get("beginn_datum"), "beginn_datum")
        end = _date(raw.get("ende_datum"), "ende_datum")
    except _BadValue as exc:
        raise _Failed(str(exc)) from None
    if start and end and end < start:
        raise _Failed(f"ende_datum {end.isoformat()} is before beginn_datum {start.isoformat()}")
    sessions = _sessions(raw, notes)
    if sessions:
        first, last = sessions[0]["date"], sessions[-1]["date"]
        if (start and first < start) or (end and last > end):
            notes.add("termine lie outside beginn_datum..ende_datum; the run spans them all")
        start = min(start, first) if start else first
        end = max(end, last) if end else last
    declared = _count(raw.get("anzahl_termine"), "anzahl_termine", notes)
    if declared is not None and declared < len(sessions):
        notes.add(f"anzahl_termine {declared} but {len(sessions)} termine listed; counted those")
        declared = len(sessions)
    weekdays = _weekdays(raw, sessions, notes)
    kind = line_of(raw.get("veranstaltungsart"))
    return _Run(
        start=start,
        end=end,
        sessions=sessions,
        weekdays=weekdays,
        session_count=declared if declared else (len(sessions) or None),
        schedule=_schedule(sessions, weekdays, kind),
    )


def _price(
    raw: Raw, merkmale: dict[str, str], notes: _Notes
) -> tuple[Decimal | None, str | None, bool]:
    """(amount, note, reduction possible)."""
    preis = next((p for p in _items(raw.get("preis")) if isinstance(p, dict)), {})
    note = _block(preis.get("zusatz"))
    reduction = bool(_bool(preis.get("rabatt_moeglich")))
    try:
        amount = _number(preis.get("betrag"))
    except _BadValue as exc:
        notes.add(f"preis betrag: {exc}; price on request")
        amount = None
    if amount is not None:
        if amount < 0:
            raise _Failed(f"preis betrag {amount} is negative")
        if amount > 1_000_000:
            notes.add(f"preis betrag {amount} is implausibly high; price on request")
            amount = None
        else:
            amount = amount.quantize(Decimal("0.01"))
    if merkmale.get("anmeldung_kostenlos") == "true":
        if not amount:
            amount = Decimal("0.00")
        else:
            # A stated price wins over the flag: nobody should be told "free" and then pay.
            notes.add(f"anmeldung_kostenlos but preis betrag {amount}; the price is kept")
            note = "Anmeldung kostenlos" + (f"; {note}" if note else "")
    return amount, note, reduction


def _participants(raw: Raw, notes: _Notes) -> tuple[int | None, int | None, int | None]:
    """(places, minimum, free places)."""
    seats = _count(raw.get("maximale_teilnehmerzahl"), "maximale_teilnehmerzahl", notes)
    minimum = _count(raw.get("minimale_teilnehmerzahl"), "minimale_teilnehmerzahl", notes)
    booked = _count(raw.get("aktuelle_teilnehmerzahl"), "aktuelle_teilnehmerzahl", notes)
    if seats is not None and minimum is not None and minimum > seats:
        notes.add(f"minimale_teilnehmerzahl {minimum} exceeds the {seats} places; ignored")
        minimum = None
    free = None
    if seats is not None and booked is not None:
        if booked > seats:
            notes.add(f"{booked} participants for {seats} places; shown as booked out")
        free = max(0, seats - booked)
    return seats, minimum, free


def _links(raw: Raw, notes: _Notes) -> tuple[str | None, list[dict[str, Any]]]:
    """The offer's web page and its other links (documents, pictures, registration)."""
    url: str | None = None
    links: list[dict[str, Any]] = []
    entries: list[tuple[Any, str | None]] = [(w, None) for w in _items(raw.get("webadresse"))]
    for anmeldung in _items(raw.get("anmeldung")):
        if isinstance(anmeldung, dict) and anmeldung.get("link"):
            entries.append(({"uri": anmeldung.get("link"), "name": "Anmeldung"}, "registration"))
    for entry, forced in entries:
        if not isinstance(entry, dict):
            continue
        uri = line_of(entry.get("uri") or entry.get("url"))
        if not uri:
            continue
        kind = forced or (line_of(entry.get("typ")) or "website").lower()
        try:
            checked = str(_URL.validate_python(uri))
        except ValidationError:
            notes.add(f"webadresse {uri[:100]!r} is not an http(s) address; ignored")
            continue
        if len(checked) > 1000:
            notes.add("webadresse longer than 1000 characters; ignored")
            continue
        if kind == "website":
            if url is None:
                url = checked
            continue
        if kind == "website_mobile":
            continue
        if kind not in codes.LINK_TYPES:
            notes.add(f"webadresse typ {kind!r} is unknown; listed as a link")
        name = line_of(entry.get("name"))
        links.append(
            {
                "url": checked,
                "name": name[:200] if name else None,
                "kind": codes.LINK_TYPES.get(kind, "other"),
            }
        )
    if len(links) > 20:
        notes.add(f"{len(links)} links; the first 20 are kept")
    return url, links[:20]


def _contact(raw: Raw) -> dict[str, Any]:
    person = next((p for p in _items(raw.get("ansprechperson")) if isinstance(p, dict)), {})
    signup = next((p for p in _items(raw.get("anmeldung")) if isinstance(p, dict)), {})
    name = (
        " ".join(x for x in (line_of(person.get("vorname")), line_of(person.get("name"))) if x)
        or None
    )
    email = line_of(person.get("mail") or person.get("email")) or line_of(
        signup.get("mail") or signup.get("email")
    )
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        email = None
    phone = line_of(person.get("telefon")) or line_of(signup.get("telefon"))
    contact = {"name": name[:200] if name else None, "email": email, "phone": phone}
    if phone and len(phone) > 50:
        contact["phone"] = None
    return {k: v for k, v in contact.items() if v}


def _texts(raw: Raw, notes: _Notes) -> list[str]:
    """Every `text` block in order; a block is `{eigenschaft, text}` or plain text."""
    blocks: list[str] = []
    for entry in _items(raw.get("text")):
        body = _block(entry.get("text") if isinstance(entry, dict) else entry)
        if body:
            blocks.append(body)
    return blocks


def _titles(raw: Raw, notes: _Notes) -> tuple[str, str | None]:
    title = line_of(raw.get("name"))
    if not title:
        raise _Failed("name is missing or empty")
    if len(title) < 3:
        raise _Failed(f"name {title!r} is too short for a title (3 characters at least)")
    subtitle = line_of(raw.get("untertitel"))
    if subtitle is not None and len(subtitle) < 3:
        subtitle = None
    return _cut(title, 300, "name", notes) or title, _cut(subtitle, 300, "untertitel", notes)


def _keywords(raw: Raw, notes: _Notes) -> list[str]:
    """`schlagwort`, plus Berlin's `bezirk` and Bildungsurlaub (people search for both)."""
    keywords = [text[:80] for text in (line_of(w) for w in _items(raw.get("schlagwort"))) if text]
    kind = line_of(raw.get("veranstaltungsart"))
    if kind and "bildungsurlaub" in kind.lower():
        keywords.append("Bildungsurlaub")
    district = line_of(raw.get("bezirk"))
    if district:
        keywords.append(district[:80])
    keywords = list(dict.fromkeys(keywords))
    if len(keywords) > 50:
        notes.add(f"{len(keywords)} schlagworte; the first 50 are kept")
    return keywords[:50]


def _classification(raw: Raw, words: list[str], notes: _Notes) -> dict[str, Any]:
    """DVV category → category, education type and, for language courses, the language."""
    dvv = _dvv_category(raw, notes)
    area = codes.dvv_area(dvv)
    category, guessed = codes.category_for(area, words)
    if guessed:
        notes.add(f"category {category!r} guessed from the title and keywords")
    education_type = codes.education_type_for(area, category)
    kind = line_of(raw.get("veranstaltungsart"))
    if kind and re.search(r"(?i)vortrag|einzelveranstaltung", kind) and area != "4":
        education_type = "seminar"
    languages = ["deu"]
    if category == "languages":
        languages = [*codes.taught_languages(words), "deu"]
    return {
        "dvv_category": dvv,
        "category": category,
        "education_type": education_type,
        "languages": list(dict.fromkeys(languages)),
    }


def _description(raw: Raw, notes: _Notes) -> tuple[str, str | None]:
    """(description from every text block in order, degree from the first zertifikat)."""
    blocks = _texts(raw, notes)
    degree = None
    for certificate in _items(raw.get("zertifikat")):
        is_dict = isinstance(certificate, dict)
        name = line_of(certificate.get("name") if is_dict else certificate)
        text = _block(certificate.get("text")) if is_dict else None
        if name and degree is None:
            degree = name[:200]
        if text:
            blocks.append(f"{name}: {text}" if name else text)
    description = _cut("\n\n".join(blocks), MAX_DESCRIPTION, "text", notes) or ""
    return description, degree


def _level(raw: Raw, notes: _Notes) -> str | None:
    level = line_of(raw.get("level"))
    if not level:
        return None
    return normalise_level(_cut(level, MAX_LEVEL_LENGTH, "level", notes) or level)


def _duration(raw: Raw, notes: _Notes) -> int | None:
    """`dauer`: the course's hours."""
    try:
        hours = _number(raw.get("dauer"))
    except _BadValue:
        notes.add("dauer is not a number; ignored")
        return None
    if hours is None or not 1 <= hours <= 20_000:
        return None
    return int(hours.to_integral_value())


def _date_fields(raw: Raw, fmt: str | None, places: list[_Place], notes: _Notes) -> dict[str, Any]:
    """The one date of the offer: the course run with its sessions, places and seats."""
    run = _run(raw, notes)
    seats, minimum, free = _participants(raw, notes)
    online = not places
    if online and fmt is None:
        notes.add("no usable veranstaltungsort; listed as online")
    if run.start is None:
        notes.add("no beginn_datum and no termine; listed as starting any time")
    if len(run.sessions) > 500:
        notes.add(f"{len(run.sessions)} termine; the first 500 are listed")
    return {
        "start_date": run.start,
        "end_date": run.end,
        "flexible_start": run.start is None,
        "schedule": run.schedule,
        "seats": seats,
        "min_participants": minimum,
        "free_seats": free,
        "session_count": run.session_count,
        "weekdays": run.weekdays,
        "sessions": run.sessions[:500],
        "online": online or fmt == "online",
        "location": places[0].as_location() if places else None,
    }


def _map(raw: Raw, notes: _Notes) -> OfferFields:
    title, subtitle = _titles(raw, notes)
    keywords = _keywords(raw, notes)
    merkmale = _merkmale(raw, notes)
    description, degree = _description(raw, notes)
    fmt = _format(merkmale, notes)
    places = _places(raw, notes)
    date_fields = _date_fields(raw, fmt, places, notes)
    amount, price_note, reduction = _price(raw, merkmale, notes)
    url, links = _links(raw, notes)
    target_groups = [t[:200] for t in (line_of(z) for z in _items(raw.get("zielgruppe"))) if t]
    data: dict[str, Any] = {
        "title": title,
        "subtitle": subtitle,
        "course_number": _cut(line_of(raw.get("nummer")), 100, "nummer", notes),
        "description": description,
        "keywords": keywords,
        **_classification(raw, [title, subtitle or "", *keywords], notes),
        "degree": degree,
        "leads_to_qualification": merkmale.get("abschlussbezogen") == "true",
        "level": _level(raw, notes),
        "target_groups": target_groups[:20],
        "price": amount,
        "price_note": _cut(price_note, 500, "preis zusatz", notes),
        "reduction_available": reduction,
        "duration_hours": _duration(raw, notes),
        "format": fmt or ("online" if date_fields["online"] else "in_person"),
        "barrier_free": bool(places and places[0].barrier_free),
        "digital_accessibility": merkmale.get("barrierefreies_lernen") == "true",
        "childcare": bool(_CHILDCARE.search(description)),
        "url": url,
        "links": links,
        "contact": _contact(raw),
        "dates": [date_fields],
    }
    try:
        return OfferFields.model_validate(data)
    except ValidationError as exc:
        raise _Failed(describe_validation_error(exc)) from None


def course_records(raw: Raw, *, line: int | None, position: int) -> list[Record]:
    """Records for one veranstaltung: its warnings, then the offer or why it failed."""
    guid = line_of(raw.get("guid"))
    record_id = guid or f"veranstaltung #{position}"
    if guid is None:
        return [FailedRecord(record_id, line, "guid is missing or empty")]
    if len(guid) > 200 or re.search(r"\s", guid):
        return [FailedRecord(record_id, line, "guid must be at most 200 characters, no spaces")]
    notes = _Notes()
    try:
        fields = _map(raw, notes)
    except _Failed as exc:
        return [
            *(WarningRecord(guid, line, m) for m in notes.items),
            FailedRecord(guid, line, str(exc)),
        ]
    return [*(WarningRecord(guid, line, m) for m in notes.items), OfferRecord(guid, line, fields)]
