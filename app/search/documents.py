"""Search documents, built by pure functions from an offer as the database holds it.

One offer becomes one *primary* document, plus one extra document for every further
place it is taught in: Meilisearch keeps one `_geo` point per document, and a radius
search must match when any of an offer's places is inside. Plain searches filter on
`primary = true`; radius searches use `distinct: offer_id` instead.
"""

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from app.codelists import CATEGORY_LABELS, EDUCATION_TYPE_LABELS, OfferStatus
from app.levels import covered_levels, level_search_text

# Field names, shared with the query builder so the two cannot drift apart.
ID = "id"
OFFER_ID = "offer_id"
PRIMARY = "primary"
REV = "rev"
TITLE = "title"
KEYWORDS = "keywords"
DEGREE = "degree"
PROVIDER = "provider"
PROVIDER_ID = "organisation_id"
CATEGORY = "category"
CATEGORY_LABEL = "category_label"
EDUCATION_TYPE = "education_type"
EDUCATION_TYPE_LABEL = "education_type_label"
DESCRIPTION = "description"
FORMAT = "format"
SCHEDULES = "schedules"
FUNDING = "funding"
LANGUAGES = "languages"
CITIES = "cities"
POSTCODE_PREFIXES = "postcode_prefixes"
BARRIER_FREE = "barrier_free"
CHILDCARE = "childcare"
PRICE = "price"
FREE = "free"
STARTS = "starts"
NEXT_START = "next_start"
FLEXIBLE = "flexible_start"
VISIBLE_FROM = "visible_from"
VISIBLE_UNTIL = "visible_until"
REVIEWED = "reviewed"
LOCATIONS = "locations"
# The starts at this document's own place (and of dates without a place): a radius search
# with a start window matches an offer by a start at a place inside the radius.
PLACE_STARTS = "place_starts"
# This document's own earliest start (PLACE_STARTS[0]): "sort by start" in geo mode, where
# the document Meilisearch keeps for an offer is the place with the earliest start.
PLACE_NEXT_START = "place_next_start"
# Whether one can start any time at this document's place (a flexible date there or without
# a place): a start window in geo mode is met by it.
PLACE_FLEXIBLE = "place_flexible"
# Per place in LOCATIONS (same order): the starts of its own dates and of dates without a
# place, so a hit names a start at the place it shows; whether one can start there any time;
# and the free seats of its dates ([start, seats] as SEATS).
LOCATION_STARTS = "location_starts"
LOCATION_FLEXIBLE = "location_flexible"
LOCATION_SEATS = "location_seats"
GEO = "_geo"
# Open-vhs: subtitle, course number and level are searched; levels and the DVV category
# (with its programme area as a prefix, "4" and "4.06") are facets.
SUBTITLE = "subtitle"
COURSE_NUMBER = "course_number"
LEVEL = "level"
LEVELS = "levels"
DVV_CATEGORY = "dvv_category"
# Data quality (app/services/quality): the score is a late tie-breaker and a portal's minimum.
COMPLETENESS = "completeness"
# When the provider last changed the offer (Unix seconds): portals may hide stale offers.
UPDATED = "updated"
# An admin marked this offer as the same as another provider's (the canonical one): it is no
# hit of its own. The canonical offer lists the other providers.
DUPLICATE = "duplicate"
ALSO_OFFERED_BY = "also_offered_by"
# Trust: the provider's AZAV approval (certifier, last valid day as Unix seconds; 0 = none),
# so that "AZAV-approved" is filtered by validity at query time, and its other certificates.
AZAV_UNTIL = "azav_until"
AZAV_CERTIFIER = "azav_certifier"
CERTIFICATES = "certificates"
# Free places per start day ([start, places]) where the provider says how many are left.
SEATS = "seats"
# The title and keywords once more, the only text Meilisearch splits into German compound
# parts (index_settings.py): "Fachkraft" finds "Pflegefachkraft" while every other field, and
# the query, keep whole words, so typo tolerance sees "Plege" as one word.
COMPOUND_PARTS = "compound_parts"

# Far enough ahead to mean "no end", small enough for every JSON number parser.
OPEN_END = 4_102_444_800  # 2100-01-01
DESCRIPTION_INDEX_LIMIT = 6_000
# Private-use characters mark highlights; they are stripped from content so a provider
# cannot forge a highlight, and turned into <mark> only after escaping.
HIGHLIGHT_PRE = "\ue000"
HIGHLIGHT_POST = "\ue001"
_FORBIDDEN = re.compile(f"[{HIGHLIGHT_PRE}{HIGHLIGHT_POST}\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True, slots=True)
class OfferFacts:
    """The offer columns a document is built from, in `indexer.sources` select order."""

    id: int
    organisation_id: int
    status: str
    title: str
    description: str
    keywords: list[str]
    category: str
    education_type: str
    degree: str | None
    awarding_body: str | None
    languages: list[str]
    funding: list[str]
    price_cents: int | None
    format: str
    barrier_free: bool
    childcare: bool
    visible_from: date | None
    visible_until: date | None
    reviewed_at: datetime | None
    subtitle: str | None = None
    course_number: str | None = None
    level: str | None = None
    dvv_category: str | None = None
    completeness: int = 0
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DateFacts:
    """The columns of one offer date a document is built from."""

    offer_id: int
    start_date: date | None
    end_date: date | None
    registration_deadline: date | None
    flexible_start: bool
    schedule: str
    teaching_language: str | None
    location_name: str | None
    postcode: str | None
    city: str | None
    lat: float | None
    lon: float | None
    approximate_location: bool
    barrier_free: bool | None
    free_seats: int | None = None


@dataclass(frozen=True, slots=True)
class ProviderTrust:
    """What a provider has to show for itself: its AZAV approval and other certificates."""

    azav_approved: bool = False
    azav_certifier: str | None = None
    azav_valid_until: date | None = None
    certificates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OfferSource:
    """What a document is built from: the offer, its dates in order, its provider's name
    and what it has to show for itself."""

    offer: OfferFacts
    dates: list[DateFacts]
    provider: str
    # From the admins' duplicate decisions: this offer is not the canonical one of a pair,
    # and the providers of the offers that are the same as this canonical one.
    duplicate: bool = False
    also_offered_by: tuple[str, ...] = ()
    trust: ProviderTrust = ProviderTrust()


# Days and Unix seconds, UTC, by day arithmetic: a rebuild converts ~250k dates and a search
# ~20 (datetime.combine + timestamp was 4x slower). Documents and filters share these.
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY_S = 86_400


def day_start(day: date) -> int:
    """Midnight UTC of a day, as Unix seconds."""
    return (day.toordinal() - _EPOCH_ORDINAL) * _DAY_S


def day_end(day: date) -> int:
    """The last whole second of a day (UTC), as Unix seconds."""
    return day_start(day) + _DAY_S - 1


def day_of(ts: int) -> date:
    """The UTC day a Unix time falls on."""
    return date.fromordinal(_EPOCH_ORDINAL + ts // _DAY_S)


def _clean(text: str | None) -> str:
    return _FORBIDDEN.sub("", text or "")


class DateLike(Protocol):
    """What decides whether a date is still current: a stored date or one being imported."""

    @property
    def start_date(self) -> date | None: ...
    @property
    def end_date(self) -> date | None: ...
    @property
    def registration_deadline(self) -> date | None: ...
    @property
    def flexible_start(self) -> bool: ...


def is_current(d: DateLike, today: date) -> bool:
    """A date still worth showing: it starts later, starts any time, or has begun but still
    takes people (no registration deadline was set and it has not ended)."""
    if d.flexible_start:
        return True
    if d.start_date is not None and d.start_date >= today:
        return True
    if d.registration_deadline is not None:
        return d.registration_deadline >= today
    return d.end_date is not None and d.end_date >= today


def current_dates(source: OfferSource, today: date) -> list[DateFacts]:
    return [d for d in source.dates if is_current(d, today)]


def searchable_dates(source: OfferSource, today: date) -> list[DateFacts] | None:
    """The dates worth indexing, or None when the offer must not be found: it must be
    published, announced, and not have every date in the past (no dates: on request)."""
    o = source.offer
    if o.status != OfferStatus.published:
        return None
    if o.visible_until is not None and o.visible_until < today:
        return None
    dates = current_dates(source, today)
    if source.dates and not dates:
        return None
    return dates


def is_searchable(source: OfferSource, today: date) -> bool:
    return searchable_dates(source, today) is not None


def _visible_until(source: OfferSource, dates: list[DateFacts]) -> int:
    ends: list[int] = []
    for d in dates:
        if d.flexible_start:
            ends.append(OPEN_END)
            continue
        # Visible until the start, or while a course that has begun still takes people.
        last = (
            d.start_date
            if d.registration_deadline is not None
            else (max(x for x in (d.start_date, d.end_date) if x is not None))
        )
        assert last is not None
        ends.append(day_end(last))
    until = max(ends) if ends else OPEN_END
    if source.offer.visible_until is not None:
        until = min(until, day_end(source.offer.visible_until))
    return until


def _prefixes(postcode: str) -> list[str]:
    return [postcode[:n] for n in range(1, len(postcode) + 1)]


def _dvv_prefixes(code: str | None) -> list[str]:
    """`4.06.1` → [4, 4.06, 4.06.1]: a filter on a programme area matches all its codes."""
    if not code:
        return []
    parts = code.split(".")
    return [".".join(parts[: n + 1]) for n in range(len(parts))]


def _location(d: DateFacts) -> dict[str, Any]:
    return {
        "name": d.location_name,
        "postcode": d.postcode,
        "city": d.city,
        "lat": d.lat,
        "lon": d.lon,
        # The postcode's centre, not the building: pages say "around", not the address.
        "approximate": d.approximate_location,
    }


@dataclass(slots=True)
class _PlaceDates:
    """What the dates at one place (with those of dates without a place) say of it."""

    starts: set[int] = field(default_factory=set)
    flexible: bool = False
    seats: list[list[int]] = field(default_factory=list)

    def add(self, d: DateFacts, start: int | None) -> None:
        if start is not None:
            self.starts.add(start)
            if d.free_seats is not None:
                self.seats.append([start, d.free_seats])
        self.flexible = self.flexible or d.flexible_start

    def joined(self, anywhere: "_PlaceDates") -> "_PlaceDates":
        return _PlaceDates(
            self.starts | anywhere.starts,
            self.flexible or anywhere.flexible,
            sorted(self.seats + anywhere.seats),
        )


def _places(
    dates: list[DateFacts],
) -> tuple[dict[tuple[float, float], DateFacts], list[Any], list[_PlaceDates]]:
    """Each distinct point once (one document each); the places hits show: those points,
    then places without coordinates (kept so that hits still name their city); and what the
    dates at each shown place say (with those of dates that have no place at all)."""
    points: dict[tuple[float, float], DateFacts] = {}
    unplaced: dict[tuple[str | None, str | None], DateFacts] = {}
    at: dict[tuple[Any, ...], _PlaceDates] = {}
    anywhere = _PlaceDates()
    for d in dates:
        start = day_start(d.start_date) if d.start_date is not None else None
        key: tuple[Any, ...]
        if d.lat is not None and d.lon is not None:
            key = (round(d.lat, 5), round(d.lon, 5))
            points.setdefault((key[0], key[1]), d)
        elif d.city:
            key = ("city", d.postcode, d.city)
            unplaced.setdefault((d.postcode, d.city), d)
        else:
            anywhere.add(d, start)
            continue
        at.setdefault(key, _PlaceDates()).add(d, start)
    keys = [*points.keys(), *(("city", pc, city) for pc, city in unplaced)][:50]
    shown = [_location(d) for d in (*points.values(), *unplaced.values())][:50]
    return points, shown, [at[k].joined(anywhere) for k in keys]


def _azav_until(trust: ProviderTrust) -> int:
    """The last second the approval holds; an approval without an end date holds open-ended."""
    if not trust.azav_approved:
        return 0
    return day_end(trust.azav_valid_until) if trust.azav_valid_until else OPEN_END


def _seats(dates: list[DateFacts]) -> list[list[int]]:
    return [
        [day_start(d.start_date), d.free_seats]
        for d in dates
        if d.start_date is not None and d.free_seats is not None
    ]


def merged_away(pairs: Iterable[tuple[int, int, int | None]], findable: Container[int]) -> set[int]:
    """Of the pairs an admin marked as the same offer (a, b, canonical), the offers hidden as
    the other's duplicate: the non-canonical one, while its canonical offer can be found (a
    twin whose canonical offer lapsed is shown again). The search documents (`duplicate`)
    and the monitoring's counts both decide by this."""
    return {
        b if canonical == a else a
        for a, b, canonical in pairs
        if canonical is not None and canonical in findable
    }


def offer_documents(source: OfferSource, *, today: date, rev: str = "") -> list[dict[str, Any]]:
    """The documents for one offer; none when it must not be found."""
    dates = searchable_dates(source, today)
    if dates is None:
        return []
    o = source.offer
    starts = sorted({day_start(d.start_date) for d in dates if d.start_date is not None})
    distinct_places, shown_places, at_places = _places(dates)
    place_starts = [sorted(p.starts) for p in at_places]
    postcodes = sorted({d.postcode for d in dates if d.postcode})
    base: dict[str, Any] = {
        OFFER_ID: o.id,
        REV: rev,
        TITLE: _clean(o.title),
        KEYWORDS: [_clean(k) for k in o.keywords],
        COMPOUND_PARTS: [_clean(o.title), *(_clean(k) for k in o.keywords)],
        DEGREE: _clean(" ".join(x for x in (o.degree, o.awarding_body) if x)),
        PROVIDER: _clean(source.provider),
        PROVIDER_ID: o.organisation_id,
        CATEGORY: o.category,
        CATEGORY_LABEL: CATEGORY_LABELS.get(o.category, o.category),
        EDUCATION_TYPE: o.education_type,
        EDUCATION_TYPE_LABEL: EDUCATION_TYPE_LABELS.get(o.education_type, o.education_type),
        DESCRIPTION: _clean(o.description[:DESCRIPTION_INDEX_LIMIT]),
        FORMAT: o.format,
        SCHEDULES: sorted({d.schedule for d in dates}),
        FUNDING: list(o.funding),
        LANGUAGES: sorted(
            set(o.languages) | {d.teaching_language for d in dates if d.teaching_language}
        ),
        CITIES: sorted({d.city for d in dates if d.city}),
        POSTCODE_PREFIXES: sorted({p for pc in postcodes for p in _prefixes(pc)}),
        BARRIER_FREE: o.barrier_free or any(d.barrier_free for d in dates),
        CHILDCARE: o.childcare,
        FREE: o.price_cents == 0,
        STARTS: starts,
        FLEXIBLE: any(d.flexible_start for d in dates) or not dates,
        VISIBLE_FROM: day_start(o.visible_from) if o.visible_from else 0,
        VISIBLE_UNTIL: _visible_until(source, dates),
        REVIEWED: o.reviewed_at is not None,
        LOCATIONS: shown_places,
        # With one place its starts, seats and flexibility are all the offer's: not sent twice.
        LOCATION_STARTS: place_starts if len(place_starts) > 1 else [],
        LOCATION_FLEXIBLE: [p.flexible for p in at_places] if len(at_places) > 1 else [],
        LOCATION_SEATS: [p.seats for p in at_places]
        if len(at_places) > 1 and any(p.seats for p in at_places)
        else [],
        SUBTITLE: _clean(o.subtitle),
        COURSE_NUMBER: _clean(o.course_number),
        LEVEL: _clean(level_search_text(o.level)),
        LEVELS: covered_levels(o.level),
        DVV_CATEGORY: _dvv_prefixes(o.dvv_category),
        COMPLETENESS: o.completeness,
        UPDATED: int(o.updated_at.timestamp()) if o.updated_at else 0,
        DUPLICATE: source.duplicate,
        ALSO_OFFERED_BY: [_clean(name) for name in source.also_offered_by],
        AZAV_UNTIL: _azav_until(source.trust),
        AZAV_CERTIFIER: _clean(source.trust.azav_certifier) or None,
        CERTIFICATES: [_clean(c) for c in source.trust.certificates],
        SEATS: _seats(dates),
    }
    if o.price_cents is not None:
        base[PRICE] = o.price_cents / 100
    if starts:
        base[NEXT_START] = starts[0]
    geo_points: list[tuple[float, float] | None] = list(distinct_places.keys()) or [None]
    documents = []
    for n, point in enumerate(geo_points):
        doc = dict(base, **{ID: f"{o.id}-{n}", PRIMARY: n == 0})
        # LOCATIONS begins with the points, in this order; places beyond the 50 shown, and
        # an offer without points, keep what the offer as a whole says.
        own = point is not None and len(at_places) > 1 and n < len(at_places)
        if point is not None:
            doc[GEO] = {"lat": point[0], "lng": point[1]}
        doc[PLACE_STARTS] = place_starts[n] if own else starts
        doc[PLACE_FLEXIBLE] = at_places[n].flexible if own else base[FLEXIBLE]
        if doc[PLACE_STARTS]:
            doc[PLACE_NEXT_START] = doc[PLACE_STARTS][0]
        documents.append(doc)
    return documents
