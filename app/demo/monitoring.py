"""The monitoring part of the demo: the demo region's postcode → district table and a sample
needs list for the demo portal (each loaded once). Data: data/postcodes.csv, data/needs.csv;
how they were made: app/services/monitoring/data/README.md."""

from pathlib import Path

from sqlmodel import Session, func, select

from app.models.monitoring import Need, PostcodeDistrict
from app.models.portal import Portal
from app.services.monitoring import needs, regions

DATA = Path(__file__).resolve().parent / "data"
DEMO_PORTAL = "mittleres-ruhrgebiet"


def postcode_table() -> str:
    return (DATA / "postcodes.csv").read_text(encoding="utf-8")


def needs_list() -> str:
    return (DATA / "needs.csv").read_text(encoding="utf-8")


def load_monitoring_demo(*, session: Session) -> str:
    """Load what is missing; returns a line saying what was loaded."""
    done = []
    if not session.exec(select(func.count()).select_from(PostcodeDistrict)).one():
        count = regions.import_postcode_table(session=session, text=postcode_table())
        done.append(f"{count} postcodes")
    portal = session.exec(select(Portal).where(Portal.slug == DEMO_PORTAL)).first()
    if (
        portal is not None
        and not session.exec(
            select(func.count()).select_from(Need).where(Need.portal_id == portal.id)
        ).one()
    ):
        loaded = needs.replace_needs(session=session, portal=portal, text=needs_list())
        done.append(f"{len(loaded)} needs")
    return f"monitoring demo: {', '.join(done)}" if done else "monitoring demo present already"
