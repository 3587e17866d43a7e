"""A small catalogue whose monitoring answers are known by hand, and helpers for the
monitoring tests (imported by tests/services/monitoring and tests/api)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from app import config, db
from app.services.monitoring import demand, publication

if TYPE_CHECKING:  # tests.conftest imports this module's fixtures
    from tests.conftest import SearchIndex

TODAY = date.today()
BOCHUM = (51.4818, 7.2162, "44787", "Bochum")
BOCHUM_UNI = (51.4445, 7.2610, "44801", "Bochum")
HERNE = (51.5388, 7.2256, "44623", "Herne")
KOELN = (50.9375, 6.9603, "50667", "Köln")
BOCHUM_POPULATION = 364_628  # districts.csv, 05911
# Every Bochum postcode, and two of Herne's: what the test table knows (Köln is left out on
# purpose: its places land in "unknown").
BOCHUM_POSTCODES = [f"447{n}" for n in (87, 89, 91, 93, 95, 97, 99)] + [
    f"448{n:02d}" for n in (1, 3, 5, 7, 9, 66, 67, 69, 79, 92, 94)
]
POSTCODE_TABLE = (
    "postcode;ags\n"
    + "".join(f"{p};05911\n" for p in BOCHUM_POSTCODES)
    + "44623;05916\n44625;05916\n"
)


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def run(
    place: tuple[float, float, str, str],
    start: int | None,
    *,
    schedule: str = "full_time",
    barrier_free: bool | None = None,
    flexible: bool = False,
    end: int | None = None,
) -> dict[str, Any]:
    lat, lon, postcode, city = place
    body: dict[str, Any] = {
        "schedule": schedule,
        "location": {
            "postcode": postcode,
            "city": city,
            "lat": lat,
            "lon": lon,
            "barrier_free": barrier_free,
        },
    }
    if start is not None:
        body["start_date"] = day(start)
        body["end_date"] = day(end if end is not None else start + 30)
    if flexible:
        body["flexible_start"] = True
    return body


@dataclass
class KnownCatalogue:
    """Ids of the hand-made catalogue; every expected figure is in the tests."""

    offers: dict[str, int]
    orgs: dict[str, int]
    admin: dict[str, str]
    analyst: dict[str, str]  # key of portal "bochum-test" only
    other_analyst: dict[str, str]  # key of portal "far" only


def create_offer(client: TestClient, headers: dict[str, str], **fields: Any) -> int:
    from tests.conftest import offer_payload

    body = offer_payload()
    body.update(fields)
    r = client.post("/api/v1/offers", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def build_known_catalogue(
    client: TestClient,
    admin: dict[str, str],
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
    search_index: "SearchIndex",
) -> KnownCatalogue:
    """Seven offers of three providers, two portals, the postcode table.

    - O1 Bochum 44787: accounting, Bildungsgutschein code, 1,200 € / 120 h, part-time, with
      childcare, degree + awarding body, DQR 4, in person, barrier-free place; provider B.
    - O2 Bochum 44801: IT "Python für Einsteiger", free, 20 h, evening, blended; runs in 10
      and 400 days; provider A (valid AZAV).
    - O3 Herne 44623: German course "Deutschkurs B1", 300 € / 100 h; provider C (AZAV
      expired).
    - O4 online only: management, Aufstiegs-BAföG, 2,000 €, no hours, weekend, degree, DQR 6.
    - O5 Bochum 44787 (in 60 days) and Köln (flexible start): basic education, no price,
      40 h, full-time; provider C.
    - O6 Bochum, only submitted; O7 Bochum, every date past: neither counts.
    """
    a = make_org(name="Akademie A", trusted=True, azav_approved=True, azav_valid_until=day(365))
    b = make_org(name="Bildungswerk B", trusted=True)
    c = make_org(name="Campus C", trusted=True, azav_approved=True, azav_valid_until=day(-1))
    untrusted = make_org(name="Neu GmbH")
    ha, hb, hc = make_key("provider", a), make_key("provider", b), make_key("provider", c)
    offers = {
        "O1": create_offer(
            client,
            hb,
            title="Finanzbuchhaltung mit DATEV",
            category="accounting_finance",
            funding=["bildungsgutschein"],
            price="1200.00",
            duration_hours=120,
            degree="Finanzbuchhalter/in",
            awarding_body="IHK Mittleres Ruhrgebiet",
            dqr_level=4,
            childcare=True,
            format="in_person",
            dates=[run(BOCHUM, 30, schedule="part_time", barrier_free=True)],
        ),
        "O2": create_offer(
            client,
            ha,
            title="Python für Einsteiger",
            description="Programmieren lernen.",
            keywords=["Python"],
            category="it_digital",
            funding=[],
            price="0",
            duration_hours=20,
            format="blended",
            dates=[
                run(BOCHUM_UNI, 10, schedule="evening"),
                run(BOCHUM_UNI, 400, schedule="evening"),
            ],
        ),
        "O3": create_offer(
            client,
            hc,
            title="Deutschkurs B1",
            description="Deutsch im Alltag.",
            keywords=["Deutsch"],
            category="german_integration",
            education_type="sprachkurs",
            funding=[],
            price="300.00",
            duration_hours=100,
            dates=[run(HERNE, 20)],
        ),
        "O4": create_offer(
            client,
            hb,
            title="Führung im Fernkurs",
            description="Führen lernen.",
            keywords=["Führung"],
            category="management_leadership",
            education_type="aufstiegsweiterbildung",
            funding=["aufstiegs_bafoeg"],
            price="2000.00",
            duration_hours=None,
            format="online",
            degree="Fachwirt/in",
            awarding_body="IHK",
            dqr_level=6,
            dates=[{"start_date": day(15), "schedule": "weekend", "online": True}],
        ),
        "O5": create_offer(
            client,
            hc,
            title="Lesen und Schreiben",
            description="Grundbildung.",
            keywords=["Alphabetisierung"],
            category="basic_education",
            education_type="grundbildung",
            funding=[],
            price=None,
            duration_hours=40,
            dates=[run(BOCHUM, 60), run(KOELN, None, flexible=True)],
        ),
        "O6": create_offer(
            client,
            make_key("provider", untrusted),
            title="Noch nicht geprüft",
            dates=[run(BOCHUM, 30)],
        ),
        "O7": create_offer(client, hb, title="Längst vorbei", dates=[run(BOCHUM, -90, end=-60)]),
    }
    search_index.drain()
    r = client.post(
        "/api/v1/monitoring/postcodes",
        content=POSTCODE_TABLE.encode(),
        headers={**admin, "Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    for body in (
        {
            "slug": "bochum-test",
            "name": "Weiterbildung Bochum",
            "postcode_prefixes": ["447", "448"],
            "contacts": [
                {"name": "Beratung Bochum", "postcode": "44787", "city": "Bochum"},
                {"name": "Beratung Wattenscheid", "postcode": "44866", "city": "Bochum"},
            ],
        },
        {"slug": "far", "name": "Dresden", "postcodes": ["01067"]},
    ):
        r = client.post("/api/v1/admin/portals", json=body, headers=admin)
        assert r.status_code == 201, r.text
    analyst = _analyst_key(client, admin, ["bochum-test"])
    other = _analyst_key(client, admin, ["far"])
    return KnownCatalogue(
        offers=offers,
        orgs={"A": a, "B": b, "C": c},
        admin=admin,
        analyst=analyst,
        other_analyst=other,
    )


def _analyst_key(client: TestClient, admin: dict[str, str], portals: list[str]) -> dict[str, str]:
    r = client.post("/api/v1/api-keys", json={"role": "analyst", "portals": portals}, headers=admin)
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['key']}"}


@pytest.fixture
def monitoring_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[None]:
    """A fresh recorder, a signing secret, and no time-based flushes during a test. The
    recorder counts the searches of a test on a day of the newest closed month: demand is
    shown for months that have closed, and that one is what the outputs show by default."""
    monkeypatch.setenv("DASHBOARD_SECRET", "test-secret-" + "x" * 40)
    monkeypatch.setenv("DEMAND_FLUSH", "3600")
    config.get_settings.cache_clear()
    in_last_closed = publication.last_closed(publication.utc_today()) - timedelta(days=14)
    noon = datetime.combine(in_last_closed, time(12), tzinfo=UTC).timestamp()
    demand._recorder = demand.DemandRecorder(clock=lambda: noon)
    yield
    demand._recorder = None


@pytest.fixture
def known(
    monitoring_env: None,
    client: TestClient,
    admin: dict[str, str],
    make_org: Callable[..., int],
    make_key: Callable[..., dict[str, str]],
    search_index: "SearchIndex",
) -> KnownCatalogue:
    return build_known_catalogue(client, admin, make_org, make_key, search_index)


def take_snapshot() -> Any:
    from app.services.monitoring.snapshots import take_snapshot as take

    return take(engine=db.get_engine(), day=TODAY)


def rows_of(indicators: list[list[Any]]) -> dict[tuple[str, str, str], list[Any]]:
    return {(r[0], r[1], r[2]): r for r in indicators}
