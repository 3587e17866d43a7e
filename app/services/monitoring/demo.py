"""The monitoring part of the demo: the demo region's postcode → district table and a sample
needs list for the demo portal (each loaded once)."""

from sqlmodel import Session, func, select

from app.models.monitoring import Need, PostcodeDistrict
from app.models.portal import Portal
from app.services.monitoring import needs, regions

DEMO_PORTAL = "mittleres-ruhrgebiet"


def load_monitoring_demo(*, session: Session) -> str:
    """Load what is missing; returns a line saying what was loaded."""
    done = []
    if not session.exec(select(func.count()).select_from(PostcodeDistrict)).one():
        done.append(f"{regions.load_demo_postcodes(session=session)} postcodes")
    portal = session.exec(select(Portal).where(Portal.slug == DEMO_PORTAL)).first()
    if (
        portal is not None
        and not session.exec(
            select(func.count()).select_from(Need).where(Need.portal_id == portal.id)
        ).one()
    ):
        done.append(f"{needs.load_demo_needs(session=session, portal=portal)} needs")
    return f"monitoring demo: {', '.join(done)}" if done else "monitoring demo present already"
