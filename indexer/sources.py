"""Loads what documents are built from, for many offers at once.

Plain column rows rather than ORM objects: the indexer and the rebuild read every offer,
and loading ORM objects (identity map, instrumentation, every column converted) cost
~175 µs per offer against ~45 µs for just the columns a document needs (measured at 100k
offers on SQLite; the full reindex went from 1.78× to 1.22× the raw bulk load).
"""

from dataclasses import fields
from typing import Any, cast

from sqlmodel import Session, col, select

from app.models.offer import Offer, OfferDate
from app.models.organisation import Organisation
from app.search.documents import DateFacts, OfferFacts, OfferSource, ProviderTrust


def _columns(model: Any, facts: type) -> list[Any]:
    return [model.__table__.c[f.name] for f in fields(facts)]


_OFFER_COLUMNS = _columns(Offer, OfferFacts)
_DATE_COLUMNS = _columns(OfferDate, DateFacts)
_ORGANISATION_COLUMNS = [
    cast(Any, Organisation).__table__.c[name]
    for name in (
        "id",
        "name",
        "azav_approved",
        "azav_certifier",
        "azav_valid_until",
        "certificates",
    )
]


def load_sources(session: Session, offer_ids: list[int]) -> dict[int, OfferSource]:
    """Sources for the offers that still exist, keyed by id."""
    if not offer_ids:
        return {}
    connection = session.connection()
    offers = [
        OfferFacts(*row)
        for row in connection.execute(select(*_OFFER_COLUMNS).where(col(Offer.id).in_(offer_ids)))
    ]
    dates: dict[int, list[DateFacts]] = {o.id: [] for o in offers}
    date_rows = connection.execute(
        select(*_DATE_COLUMNS)
        .where(col(OfferDate.offer_id).in_(list(dates)))
        .order_by(col(OfferDate.offer_id), col(OfferDate.position))
    )
    for row in date_rows:
        dates[row[0]].append(DateFacts(*row))
    org_ids = {o.organisation_id for o in offers}
    names: dict[int, str] = {}
    trust: dict[int, ProviderTrust] = {}
    for org_id, name, approved, certifier, valid_until, certificates in connection.execute(
        select(*_ORGANISATION_COLUMNS).where(col(Organisation.id).in_(org_ids))
    ):
        names[org_id] = name
        trust[org_id] = ProviderTrust(
            azav_approved=bool(approved),
            azav_certifier=certifier,
            azav_valid_until=valid_until,
            certificates=tuple(certificates or ()),
        )
    return {
        o.id: OfferSource(
            offer=o,
            dates=dates[o.id],
            provider=names[o.organisation_id],
            trust=trust[o.organisation_id],
        )
        for o in offers
    }
