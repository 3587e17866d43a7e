"""The demo catalogue loads through the normal services, queues everything, and only once."""

from datetime import date

from sqlmodel import Session, func, select

from app import db
from app.demo.loader import load_demo_catalogue
from app.models.offer import Offer
from app.models.outbox import OutboxEntry
from app.models.portal import Portal


def test_demo_catalogue_loads_once(database_url: str) -> None:
    with db.session_scope() as session:
        assert load_demo_catalogue(session=session, today=date(2026, 11, 21)) >= 300
    with db.session_scope() as session:
        assert load_demo_catalogue(session=session) == 0
    with Session(db.get_engine()) as session:
        offers = session.exec(select(func.count()).select_from(Offer)).one()
        queued = session.exec(select(func.count()).select_from(OutboxEntry)).one()
        statuses = set(session.exec(select(Offer.status)))
        portal = session.exec(select(Portal)).one()
    assert offers == queued >= 300
    assert statuses == {"published", "submitted"}
    assert portal.slug == "mittleres-ruhrgebiet"
