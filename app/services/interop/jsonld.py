"""schema.org JSON-LD for an offer (Course with CourseInstances), safe to embed in HTML."""

import json
from typing import Any

from app.models.language_codes import language_tag
from app.models.offer import Offer, OfferDate
from app.services.offers import OfferView, price_eur

COURSE_MODE = {"in_person": "onsite", "online": "online", "blended": "blended"}
# The time of day or week a date runs, in words: the CourseInstance's description
# (`courseWorkload` is a duration, ISO 8601, given from the offer's hours).
SCHEDULE_WORDS = {
    "full_time": "Vollzeit",
    "part_time": "Teilzeit",
    "evening": "abends",
    "weekend": "am Wochenende",
    "flexible": "zeitlich flexibel",
}


def _place(d: OfferDate) -> dict[str, Any] | None:
    if d.postcode is None or d.city is None:
        return None
    place: dict[str, Any] = {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "postalCode": d.postcode,
            "addressLocality": d.city,
            "addressCountry": "DE",
        },
    }
    if d.location_name:
        place["name"] = d.location_name
    if d.street:
        place["address"]["streetAddress"] = d.street
    if d.lat is not None and d.lon is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": d.lat, "longitude": d.lon}
    return place


_SCHEMA_DAYS = {
    "mon": "https://schema.org/Monday",
    "tue": "https://schema.org/Tuesday",
    "wed": "https://schema.org/Wednesday",
    "thu": "https://schema.org/Thursday",
    "fri": "https://schema.org/Friday",
    "sat": "https://schema.org/Saturday",
    "sun": "https://schema.org/Sunday",
}


def _schedule(d: OfferDate) -> dict[str, Any] | None:
    """A schema.org Schedule from the sessions: weekdays, count and common times."""
    schedule: dict[str, Any] = {"@type": "Schedule"}
    if d.schedule_note:
        schedule["description"] = d.schedule_note
    if d.weekdays:
        schedule["byDay"] = [_SCHEMA_DAYS[w] for w in d.weekdays if w in _SCHEMA_DAYS]
    if d.session_count:
        schedule["repeatCount"] = d.session_count
    for key, field in (("startTime", "start_time"), ("endTime", "end_time")):
        times = {s.get(field) for s in d.sessions}
        if len(times) == 1 and None not in times:
            schedule[key] = str(times.pop())[:5]
    return schedule if len(schedule) > 1 else None


def _offer(o: Offer) -> dict[str, Any]:
    price = price_eur(o)
    offer: dict[str, Any] = {"@type": "Offer", "priceCurrency": "EUR", "category": "Paid"}
    if price is not None:
        offer["price"] = str(price)
        if price == 0:
            offer["category"] = "Free"
    if o.price_note:
        offer["description"] = o.price_note
    return offer


def _instance(o: Offer, d: OfferDate) -> dict[str, Any]:
    """One date as a CourseInstance: when, how often, where, how many places."""
    instance: dict[str, Any] = {
        "@type": "CourseInstance",
        "courseMode": "online" if d.online else COURSE_MODE.get(o.format, o.format),
        "description": SCHEDULE_WORDS.get(d.schedule, d.schedule),
    }
    if o.duration_hours:
        instance["courseWorkload"] = f"PT{o.duration_hours}H"
    if d.start_date:
        instance["startDate"] = d.start_date.isoformat()
    if d.end_date:
        instance["endDate"] = d.end_date.isoformat()
    schedule = _schedule(d)
    if schedule is not None:
        instance["courseSchedule"] = schedule
    if d.seats is not None:
        instance["maximumAttendeeCapacity"] = d.seats
    if d.free_seats is not None:
        instance["remainingAttendeeCapacity"] = d.free_seats
    if d.teaching_language:
        instance["inLanguage"] = language_tag(d.teaching_language)
    place = _place(d)
    if place is not None:
        instance["location"] = place
    elif d.online:
        instance["location"] = {"@type": "VirtualLocation"}
    return instance


def course_jsonld(view: OfferView) -> dict[str, Any]:
    """The offer as a schema.org Course; a pure function of the view."""
    o = view.offer
    org = view.organisation
    provider: dict[str, Any] = {"@type": "Organization", "name": org.name}
    if org.website:
        provider["url"] = org.website
    course: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Course",
        "name": o.title,
        "description": o.description,
        "provider": provider,
        "inLanguage": [language_tag(code) for code in o.languages],
    }
    optional = {
        "courseCode": o.course_number or o.external_id,
        "alternativeHeadline": o.subtitle,
        "educationalLevel": o.level,
        "url": o.url,
        "keywords": ", ".join(o.keywords) if o.keywords else None,
        "coursePrerequisites": o.entry_requirements,
    }
    course.update({key: value for key, value in optional.items() if value})
    if o.degree:
        credential: dict[str, Any] = {
            "@type": "EducationalOccupationalCredential",
            "name": o.degree,
        }
        if o.awarding_body:
            credential["recognizedBy"] = {"@type": "Organization", "name": o.awarding_body}
        course["educationalCredentialAwarded"] = credential
    course["offers"] = [_offer(o)]
    instances = [_instance(o, d) for d in view.dates]
    # Places belong to the instances: a Course has no `location` in schema.org.
    course["hasCourseInstance"] = instances
    return course


def jsonld_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def jsonld_script_text(data: dict[str, Any]) -> str:
    """JSON for a <script type="application/ld+json"> body: `</script>` cannot end it early."""
    return (
        jsonld_text(data)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
