"""Calendar entries (iCalendar, RFC 5545) for the dates of a public offer: one event per
session when the provider listed them, else one all-day event from start to end. The
`icalendar` package escapes every text value, so line breaks or markup a provider wrote stay
inside their property."""

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlmodel import Session

from app.errors import NotFound
from app.models.offer import OfferDate
from app.services.offers import OfferView
from app.services.portals import get_portal, get_portal_offer

CALENDAR_TYPE = "text/calendar; charset=utf-8"
# Courses in the catalogue happen in Germany: times the provider gives are local times there.
LOCAL_ZONE = ZoneInfo("Europe/Berlin")
DESCRIPTION_CHARS = 1500


def offer_date_calendar(
    *, session: Session, slug: str, offer_id: int, date_id: int, base_url: str
) -> bytes:
    """The .ics file of one date of an offer the portal shows; NotFound for a date of another
    offer, an offer the portal does not show, or a date without a start (start any time)."""
    portal = get_portal(session=session, slug=slug)
    view = get_portal_offer(session=session, portal=portal, offer_id=offer_id)
    found = next((d for d in view.dates if d.id == date_id), None)
    if found is None:
        raise NotFound(f"offer {offer_id} has no date {date_id}")
    if found.start_date is None:
        raise NotFound(f"date {date_id} of offer {offer_id} has no start: it starts any time")
    page_url = f"{base_url}/p/{slug}/angebote/{offer_id}"
    cal = date_calendar(view=view, offer_date=found, page_url=page_url, calendar_name=portal.name)
    return bytes(cal.to_ical())


def _place(d: OfferDate) -> str:
    parts = [d.location_name, d.street, " ".join(p for p in (d.postcode, d.city) if p)]
    place = ", ".join(p for p in parts if p)
    if d.online:
        place = f"{place} (online)" if place else "online"
    return place


def _clock(value: object) -> time | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


def date_calendar(
    *, view: OfferView, offer_date: OfferDate, page_url: str, calendar_name: str
) -> Calendar:
    offer = view.offer
    host = urlsplit(page_url).hostname or "bildungsraum"
    cal = Calendar()
    cal.add("prodid", "-//Bildungsraum//Weiterbildungsportal//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name)
    description = offer.description.strip()
    if len(description) > DESCRIPTION_CHARS:
        description = description[:DESCRIPTION_CHARS].rsplit(" ", 1)[0] + " …"
    description = f"{view.organisation.name}\n\n{description}\n\n{page_url}".strip()
    stamp = datetime.now(UTC).replace(microsecond=0)

    def event(number: int) -> Event:
        e = Event()
        e.add("uid", f"offer-{offer.id}-date-{offer_date.id}-{number}@{host}")
        e.add("dtstamp", stamp)
        e.add("summary", offer.title)
        e.add("description", description)
        e.add("url", page_url)
        if place := _place(offer_date):
            e.add("location", place)
        return e

    sessions = [s for s in offer_date.sessions if isinstance(s, dict) and s.get("date")]
    if sessions:
        for number, item in enumerate(sessions):
            e = event(number)
            day = date.fromisoformat(str(item["date"]))
            start, end = _clock(item.get("start_time")), _clock(item.get("end_time"))
            if start is not None:
                begin = datetime.combine(day, start, tzinfo=LOCAL_ZONE)
                e.add("dtstart", begin)
                e.add(
                    "dtend",
                    datetime.combine(day, end, tzinfo=LOCAL_ZONE)
                    if end is not None and end > start
                    else begin + timedelta(hours=1),
                )
            else:
                e.add("dtstart", day)
                e.add("dtend", day + timedelta(days=1))
            cal.add_component(e)
    else:
        assert offer_date.start_date is not None
        e = event(0)
        e.add("dtstart", offer_date.start_date)
        # All-day events end on the day after their last day (RFC 5545, DTEND is exclusive).
        last = offer_date.end_date or offer_date.start_date
        e.add("dtend", max(last, offer_date.start_date) + timedelta(days=1))
        cal.add_component(e)
    cal.add_missing_timezones()
    return cal
