"""The monitoring part of the demo: every postcode the demo uses has a district, the needs
list parses, and both load once."""

import json
from datetime import date

from sqlmodel import Session, func, select

from app import db
from app.demo import monitoring
from app.demo.catalogue import demo_offers, demo_organisations
from app.demo.loader import load_demo_catalogue
from app.models.monitoring import Need, PostcodeDistrict
from app.services.monitoring import needs, regions


def _cities() -> list[dict[str, object]]:
    data = json.loads((monitoring.DATA / "cities.json").read_text(encoding="utf-8"))
    cities = data["cities"]
    assert isinstance(cities, list)
    return cities


def test_every_demo_postcode_has_a_district() -> None:
    table = regions.parse_postcode_table(monitoring.postcode_table())
    # every address of every demo town, whatever a generator run picks
    used = {str(postcode) for city in _cities() for _, postcode in city["addresses"]}  # type: ignore[attr-defined]
    used |= {o.postcode for o in demo_organisations() if o.postcode}
    for _, offer in demo_offers(organisations=36, count=320, today=date(2026, 11, 21)):
        used |= {d.location.postcode for d in offer.dates if d.location}
    assert used, "the demo uses postcodes"
    assert sorted(used - set(table)) == []
    # the demo region's districts are complete
    for ags, size in (("05911", 18), ("05916", 9), ("05913", 27), ("05513", 13), ("05954", 15)):
        assert sum(1 for a in table.values() if a == ags) == size, ags


def test_the_demo_needs_list_parses() -> None:
    rows = needs.parse_needs(monitoring.needs_list())
    assert len(rows) >= 8
    assert all(r.kldb is None or len(r.kldb) == 5 for r in rows)


def test_the_monitoring_demo_loads_once(database_url: str) -> None:
    with db.session_scope() as session:
        load_demo_catalogue(session=session, offers=40, today=date(2026, 11, 21))
        first = monitoring.load_monitoring_demo(session=session)
    assert "postcodes" in first
    assert "needs" in first
    with db.session_scope() as session:
        assert monitoring.load_monitoring_demo(session=session) == (
            "monitoring demo present already"
        )
    with Session(db.get_engine()) as session:
        assert session.exec(select(func.count()).select_from(PostcodeDistrict)).one() > 100
        assert session.exec(select(func.count()).select_from(Need)).one() >= 8
