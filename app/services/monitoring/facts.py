"""What the indicators are computed from: the offers a citizen can find on the reporting
day, with their current dates and their provider's AZAV approval, read as plain rows."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.codelists import OfferStatus
from app.models.offer import Offer, OfferDate
from app.models.organisation import Organisation


@dataclass(frozen=True, slots=True)
class DateFact:
    start_date: date | None
    end_date: date | None
    registration_deadline: date | None
    flexible_start: bool
    schedule: str
    online: bool
    postcode: str | None
    lat: float | None
    lon: float | None
    barrier_free: bool | None


@dataclass(frozen=True, slots=True)
class OfferFact:
    id: int
    organisation_id: int
    title: str
    category: str
    education_type: str
    degree: str | None
    awarding_body: str | None
    dqr_level: int | None
    funding: tuple[str, ...]
    price_cents: int | None
    duration_hours: int | None
    format: str
    barrier_free: bool
    childcare: bool
    reviewed: bool
    azav_valid: bool
    dates: tuple[DateFact, ...]

    @property
    def places(self) -> tuple[DateFact, ...]:
        """Current dates held at a place (with a postcode)."""
        return tuple(d for d in self.dates if d.postcode)


def is_current(d: DateFact, day: date) -> bool:
    """The search's rule (app search documents): a date still worth showing starts later,
    starts any time, or has begun but still takes people."""
    if d.flexible_start:
        return True
    if d.start_date is not None and d.start_date >= day:
        return True
    if d.registration_deadline is not None:
        return d.registration_deadline >= day
    return d.end_date is not None and d.end_date >= day


_OFFER_COLUMNS = (
    Offer.id,
    Offer.organisation_id,
    Offer.title,
    Offer.category,
    Offer.education_type,
    Offer.degree,
    Offer.awarding_body,
    Offer.dqr_level,
    Offer.funding,
    Offer.price_cents,
    Offer.duration_hours,
    Offer.format,
    Offer.barrier_free,
    Offer.childcare,
    Offer.reviewed_at,
)
_DATE_COLUMNS = (
    OfferDate.offer_id,
    OfferDate.start_date,
    OfferDate.end_date,
    OfferDate.registration_deadline,
    OfferDate.flexible_start,
    OfferDate.schedule,
    OfferDate.online,
    OfferDate.postcode,
    OfferDate.lat,
    OfferDate.lon,
    OfferDate.barrier_free,
)


def active_offers(*, session: Session, day: date) -> list[OfferFact]:
    """Published offers inside their announcement window on `day` that a citizen can still
    find: at least one current date, or no dates at all (on request). Only current dates
    are kept. Plain column rows: at 100k offers ORM objects would cost seconds."""
    connection = session.connection()
    announced = (
        (Offer.status == OfferStatus.published.value)
        & or_(col(Offer.visible_from).is_(None), col(Offer.visible_from) <= day)
        & or_(col(Offer.visible_until).is_(None), col(Offer.visible_until) >= day)
    )
    azav = {
        org_id
        for org_id, approved, until in connection.execute(
            select(Organisation.id, Organisation.azav_approved, Organisation.azav_valid_until)
        )
        if approved and (until is None or until >= day)
    }
    dates: dict[int, list[DateFact]] = {}
    had_dates: set[int] = set()
    rows = connection.execute(
        select(*_DATE_COLUMNS)
        .join(Offer, col(Offer.id) == col(OfferDate.offer_id))
        .where(announced)
        .order_by(col(OfferDate.offer_id), col(OfferDate.position))
    )
    for row in rows:
        had_dates.add(row[0])
        fact = DateFact(*row[1:])
        if is_current(fact, day):
            dates.setdefault(row[0], []).append(fact)
    offers = []
    for row in connection.execute(select(*_OFFER_COLUMNS).where(announced)):
        offer_id = row[0]
        if offer_id in had_dates and offer_id not in dates:
            continue  # every date is past
        reviewed_at: datetime | None = row[14]
        offers.append(
            OfferFact(
                id=offer_id,
                organisation_id=row[1],
                title=row[2],
                category=row[3],
                education_type=row[4],
                degree=row[5],
                awarding_body=row[6],
                dqr_level=row[7],
                funding=tuple(row[8] or ()),
                price_cents=row[9],
                duration_hours=row[10],
                format=row[11],
                barrier_free=bool(row[12]),
                childcare=bool(row[13]),
                reviewed=reviewed_at is not None,
                azav_valid=row[1] in azav,
                dates=tuple(dates.get(offer_id, ())),
            )
        )
    return offers
