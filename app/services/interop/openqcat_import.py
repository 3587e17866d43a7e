"""open-Qcat (KURSNET) XML → import records, streamed: one SERVICE in memory at a time."""

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from pydantic import ValidationError

from app.models.language_codes import LANGUAGE_ALIASES
from app.models.offer import OfferDateIn, OfferFields
from app.services.interop import openqcat_codes as codes
from app.services.interop.report import (
    DateRecord,
    DeleteRecord,
    DeliveryRecord,
    FailedRecord,
    FileRejected,
    OfferRecord,
    Record,
    WarningRecord,
    describe_validation_error,
)
from app.services.interop.xml_safety import (
    DeclaredEncodingCheck,
    PrefixedStream,
    SafeEvents,
    iterparse,
    open_checked,
)

Element = Any  # lxml's _Element; lxml ships no type information


@dataclass
class _Notes:
    """Warnings collected while mapping one SERVICE."""

    record_id: str | None
    line: int | None
    items: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        if message not in self.items:
            self.items.append(message)


class _Node:
    """A parsed element with its children indexed by tag, built in one pass over a SERVICE.

    Answers `find`, `iterfind` and `get` as lxml's ElementPath does for plain `A/B/C` paths
    (document order, first match), but with dict look-ups instead of a path walk per call.
    """

    __slots__ = ("tag", "text", "kids", "_el")

    def __init__(self, el: Element) -> None:
        self.tag: str = el.tag
        self.text: str | None = el.text
        self._el = el
        self.kids: dict[str, list[_Node]] = {}
        kids = self.kids
        for child in el:
            tag = child.tag
            if isinstance(tag, str):  # elements only, as ElementPath matches them
                found = kids.get(tag)
                if found is None:
                    kids[tag] = [_Node(child)]
                else:
                    found.append(_Node(child))

    def get(self, key: str, default: str | None = None) -> Any:
        return self._el.get(key, default)

    def iterfind(self, path: str) -> list["_Node"]:
        nodes = [self]
        for step in _steps(path):
            nodes = [kid for node in nodes for kid in node.kids.get(step, ())]
            if not nodes:
                break
        return nodes

    def find(self, path: str) -> "_Node | None":
        steps = _steps(path)
        if len(steps) == 1:
            kids = self.kids.get(steps[0])
            return kids[0] if kids else None
        found = self.iterfind(path)
        return found[0] if found else None


_STEPS: dict[str, tuple[str, ...]] = {}
_PLAIN_TAG = re.compile(r"[A-Za-z_][\w.-]*")


def _steps(path: str) -> tuple[str, ...]:
    steps = _STEPS.get(path)
    if steps is None:
        steps = tuple(path.split("/"))
        if not all(_PLAIN_TAG.fullmatch(step) for step in steps):
            raise ValueError(f"only plain A/B/C paths are supported, not {path!r}")
        _STEPS[path] = steps
    return steps


def _text(el: Element | None, path: str | None = None, notes: _Notes | None = None) -> str | None:
    node = el if path is None or el is None else el.find(path)
    if node is None or node.text is None:
        return None
    value = node.text.strip()
    if not value:
        return None
    fixed, changed = codes.repair_double_encoding(value)
    if changed and notes is not None:
        notes.add(f"repaired doubly-encoded umlauts in {node.tag}")
    return fixed


def _all_texts(el: Element, path: str, notes: _Notes) -> list[str]:
    values = []
    for node in el.iterfind(path):
        value = _text(node, None, notes)
        if value:
            values.append(value)
    return values


def _date(value: str | None, what: str, notes: _Notes) -> date | None:
    """xsd:date and xsd:dateTime (`2006-11-29T00:00:00+01:00`, `2008-04-04+02:00`) → date."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        notes.add(f"{what}: {value!r} is not a date; ignored")
        return None


def _bool(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() in ("true", "1")


def _cut(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


# xsd:float as the schema types PRICE_AMOUNT, in ASCII digits only: `NaN`, `INF` and other
# scripts' digits (which Decimal would accept) are no price.
# An exponent of at most three digits: Decimal refuses `1e99999999999999999999`.
_PRICE_AMOUNT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_MAX_PRICE = 1_000_000  # as OfferFields.price allows
# xsd:integer in ASCII digits: str.isdigit() would also pass `²`, which int() refuses.
_COUNT = re.compile(r"\+?[0-9]{1,9}")
_MAX_SEATS = 100_000  # as OfferDateIn.seats allows


def _price_amount(text: str, notes: _Notes, prefix: str) -> Decimal | None:
    """PRICE_AMOUNT in euros and cents; a warning and None for anything but a plausible number.

    A negative amount is returned as it is, for the record to fail on it.
    """
    if not _PRICE_AMOUNT.fullmatch(text):
        notes.add(f"{prefix}PRICE_AMOUNT {text!r} is not a number; treated as not given")
        return None
    amount = Decimal(text)
    if amount.copy_abs() > _MAX_PRICE:
        notes.add(f"{prefix}PRICE_AMOUNT {text} is implausibly high; treated as not given")
        return None
    amount = amount.quantize(Decimal("0.01"))
    return amount if amount != 0 else Decimal("0.00")  # `-0` is free, not "-0.00"


def _euros(amount: Decimal) -> str:
    """`1.290,00 €`, as a German price note writes it."""
    return f"{amount:,.2f} €".replace(",", "_").replace(".", ",").replace("_", ".")


def _on_request(remarks: str | None) -> bool:
    return remarks is not None and "anfrage" in remarks.lower()


class _Mapper:
    """Reads the parts of a SERVICE element (as a _Node) we need while it is in memory."""

    def __init__(self, el: _Node, notes: _Notes) -> None:
        self.el = el
        self.notes = notes
        self.details = el.find("SERVICE_DETAILS")
        self.education = el.find("SERVICE_DETAILS/SERVICE_MODULE/EDUCATION")
        self.ext = None if self.education is None else self.education.find("EXTENDED_INFO")
        self.course = None if self.education is None else self.education.find("MODULE_COURSE")

    def code(self, path: str, base: Element | None = None) -> str | None:
        node = base if base is not None else self.ext
        node = None if node is None else node.find(path)
        value = None if node is None else node.get("type")
        return value.strip() if value and value.strip() else None

    def codes_of(self, path: str) -> list[str]:
        if self.ext is None:
            return []
        return [n.get("type").strip() for n in self.ext.iterfind(path) if n.get("type")]

    def languages(self) -> list[str]:
        found: list[str] = []
        nodes = [] if self.ext is None else list(self.ext.iterfind("TEACHING_LANGUAGES"))
        nodes += [] if self.education is None else list(self.education.iterfind("LANGUAGE"))
        for node in nodes:
            value = (node.text or "").strip().lower()
            if not value or value == "0":
                continue
            code = codes.OPENQCAT_TO_LANGUAGE.get(value) or LANGUAGE_ALIASES.get(value)
            if code is not None:
                found.append(code)
            else:
                self.notes.add(f"unknown teaching language code {value!r}; ignored")
        return list(dict.fromkeys(found))

    def format(self) -> str | None:
        execution = self.code("EXECUTION_FORM")
        if execution is not None:
            if execution in codes.OPENQCAT_TO_FORMAT:
                return codes.OPENQCAT_TO_FORMAT[execution]
            self.notes.add(f"unknown EXECUTION_FORM code {execution!r}")
        form = self.code("INSTRUCTION_FORM")
        if form is not None and form in codes.OPENQCAT_INSTRUCTION_FORM_TO_FORMAT:
            return codes.OPENQCAT_INSTRUCTION_FORM_TO_FORMAT[form]
        if form is not None and form != "0":
            self.notes.add(f"unknown INSTRUCTION_FORM code {form!r}")
        return None

    def schedule(self) -> str:
        if self.code("INSTRUCTION_FORM") == "3":
            return "weekend"  # Wochenendveranstaltung says more than "part time"
        time = self.code("INSTRUCTION_TIME")
        if time is not None:
            if time in codes.OPENQCAT_TO_SCHEDULE:
                return codes.OPENQCAT_TO_SCHEDULE[time]
            self.notes.add(f"unknown INSTRUCTION_TIME code {time!r}")
        form = self.code("INSTRUCTION_FORM")
        return codes.INSTRUCTION_FORM_TO_SCHEDULE.get(form or "", "full_time")

    def funding(self) -> list[str]:
        found: list[str] = []
        for tag, mapping in (
            ("FUNDING_TYPES_FEDERAL", codes.OPENQCAT_FEDERAL_TO_FUNDING),
            ("FUNDING_TYPES_REGIONAL", codes.OPENQCAT_REGIONAL_TO_FUNDING),
        ):
            for code in self.codes_of(tag):
                if code not in mapping:
                    self.notes.add(
                        f"{tag} code {code!r} has no equivalent; recorded as other funding"
                    )
                found.append(mapping.get(code, "other"))
        if self.education is not None:
            for status in self.education.iterfind("CERTIFICATE/CERTIFICATE_STATUS"):
                if (status.text or "").strip() == codes.CERTIFICATE_APPROVED:
                    found.append("bildungsgutschein")
        return found

    def location(self) -> dict[str, Any] | None:
        loc = None if self.course is None else self.course.find("LOCATION")
        if loc is None:
            return None
        postcode = _text(loc, "ZIP", self.notes)
        city = _text(loc, "CITY", self.notes)
        if not postcode and not city:
            return None
        if not postcode or not re.fullmatch(r"[0-9]{5}", postcode):
            self.notes.add(
                f"location postcode {postcode!r} is not a German postcode; location ignored"
            )
            return None
        if not city:
            self.notes.add("location without CITY; location ignored")
            return None
        country = (_text(loc, "COUNTRY") or "DE").upper()
        if country not in ("DE", "D", "DEU", "DEUTSCHLAND", "GERMANY"):
            self.notes.add(f"location country {country!r} is not Germany")
        # No coordinates in open-Qcat: the import places the location at the postcode's centre.
        return {
            "name": _cut(_text(loc, "NAME", self.notes), 200),
            "street": _cut(_text(loc, "STREET", self.notes), 200),
            "postcode": postcode,
            "city": _cut(city, 100),
            "barrier_free": _bool(_text(loc, "BARRIER_FREE_LOCATION")),
        }

    def price(self, prefix: str = "") -> tuple[Decimal | None, str | None]:
        """(amount, remarks); None for an amount not given, on request or unreadable.

        `prefix` names the date in warnings, which are reported under its offer's id.
        """
        details = self.el.find("SERVICE_PRICE_DETAILS")
        if details is None:
            return None, None
        remarks = _cut(_text(details, "REMARKS", self.notes), 500)
        amount_text = _text(details, "SERVICE_PRICE/PRICE_AMOUNT")
        currency = _text(details, "SERVICE_PRICE/PRICE_CURRENCY")
        if currency and currency.upper() != "EUR":
            self.notes.add(f"{prefix}price in {currency}, not EUR; price ignored")
            return None, remarks
        amount = _price_amount(amount_text, self.notes, prefix) if amount_text else None
        if amount is not None and amount == 0 and _on_request(remarks):
            amount = None  # 0.0 "auf Anfrage" means the price is on request, not free
        return amount, remarks

    def seats(self, external_id: str) -> int | None:
        text = _text(self.course, "MAX_PARTICIPANTS") if self.course is not None else None
        if text is None:
            return None
        if not _COUNT.fullmatch(text) or int(text) > _MAX_SEATS:
            self.notes.add(
                f"date {external_id}: MAX_PARTICIPANTS {text!r} is not a number of places; "
                "treated as not given"
            )
            return None
        return int(text)

    def date_fields(self, external_id: str, *, own: bool) -> dict[str, Any] | None:
        """A date (Termin) of this SERVICE, or None when it says nothing about one."""
        start = _date(_text(self.details, "SERVICE_DATE/START_DATE"), "START_DATE", self.notes)
        end = _date(_text(self.details, "SERVICE_DATE/END_DATE"), "END_DATE", self.notes)
        location = self.location()
        flexible = bool(
            _bool(_text(self.course, "FLEXIBLE_START")) if self.course is not None else False
        )
        if own and start is None and location is None and not flexible:
            return None
        fmt = self.format()
        online = fmt == "online"
        if location is None and not online:
            if fmt is None and start is None:
                return None
            self.notes.add(f"date {external_id} has no usable location; treated as online")
            online = True
        if start is None and not flexible:
            self.notes.add(f"date {external_id} has no start date; treated as flexible start")
            flexible = True
        if start and end and end < start:
            self.notes.add(f"date {external_id} ends before it starts; end date ignored")
            end = None
        deadline = (
            _date(_text(self.education, "REGISTRATION_DATE"), "REGISTRATION_DATE", self.notes)
            if self.education is not None
            else None
        )
        if deadline and start and deadline > start:
            self.notes.add(f"date {external_id}: registration deadline after start; ignored")
            deadline = None
        languages = self.languages()
        return {
            "external_id": external_id,
            "start_date": start,
            "end_date": end,
            "flexible_start": flexible,
            "schedule": self.schedule(),
            "schedule_note": _cut(_text(self.course, "INSTRUCTION_REMARKS", self.notes), 200)
            if self.course is not None
            else None,
            "registration_deadline": deadline,
            "seats": self.seats(external_id),
            "teaching_language": languages[0] if languages else None,
            "online": online,
            "location": location,
        }

    def category(self, title: str | None, keywords: list[str]) -> str:
        if any(k.lower() == codes.BASIC_EDUCATION_KEYWORD.lower() for k in keywords):
            return "basic_education"
        labels: list[str] = []
        for cls in self.el.iterfind("SERVICE_CLASSIFICATION"):
            for code in (
                _text(cls, "REFERENCE_CLASSIFICATION_GROUP_ID"),
                _text(cls, "FEATURE/FNAME"),
            ):
                if not code:
                    continue
                category = codes.category_for_systematik(code)
                if category is not None:
                    return category
                self.notes.add(f"unknown Systematik code {code!r}; category guessed from text")
            labels += [
                v
                for v in (
                    _text(cls, "REFERENCE_CLASSIFICATION_GROUP_NAME", self.notes),
                    _text(cls, "FEATURE/FVALUE", self.notes),
                )
                if v
            ]
        guess = codes.category_from_text(*labels, title, " ".join(keywords))
        if guess is None:
            self.notes.add("no category could be derived; using 'other'")
            return "other"
        if not labels:
            self.notes.add(f"no Systematik code; category {guess!r} guessed from the title")
        return guess

    def education_type(self, category: str) -> str:
        code = self.code("EDUCATION_TYPE")
        if code in codes.OPENQCAT_TO_EDUCATION_TYPE:
            return codes.OPENQCAT_TO_EDUCATION_TYPE[code]
        fallback = (
            "sprachkurs"
            if category in ("languages", "german_integration")
            else ("schulabschluss" if category == "school_degrees" else "anpassungsweiterbildung")
        )
        self.notes.add(f"unknown EDUCATION_TYPE code {code!r}; using {fallback!r}")
        return fallback

    def offer_fields(self, product_id: str) -> dict[str, Any]:
        d = self.details
        title = _text(d, "TITLE", self.notes)
        keywords = [k[:80] for k in _all_texts(d, "KEYWORD", self.notes)][:50]
        category = self.category(title, keywords)
        degree = None
        awarding_body = None
        if self.education is not None:
            degree = _text(self.education, "DEGREE/DEGREE_TITLE", self.notes) or _text(
                self.education, "DEGREE/DEGREE_EXAM/EXAM_TITLE", self.notes
            )
            exam = self.education.find("DEGREE/DEGREE_EXAM")
            if degree is None and exam is not None and (exam.get("type") or "").strip():
                degree = exam.get("type").strip()
            awarding_body = _text(self.education, "DEGREE/DEGREE_EXAM/EXAMINER", self.notes)
        amount, remarks = self.price()
        contact = self.contact()
        announcement = d.find("ANNOUNCEMENT") if d is not None else None
        return {
            "title": title,
            "description": _text(d, "DESCRIPTION_LONG", self.notes) or "",
            "keywords": keywords,
            "category": category,
            "education_type": self.education_type(category),
            "degree": _cut(degree, 200),
            "awarding_body": _cut(awarding_body, 200),
            "target_groups": [
                _cut(t, 200) for t in _all_texts(d, "TARGET_GROUP/TARGET_GROUP_TEXT", self.notes)
            ][:20],
            "entry_requirements": _cut(_text(d, "REQUIREMENTS", self.notes), 5000),
            "languages": self.languages(),
            "funding": self.funding(),
            "price": amount,
            "price_note": remarks,
            "duration_hours": self.duration_hours(),
            "format": self.format(),
            "digital_accessibility": bool(_bool(_text(self.ext, "DIGITAL_ACCESSIBILITY")))
            if self.ext is not None
            else False,
            "contact": contact,
            "visible_from": _date(
                _text(announcement, "START_DATE"), "ANNOUNCEMENT/START_DATE", self.notes
            )
            if announcement is not None
            else None,
            "visible_until": _date(
                _text(announcement, "END_DATE"), "ANNOUNCEMENT/END_DATE", self.notes
            )
            if announcement is not None
            else None,
        }

    def duration_hours(self) -> int | None:
        remarks = _text(self.course, "DURATION/DATE_REMARKS") if self.course is not None else None
        match = re.fullmatch(r"([0-9]{1,5}) (Unterrichtsstunden|Stunden|UE)", remarks or "")
        return int(match.group(1)) if match and int(match.group(1)) >= 1 else None

    def contact(self) -> dict[str, Any]:
        node = None if self.details is None else self.details.find("CONTACT")
        if node is None:
            return {}
        name = (
            " ".join(
                p
                for p in (
                    _text(node, "FIRST_NAME", self.notes),
                    _text(node, "LAST_NAME", self.notes),
                )
                if p
            )
            or None
        )
        email = _text(node, "EMAILS/EMAIL")
        if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            self.notes.add(f"contact e-mail {email!r} is not an address; ignored")
            email = None
        phone = _text(node, "PHONE")
        return {
            k: v
            for k, v in (("name", _cut(name, 200)), ("email", email), ("phone", _cut(phone, 50)))
            if v
        }


class _OfferGroup:
    """An offer and the dates that follow it in the file, until the next offer starts."""

    def __init__(
        self,
        product_id: str,
        line: int | None,
        fields: dict[str, Any],
        own_date: dict[str, Any] | None,
        notes: _Notes,
    ) -> None:
        self.product_id = product_id
        self.line = line
        self.fields = fields
        self.own_date = own_date
        self.dates: list[dict[str, Any]] = []
        self.child_formats: list[str] = []
        self.child_languages: list[str] = []
        self.child_funding: list[str] = []
        # (date id, amount, remarks) of the dates that state a price
        self.date_prices: list[tuple[str, Decimal, str | None]] = []
        self.barrier_free = False
        self.notes = notes

    def _price_of_dates(self, data: dict[str, Any]) -> None:
        """The offer's price when only its dates state one (KURSNET prices each date).

        Dates that agree give their price; dates that differ give the lowest, with a note
        saying that it is a lower bound. The offer's own price always wins.
        """
        if not self.date_prices:
            return
        own = data["price"]
        if own is not None:
            for date_id, amount, _ in self.date_prices:
                if amount != own:
                    self.notes.add(
                        f"date {date_id} gives the price {amount}, the offer {own}; "
                        "the offer's price stands"
                    )
            return
        amounts = [amount for _, amount, _ in self.date_prices]
        low, high = min(amounts), max(amounts)
        date_remarks = next(
            (r for _, a, r in self.date_prices if a == low and r and not _on_request(r)), None
        )
        # "Lehrgangsgebühr: auf Anfrage" on the offer is not true of a priced date.
        own_remarks = None if _on_request(data["price_note"]) else data["price_note"]
        notes = [own_remarks, date_remarks]
        if high != low:
            notes.insert(0, f"ab {_euros(low)}, je nach Termin bis {_euros(high)}")
            self.notes.add(
                f"the dates give different prices ({low} to {high}); the offer shows the "
                f"lowest, noted as 'ab {_euros(low)}'"
            )
        data["price"] = low
        data["price_note"] = _cut("; ".join(dict.fromkeys(n for n in notes if n)) or None, 500)

    def records(self) -> Iterator[Record]:
        data = dict(self.fields)
        self._price_of_dates(data)
        for message in self.notes.items:
            yield WarningRecord(self.product_id, self.line, message)
        dates = self.dates or ([self.own_date] if self.own_date else [])
        data["dates"] = dates
        data["languages"] = list(dict.fromkeys([*data["languages"], *self.child_languages]))
        if not data["languages"]:
            data["languages"] = ["deu"]
        data["funding"] = list(dict.fromkeys([*data["funding"], *self.child_funding]))
        if data["format"] is None:
            formats = set(self.child_formats)
            data["format"] = (
                formats.pop() if len(formats) == 1 else "blended" if formats else "in_person"
            )
        data["barrier_free"] = any((d.get("location") or {}).get("barrier_free") for d in dates)
        if not data.get("title"):
            yield FailedRecord(self.product_id, self.line, "TITLE is missing or empty")
            return
        try:
            fields = OfferFields.model_validate(data)
        except ValidationError as exc:
            yield FailedRecord(self.product_id, self.line, describe_validation_error(exc))
            return
        yield OfferRecord(self.product_id, self.line, fields)


@dataclass(frozen=True)
class _SkippedOffer:
    """An offer delivered a second time: it and the dates that follow it are not imported."""

    product_id: str
    line: int | None


@dataclass
class _Seen:
    """The line where each offer and each date id was first delivered in this file."""

    offers: dict[str, int | None] = field(default_factory=dict)
    dates: dict[str, int | None] = field(default_factory=dict)


def _at(line: int | None) -> str:
    return f" at line {line}" if line is not None else ""


def _service_line(el: Element) -> int | None:
    line = el.sourceline
    return int(line) if line is not None else None


# Only these elements produce events: the parser skips the rest without calling back into Python.
_EVENT_TAGS = ("OPENQCAT", "HEADER", "NEW_CATALOG", "UPDATE_CATALOG", "NEW", "DELETE", "SERVICE")
_ROOT_PEEK = 64 * 1024


def _check_root(el: Element) -> None:
    if el.tag != "OPENQCAT":
        raise FileRejected(
            f"not an open-Qcat file: the root element is <{el.tag}>, not <OPENQCAT>",
            line=_service_line(el),
        )


def _peek_root(head: bytes) -> Element | None:
    """The root element as the start of the file shows it (None if the start is not enough).

    Lets a file with another root be refused at once, as before, although the main parse
    only reports the elements in _EVENT_TAGS.
    """
    try:
        for event, el in iterparse(io.BytesIO(head)):
            return el if event == "start" else None
    except FileRejected:
        return None  # the main parse reports it, with the same message where it applies
    return None


def parse_openqcat(stream: IO[bytes]) -> Iterator[Record]:
    """Yield import records for an open-Qcat file; FileRejected for files we cannot read."""
    checked, encoding = open_checked(stream)
    declared = DeclaredEncodingCheck(checked, encoding)
    head = declared.read(_ROOT_PEEK)
    reader = _CatalogueReader(_peek_root(head))
    events = SafeEvents(PrefixedStream(head, declared), tag=_EVENT_TAGS)
    for event, el in events:
        reader.see_root(el.getroottree().getroot())
        if event == "start":
            yield from reader.start(el)
        elif el.tag == "HEADER":
            yield from reader.header(el)
        elif el.tag == "SERVICE" and _depth(el) in (2, 3):  # under NEW_CATALOG or NEW/DELETE
            try:
                yield from reader.service(el)
            finally:
                _free(el)
    if events.root is not None:
        # A file whose root is none of _EVENT_TAGS, with a start too long for _peek_root.
        reader.see_root(events.root)
    # Only the whole file shows a mislabelled encoding; the importer undoes what came before.
    declared.check()
    yield from reader.finish()


class _CatalogueReader:
    """What the reader knows between events: the section it is in, the supplier, the offer
    whose dates are still being collected."""

    def __init__(self, root: Element | None) -> None:
        self.root_seen = False
        self.group: _OfferGroup | _SkippedOffer | None = None
        self.seen = _Seen()
        self.section: str | None = None
        self.supplier: str | None = None
        self.without_course_type = 0
        self.saw_catalog = False
        if root is not None:
            self.see_root(root)

    def see_root(self, root: Element) -> None:
        if not self.root_seen:
            self.root_seen = True
            _check_root(root)

    def start(self, el: Element) -> Iterator[Record]:
        tag = el.tag
        if tag == "SERVICE" or tag == "HEADER":
            return
        depth = _depth(el) + 1  # 1 for the root element
        if depth == 2 and tag in ("NEW_CATALOG", "UPDATE_CATALOG"):
            self.saw_catalog = True
            full = tag == "NEW_CATALOG" and (el.get("FULLCATALOG") or "true").lower() in (
                "true",
                "1",
            )
            yield DeliveryRecord(full=full, supplier=self.supplier)
            self.section = "new"
        elif depth == 3 and tag in ("DELETE", "NEW"):
            self.section = tag.lower()

    def header(self, el: Element) -> Iterator[Record]:
        if el.find("SUPPLIER") is None:
            yield WarningRecord(None, _service_line(el), "HEADER names no SUPPLIER")
        self.supplier = _text(el, "SUPPLIER/SUPPLIER_NAME")
        el.clear()

    def service(self, el: Element) -> Iterator[Record]:
        line = _service_line(el)
        node = _Node(el)
        product_id = _text(node, "PRODUCT_ID")
        mode = (el.get("mode") or "").lower()
        if self.section != "delete" and "COURSE_TYPE" not in node.kids:
            self.without_course_type += 1
        if product_id is None:
            yield FailedRecord(None, line, "SERVICE without PRODUCT_ID")
        elif self.section == "delete" or mode == "delete":
            yield DeleteRecord(product_id, line)
        else:
            records, self.group = _service_records(node, product_id, line, self.group, self.seen)
            yield from records

    def finish(self) -> Iterator[Record]:
        if isinstance(self.group, _OfferGroup):
            yield from self.group.records()
        if self.without_course_type:
            yield WarningRecord(
                None,
                None,
                f"{self.without_course_type} SERVICE elements lack COURSE_TYPE "
                "(files before 2018); read as Weiterbildungsangebote",
            )
        if not self.root_seen:
            raise FileRejected("the file is empty")
        if not self.saw_catalog:
            raise FileRejected("no NEW_CATALOG or UPDATE_CATALOG element: nothing to import")


def _free(el: Element) -> None:
    """Free what is parsed so far: memory stays flat however long the file is."""
    el.clear()
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def _depth(el: Element) -> int:
    """How many elements enclose `el` (0 for the root)."""
    depth = 0
    parent = el.getparent()
    while parent is not None:
        depth += 1
        parent = parent.getparent()
    return depth


def _service_records(
    el: _Node,
    product_id: str,
    line: int | None,
    group: _OfferGroup | _SkippedOffer | None,
    seen: _Seen,
) -> tuple[list[Record], _OfferGroup | _SkippedOffer | None]:
    notes = _Notes(product_id, line)
    mapper = _Mapper(el, notes)
    out: list[Record] = []
    if mapper.details is None:
        out.append(FailedRecord(product_id, line, "SERVICE_DETAILS is missing"))
        return out, group
    if mapper.education is None:
        out.append(
            FailedRecord(
                product_id,
                line,
                "SERVICE_MODULE/EDUCATION is missing: cannot tell an offer from a date",
            )
        )
        return out, group
    is_offer = (mapper.education.get("type") or "true").strip().lower() in ("true", "1")
    if is_offer:
        if isinstance(group, _OfferGroup):
            out.extend(group.records())
        if product_id in seen.offers:
            # The importer would let the later one win and drop the earlier one's dates.
            out.append(
                FailedRecord(
                    product_id,
                    line,
                    f"offer {product_id} is delivered a second time in this file (first"
                    f"{_at(seen.offers[product_id])}); a file names each offer once",
                )
            )
            return out, _SkippedOffer(product_id, line)
        seen.offers[product_id] = line
        fields = mapper.offer_fields(product_id)
        own_date = mapper.date_fields(product_id, own=True)
        return out, _OfferGroup(product_id, line, fields, own_date, notes)
    out.extend(_date_records(mapper, product_id, line, group, seen))
    return out, group


def _date_records(
    mapper: _Mapper,
    product_id: str,
    line: int | None,
    group: _OfferGroup | _SkippedOffer | None,
    seen: _Seen,
) -> list[Record]:
    """A date joins the offer it follows; one apart from its offer becomes a DateRecord."""
    notes = mapper.notes
    out: list[Record] = []
    course_id = _text(mapper.education, "COURSE_ID")
    if not course_id:
        out.append(
            FailedRecord(
                product_id, line, 'date (EDUCATION type="false") without COURSE_ID naming its offer'
            )
        )
        return out
    if isinstance(group, _SkippedOffer) and group.product_id == course_id:
        out.append(
            FailedRecord(
                product_id,
                line,
                f"its offer {course_id}{_at(group.line)} is delivered a second time in this "
                "file, so its dates are not imported either",
            )
        )
        return out
    if product_id in seen.dates:
        out.append(
            FailedRecord(
                product_id,
                line,
                f"date {product_id} is delivered a second time in this file (first"
                f"{_at(seen.dates[product_id])}); a file names each date once",
            )
        )
        return out
    seen.dates[product_id] = line
    date_data = mapper.date_fields(product_id, own=False)
    if date_data is None:
        date_data = {"external_id": product_id, "flexible_start": True, "online": True}
        notes.add(
            f"date {product_id} has neither start nor location; treated as flexible and online"
        )
    amount, remarks = mapper.price(prefix=f"date {product_id}: ")
    if amount is not None and amount < 0:
        out.extend(WarningRecord(product_id, line, m) for m in notes.items)
        out.append(FailedRecord(product_id, line, f"PRICE_AMOUNT {amount} is negative"))
        return out
    try:
        date_in = OfferDateIn.model_validate(date_data)
    except ValidationError as exc:
        out.extend(WarningRecord(product_id, line, m) for m in notes.items)
        out.append(FailedRecord(product_id, line, describe_validation_error(exc)))
        return out
    if isinstance(group, _OfferGroup) and group.product_id == course_id:
        group.dates.append(date_data)
        if amount is not None:
            group.date_prices.append((product_id, amount, remarks))
        group.notes.items.extend(m for m in notes.items if m not in group.notes.items)
        fmt = mapper.format()
        if fmt:
            group.child_formats.append(fmt)
        group.child_languages.extend(mapper.languages())
        group.child_funding.extend(mapper.funding())
        return out
    if amount is not None:
        notes.add(
            f"date {product_id}: its price is not applied to offer {course_id}; a date's price "
            "reaches its offer only when the dates follow the offer in the same file"
        )
    out.extend(WarningRecord(product_id, line, m) for m in notes.items)
    out.append(DateRecord(course_id, line, date_in))
    return out
