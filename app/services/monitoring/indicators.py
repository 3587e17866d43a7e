"""The supply indicators: their definitions (docs/monitoring.md has one sheet per indicator)
and a pure function that computes every indicator row of one region from its offers."""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from app.codelists import (
    CATEGORY_LABELS,
    EDUCATION_TYPE_LABELS,
    FORMAT_LABELS,
    FUNDING_LABELS,
    SCHEDULE_LABELS,
)
from app.search.documents import DateFacts
from app.services.monitoring.facts import OfferFact

WORK_COMPATIBLE = frozenset({"part_time", "evening", "weekend"})
DQR_MEMBERS = tuple(str(n) for n in range(1, 9)) + ("none",)
HORIZON_DAYS = 365


class Definition(NamedTuple):
    label_de: str
    label_en: str
    unit: str


# unit → (German, English)
UNITS: dict[str, tuple[str, str]] = {
    "count": ("Anzahl", "number"),
    "per_10k": ("je 10.000 Einwohner", "per 10,000 inhabitants"),
    "per_1000": ("je 1.000 Einwohner", "per 1,000 inhabitants"),
    "per_100k": ("je 100.000 Einwohner", "per 100,000 inhabitants"),
    "percent": ("%", "%"),
    "hours": ("Unterrichtsstunden", "teaching hours"),
    "eur_per_hour": ("€ je Unterrichtsstunde", "€ per teaching hour"),
}

INDICATORS: dict[str, Definition] = {
    "offers": Definition("Aktive Angebote", "Active offers", "count"),
    "offers_per_10k": Definition("Aktive Angebote", "Active offers", "per_10k"),
    "runs_12m": Definition(
        "Kurstermine mit Beginn in den nächsten 12 Monaten",
        "Course runs starting in the next 12 months",
        "count",
    ),
    "runs_12m_per_10k": Definition(
        "Kurstermine mit Beginn in den nächsten 12 Monaten",
        "Course runs starting in the next 12 months",
        "per_10k",
    ),
    "runs_flexible": Definition(
        "Termine mit Einstieg jederzeit", "Runs one can join any time", "count"
    ),
    "hours": Definition("Unterrichtsstunden (Summe)", "Teaching hours (sum)", "hours"),
    "hours_per_1000": Definition("Unterrichtsstunden", "Teaching hours", "per_1000"),
    "hours_missing_share": Definition(
        "Anteil der Angebote ohne Stundenangabe", "Share of offers giving no hours", "percent"
    ),
    "providers": Definition(
        "Anbieter mit mindestens einem aktiven Angebot",
        "Providers with at least one active offer",
        "count",
    ),
    "providers_per_100k": Definition(
        "Anbieter mit mindestens einem aktiven Angebot",
        "Providers with at least one active offer",
        "per_100k",
    ),
    "bildungsgutschein_share": Definition(
        "Anteil mit Bildungsgutschein förderfähig (Förderangabe oder gültige AZAV-Zulassung)",
        "Share eligible for a Bildungsgutschein (funding code or valid AZAV approval)",
        "percent",
    ),
    "aufstiegs_bafoeg_share": Definition(
        "Anteil mit Aufstiegs-BAföG", "Share with Aufstiegs-BAföG", "percent"
    ),
    "free_share": Definition("Anteil kostenfrei", "Share free of charge", "percent"),
    "price_unknown_share": Definition(
        "Anteil ohne Preisangabe", "Share giving no price", "percent"
    ),
    "qualification_share": Definition(
        "Anteil mit anerkanntem Abschluss (Abschluss mit prüfender Stelle)",
        "Share leading to a recognised qualification (degree with an awarding body)",
        "percent",
    ),
    "dqr_level": Definition("Verteilung nach DQR-Niveau", "Distribution by DQR level", "percent"),
    "part_time_share": Definition("Anteil in Teilzeit", "Share part-time", "percent"),
    "evening_share": Definition("Anteil abends", "Share in the evening", "percent"),
    "weekend_share": Definition("Anteil am Wochenende", "Share at weekends", "percent"),
    "work_compatible_share": Definition(
        "Anteil berufsbegleitend möglich (Teilzeit, abends oder Wochenende)",
        "Share compatible with work (part-time, evening or weekend)",
        "percent",
    ),
    "part_time_childcare_share": Definition(
        "Anteil berufsbegleitend möglich mit Kinderbetreuung",
        "Share compatible with work and with childcare",
        "percent",
    ),
    "in_person_share": Definition("Anteil in Präsenz", "Share in person", "percent"),
    "online_share": Definition("Anteil online", "Share online", "percent"),
    "blended_share": Definition("Anteil gemischt (Blended)", "Share blended", "percent"),
    "barrier_free_share": Definition(
        "Anteil an barrierefreiem Ort (Angebote mit Ort)",
        "Share at a barrier-free place (offers with a place)",
        "percent",
    ),
    "price_per_hour_median": Definition(
        "Preis je Unterrichtsstunde: Median", "Price per teaching hour: median", "eur_per_hour"
    ),
    "price_per_hour_p25": Definition(
        "Preis je Unterrichtsstunde: 25. Perzentil",
        "Price per teaching hour: 25th percentile",
        "eur_per_hour",
    ),
    "price_per_hour_p75": Definition(
        "Preis je Unterrichtsstunde: 75. Perzentil",
        "Price per teaching hour: 75th percentile",
        "eur_per_hour",
    ),
    "german_integration_offers": Definition(
        "Deutsch und Integration: aktive Angebote",
        "German and integration: active offers",
        "count",
    ),
    "german_integration_per_10k": Definition(
        "Deutsch und Integration: aktive Angebote",
        "German and integration: active offers",
        "per_10k",
    ),
    "german_integration_runs_12m": Definition(
        "Deutsch und Integration: Kurstermine in den nächsten 12 Monaten",
        "German and integration: course runs in the next 12 months",
        "count",
    ),
    "basic_education_offers": Definition(
        "Grundbildung: aktive Angebote", "Basic education: active offers", "count"
    ),
    "basic_education_per_10k": Definition(
        "Grundbildung: aktive Angebote", "Basic education: active offers", "per_10k"
    ),
    "basic_education_runs_12m": Definition(
        "Grundbildung: Kurstermine in den nächsten 12 Monaten",
        "Basic education: course runs in the next 12 months",
        "count",
    ),
    "counselling_contacts": Definition(
        "Beratungsstellen (Weiterbildungsberatung)", "Counselling contacts", "count"
    ),
    "counselling_per_100k": Definition(
        "Beratungsstellen (Weiterbildungsberatung)", "Counselling contacts", "per_100k"
    ),
    "white_spot_postcodes": Definition(
        "Postleitzahlen ohne Angebot mit Beginn im Umkreis von 25 km (weiße Flecken)",
        "Postcodes with no offer starting within 25 km (white spots)",
        "count",
    ),
    "white_spot_share": Definition(
        "Anteil der Postleitzahlen ohne Angebot im Umkreis von 25 km",
        "Share of postcodes with no offer within 25 km",
        "percent",
    ),
}

# dimension → {member: German label}
DIMENSIONS: dict[str, dict[str, str]] = {
    "category": CATEGORY_LABELS,
    "education_type": EDUCATION_TYPE_LABELS,
    "format": FORMAT_LABELS,
    "schedule": SCHEDULE_LABELS,
    "funding": FUNDING_LABELS,
    "dqr_level": {**{m: f"DQR {m}" for m in DQR_MEMBERS[:-1]}, "none": "ohne Angabe"},
}

# The headline indicators, in the order the dashboard and the series show them.
HEADLINE = [name for name in INDICATORS if name != "dqr_level"]

Row = tuple[str, str, str, float | None, float | None, float | None]


@dataclass
class RegionInput:
    """One region's share of the catalogue on the reporting day."""

    day: date
    offers: list[OfferFact]
    # (offer, date) for the current dates held in the region (course runs are counted here)
    runs: list[tuple[OfferFact, DateFacts]]
    population: int | None
    counselling_contacts: int
    white_spot_postcodes: int | None = None
    white_spot_total: int | None = None


def rate(count: float, population: int | None, per: int) -> float | None:
    return None if not population else count * per / population


def share(part: float, whole: float) -> float | None:
    return None if not whole else 100.0 * part / whole


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (Hyndman & Fan type 7, as Excel's
    PERCENTILE.INC and R's default)."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * q
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def bildungsgutschein_eligible(o: OfferFact) -> bool:
    return "bildungsgutschein" in o.funding or o.azav_valid


def qualification(o: OfferFact) -> bool:
    return bool(o.degree and o.degree.strip() and o.awarding_body and o.awarding_body.strip())


def schedules(o: OfferFact) -> frozenset[str]:
    return o.schedules


def work_compatible(o: OfferFact) -> bool:
    return bool(schedules(o) & WORK_COMPATIBLE)


def barrier_free_place(o: OfferFact) -> bool:
    return o.barrier_free or any(d.barrier_free for d in o.places)


def price_per_hour(o: OfferFact) -> float | None:
    if not o.price_cents or not o.duration_hours:
        return None  # free, unpriced or without hours: no market price per hour
    return o.price_cents / 100 / o.duration_hours


def starts_within(d: DateFacts, day: date, days: int = HORIZON_DAYS) -> bool:
    return d.start_date is not None and day <= d.start_date < day + timedelta(days=days)


_SHARES: dict[str, Callable[[OfferFact], bool]] = {
    "bildungsgutschein_share": bildungsgutschein_eligible,
    "aufstiegs_bafoeg_share": lambda o: "aufstiegs_bafoeg" in o.funding,
    "free_share": lambda o: o.price_cents == 0,
    "price_unknown_share": lambda o: o.price_cents is None,
    "qualification_share": qualification,
    "part_time_share": lambda o: "part_time" in schedules(o),
    "evening_share": lambda o: "evening" in schedules(o),
    "weekend_share": lambda o: "weekend" in schedules(o),
    "work_compatible_share": work_compatible,
    "part_time_childcare_share": lambda o: work_compatible(o) and o.childcare,
    "in_person_share": lambda o: o.format == "in_person",
    "online_share": lambda o: o.format == "online",
    "blended_share": lambda o: o.format == "blended",
    "hours_missing_share": lambda o: o.duration_hours is None,
}
# Shares also broken down by category.
_SHARES_BY_CATEGORY = (
    "bildungsgutschein_share",
    "free_share",
    "qualification_share",
    "work_compatible_share",
    "part_time_childcare_share",
)


def _count_rows(name: str, dimension: str, counts: Counter[str]) -> list[Row]:
    return [
        (name, dimension, m, float(counts[m]), None, float(counts[m]))
        for m in DIMENSIONS[dimension]
    ]


def _price_rows(offers: Iterable[OfferFact], dimension: str, member: str) -> list[Row]:
    prices = sorted(p for o in offers if (p := price_per_hour(o)) is not None)
    n = float(len(prices))
    return [
        ("price_per_hour_median", dimension, member, n, None, percentile(prices, 0.5)),
        ("price_per_hour_p25", dimension, member, n, None, percentile(prices, 0.25)),
        ("price_per_hour_p75", dimension, member, n, None, percentile(prices, 0.75)),
    ]


def compute(region: RegionInput) -> list[Row]:
    """Every indicator row of one region: (indicator, dimension, member, numerator,
    denominator, value); dimension "" is the headline value."""
    offers = region.offers
    n = float(len(offers))
    pop = region.population
    runs = [(o, d) for o, d in region.runs if starts_within(d, region.day)]
    rows: list[Row] = [
        ("offers", "", "", n, None, n),
        ("offers_per_10k", "", "", n, _f(pop), rate(n, pop, 10_000)),
        ("runs_12m", "", "", float(len(runs)), None, float(len(runs))),
        ("runs_12m_per_10k", "", "", float(len(runs)), _f(pop), rate(len(runs), pop, 10_000)),
    ]
    flexible = float(sum(1 for _, d in region.runs if d.flexible_start))
    rows.append(("runs_flexible", "", "", flexible, None, flexible))
    hours = float(sum(o.duration_hours or 0 for o in offers))
    rows += [
        ("hours", "", "", hours, None, hours),
        ("hours_per_1000", "", "", hours, _f(pop), rate(hours, pop, 1000)),
    ]
    providers = float(len({o.organisation_id for o in offers}))
    rows += [
        ("providers", "", "", providers, None, providers),
        ("providers_per_100k", "", "", providers, _f(pop), rate(providers, pop, 100_000)),
    ]
    for name, test in _SHARES.items():
        hits = float(sum(1 for o in offers if test(o)))
        rows.append((name, "", "", hits, n, share(hits, n)))
    with_place = [o for o in offers if o.places]
    free_places = float(sum(1 for o in with_place if barrier_free_place(o)))
    rows.append(
        (
            "barrier_free_share",
            "",
            "",
            free_places,
            float(len(with_place)),
            share(free_places, len(with_place)),
        )
    )
    rows += _price_rows(offers, "", "")
    for prefix, category in (
        ("german_integration", "german_integration"),
        ("basic_education", "basic_education"),
    ):
        mine = float(sum(1 for o in offers if _is_line(o, category)))
        line_runs = float(sum(1 for o, _ in runs if _is_line(o, category)))
        rows += [
            (f"{prefix}_offers", "", "", mine, None, mine),
            (f"{prefix}_per_10k", "", "", mine, _f(pop), rate(mine, pop, 10_000)),
            (f"{prefix}_runs_12m", "", "", line_runs, None, line_runs),
        ]
    contacts = float(region.counselling_contacts)
    rows += [
        ("counselling_contacts", "", "", contacts, None, contacts),
        ("counselling_per_100k", "", "", contacts, _f(pop), rate(contacts, pop, 100_000)),
    ]
    if region.white_spot_total is not None and region.white_spot_postcodes is not None:
        spots, total = float(region.white_spot_postcodes), float(region.white_spot_total)
        rows += [
            ("white_spot_postcodes", "", "", spots, total, spots),
            ("white_spot_share", "", "", spots, total, share(spots, total)),
        ]
    rows += _breakdowns(region, offers, runs)
    return rows


def _is_line(o: OfferFact, category: str) -> bool:
    # Basic education also counts offers typed as such in another topic (e.g. a
    # literacy course filed under German).
    if category == "basic_education":
        return o.category == category or o.education_type == "grundbildung"
    return o.category == category


def _f(value: int | None) -> float | None:
    return None if value is None else float(value)


def _breakdowns(
    region: RegionInput, offers: list[OfferFact], runs: list[tuple[OfferFact, DateFacts]]
) -> list[Row]:
    pop = region.population
    by_category: dict[str, list[OfferFact]] = {}
    for o in offers:
        by_category.setdefault(o.category, []).append(o)
    rows: list[Row] = []
    rows += _count_rows("offers", "category", Counter(o.category for o in offers))
    rows += [
        (
            "offers_per_10k",
            "category",
            m,
            float(len(by_category.get(m, []))),
            _f(pop),
            rate(len(by_category.get(m, [])), pop, 10_000),
        )
        for m in DIMENSIONS["category"]
    ]
    rows += _count_rows("offers", "education_type", Counter(o.education_type for o in offers))
    rows += _count_rows("offers", "format", Counter(o.format for o in offers))
    rows += _count_rows("offers", "schedule", Counter(s for o in offers for s in schedules(o)))
    funding = Counter(f for o in offers for f in o.funding)
    rows += _count_rows("offers", "funding", funding)
    rows += _count_rows("runs_12m", "category", Counter(o.category for o, _ in runs))
    rows += _count_rows("runs_12m", "schedule", Counter(d.schedule for _, d in runs))
    rows += _count_rows("runs_12m", "format", Counter(o.format for o, _ in runs))
    hours = Counter[str]()
    providers: dict[str, set[int]] = {}
    for o in offers:
        hours[o.category] += o.duration_hours or 0
        providers.setdefault(o.category, set()).add(o.organisation_id)
    rows += _count_rows("hours", "category", hours)
    rows += _count_rows("providers", "category", Counter({c: len(p) for c, p in providers.items()}))
    n = float(len(offers))
    dqr = Counter(str(o.dqr_level) if o.dqr_level else "none" for o in offers)
    rows += [("dqr_level", "dqr_level", m, float(dqr[m]), n, share(dqr[m], n)) for m in DQR_MEMBERS]
    for category in DIMENSIONS["category"]:
        mine = by_category.get(category)
        if not mine:
            continue  # a share of nothing: the count rows above say 0
        size = float(len(mine))
        for name in _SHARES_BY_CATEGORY:
            test = _SHARES[name]
            hits = float(sum(1 for o in mine if test(o)))
            rows.append((name, "category", category, hits, size, share(hits, size)))
        placed = [o for o in mine if o.places]
        free = float(sum(1 for o in placed if barrier_free_place(o)))
        rows.append(
            (
                "barrier_free_share",
                "category",
                category,
                free,
                float(len(placed)),
                share(free, len(placed)),
            )
        )
        rows += _price_rows(mine, "category", category)
    return rows
