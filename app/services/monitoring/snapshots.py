"""The daily snapshot: every region's indicator tables, white spots and needs coverage for
one reporting day, stored as aggregates (never copies of offers); taking it again on the
same day replaces that day. Also reads snapshots back for the API and the dashboard."""

import asyncio
import gc
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Engine, Table, delete, func, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import Conflict, DomainError, NotFound
from app.geo import distance_km
from app.models.monitoring import (
    MonitoringSeries,
    MonitoringSnapshot,
    Need,
    SnapshotTaken,
)
from app.models.portal import CounsellingContact, Portal
from app.models.search import SearchScope
from app.models.types import utcnow
from app.search.documents import DateFacts
from app.services.monitoring import classify, demand, needs, publication, regions
from app.services.monitoring.engine import Engine as SearchEngine
from app.services.monitoring.facts import OfferFact, active_offers
from app.services.monitoring.indicators import Catalogue, RegionInput, Row, Runs, compute
from app.services.monitoring.regions import NO_PLACE, PORTAL, UNKNOWN_DISTRICT, Region
from app.services.monitoring.whitespots import CATEGORIES, RADIUS_KM, count_white_spots
from app.services.portals import portal_scope

log = logging.getLogger("bildungsraum.monitoring")


@dataclass
class RegionSnapshot:
    region: Region
    rows: list[Row]
    white_spots: dict[str, Any]
    needs: dict[str, Any] | None = None
    # for the search parts: each offer of the region with its current dates there (the runs
    # the indicators count), so a needs row's next start is one in the region
    scope: SearchScope | None = None
    in_region: dict[int, list[DateFacts]] = field(default_factory=dict)


@dataclass
class SnapshotBuild:
    day: date
    regions: list[RegionSnapshot]
    offers: dict[int, OfferFact]
    needs: dict[str, list[Need]]
    zero_terms: dict[str, list[str]]
    zero_classes: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    search_ok: bool = True


# --- which offers are in which region ---------------------------------------------------------


def portal_share(
    offers: list[OfferFact], scope: SearchScope
) -> tuple[list[OfferFact], list[tuple[OfferFact, DateFacts]]]:
    """The offers a portal shows (its region and rules, applied to current dates, as the
    portal search and `portals.offer_in_scope` do) and their course runs in the region."""
    prefixes = tuple(scope.postcodes) + tuple(scope.postcode_prefixes)
    radius = scope.radius_km if scope.center is not None else None
    has_region = bool(prefixes) or radius is not None
    # Places share postcodes: the prefix test once per postcode (a dict look-up per date).
    by_prefix: dict[str, bool] = {}

    def inside(d: DateFacts) -> bool:
        if prefixes and d.postcode:
            hit = by_prefix.get(d.postcode)
            if hit is None:
                hit = by_prefix[d.postcode] = d.postcode.startswith(prefixes)
            if hit:
                return True
        return (
            radius is not None
            and scope.center is not None
            and d.lat is not None
            and d.lon is not None
            and distance_km(scope.center, (d.lat, d.lon)) <= radius
        )

    allow_categories = set(scope.categories_allow)
    block_categories = set(scope.categories_block)
    allow_providers = set(scope.providers_allow)
    block_providers = set(scope.providers_block)
    shown: list[OfferFact] = []
    runs: list[tuple[OfferFact, DateFacts]] = []
    for o in offers:
        if (
            (allow_categories and o.category not in allow_categories)
            or o.category in block_categories
            or (allow_providers and o.organisation_id not in allow_providers)
            or o.organisation_id in block_providers
            or (scope.reviewed_only and not o.reviewed)
        ):
            continue
        held = [d for d in o.dates if inside(d)] if has_region else list(o.dates)
        if has_region and not held:
            continue
        shown.append(o)
        runs += [(o, d) for d in held]
    return shown, runs


def district_shares(
    offers: list[OfferFact], table: dict[str, str]
) -> tuple[dict[str, list[OfferFact]], dict[str, list[tuple[OfferFact, DateFacts]]]]:
    """Offers and runs per district: an offer belongs to every district it has a current
    place in; a postcode the table lacks goes to "unknown", an offer without a place to
    "none". Nothing is dropped."""
    by_district: dict[str, list[OfferFact]] = {}
    runs: dict[str, list[tuple[OfferFact, DateFacts]]] = {}
    for o in offers:
        places = o.places
        if not places:
            by_district.setdefault(NO_PLACE, []).append(o)
            runs.setdefault(NO_PLACE, []).extend((o, d) for d in o.dates)
            continue
        mine: set[str] = set()
        for d in places:
            ags = table.get(d.postcode or "", UNKNOWN_DISTRICT)
            mine.add(ags)
            runs.setdefault(ags, []).append((o, d))
        for ags in mine:
            by_district.setdefault(ags, []).append(o)
    return by_district, runs


# --- building --------------------------------------------------------------------------------


def build_snapshot(*, session: Session, day: date) -> SnapshotBuild:
    """Everything the database can answer for the day (the search parts come after)."""
    # Hundreds of thousands of small objects live until the end: the cyclic collector would
    # scan them again and again (a quarter of the time at 30,000 offers) and free nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build_snapshot(session=session, day=day)
    finally:
        if collecting:
            gc.enable()


def _build_snapshot(*, session: Session, day: date) -> SnapshotBuild:
    offers = active_offers(session=session, day=day)
    table = regions.postcode_districts(session=session)
    portals = list(session.exec(select(Portal).order_by(col(Portal.slug))))
    contacts = list(session.exec(select(CounsellingContact)))

    contacts_by_portal = Counter(c.portal_id for c in contacts)
    # The same office listed by two portals counts once in its district. One without a
    # postcode has no district (the methods sheet: it counts only for its portal); an unknown
    # postcode goes to "unknown", as an offer's place does.
    offices = {(c.name.strip().casefold(), c.postcode) for c in contacts}
    contacts_by_district = Counter(
        table.get(postcode, UNKNOWN_DISTRICT) for _, postcode in offices if postcode
    )
    region_list = regions.all_regions(session=session)
    all_postcodes = {p for r in region_list for p in r.postcodes}
    spots = count_white_spots(offers=offers, postcodes=all_postcodes, day=day)
    catalogue = Catalogue.of(offers, day)
    by_district, district_runs = district_shares(offers, table)
    snapshots: list[RegionSnapshot] = []
    for region in region_list:
        scope: SearchScope | None = None
        if region.kind == PORTAL:
            assert region.portal is not None
            scope = portal_scope(region.portal)
            mine, runs = portal_share(offers, scope)
            counselling = contacts_by_portal.get(region.portal.id or 0, 0)
        else:
            mine = by_district.get(region.key, [])
            runs = district_runs.get(region.key, [])
            counselling = contacts_by_district.get(region.key, 0)
        counts_of = {p: spots.counts.get(p, [0] * len(CATEGORIES)) for p in region.postcodes}
        postcode_rows = [[p, table.get(p), counts_of[p]] for p in region.postcodes]
        empty = sum(1 for counts in counts_of.values() if not any(counts))
        rows = compute(
            catalogue,
            RegionInput(
                day=day,
                offers=np.asarray([catalogue.row[o.id] for o in mine], dtype=np.int64),
                runs=Runs.of(catalogue, runs),
                population=region.population,
                counselling_contacts=counselling,
                white_spot_postcodes=empty if region.postcodes else None,
                white_spot_total=len(region.postcodes) if region.postcodes else None,
            ),
        )
        snapshots.append(
            RegionSnapshot(
                region=region,
                rows=rows,
                white_spots={
                    "radius_km": RADIUS_KM,
                    "categories": list(CATEGORIES),
                    "postcodes": postcode_rows,
                },
                scope=scope,
                in_region=_dates_by_offer(mine, runs) if scope is not None else {},
            )
        )
    needs_by_portal: dict[str, list[Need]] = {}
    for p in portals:
        rows_ = list(
            session.exec(select(Need).where(Need.portal_id == p.id).order_by(col(Need.position)))
        )
        if rows_:
            needs_by_portal[p.slug] = rows_
    return SnapshotBuild(
        day=day,
        regions=snapshots,
        offers={o.id: o for o in offers},
        needs=needs_by_portal,
        zero_terms=_zero_terms(session=session, portals=[p.slug for p in portals]),
    )


def _dates_by_offer(
    offers: list[OfferFact], runs: list[tuple[OfferFact, DateFacts]]
) -> dict[int, list[DateFacts]]:
    """Every offer of a region with its runs there (none for an offer on request)."""
    dates: dict[int, list[DateFacts]] = {o.id: [] for o in offers}
    for o, d in runs:
        dates[o.id].append(d)
    return dates


def _zero_terms(*, session: Session, portals: list[str]) -> dict[str, list[str]]:
    """Per portal ("" for the global search), the zero-result terms the demand tables show
    (or will show): only those are ever shown, so only those are classified. Demand counts
    UTC days, whatever the snapshot's reporting day."""
    return publication.zero_result_terms(
        session=session,
        today=publication.utc_today(),
        portals=[demand.GLOBAL, *portals],
        threshold=demand.min_clients(),
    )


async def add_search_parts(build: SnapshotBuild, *, engine: SearchEngine) -> None:
    """Needs coverage and the zero-result classes, through the search engine. When it is
    unavailable the snapshot keeps its database figures and says so."""
    try:
        for snap in build.regions:
            region = snap.region
            if region.kind != PORTAL or region.key not in build.needs:
                continue
            assert region.portal is not None
            assert snap.scope is not None
            rows = await needs.coverage(
                engine=engine,
                needs=build.needs[region.key],
                scope=snap.scope,
                centre=needs.region_centre(region.portal, region.postcodes),
                offers=build.offers,
                in_region=snap.in_region,
                day=build.day,
            )
            snap.needs = {"available": True, "rows": rows}
        scopes = {s.region.key: s.scope for s in build.regions if s.region.kind == PORTAL}
        for portal, terms in build.zero_terms.items():
            build.zero_classes[portal] = await classify.classify_terms(
                engine=engine, scope=scopes.get(portal), terms=terms
            )
    except DomainError as exc:
        log.warning("search unavailable for the snapshot's needs and classes: %s", exc.message)
        build.search_ok = False
        for snap in build.regions:
            # Coverage found before the fault stands; the rest is marked, and store_snapshot
            # keeps the day's earlier coverage there if it had one.
            if snap.region.kind == PORTAL and snap.region.key in build.needs and not snap.needs:
                snap.needs = {"available": False, "rows": []}


def _earlier_needs(*, session: Session, build: SnapshotBuild) -> dict[str, dict[str, Any]]:
    """The day's stored needs coverage, per portal, where this build could not reach the
    search engine and the stored one had: taking the snapshot again (an operator's command
    whose search key is wrong, the engine down for a minute) must not wipe it."""
    lost = [
        s.region.key
        for s in build.regions
        if s.region.kind == PORTAL and s.needs is not None and not s.needs.get("available")
    ]
    if not lost:
        return {}
    stored = session.exec(
        select(MonitoringSnapshot.region_key, MonitoringSnapshot.needs).where(
            MonitoringSnapshot.day == build.day,
            MonitoringSnapshot.region_kind == PORTAL,
            col(MonitoringSnapshot.region_key).in_(lost),
        )
    ).all()
    return {key: dict(needs) for key, needs in stored if needs and needs.get("available")}


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def store_snapshot(*, session: Session, build: SnapshotBuild) -> int:
    """Replace the day's rows with the build's (one transaction with the caller's)."""
    day = build.day
    kept = _earlier_needs(session=session, build=build)
    if kept:
        log.warning(
            "search unavailable: kept the needs coverage taken earlier on %s for %s",
            day.isoformat(),
            ", ".join(sorted(kept)),
        )
    session.execute(delete(MonitoringSnapshot).where(col(MonitoringSnapshot.day) == day))
    session.execute(delete(MonitoringSeries).where(col(MonitoringSeries.day) == day))
    now = utcnow()
    created = [
        {
            "created_at": now,
            "day": day,
            "region_kind": s.region.kind,
            "region_key": s.region.key,
            "region_name": s.region.name[:200],
            "population": s.region.population,
            "population_source": s.region.population_source[:200],
            "indicators": s.rows,
            "white_spots": s.white_spots,
            "needs": kept.get(s.region.key, s.needs) if s.region.kind == PORTAL else s.needs,
        }
        for s in build.regions
    ]
    # Core inserts: one executemany each. The ORM's bulk insert sent one statement per row
    # here (composite keys, fetched ids): 1.7 s instead of 0.1 s for the demo's 6,400 rows.
    connection = session.connection()
    connection.execute(insert(_table(MonitoringSnapshot)), created)
    series = [
        {
            "region_kind": s.region.kind,
            "region_key": s.region.key,
            "indicator": name,
            "day": day,
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
        }
        for s in build.regions
        for name, dimension, _, numerator, denominator, value in s.rows
        if dimension == ""
    ]
    for start in range(0, len(series), 10_000):
        connection.execute(insert(_table(MonitoringSeries)), series[start : start + 10_000])
    for portal, classes in build.zero_classes.items():
        classify.store_classes(session=session, portal=portal, classes=classes, day=day)
    session.flush()
    return len(created)


async def take_snapshot_async(
    *,
    session_factory: Any,
    day: date,
    search_engine: Callable[[], SearchEngine] = SearchEngine,
) -> SnapshotTaken:
    """Build (in a thread), ask the search engine, store (in a thread)."""
    import anyio

    started = time.perf_counter()

    def build() -> SnapshotBuild:
        with session_factory() as session:
            return build_snapshot(session=session, day=day)

    snapshot = await anyio.to_thread.run_sync(build)
    searched = time.perf_counter()
    engine = search_engine()
    try:
        await add_search_parts(snapshot, engine=engine)
    finally:
        await engine.close()
    search_s = time.perf_counter() - searched

    def store() -> int:
        try:
            with session_factory() as session:
                count = store_snapshot(session=session, build=snapshot)
                session.commit()
                return count
        except IntegrityError:
            # Another snapshot of the same day was stored meanwhile (the indexer's and an
            # operator's at once): that one stands.
            raise Conflict(f"a snapshot of {day.isoformat()} was taken meanwhile") from None

    count = await anyio.to_thread.run_sync(store)
    return SnapshotTaken(
        day=day,
        regions=count,
        seconds=round(time.perf_counter() - started, 3),
        search_seconds=round(search_s, 3),
        needs_available=snapshot.search_ok,
    )


def take_snapshot(*, engine: Engine, day: date) -> SnapshotTaken:
    """The whole snapshot from synchronous code (CLI, the indexer's daily sweep)."""

    def factory() -> Session:
        return Session(engine, expire_on_commit=False)

    return asyncio.run(
        take_snapshot_async(
            session_factory=factory, day=day, search_engine=SearchEngine.for_commands
        )
    )


def snapshot_taken(*, session: Session, day: date) -> bool:
    return (
        session.exec(
            select(MonitoringSnapshot.id).where(col(MonitoringSnapshot.day) == day).limit(1)
        ).first()
        is not None
    )


# --- reading ---------------------------------------------------------------------------------


def snapshot_days(*, session: Session, region: Region) -> list[date]:
    """The reporting days with a snapshot of this region, newest first."""
    return list(
        session.exec(
            select(col(MonitoringSnapshot.day))
            .where(
                MonitoringSnapshot.region_kind == region.kind,
                MonitoringSnapshot.region_key == region.key,
            )
            .order_by(col(MonitoringSnapshot.day).desc())
        )
    )


def latest_days(*, session: Session) -> dict[tuple[str, str], date]:
    rows = session.exec(
        select(
            MonitoringSnapshot.region_kind,
            MonitoringSnapshot.region_key,
            func.max(MonitoringSnapshot.day),
        ).group_by(col(MonitoringSnapshot.region_kind), col(MonitoringSnapshot.region_key))
    ).all()
    return {(k, key): d for k, key, d in rows}


def get_snapshot(*, session: Session, region: Region, day: date | None) -> MonitoringSnapshot:
    """The region's snapshot of `day` (None: the newest); NotFound when there is none."""
    query = select(MonitoringSnapshot).where(
        MonitoringSnapshot.region_kind == region.kind,
        MonitoringSnapshot.region_key == region.key,
    )
    if day is not None:
        query = query.where(MonitoringSnapshot.day == day)
    found = session.exec(query.order_by(col(MonitoringSnapshot.day).desc()).limit(1)).first()
    if found is None:
        when = f"on {day.isoformat()}" if day else "yet"
        raise NotFound(
            f"no snapshot of {region.kind} {region.key!r} {when}; "
            "take one with `bildungsraum monitoring snapshot`"
        )
    return found


def get_series(
    *, session: Session, region: Region, indicator: str, start: date | None, end: date | None
) -> list[MonitoringSeries]:
    query = select(MonitoringSeries).where(
        MonitoringSeries.region_kind == region.kind,
        MonitoringSeries.region_key == region.key,
        MonitoringSeries.indicator == indicator,
    )
    if start is not None:
        query = query.where(col(MonitoringSeries.day) >= start)
    if end is not None:
        query = query.where(col(MonitoringSeries.day) <= end)
    return list(session.exec(query.order_by(col(MonitoringSeries.day))))
