"""What the indicators are computed from: the offers a citizen can find on the reporting
day, with their current dates and their provider's AZAV approval, read as plain rows."""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Select, and_, or_, select
from sqlmodel import Session, col

from app.codelists import OfferStatus
from app.models.duplicate import DuplicateCandidate, PairStatus
from app.models.offer import Offer, OfferDate
from app.models.organisation import Organisation
from app.search.documents import DateFacts, is_current, merged_away


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
    dvv_category: str | None
    funding: tuple[str, ...]
    price_cents: int | None
    duration_hours: int | None
    format: str
    barrier_free: bool
    childcare: bool
    reviewed: bool
    azav_valid: bool
    dates: tuple[DateFacts, ...]
    # Derived once here: every region's indicators ask for them (404 regions a snapshot).
    places: tuple[DateFacts, ...] = ()  # current dates held at a place (with a postcode)
    schedules: frozenset[str] = frozenset()

    @classmethod
    def of(cls, **fields: Any) -> "OfferFact":
        dates: tuple[DateFacts, ...] = fields["dates"]
        return cls(
            **fields,
            places=tuple(d for d in dates if d.postcode),
            schedules=frozenset(d.schedule for d in dates),
        )


_OFFER_COLUMNS = [
    cast(Any, Offer).__table__.c[name]
    for name in (
        "id",
        "organisation_id",
        "title",
        "category",
        "education_type",
        "degree",
        "awarding_body",
        "dqr_level",
        "dvv_category",
        "funding",
        "price_cents",
        "duration_hours",
        "format",
        "barrier_free",
        "childcare",
        "reviewed_at",
    )
]
# The columns search documents are built from: the same dates, read the same way.
_DATE_COLUMNS = [cast(Any, OfferDate).__table__.c[f.name] for f in fields(DateFacts)]


def active_offers(*, session: Session, day: date) -> list[OfferFact]:
    """Published offers inside their announcement window on `day` that a citizen can still
    find: at least one current date, or no dates at all (on request), and not merged into
    another offer as its duplicate. Only current dates are kept. Plain column rows: at 100k
    offers ORM objects would cost seconds."""
    connection = session.connection()
    announced = and_(
        col(Offer.status) == OfferStatus.published.value,
        or_(col(Offer.visible_from).is_(None), col(Offer.visible_from) <= day),
        or_(col(Offer.visible_until).is_(None), col(Offer.visible_until) >= day),
    )
    azav = {
        org_id
        for org_id, approved, until in connection.execute(
            select(
                col(Organisation.id),
                col(Organisation.azav_approved),
                col(Organisation.azav_valid_until),
            )
        )
        if approved and (until is None or until >= day)
    }
    dates: dict[int, list[DateFacts]] = {}
    had_dates: set[int] = set()
    rows = _plain_rows(
        connection,
        select(*_DATE_COLUMNS)
        .join(Offer, col(Offer.id) == col(OfferDate.offer_id))
        .where(announced)
        .order_by(col(OfferDate.offer_id), col(OfferDate.position)),
    )
    for row in rows:
        had_dates.add(row[0])
        fact = DateFacts(*row)
        if is_current(fact, day):
            dates.setdefault(row[0], []).append(fact)
    offers = []
    no_dates: tuple[DateFacts, ...] = ()
    for row in _plain_rows(connection, select(*_OFFER_COLUMNS).where(announced)):
        offer_id = row[0]
        current = dates.get(offer_id)
        if current is None and offer_id in had_dates:
            continue  # every date is past
        held = tuple(current) if current else no_dates
        reviewed_at: datetime | None = row[15]
        offers.append(
            OfferFact(
                offer_id,
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                row[6],
                row[7],
                row[8],
                tuple(row[9] or ()),
                row[10],
                row[11],
                row[12],
                bool(row[13]),
                bool(row[14]),
                reviewed_at is not None,
                row[1] in azav,
                held,
                tuple(d for d in held if d.postcode),
                frozenset(d.schedule for d in held),
            )
        )
    merged = _merged_duplicates(connection, {o.id for o in offers})
    return [o for o in offers if o.id not in merged] if merged else offers


def _merged_duplicates(connection: Connection, findable: set[int]) -> set[int]:
    """The offers search hides as another's duplicate (`merged_away`, the rule the search
    documents follow), among `findable` offers (published, announced, a current date or
    none): a portal's count stays what its search finds."""
    pair = DuplicateCandidate
    rows = connection.execute(
        select(col(pair.offer_a_id), col(pair.offer_b_id), col(pair.canonical_offer_id)).where(
            col(pair.status) == PairStatus.same.value
        )
    )
    return merged_away(rows, findable)


def _plain_rows(connection: Connection, statement: Select[Any]) -> Sequence[Sequence[Any]]:
    """All rows as tuples. On PostgreSQL straight from the driver, which already returns
    dates, booleans and parsed JSON: SQLAlchemy's row objects cost a third of the reading
    at 30,000 offers. SQLite stores dates as text, so there SQLAlchemy converts them."""
    result = connection.execute(statement)
    if connection.dialect.name == "postgresql":
        rows: Sequence[Sequence[Any]] = result.cursor.fetchall()
        return rows
    return result.all()
