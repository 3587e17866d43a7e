"""Freshness: offers their provider has not changed for half a year are flagged to it.

"Changed" is any write of the offer (content, dates, status): `offer.updated_at`. Portals that
hide stale offers use a longer span (`app.search.filters.STALE_HIDE_DAYS`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlmodel import Session, col

from app.codelists import OfferStatus
from app.models.offer import Offer
from app.models.organisation import Organisation
from app.models.types import utcnow

STALE_FLAG_DAYS = 183
# What a provider still shows or wants shown; withdrawn, rejected and archived offers are not
# its catalogue any more.
_LIVE = (OfferStatus.published.value, OfferStatus.submitted.value)


def stale_before(now: datetime | None = None) -> datetime:
    """Offers last changed before this moment are stale."""
    return (now or utcnow()) - timedelta(days=STALE_FLAG_DAYS)


def is_stale(offer: Offer, *, now: datetime | None = None) -> bool:
    return offer.status in _LIVE and offer.updated_at < stale_before(now)


def stale_clause(now: datetime | None = None) -> ColumnElement[bool]:
    """The offers a provider should look at again: live, and unchanged for half a year."""
    return and_(col(Offer.status).in_(_LIVE), col(Offer.updated_at) < stale_before(now))


@dataclass(frozen=True, slots=True)
class StaleOffer:
    offer_id: int
    external_id: str | None
    title: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StaleList:
    organisation_id: int
    organisation_name: str
    offers: list[StaleOffer]


def stale_by_organisation(
    *, session: Session, organisation_id: int | None = None, now: datetime | None = None
) -> list[StaleList]:
    """Per organisation (by name), its stale offers, longest unchanged first."""
    query = (
        select(
            col(Offer.organisation_id),
            col(Organisation.name),
            col(Offer.id),
            col(Offer.external_id),
            col(Offer.title),
            col(Offer.updated_at),
        )
        .join(Organisation, col(Organisation.id) == col(Offer.organisation_id))
        .where(stale_clause(now))
        .order_by(
            func.lower(Organisation.name),
            col(Offer.organisation_id),
            col(Offer.updated_at),
            col(Offer.id),
        )
    )
    if organisation_id is not None:
        query = query.where(col(Offer.organisation_id) == organisation_id)
    lists: dict[int, StaleList] = {}
    for org_id, org_name, offer_id, external_id, title, updated_at in session.execute(query):
        entry = lists.setdefault(org_id, StaleList(org_id, org_name, []))
        entry.offers.append(StaleOffer(offer_id, external_id, title, updated_at))
    return list(lists.values())
