"""The completeness score (0-100) of an offer and what a provider can add to raise it.

A pure function of what the provider sent (`OfferFields`): the API, every import report and
the stored column (which search ranks by and portals filter on) all agree. The formula is
documented in docs/quality.md; each rule gives its points whole or not at all.
"""

from collections.abc import Callable
from dataclasses import dataclass

from app.codelists import EducationType, Format
from app.models.offer import OfferFields

# A description this long says what the course is, for whom, and how it runs.
DESCRIPTION_MIN_CHARS = 300
# Education types that lead to a recognised qualification: the offer should name it.
DEGREE_TYPES = frozenset(
    {
        EducationType.aufstiegsweiterbildung,
        EducationType.umschulung,
        EducationType.teilqualifizierung,
        EducationType.studium,
        EducationType.schulabschluss,
    }
)


@dataclass(frozen=True, slots=True)
class Missing:
    """One rule the offer does not meet: its name, the points it would add, what to do."""

    rule: str
    gain: int
    hint: str

    def __str__(self) -> str:
        return f"+{self.gain}: {self.hint}"


@dataclass(frozen=True, slots=True)
class Completeness:
    score: int
    missing: list[Missing]


def _description(o: OfferFields) -> bool:
    return len(o.description.strip()) >= DESCRIPTION_MIN_CHARS


def _dates(o: OfferFields) -> bool:
    return bool(o.dates) and all(d.start_date or d.flexible_start for d in o.dates)


def _places(o: OfferFields) -> bool:
    if o.format == Format.online:
        return True
    taught_in_place = [d for d in o.dates if not d.online]
    return bool(taught_in_place) and all(
        d.location is not None and d.location.street and d.location.postcode
        for d in taught_in_place
    )


def _price(o: OfferFields) -> bool:
    return o.price is not None or bool((o.price_note or "").strip())


def _duration(o: OfferFields) -> bool:
    if o.duration_hours is not None:
        return True
    return bool(o.dates) and all(d.end_date or d.session_count or d.sessions for d in o.dates)


def _schedule(o: OfferFields) -> bool:
    return any(d.weekdays or d.sessions or d.schedule_note for d in o.dates)


def _contact(o: OfferFields) -> bool:
    return bool(o.contact.email or o.contact.phone)


def _funding(o: OfferFields) -> bool:
    return bool(o.funding)


def _degree(o: OfferFields) -> bool:
    return o.education_type not in DEGREE_TYPES or bool(o.degree)


# (rule, points, met?, what to do) — the points add up to 100.
RULES: tuple[tuple[str, int, Callable[[OfferFields], bool], str], ...] = (
    (
        "description",
        15,
        _description,
        f"describe the offer in at least {DESCRIPTION_MIN_CHARS} characters",
    ),
    ("dates", 15, _dates, "give at least one date with its start (or a flexible start)"),
    ("price", 15, _price, "give a price, or say in price_note that it is on request"),
    ("places", 10, _places, "give the street and postcode of every place taught in person"),
    ("duration", 10, _duration, "give the duration in hours, or an end date for every date"),
    ("schedule", 10, _schedule, "say when it meets: weekdays, sessions or a schedule note"),
    ("contact", 10, _contact, "give a contact e-mail or phone number"),
    ("degree", 10, _degree, "name the degree or certificate this education type leads to"),
    ("funding", 5, _funding, "name the funding it qualifies for (e.g. Bildungsgutschein)"),
)
assert sum(points for _, points, _, _ in RULES) == 100


def completeness(offer: OfferFields) -> Completeness:
    """The score and what is missing, largest gain first."""
    missing = [Missing(rule, points, hint) for rule, points, met, hint in RULES if not met(offer)]
    return Completeness(score=100 - sum(m.gain for m in missing), missing=missing)


def score(offer: OfferFields) -> int:
    return completeness(offer).score
