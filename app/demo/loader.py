"""Loads the deterministic demo catalogue through the normal services (so it gets indexed)."""

from datetime import date

from sqlmodel import Session, func, select
from tqdm import tqdm

from app.demo.catalogue import demo_offers, demo_organisations
from app.models.organisation import Organisation
from app.models.portal import ContactIn, PortalCreate
from app.services.auth import Actor
from app.services.offers import create_offer
from app.services.organisations import create_organisation
from app.services.portals import create_portal

DEMO_PORTAL = PortalCreate(
    slug="mittleres-ruhrgebiet",
    name="Weiterbildung im Mittleren Ruhrgebiet",
    # Bochum, Herne, Witten, Hattingen, Sprockhövel
    postcode_prefixes=["447", "448", "446", "453", "455"],
    contacts=[
        ContactIn(
            name="Weiterbildungsberatung Bochum",
            street="Gustav-Heinemann-Platz 2-6",
            postcode="44787",
            city="Bochum",
            phone="0234 910-1555",
            email="beratung@bildung.example.org",
            opening_hours="Mo–Do 9–16 Uhr, Fr 9–12 Uhr",
        ),
        ContactIn(
            name="Beratung zur beruflichen Entwicklung Herne",
            postcode="44623",
            city="Herne",
            phone="02323 16-0",
            opening_hours="Di und Do 10–15 Uhr",
        ),
    ],
)


def load_demo_catalogue(
    *,
    session: Session,
    offers: int = 320,
    organisations: int = 36,
    today: date | None = None,
    progress: bool = False,
) -> int:
    """Create the demo organisations, offers and portal unless organisations exist."""
    if session.exec(select(func.count()).select_from(Organisation)).one():
        return 0
    actor = Actor.system("demo")
    org_ids = []
    for data in demo_organisations(count=organisations):
        org = create_organisation(session=session, actor=actor, data=data)
        assert org.id is not None
        org_ids.append(org.id)
    create_portal(session=session, data=DEMO_PORTAL)
    payloads = demo_offers(organisations=organisations, count=offers, today=today or date.today())
    for org_index, payload in tqdm(
        payloads, desc="demo offers", unit="offers", disable=not progress
    ):
        create_offer(session=session, actor=actor, data=payload, organisation_id=org_ids[org_index])
    return len(payloads)
