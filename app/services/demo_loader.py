"""Loads the deterministic demo catalogue through the normal services (so it gets indexed)."""

from datetime import date

from sqlmodel import Session, func, select
from tqdm import tqdm

from app.models.organisation import Organisation
from app.services.auth import Actor
from app.services.demo_data import demo_offers, demo_organisations
from app.services.offers import create_offer
from app.services.organisations import create_organisation


def load_demo_catalogue(
    *,
    session: Session,
    offers: int = 320,
    organisations: int = 36,
    today: date | None = None,
    progress: bool = False,
) -> int:
    """Create the demo organisations and offers unless the database has organisations."""
    if session.exec(select(func.count()).select_from(Organisation)).one():
        return 0
    actor = Actor.system("demo")
    org_ids = []
    for data in demo_organisations(count=organisations):
        org = create_organisation(session=session, actor=actor, data=data)
        assert org.id is not None
        org_ids.append(org.id)
    payloads = demo_offers(organisations=organisations, count=offers, today=today or date.today())
    for org_index, payload in tqdm(
        payloads, desc="demo offers", unit="offers", disable=not progress
    ):
        create_offer(session=session, actor=actor, data=payload, organisation_id=org_ids[org_index])
    return len(payloads)
