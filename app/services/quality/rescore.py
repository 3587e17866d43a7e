"""Computes the stored completeness of every offer again (after the formula changed, or for
offers stored before the score existed) and queues the changed ones for the indexer."""

from sqlmodel import Session, col, select

from app.models.offer import Offer, OfferFields
from app.services import offers, outbox
from app.services.quality.completeness import score

BATCH = 500


def rescore_all(*, session: Session) -> int:
    """Returns how many offers' scores changed."""
    changed = 0
    last_id = 0
    while True:
        batch = list(
            session.exec(
                select(Offer).where(col(Offer.id) > last_id).order_by(col(Offer.id)).limit(BATCH)
            )
        )
        if not batch:
            return changed
        ids = [o.id for o in batch if o.id is not None]
        dates = offers.load_dates(session=session, offer_ids=ids)
        queued = []
        for offer in batch:
            assert offer.id is not None
            # The stored columns, not a pending revision: that is what the column scores.
            fields = OfferFields.model_validate(offers.snapshot(offer, dates[offer.id]))
            new = score(fields)
            if new != offer.completeness:
                offer.completeness = new
                session.add(offer)
                queued.append(offer.id)
        if queued:
            outbox.enqueue(session=session, offer_ids=queued)
            changed += len(queued)
        session.flush()
        last_id = ids[-1]
