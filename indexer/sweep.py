"""Once a day, requeue offers whose dates passed: their next start and visibility changed."""

from datetime import date, timedelta

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from app.codelists import OfferStatus
from app.models.offer import Offer, OfferDate
from app.search.state import LAST_SWEEP, get_state, set_state
from app.services import outbox


def sweep_if_due(engine: Engine, today: date) -> int:
    """Requeue what time has changed since the last sweep; returns how many offers."""
    with Session(engine) as session:
        last = get_state(session, LAST_SWEEP)
        if last == today.isoformat():
            return 0
        since = date.fromisoformat(last) if last else today - timedelta(days=1)
        passed = or_(
            col(OfferDate.start_date).between(since, today),
            col(OfferDate.registration_deadline).between(since, today),
        )
        by_date = select(OfferDate.offer_id).where(passed)
        by_window = select(Offer.id).where(
            or_(
                col(Offer.visible_from).between(since, today),
                col(Offer.visible_until).between(since, today),
            )
        )
        ids = set(
            session.exec(
                select(Offer.id).where(
                    Offer.status == OfferStatus.published,
                    or_(col(Offer.id).in_(by_date), col(Offer.id).in_(by_window)),
                )
            )
        )
        outbox.enqueue(session=session, offer_ids=[i for i in ids if i is not None])
        set_state(session, LAST_SWEEP, today.isoformat())
        session.commit()
        return len(ids)
