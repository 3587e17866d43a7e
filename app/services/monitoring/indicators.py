"""The supply indicators: their definitions (docs/monitoring.md has one sheet per indicator)
and a pure function that computes every indicator row of one region from its offers."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np

from app.codelists import (
    CATEGORY_LABELS,
    DVV_AREAS,
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
    # The Volkshochschulen's own view: the DVV programme area (first digit of the DVV
    # category of Open-vhs offers); offers from other sources have none.
    "dvv_area": {**DVV_AREAS.labels("de"), "none": "ohne DVV-Kategorie"},
}

Row = tuple[str, str, str, float | None, float | None, float | None]


@dataclass
class Runs:
    """The current dates held in a region, as rows of the catalogue (course runs are
    counted per date, in the region of their place)."""

    offer: np.ndarray  # catalogue row of each date's offer
    schedule: np.ndarray  # index into SCHEDULES
    starts_12m: np.ndarray  # bool: starts in [day, day + 365)
    flexible: np.ndarray  # bool

    @classmethod
    def of(cls, catalogue: "Catalogue", pairs: list[tuple[OfferFact, DateFacts]]) -> "Runs":
        # Once per region over every run it holds (400,000 pairs a snapshot at 100,000
        # offers): the window's end is computed once, and the columns filled without lists.
        day, row, n = catalogue.day, catalogue.row, len(pairs)
        end = day + timedelta(days=HORIZON_DAYS)
        return cls(
            offer=np.fromiter((row[o.id] for o, _ in pairs), dtype=np.int64, count=n),
            schedule=np.fromiter(
                (_SCHEDULE_INDEX.get(d.schedule, 0) for _, d in pairs), dtype=np.int64, count=n
            ),
            starts_12m=np.fromiter(
                (d.start_date is not None and day <= d.start_date < end for _, d in pairs),
                dtype=bool,
                count=n,
            ),
            flexible=np.fromiter((d.flexible_start for _, d in pairs), dtype=bool, count=n),
        )


@dataclass
class RegionInput:
    """One region's share of the catalogue on the reporting day."""

    day: date
    offers: np.ndarray  # catalogue rows of the region's active offers
    runs: Runs
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


CATEGORIES = tuple(DIMENSIONS["category"])
EDUCATION_TYPES = tuple(DIMENSIONS["education_type"])
FORMATS = tuple(DIMENSIONS["format"])
SCHEDULES = tuple(DIMENSIONS["schedule"])
FUNDINGS = tuple(DIMENSIONS["funding"])
DVV_AREA_MEMBERS = tuple(DIMENSIONS["dvv_area"])
SHARE_NAMES = tuple(_SHARES)
_SCHEDULE_INDEX = {s: i for i, s in enumerate(SCHEDULES)}


def _index(values: tuple[str, ...]) -> dict[str, int]:
    return {v: i for i, v in enumerate(values)}


@dataclass
class Catalogue:
    """Every active offer of the day as columns, built once per snapshot: each region's
    indicators are then sums over its rows (at 100,000 offers, asking every offer thirty
    questions per region took seconds)."""

    day: date
    row: dict[int, int]  # offer id → row
    category: np.ndarray
    education_type: np.ndarray
    format: np.ndarray
    organisation: np.ndarray
    dqr: np.ndarray  # index into DQR_MEMBERS
    dvv_area: np.ndarray  # index into DVV_AREA_MEMBERS
    hours: np.ndarray  # 0 where not given
    price_per_hour: np.ndarray  # nan where there is none
    shares: np.ndarray  # (offers × SHARE_NAMES) bool
    schedules: np.ndarray  # (offers × SCHEDULES) bool
    funding: np.ndarray  # (offers × FUNDINGS) bool
    has_place: np.ndarray
    barrier_free: np.ndarray  # barrier-free and with a place
    german_line: np.ndarray
    basic_line: np.ndarray

    @classmethod
    def of(cls, offers: list[OfferFact], day: date) -> "Catalogue":
        categories, types, formats = _index(CATEGORIES), _index(EDUCATION_TYPES), _index(FORMATS)
        fundings = _index(FUNDINGS)
        n = len(offers)
        shares = np.zeros((n, len(SHARE_NAMES)), dtype=bool)
        schedule_matrix = np.zeros((n, len(SCHEDULES)), dtype=bool)
        funding_matrix = np.zeros((n, len(FUNDINGS)), dtype=bool)
        for i, o in enumerate(offers):
            shares[i] = [test(o) for test in _SHARES.values()]
            for name in o.schedules:
                if name in _SCHEDULE_INDEX:
                    schedule_matrix[i, _SCHEDULE_INDEX[name]] = True
            for code in o.funding:
                if code in fundings:
                    funding_matrix[i, fundings[code]] = True
        prices = [price_per_hour(o) for o in offers]
        has_place = np.asarray([bool(o.places) for o in offers], dtype=bool)
        return cls(
            day=day,
            row={o.id: i for i, o in enumerate(offers)},
            category=np.asarray(
                [categories.get(o.category, categories["other"]) for o in offers], dtype=np.int64
            ),
            education_type=np.asarray(
                [types.get(o.education_type, 0) for o in offers], dtype=np.int64
            ),
            format=np.asarray([formats.get(o.format, 0) for o in offers], dtype=np.int64),
            organisation=np.asarray([o.organisation_id for o in offers], dtype=np.int64),
            dqr=np.asarray(
                [o.dqr_level - 1 if o.dqr_level else len(DQR_MEMBERS) - 1 for o in offers],
                dtype=np.int64,
            ),
            dvv_area=np.asarray([_dvv_area_index(o.dvv_category) for o in offers], dtype=np.int64),
            hours=np.asarray([o.duration_hours or 0 for o in offers], dtype=np.float64),
            price_per_hour=np.asarray(
                [np.nan if p is None else p for p in prices], dtype=np.float64
            ),
            shares=shares,
            schedules=schedule_matrix,
            funding=funding_matrix,
            has_place=has_place,
            barrier_free=has_place
            & np.asarray([barrier_free_place(o) for o in offers], dtype=bool),
            german_line=np.asarray([_is_line(o, "german_integration") for o in offers], dtype=bool),
            basic_line=np.asarray([_is_line(o, "basic_education") for o in offers], dtype=bool),
        )


_DVV_AREA_INDEX = _index(DVV_AREA_MEMBERS)


def _dvv_area_index(code: str | None) -> int:
    """ "4.06" → the row of area "4"; no or an unknown code → "none"."""
    area = (code or "")[:1]
    return _DVV_AREA_INDEX.get(area, _DVV_AREA_INDEX["none"])


def _is_line(o: OfferFact, category: str) -> bool:
    # Basic education also counts offers typed as such in another topic (e.g. a
    # literacy course filed under German).
    if category == "basic_education":
        return o.category == category or o.education_type == "grundbildung"
    return o.category == category


def _f(value: float | int | np.generic | None) -> float | None:
    """A plain float for JSON (numpy's own types do not serialise)."""
    return None if value is None else float(value)


def _count_rows(
    name: str, dimension: str, members: tuple[str, ...], counts: np.ndarray
) -> list[Row]:
    return [
        (name, dimension, m, float(c), None, float(c)) for m, c in zip(members, counts, strict=True)
    ]


def _bincount(values: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    counts: np.ndarray = np.bincount(values, weights=weights, minlength=size)[:size]
    return counts


def _price_rows(prices: np.ndarray, dimension: str, member: str) -> list[Row]:
    known = np.sort(prices[~np.isnan(prices)]).tolist()
    n = float(len(known))
    return [
        ("price_per_hour_median", dimension, member, n, None, percentile(known, 0.5)),
        ("price_per_hour_p25", dimension, member, n, None, percentile(known, 0.25)),
        ("price_per_hour_p75", dimension, member, n, None, percentile(known, 0.75)),
    ]


def compute(catalogue: Catalogue, region: RegionInput) -> list[Row]:
    """Every indicator row of one region: (indicator, dimension, member, numerator,
    denominator, value); dimension "" is the headline value."""
    c = catalogue
    rows_ = region.offers
    n = float(len(rows_))
    pop = region.population
    popf = _f(pop)
    runs = region.runs
    in_window = runs.starts_12m
    runs_12m = float(in_window.sum())
    rows: list[Row] = [
        ("offers", "", "", n, None, n),
        ("offers_per_10k", "", "", n, popf, rate(n, pop, 10_000)),
        ("runs_12m", "", "", runs_12m, None, runs_12m),
        ("runs_12m_per_10k", "", "", runs_12m, popf, rate(runs_12m, pop, 10_000)),
    ]
    flexible = float(runs.flexible.sum())
    rows.append(("runs_flexible", "", "", flexible, None, flexible))
    hours = float(c.hours[rows_].sum())
    rows += [
        ("hours", "", "", hours, None, hours),
        ("hours_per_1000", "", "", hours, popf, rate(hours, pop, 1000)),
    ]
    providers = float(len(np.unique(c.organisation[rows_])))
    rows += [
        ("providers", "", "", providers, None, providers),
        ("providers_per_100k", "", "", providers, popf, rate(providers, pop, 100_000)),
    ]
    share_sums = c.shares[rows_].sum(axis=0)
    for k, name in enumerate(SHARE_NAMES):
        hits = float(share_sums[k])
        rows.append((name, "", "", hits, n, share(hits, n)))
    placed = float(c.has_place[rows_].sum())
    free_places = float(c.barrier_free[rows_].sum())
    rows.append(("barrier_free_share", "", "", free_places, placed, share(free_places, placed)))
    rows += _price_rows(c.price_per_hour[rows_], "", "")
    run_offers = runs.offer[in_window]
    for prefix, line in (("german_integration", c.german_line), ("basic_education", c.basic_line)):
        mine = float(line[rows_].sum())
        line_runs = float(line[run_offers].sum())
        rows += [
            (f"{prefix}_offers", "", "", mine, None, mine),
            (f"{prefix}_per_10k", "", "", mine, popf, rate(mine, pop, 10_000)),
            (f"{prefix}_runs_12m", "", "", line_runs, None, line_runs),
        ]
    contacts = float(region.counselling_contacts)
    rows += [
        ("counselling_contacts", "", "", contacts, None, contacts),
        ("counselling_per_100k", "", "", contacts, popf, rate(contacts, pop, 100_000)),
    ]
    if region.white_spot_total is not None and region.white_spot_postcodes is not None:
        spots, total = float(region.white_spot_postcodes), float(region.white_spot_total)
        rows += [
            ("white_spot_postcodes", "", "", spots, total, spots),
            ("white_spot_share", "", "", spots, total, share(spots, total)),
        ]
    rows += _breakdowns(c, region, run_offers, runs.schedule[in_window])
    return rows


def _breakdowns(
    c: Catalogue, region: RegionInput, run_offers: np.ndarray, run_schedules: np.ndarray
) -> list[Row]:
    rows_ = region.offers
    pop = region.population
    size = len(CATEGORIES)
    category = c.category[rows_]
    by_category = _bincount(category, size)
    rows: list[Row] = []
    rows += _count_rows("offers", "category", CATEGORIES, by_category)
    rows += [
        ("offers_per_10k", "category", m, float(k), _f(pop), rate(float(k), pop, 10_000))
        for m, k in zip(CATEGORIES, by_category, strict=True)
    ]
    rows += _count_rows(
        "offers",
        "education_type",
        EDUCATION_TYPES,
        _bincount(c.education_type[rows_], len(EDUCATION_TYPES)),
    )
    rows += _count_rows("offers", "format", FORMATS, _bincount(c.format[rows_], len(FORMATS)))
    rows += _count_rows("offers", "schedule", SCHEDULES, c.schedules[rows_].sum(axis=0))
    rows += _count_rows("offers", "funding", FUNDINGS, c.funding[rows_].sum(axis=0))
    rows += _count_rows(
        "offers",
        "dvv_area",
        DVV_AREA_MEMBERS,
        _bincount(c.dvv_area[rows_], len(DVV_AREA_MEMBERS)),
    )
    rows += _count_rows("runs_12m", "category", CATEGORIES, _bincount(c.category[run_offers], size))
    rows += _count_rows("runs_12m", "schedule", SCHEDULES, _bincount(run_schedules, len(SCHEDULES)))
    rows += _count_rows(
        "runs_12m", "format", FORMATS, _bincount(c.format[run_offers], len(FORMATS))
    )
    rows += _count_rows("hours", "category", CATEGORIES, _bincount(category, size, c.hours[rows_]))
    pairs = np.unique(np.stack([category, c.organisation[rows_]], axis=1), axis=0)
    rows += _count_rows(
        "providers",
        "category",
        CATEGORIES,
        _bincount(pairs[:, 0] if len(pairs) else np.zeros(0, dtype=np.int64), size),
    )
    n = float(len(rows_))
    dqr = _bincount(c.dqr[rows_], len(DQR_MEMBERS))
    rows += [
        ("dqr_level", "dqr_level", m, float(k), n, share(float(k), n))
        for m, k in zip(DQR_MEMBERS, dqr, strict=True)
    ]
    shares = c.shares[rows_]
    placed = _bincount(category, size, c.has_place[rows_].astype(np.float64))
    free = _bincount(category, size, c.barrier_free[rows_].astype(np.float64))
    by_share = {
        name: _bincount(category, size, shares[:, SHARE_NAMES.index(name)].astype(np.float64))
        for name in _SHARES_BY_CATEGORY
    }
    prices = c.price_per_hour[rows_]
    for i, member in enumerate(CATEGORIES):
        total = float(by_category[i])
        if not total:
            continue  # a share of nothing: the count rows above say 0
        for name in _SHARES_BY_CATEGORY:
            hits = float(by_share[name][i])
            rows.append((name, "category", member, hits, total, share(hits, total)))
        rows.append(
            (
                "barrier_free_share",
                "category",
                member,
                float(free[i]),
                float(placed[i]),
                share(float(free[i]), float(placed[i])),
            )
        )
        rows += _price_rows(prices[category == i], "category", member)
    return rows
