"""One organisation's catalogue as an open-Qcat full delivery that the newest XSD accepts."""

from collections.abc import Iterator
from datetime import date
from typing import IO, Any

from lxml import etree
from sqlmodel import Session, col, select

from app.codelists import OfferStatus
from app.errors import NotFound
from app.models.offer import Offer, OfferDate
from app.models.organisation import Organisation
from app.models.types import utcnow
from app.services import offers
from app.services.interop import openqcat_codes as codes

EXPORTED_STATUSES = (OfferStatus.published.value, OfferStatus.submitted.value)
COURSE_TYPE_CONTINUING_EDUCATION = "5"  # angebotstyp.dat: Weiterbildungsangebot
BATCH = 500


def _sub(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    el = etree.SubElement(parent, tag, **attrs)
    if text is not None:
        el.text = text
    return el


def _datetime(d: date) -> str:
    return f"{d.isoformat()}T00:00:00"


def _product_id(offer: Offer) -> str:
    return offer.external_id or f"br-{offer.id}"


def _location(parent: Any, d: OfferDate) -> None:
    if d.postcode is None or d.city is None:
        return
    loc = _sub(parent, "LOCATION")
    if d.location_name:
        _sub(loc, "NAME", d.location_name)
    if d.street:
        _sub(loc, "STREET", d.street)
    _sub(loc, "ZIP", d.postcode)
    _sub(loc, "CITY", d.city)
    _sub(loc, "COUNTRY", "DE")
    if d.barrier_free is not None:
        _sub(loc, "BARRIER_FREE_LOCATION", "true" if d.barrier_free else "false")


def _extended_info(
    parent: Any, *, institution: str, offer: Offer, d: OfferDate | None, languages: list[str]
) -> None:
    ext = _sub(parent, "EXTENDED_INFO")
    _sub(ext, "INSTITUTION", type=institution)
    fmt = "online" if d is not None and d.online else offer.format
    form, form_name = codes.FORMAT_TO_INSTRUCTION_FORM[fmt]
    if d is not None and d.schedule == "weekend" and fmt == "in_person":
        form, form_name = "3", "Wochenendveranstaltung"
    _sub(ext, "INSTRUCTION_FORM", type=form)
    _sub(ext, "INSTRUCTION_FORM_NAME", form_name)
    if d is not None:
        _sub(ext, "INSTRUCTION_TIME", type=codes.SCHEDULE_TO_OPENQCAT.get(d.schedule, "1"))
    for funding in offer.funding:
        if funding in codes.FUNDING_TO_OPENQCAT_FEDERAL:
            _sub(ext, "FUNDING_TYPES_FEDERAL", type=codes.FUNDING_TO_OPENQCAT_FEDERAL[funding])
    for funding in offer.funding:
        if funding in codes.FUNDING_TO_OPENQCAT_REGIONAL:
            _sub(ext, "FUNDING_TYPES_REGIONAL", type=codes.FUNDING_TO_OPENQCAT_REGIONAL[funding])
    _sub(ext, "DIGITAL_ACCESSIBILITY", "true" if offer.digital_accessibility else "false")
    for language in languages:
        _sub(ext, "TEACHING_LANGUAGES", codes.LANGUAGE_TO_OPENQCAT.get(language, language))
    _sub(ext, "EDUCATION_TYPE", type=codes.EDUCATION_TYPE_TO_OPENQCAT[offer.education_type])


def _price(parent: Any, offer: Offer) -> None:
    price = offers.price_eur(offer)
    if price is None and not offer.price_note:
        return
    details = _sub(parent, "SERVICE_PRICE_DETAILS")
    if price is not None:
        sp = _sub(details, "SERVICE_PRICE")
        _sub(sp, "PRICE_AMOUNT", str(price))
        _sub(sp, "PRICE_CURRENCY", "EUR")
    if offer.price_note:
        _sub(details, "REMARKS", offer.price_note)


def offer_services(offer: Offer, dates: list[OfferDate], *, institution: str) -> list[Any]:
    """The SERVICE of the offer (EDUCATION type=true) followed by one per date (type=false)."""
    pid = _product_id(offer)
    svc = etree.Element("SERVICE", mode="new")
    _sub(svc, "PRODUCT_ID", pid)
    _sub(svc, "COURSE_TYPE", COURSE_TYPE_CONTINUING_EDUCATION)
    det = _sub(svc, "SERVICE_DETAILS")
    _sub(det, "TITLE", offer.title)
    if offer.description:
        _sub(det, "DESCRIPTION_LONG", offer.description)
    _contact(det, offer.contact or {})
    if offer.entry_requirements:
        _sub(det, "REQUIREMENTS", offer.entry_requirements)
    keywords = list(offer.keywords)
    if offer.category == "basic_education" and codes.BASIC_EDUCATION_KEYWORD not in keywords:
        keywords.append(codes.BASIC_EDUCATION_KEYWORD)
    for keyword in keywords:
        _sub(det, "KEYWORD", keyword)
    for group in offer.target_groups:
        _sub(_sub(det, "TARGET_GROUP"), "TARGET_GROUP_TEXT", group)
    _education(det, offer, pid, institution)
    _announcement(det, offer)
    _classification(svc, offer)
    _price(svc, offer)
    services = [svc]
    for position, d in enumerate(dates, start=1):
        services.append(_date_service(offer, d, pid, position, institution))
    return services


def _contact(details: Any, contact: dict[str, Any]) -> None:
    if not contact:
        return
    c = _sub(details, "CONTACT")
    _sub(c, "CONTACT_ROLE", "Ansprechpartner", type="1")
    if contact.get("name"):
        _sub(c, "LAST_NAME", contact["name"])
    if contact.get("phone"):
        _sub(c, "PHONE", str(contact["phone"])[:30])
    if contact.get("email"):
        _sub(_sub(c, "EMAILS"), "EMAIL", contact["email"])


def _education(details: Any, offer: Offer, pid: str, institution: str) -> None:
    """The offer's EDUCATION module: its degree, extended info and duration."""
    edu = _sub(_sub(details, "SERVICE_MODULE"), "EDUCATION", type="true")
    _sub(edu, "COURSE_ID", pid)
    if offer.degree or offer.awarding_body:
        degree = _sub(edu, "DEGREE", type="0")
        if offer.degree:
            _sub(degree, "DEGREE_TITLE", offer.degree)
        if offer.awarding_body:
            _sub(_sub(degree, "DEGREE_EXAM", type="Prüfung"), "EXAMINER", offer.awarding_body)
    _extended_info(edu, institution=institution, offer=offer, d=None, languages=offer.languages)
    course = _sub(edu, "MODULE_COURSE")
    if offer.duration_hours:
        _sub(
            _sub(course, "DURATION", type="0"),
            "DATE_REMARKS",
            f"{offer.duration_hours} Unterrichtsstunden",
        )


def _announcement(details: Any, offer: Offer) -> None:
    if offer.visible_from or offer.visible_until:
        ann = _sub(details, "ANNOUNCEMENT")
        if offer.visible_from:
            _sub(ann, "START_DATE", offer.visible_from.isoformat())
        if offer.visible_until:
            _sub(ann, "END_DATE", offer.visible_until.isoformat())


def _classification(svc: Any, offer: Offer) -> None:
    code, label = codes.CATEGORY_TO_SYSTEMATIK[offer.category]
    cls = _sub(svc, "SERVICE_CLASSIFICATION")
    _sub(cls, "REFERENCE_CLASSIFICATION_SYSTEM_NAME", "Kurssystematik")
    feature = _sub(cls, "FEATURE")
    _sub(feature, "FNAME", code)
    _sub(feature, "FVALUE", label)


def _date_service(offer: Offer, d: OfferDate, pid: str, position: int, institution: str) -> Any:
    svc = etree.Element("SERVICE", mode="new")
    _sub(svc, "PRODUCT_ID", d.external_id or f"{pid}-T{position}")
    _sub(svc, "COURSE_TYPE", COURSE_TYPE_CONTINUING_EDUCATION)
    det = _sub(svc, "SERVICE_DETAILS")
    _sub(det, "TITLE", offer.title)
    if d.start_date or d.end_date:
        sd = _sub(det, "SERVICE_DATE")
        if d.start_date:
            _sub(sd, "START_DATE", _datetime(d.start_date))
        if d.end_date:
            _sub(sd, "END_DATE", _datetime(d.end_date))
    edu = _sub(_sub(det, "SERVICE_MODULE"), "EDUCATION", type="false")
    _sub(edu, "COURSE_ID", pid)
    if d.registration_deadline:
        _sub(edu, "REGISTRATION_DATE", _datetime(d.registration_deadline))
    languages = [d.teaching_language] if d.teaching_language else []
    _extended_info(edu, institution=institution, offer=offer, d=d, languages=languages)
    course = _sub(edu, "MODULE_COURSE")
    if d.seats is not None:
        _sub(course, "MAX_PARTICIPANTS", str(d.seats))
    _location(course, d)
    days = (d.end_date - d.start_date).days if d.start_date and d.end_date else None
    _sub(course, "DURATION", type=codes.duration_class(days))
    if d.schedule_note:
        _sub(course, "INSTRUCTION_REMARKS", d.schedule_note)
    _sub(course, "FLEXIBLE_START", "true" if d.flexible_start else "false")
    _price(svc, offer)
    return svc


def _header(org: Organisation) -> Any:
    header = etree.Element("HEADER")
    _sub(header, "GENERATOR_INFO", "Bildungsraum")
    catalog = _sub(header, "CATALOG")
    _sub(catalog, "LANGUAGE", "deu")
    _sub(catalog, "CATALOG_ID", f"bildungsraum-{org.id}")
    _sub(catalog, "CATALOG_VERSION", utcnow().strftime("%Y%m%d%H%M%S"))
    supplier = _sub(header, "SUPPLIER")
    _sub(supplier, "SUPPLIER_ID", str(org.id), type="supplier_specific")
    _sub(supplier, "SUPPLIER_NAME", org.name)
    address = _sub(supplier, "ADDRESS")
    _sub(address, "NAME", org.name)
    for tag, value in (("STREET", org.street), ("ZIP", org.postcode), ("CITY", org.city)):
        if value:
            _sub(address, tag, value)
    _sub(address, "COUNTRY", "DE")
    if org.phone:
        _sub(address, "PHONE", org.phone[:30])
    if org.email:
        _sub(_sub(address, "EMAILS"), "EMAIL", org.email)
    if org.website:
        _sub(address, "URL", org.website[:255])
    _sub(supplier, "EXTENDED_INFO", input_type="0")
    return header


def _offers_in_batches(session: Session, organisation_id: int) -> Iterator[list[Offer]]:
    last_id = 0
    while True:
        batch = list(
            session.exec(
                select(Offer)
                .where(
                    Offer.organisation_id == organisation_id,
                    col(Offer.status).in_(EXPORTED_STATUSES),
                    col(Offer.id) > last_id,
                )
                .order_by(col(Offer.id))
                .limit(BATCH)
            )
        )
        if not batch:
            return
        yield batch
        last_id = batch[-1].id or last_id


def export_openqcat(*, session: Session, organisation_id: int, out: IO[bytes]) -> int:
    """Write the organisation's published and submitted offers; returns how many."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    institution = codes.ORGANISATION_KIND_TO_INSTITUTION.get(org.kind, "0")
    count = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("OPENQCAT", version="1.1"):
            xf.write(_header(org))
            with xf.element("NEW_CATALOG", FULLCATALOG="true"):
                for batch in _offers_in_batches(session, organisation_id):
                    ids = [o.id for o in batch if o.id is not None]
                    dates = offers.load_dates(session=session, offer_ids=ids)
                    for offer in batch:
                        assert offer.id is not None
                        for svc in offer_services(offer, dates[offer.id], institution=institution):
                            xf.write(svc)
                        count += 1
                        # Rows already written need not stay in the session's identity map.
                        for d in dates[offer.id]:
                            session.expunge(d)
                        session.expunge(offer)
    return count
