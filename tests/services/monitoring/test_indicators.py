"""Every indicator, the white-spot list and the district attribution against a small
catalogue whose answers are worked out by hand (tests/monitoring_support.py)."""

from collections.abc import Callable
from datetime import timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import db
from app.models.duplicate import DuplicateCandidate
from app.models.monitoring import MonitoringSeries, MonitoringSnapshot
from app.search.documents import DateFacts
from app.services.monitoring.facts import OfferFact
from app.services.monitoring.indicators import Catalogue, RegionInput, Runs, compute, percentile
from app.services.monitoring.texts import dimension_label, member_label
from app.services.monitoring.whitespots import CATEGORIES, count_white_spots
from tests.conftest import SearchIndex
from tests.monitoring_support import (
    BOCHUM,
    BOCHUM_POPULATION,
    TODAY,
    KnownCatalogue,
    create_offer,
    rows_of,
    run,
    take_snapshot,
)


def _snapshot(kind: str, key: str) -> MonitoringSnapshot:
    with Session(db.get_engine()) as session:
        found = session.exec(
            select(MonitoringSnapshot).where(
                MonitoringSnapshot.region_kind == kind,
                MonitoringSnapshot.region_key == key,
                MonitoringSnapshot.day == TODAY,
            )
        ).one()
    return found


def _value(
    rows: dict[tuple[str, str, str], list[object]], name: str, dim: str = "", member: str = ""
) -> tuple[object, object, object]:
    row = rows[(name, dim, member)]
    return row[3], row[4], row[5]


def test_portal_indicators_match_the_hand_count(known: KnownCatalogue) -> None:
    take_snapshot()
    snap = _snapshot("portal", "bochum-test")
    # The portal covers every Bochum postcode of the table, so Bochum's population applies.
    assert snap.population == BOCHUM_POPULATION
    assert "05911" in snap.population_source
    rows = rows_of(snap.indicators)
    pop = BOCHUM_POPULATION
    # O1, O2, O5 (O3 is in Herne, O4 online, O6 unpublished, O7 past)
    assert _value(rows, "offers") == (3, None, 3)
    assert _value(rows, "offers_per_10k") == (3, pop, pytest.approx(3 * 10_000 / pop))
    # O1 (+30), O2 (+10; +400 is beyond 12 months), O5 Bochum (+60); O5's Köln run is outside
    assert _value(rows, "runs_12m")[2] == 3
    assert _value(rows, "runs_flexible")[2] == 0
    assert _value(rows, "hours") == (180, None, 180)
    assert _value(rows, "hours_per_1000")[2] == pytest.approx(180 * 1000 / pop)
    assert _value(rows, "hours_missing_share") == (0, 3, 0)
    assert _value(rows, "providers")[2] == 3
    assert _value(rows, "providers_per_100k")[2] == pytest.approx(3 * 100_000 / pop)
    # O1 by its funding code, O2 by its provider's valid AZAV; O5's provider's has expired
    assert _value(rows, "bildungsgutschein_share") == (2, 3, pytest.approx(200 / 3))
    assert _value(rows, "aufstiegs_bafoeg_share") == (0, 3, 0)
    assert _value(rows, "free_share") == (1, 3, pytest.approx(100 / 3))
    assert _value(rows, "price_unknown_share") == (1, 3, pytest.approx(100 / 3))
    assert _value(rows, "qualification_share") == (1, 3, pytest.approx(100 / 3))
    assert _value(rows, "dqr_level", "dqr_level", "4")[:2] == (1, 3)
    assert _value(rows, "dqr_level", "dqr_level", "none")[:2] == (2, 3)
    assert _value(rows, "part_time_share")[0] == 1
    assert _value(rows, "evening_share")[0] == 1
    assert _value(rows, "weekend_share")[0] == 0
    assert _value(rows, "work_compatible_share") == (2, 3, pytest.approx(200 / 3))
    assert _value(rows, "part_time_childcare_share") == (1, 3, pytest.approx(100 / 3))
    assert _value(rows, "in_person_share")[:2] == (2, 3)
    assert _value(rows, "blended_share")[:2] == (1, 3)
    assert _value(rows, "online_share")[:2] == (0, 3)
    assert _value(rows, "barrier_free_share") == (1, 3, pytest.approx(100 / 3))
    # only O1 has a price above 0 and hours: 1,200 € / 120 h
    assert _value(rows, "price_per_hour_median") == (1, None, 10.0)
    assert _value(rows, "price_per_hour_p25")[2] == 10.0
    assert _value(rows, "basic_education_offers")[2] == 1
    assert _value(rows, "basic_education_runs_12m")[2] == 1
    assert _value(rows, "german_integration_offers")[2] == 0
    assert _value(rows, "counselling_contacts")[2] == 2
    assert _value(rows, "counselling_per_100k")[2] == pytest.approx(2 * 100_000 / pop)
    # every Bochum postcode has offers within 25 km
    assert _value(rows, "white_spot_postcodes") == (0, 18, 0)
    # breakdowns
    assert _value(rows, "offers", "category", "accounting_finance")[2] == 1
    assert _value(rows, "offers", "category", "languages")[2] == 0
    assert _value(rows, "offers", "format", "in_person")[2] == 2
    assert _value(rows, "offers", "schedule", "evening")[2] == 1
    assert _value(rows, "offers", "funding", "bildungsgutschein")[2] == 1
    assert _value(rows, "runs_12m", "category", "it_digital")[2] == 1
    assert _value(rows, "bildungsgutschein_share", "category", "it_digital")[2] == 100
    assert _value(rows, "price_per_hour_median", "category", "accounting_finance")[2] == 10.0
    assert ("bildungsgutschein_share", "category", "languages") not in rows  # no offers there


def test_districts_attribute_every_offer_and_drop_nothing(known: KnownCatalogue) -> None:
    take_snapshot()
    bochum = rows_of(_snapshot("district", "05911").indicators)
    herne = rows_of(_snapshot("district", "05916").indicators)
    unknown = rows_of(_snapshot("district", "unknown").indicators)
    no_place = rows_of(_snapshot("district", "none").indicators)
    assert _value(bochum, "offers")[2] == 3  # O1, O2, O5
    assert _value(herne, "offers")[2] == 1  # O3
    assert _value(herne, "german_integration_offers")[2] == 1
    assert _value(herne, "german_integration_per_10k")[1] == 156_374
    # O5's Köln place: Köln's postcode is not in the test table
    assert _value(unknown, "offers")[2] == 1
    assert _value(unknown, "runs_flexible")[2] == 1
    assert _value(unknown, "offers_per_10k")[2] is None  # no population for "unknown"
    # O4 has no place at all
    assert _value(no_place, "offers")[2] == 1
    assert _value(no_place, "online_share")[2] == 100
    assert _value(no_place, "aufstiegs_bafoeg_share")[2] == 100
    assert _value(no_place, "price_per_hour_median")[2] is None  # no hours given
    # counselling contacts are placed by their postcode
    assert _value(bochum, "counselling_contacts")[2] == 2
    # all 401 districts and both pseudo-districts have a snapshot
    with Session(db.get_engine()) as session:
        districts = session.exec(
            select(MonitoringSnapshot.region_key).where(
                MonitoringSnapshot.region_kind == "district"
            )
        ).all()
    assert len(districts) == 403


def test_white_spots_per_postcode_and_category(known: KnownCatalogue) -> None:
    take_snapshot()
    far = _snapshot("portal", "far")
    assert far.white_spots["postcodes"] == [["01067", None, [0] * len(CATEGORIES)]]
    assert _value(rows_of(far.indicators), "white_spot_postcodes") == (1, 1, 1)
    assert _value(rows_of(far.indicators), "white_spot_share")[2] == 100
    bochum = {
        p: counts for p, _, counts in _snapshot("portal", "bochum-test").white_spots["postcodes"]
    }
    counts = dict(zip(CATEGORIES, bochum["44787"], strict=True))
    # O1, O2, O3 (Herne, ~6 km) and O5 start within 25 km; O4 is online; O7 is past
    assert counts["accounting_finance"] == 1
    assert counts["it_digital"] == 1
    assert counts["german_integration"] == 1
    assert counts["basic_education"] == 1
    assert counts["management_leadership"] == 0
    assert sum(counts.values()) == 4


def test_taking_the_snapshot_again_replaces_the_day(known: KnownCatalogue) -> None:
    first = take_snapshot()
    second = take_snapshot()
    assert first.regions == second.regions
    with Session(db.get_engine()) as session:
        snaps = session.exec(
            select(MonitoringSnapshot).where(MonitoringSnapshot.region_key == "bochum-test")
        ).all()
        series = session.exec(
            select(MonitoringSeries).where(
                MonitoringSeries.region_key == "bochum-test",
                MonitoringSeries.indicator == "offers",
            )
        ).all()
    assert len(snaps) == 1
    assert [(s.day, s.value) for s in series] == [(TODAY, 3)]


def test_snapshot_stores_aggregates_never_offers(known: KnownCatalogue) -> None:
    take_snapshot()
    snap = _snapshot("portal", "bochum-test")
    text = repr((snap.indicators, snap.white_spots))
    assert "Finanzbuchhaltung" not in text
    assert "Python" not in text


def test_percentiles_interpolate_linearly() -> None:
    # Hyndman & Fan type 7 (Excel PERCENTILE.INC): [1, 2, 3, 4] → p25 = 1.75, median 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.25) == 1.75
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([7.0], 0.75) == 7.0
    assert percentile([], 0.5) is None


def test_days_past_are_not_runs(known: KnownCatalogue) -> None:
    # the same catalogue a year later: every run has started, only O5's flexible Köln date
    from app.services.monitoring.snapshots import build_snapshot

    with Session(db.get_engine()) as session:
        build = build_snapshot(session=session, day=TODAY + timedelta(days=500))
    by_key = {s.region.key: rows_of([list(r) for r in s.rows]) for s in build.regions}
    assert _value(by_key["bochum-test"], "offers")[2] == 0
    assert _value(by_key["unknown"], "offers")[2] == 1


def _fact(
    offer_id: int,
    category: str,
    places: list[tuple[float, float, str]],
    dvv_category: str | None = None,
) -> OfferFact:
    dates = tuple(
        DateFacts(
            offer_id=offer_id,
            start_date=TODAY + timedelta(days=5),
            end_date=None,
            registration_deadline=None,
            flexible_start=False,
            schedule="full_time",
            teaching_language=None,
            location_name=None,
            postcode=postcode,
            city=None,
            lat=lat,
            lon=lon,
            barrier_free=None,
            approximate_location=False,
        )
        for lat, lon, postcode in places
    )
    return OfferFact.of(
        id=offer_id,
        organisation_id=1,
        title="x",
        category=category,
        education_type="seminar",
        degree=None,
        awarding_body=None,
        dqr_level=None,
        dvv_category=dvv_category,
        funding=(),
        price_cents=None,
        duration_hours=None,
        format="in_person",
        barrier_free=False,
        childcare=False,
        reviewed=False,
        azav_valid=False,
        dates=dates,
    )


def test_white_spots_count_an_offer_with_several_places_once() -> None:
    bochum, herne, koeln = (
        (51.4818, 7.2162, "44787"),
        (51.5388, 7.2256, "44623"),
        (50.9375, 6.9603, "50667"),
    )
    offers = [
        _fact(1, "it_digital", [bochum, herne]),  # two places near 44787: one offer
        _fact(2, "it_digital", [koeln]),  # ~62 km away
        _fact(3, "languages", [herne]),
    ]
    counts = count_white_spots(offers=offers, postcodes={"44787", "50667", "01067"}, day=TODAY)
    bochum_counts = dict(zip(CATEGORIES, counts.counts["44787"], strict=True))
    assert bochum_counts["it_digital"] == 1
    assert bochum_counts["languages"] == 1
    assert counts.total("50667") == 1  # only the Köln offer
    assert counts.total("01067") == 0
    # the radius is inclusive and measured like the search: Herne is ~6.4 km from 44787
    near = count_white_spots(offers=offers[2:], postcodes={"44787"}, day=TODAY, radius_km=6.0)
    assert near.total("44787") == 0
    assert (
        count_white_spots(offers=offers[2:], postcodes={"44787"}, day=TODAY, radius_km=7.0).total(
            "44787"
        )
        == 1
    )


def test_white_spots_agree_with_a_plain_distance_count() -> None:
    """The vectorised count against a loop over every offer and place (random catalogue,
    shared venues and multi-place offers included)."""
    import random

    from app.geo import distance_km
    from app.services.monitoring.whitespots import postcode_centre

    rng = random.Random(7)
    venues = [(51.2 + rng.random() * 0.7, 6.8 + rng.random() * 1.0) for _ in range(40)]
    offers = [
        _fact(
            i,
            rng.choice(CATEGORIES),
            [(*rng.choice(venues), "44787") for _ in range(rng.choice((1, 1, 1, 2, 3)))],
        )
        for i in range(300)
    ]
    postcodes = {"44787", "44137", "45127", "58452", "42103", "40210", "50667", "47051"}
    counts = count_white_spots(offers=offers, postcodes=postcodes, day=TODAY)
    for postcode in postcodes:
        centre = postcode_centre(postcode)
        assert centre is not None
        expected = [0] * len(CATEGORIES)
        for o in offers:
            if any(distance_km(centre, (d.lat or 0, d.lon or 0)) <= 25 for d in o.places):
                expected[CATEGORIES.index(o.category)] += 1
        assert counts.counts[postcode] == expected, postcode


def test_a_portals_active_offers_are_what_its_search_finds(
    known: KnownCatalogue, client: TestClient
) -> None:
    r = client.post(
        "/api/v1/admin/portals",
        json={
            "slug": "umkreis",
            "name": "3 km um 44787",
            "center_postcode": "44787",
            "radius_km": 3,
        },
        headers=known.admin,
    )
    assert r.status_code == 201, r.text
    take_snapshot()
    for slug, expected in (("bochum-test", 3), ("umkreis", 2), ("far", 0)):
        found = client.get(f"/api/v1/portals/{slug}/search", params={"per_page": 100}).json()
        offers = rows_of(_snapshot("portal", slug).indicators)[("offers", "", "")][5]
        assert offers == found["total"] == expected, slug


def test_an_offer_merged_as_a_duplicate_is_not_counted(
    known: KnownCatalogue,
    client: TestClient,
    make_key: Callable[..., dict[str, str]],
    search_index: SearchIndex,
) -> None:
    """The portal search hides the non-canonical offer of a pair an admin called the same;
    the snapshot leaves it out too, with its runs and hours, while the canonical one is
    findable, and counts it again once that one is gone."""
    twin = create_offer(
        client,
        make_key("provider", known.orgs["A"]),
        title="Finanzbuchhaltung mit DATEV",
        category="accounting_finance",
        duration_hours=80,
        dates=[run(BOCHUM, 40)],
    )
    canonical = known.offers["O1"]
    with db.session_scope() as session:
        pair = DuplicateCandidate(
            offer_a_id=min(canonical, twin), offer_b_id=max(canonical, twin), score=97
        )
        session.add(pair)
        session.flush()
        pair_id = pair.id
    r = client.post(
        f"/api/v1/moderation/duplicates/{pair_id}/decision",
        json={"decision": "same", "canonical_offer_id": canonical},
        headers=known.admin,
    )
    assert r.status_code == 200, r.text
    search_index.drain()
    take_snapshot()
    rows = rows_of(_snapshot("portal", "bochum-test").indicators)
    found = client.get("/api/v1/portals/bochum-test/search", params={"per_page": 100}).json()
    assert _value(rows, "offers")[2] == found["total"] == 3  # O1, O2, O5 as before
    assert _value(rows, "runs_12m")[2] == 3
    assert _value(rows, "hours")[2] == 180
    assert _value(rows_of(_snapshot("district", "05911").indicators), "offers")[2] == 3
    # The canonical offer withdrawn: search shows the other one again, and so does the count.
    r = client.post(
        f"/api/v1/offers/{canonical}/withdraw", headers=make_key("provider", known.orgs["B"])
    )
    assert r.status_code == 200, r.text
    search_index.drain()
    take_snapshot()
    rows = rows_of(_snapshot("portal", "bochum-test").indicators)
    found = client.get("/api/v1/portals/bochum-test/search", params={"per_page": 100}).json()
    assert _value(rows, "offers")[2] == found["total"] == 3  # O2, O5 and the twin
    assert _value(rows, "hours")[2] == 20 + 40 + 80


def test_a_contact_without_postcode_counts_only_for_its_portal(
    known: KnownCatalogue, client: TestClient
) -> None:
    r = client.post(
        "/api/v1/admin/portals/bochum-test/contacts",
        json={"name": "Beratungstelefon Weiterbildung", "phone": "0234 123456"},
        headers=known.admin,
    )
    assert r.status_code == 201, r.text
    take_snapshot()
    portal = rows_of(_snapshot("portal", "bochum-test").indicators)
    assert _value(portal, "counselling_contacts")[2] == 3
    district = rows_of(_snapshot("district", "05911").indicators)
    assert _value(district, "counselling_contacts")[2] == 2  # 44787 and 44866
    unknown = rows_of(_snapshot("district", "unknown").indicators)
    assert _value(unknown, "counselling_contacts")[2] == 0


def test_offers_by_dvv_programme_area() -> None:
    # Two language courses (4.x), one health course (3.x), one offer from another source and
    # one with a code outside the six areas: each counted once, none dropped.
    facts = [
        _fact(1, "languages", [], "4.06"),
        _fact(2, "languages", [], "4"),
        _fact(3, "health", [], "3.01.02"),
        _fact(4, "it_digital", []),
        _fact(5, "other", [], "9.1"),
    ]
    catalogue = Catalogue.of(facts, TODAY)
    region = RegionInput(
        day=TODAY,
        offers=np.arange(len(facts)),
        runs=Runs.of(catalogue, []),
        population=None,
        counselling_contacts=0,
    )
    by_area = {r[2]: r[3] for r in compute(catalogue, region) if r[:2] == ("offers", "dvv_area")}
    assert by_area == {"1": 0, "2": 0, "3": 1, "4": 2, "5": 0, "6": 0, "none": 2}
    assert member_label("dvv_area", "4", "de") == "Sprachen"
    assert member_label("dvv_area", "4", "en") == "Languages"
    assert dimension_label("dvv_area", "en") == "DVV programme area"
