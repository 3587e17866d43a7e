"""Loads offers with their dates and organisations in bulk, for building documents."""

from sqlmodel import Session, col, select

from app.models.offer import Offer
from app.models.organisation import Organisation
from app.services.offers import load_dates
from indexer.documents import OfferSource


def load_sources(session: Session, offer_ids: list[int]) -> dict[int, OfferSource]:
    """Sources for the offers that still exist, keyed by id."""
    if not offer_ids:
        return {}
    offers = list(session.exec(select(Offer).where(col(Offer.id).in_(offer_ids))))
    dates = load_dates(session=session, offer_ids=[o.id for o in offers if o.id is not None])
    org_ids = {o.organisation_id for o in offers}
    orgs = {
        org.id: org
        for org in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))
    }
    return {
        o.id: OfferSource(offer=o, dates=dates[o.id], organisation=orgs[o.organisation_id])
        for o in offers
        if o.id is not None
    }
