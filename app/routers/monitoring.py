"""Bildungsmonitoring API: regions, indicator tables, series, white spots, needs coverage and
demand as JSON or CSV for analysts (their portals) and admins (every region), and the
operator's uploads (postcode table, needs list, population) and snapshots."""

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from app.db import session_scope
from app.deps import AdminDep, MonitoringActorDep, SessionDep
from app.errors import InvalidInput
from app.models.monitoring import (
    Demand,
    IndicatorTable,
    NeedPublic,
    NeedsCoverage,
    NeedsImported,
    PopulationIn,
    PostcodesImported,
    RegionPublic,
    Series,
    SnapshotTaken,
    WhiteSpots,
)
from app.openapi import documented
from app.services.auth import Actor
from app.services.monitoring import needs as needs_service
from app.services.monitoring import publication, regions, reports, snapshots
from app.services.monitoring.regions import DISTRICT, PORTAL, Region

router = APIRouter(prefix="/api/v1/monitoring", tags=["monitoring"])

Format = Annotated[
    Literal["json", "csv"],
    Query(description="csv: `;`-separated, UTF-8 with BOM, decimal comma (opens in Excel)"),
]
Lang = Annotated[Literal["de", "en"], Query(description="language of labels and CSV headers")]
Day = Annotated[date | None, Query(description="reporting day (default: the newest)")]
SlugPath = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$")]
KeyPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=60,
        pattern=r"^[a-z0-9-]+$",
        description="a portal's slug, or a district's 5-digit AGS (also `unknown`, `none`)",
    ),
]
CSV_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with `format=csv`"},
}
MAX_UPLOAD_BYTES = 2_000_000


class RegionKind(StrEnum):
    portals = "portals"
    districts = "districts"


def _region(session: SessionDep, actor: Actor, kind: RegionKind, key: str) -> Region:
    return regions.visible_region(
        session=session,
        actor=actor,
        kind=PORTAL if kind == RegionKind.portals else DISTRICT,
        key=key,
    )


def _answer(table: BaseModel, *, format: str, lang: str, name: str) -> BaseModel | Response:
    if format != "csv":
        return table
    return Response(
        reports.csv_of(table, lang=lang),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _file_name(region: Region, what: str, day: date | None) -> str:
    return f"{region.key}-{what}" + (f"-{day.isoformat()}" if day else "")


async def _text_body(request: Request) -> str:
    body = await request.body()
    if len(body) > MAX_UPLOAD_BYTES:
        raise InvalidInput.at(["body"], f"at most {MAX_UPLOAD_BYTES:,} bytes")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput.at(["body"], "the file is neither UTF-8 nor Windows-1252 text")


# --- reading ------------------------------------------------------------------------------------


@router.get("/regions", response_model=list[RegionPublic])
def list_regions(
    session: SessionDep, actor: MonitoringActorDep, lang: Lang = "de"
) -> list[RegionPublic]:
    """The regions the key may see: analysts their portals, admins every portal and district."""
    latest = snapshots.latest_days(session=session)
    return [
        reports.region_public(r, latest=latest.get((r.kind, r.key)), lang=lang)
        for r in regions.visible_regions(session=session, actor=actor)
    ]


@router.get("/{kind}/{key}/snapshots", response_model=list[date])
def list_snapshots(
    kind: RegionKind, key: KeyPath, session: SessionDep, actor: MonitoringActorDep
) -> list[date]:
    """The reporting days with a snapshot of the region, newest first."""
    return snapshots.snapshot_days(session=session, region=_region(session, actor, kind, key))


@router.get("/{kind}/{key}/indicators", response_model=IndicatorTable, responses=CSV_RESPONSES)
def indicators(
    kind: RegionKind,
    key: KeyPath,
    session: SessionDep,
    actor: MonitoringActorDep,
    day: Day = None,
    format: Format = "json",
    lang: Lang = "de",
) -> BaseModel | Response:
    """Every supply indicator of the region on a reporting day, with its breakdowns."""
    region = _region(session, actor, kind, key)
    table = reports.indicator_table(session=session, region=region, day=day, lang=lang)
    return _answer(
        table, format=format, lang=lang, name=_file_name(region, "kennzahlen", table.day)
    )


@router.get("/{kind}/{key}/series", response_model=Series, responses=CSV_RESPONSES)
def series(
    kind: RegionKind,
    key: KeyPath,
    session: SessionDep,
    actor: MonitoringActorDep,
    indicator: Annotated[str, Query(max_length=60)] = "offers",
    start: date | None = None,
    end: date | None = None,
    format: Format = "json",
    lang: Lang = "de",
) -> BaseModel | Response:
    """One headline indicator over the reporting days (a trend)."""
    region = _region(session, actor, kind, key)
    table = reports.series(
        session=session, region=region, indicator=indicator, start=start, end=end, lang=lang
    )
    return _answer(table, format=format, lang=lang, name=_file_name(region, indicator, None))


@router.get("/{kind}/{key}/white-spots", response_model=WhiteSpots, responses=CSV_RESPONSES)
def white_spots(
    kind: RegionKind,
    key: KeyPath,
    session: SessionDep,
    actor: MonitoringActorDep,
    day: Day = None,
    only_empty: Annotated[
        bool, Query(description="only the white spots (cells with no offer)")
    ] = False,
    format: Format = "json",
    lang: Lang = "de",
) -> BaseModel | Response:
    """Per postcode of the region and category: offers starting within 25 km in 12 months."""
    region = _region(session, actor, kind, key)
    table = reports.white_spots(
        session=session, region=region, day=day, lang=lang, only_empty=only_empty
    )
    return _answer(
        table, format=format, lang=lang, name=_file_name(region, "weisse-flecken", table.day)
    )


@router.get("/portals/{key}/needs", response_model=NeedsCoverage, responses=CSV_RESPONSES)
def needs_coverage(
    key: SlugPath,
    session: SessionDep,
    actor: MonitoringActorDep,
    day: Day = None,
    format: Format = "json",
    lang: Lang = "de",
) -> BaseModel | Response:
    """The needs list's coverage on a reporting day, largest gap first."""
    region = _region(session, actor, RegionKind.portals, key)
    table = reports.needs_coverage(session=session, region=region, day=day, lang=lang)
    return _answer(
        table, format=format, lang=lang, name=_file_name(region, "bedarfsabdeckung", table.day)
    )


@router.get("/portals/{key}/demand", response_model=Demand, responses=CSV_RESPONSES)
def demand(
    key: SlugPath,
    session: SessionDep,
    actor: MonitoringActorDep,
    start: date | None = None,
    end: date | None = None,
    format: Format = "json",
    lang: Lang = "de",
) -> BaseModel | Response:
    """Search terms on the portal in whole months that have closed (default: the newest;
    `start` the first of a month, `end` the last day of a month, at most 12 months); in each
    month a term searched by fewer than DEMAND_MIN_CLIENTS distinct clients appears nowhere."""
    region = _region(session, actor, RegionKind.portals, key)
    first, last = reports.demand_period(start, end, today=publication.utc_today())
    table = reports.demand(session=session, region=region, start=first, end=last, lang=lang)
    return _answer(table, format=format, lang=lang, name=f"{region.key}-nachfrage-{first}-{last}")


@router.get("/search-demand", response_model=Demand, responses=CSV_RESPONSES)
def search_demand(
    session: SessionDep,
    _: AdminDep,
    start: date | None = None,
    end: date | None = None,
    format: Format = "json",
    lang: Lang = "de",
) -> BaseModel | Response:
    """Admins: search terms of the global search `/api/v1/search` (partner systems, apps),
    with the same threshold as the portals'."""
    first, last = reports.demand_period(start, end, today=publication.utc_today())
    table = reports.demand(
        session=session, region=regions.catalogue_region(), start=first, end=last, lang=lang
    )
    return _answer(table, format=format, lang=lang, name=f"katalog-nachfrage-{first}-{last}")


@router.get("/portals/{key}/needs-list", response_model=list[NeedPublic])
def get_needs_list(
    key: SlugPath, session: SessionDep, actor: MonitoringActorDep
) -> list[NeedPublic]:
    """The portal's needs list as uploaded."""
    portal = regions.visible_portal(session=session, actor=actor, slug=key)
    return needs_service.list_needs(session=session, portal=portal)


# --- the operator's uploads (admins) -----------------------------------------------------------


@router.put(
    "/portals/{key}/needs-list",
    response_model=NeedsImported,
    responses=documented(413),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "need;search terms;KldB code;category (last two optional)",
        }
    },
)
async def put_needs_list(
    key: SlugPath, request: Request, session: SessionDep, actor: AdminDep
) -> NeedsImported:
    """Admins: replace the portal's needs list with a CSV file (all or nothing; 422 names
    line and column of every bad value)."""
    text = await _text_body(request)

    def replace() -> NeedsImported:
        portal = regions.visible_portal(session=session, actor=actor, slug=key)
        rows = needs_service.replace_needs(session=session, portal=portal, text=text)
        return NeedsImported(portal=portal.slug, needs=rows)

    return await run_in_threadpool(replace)


@router.put("/portals/{key}/population", response_model=RegionPublic)
def put_population(
    key: SlugPath, body: PopulationIn, session: SessionDep, actor: AdminDep
) -> RegionPublic:
    """Admins: the population of the portal's region (`null`: derive it from districts)."""
    portal = regions.visible_portal(session=session, actor=actor, slug=key)
    regions.set_population(
        session=session,
        portal=portal,
        population=body.population,
        reference_date=body.reference_date,
        source=body.source,
    )
    region = regions.portal_region(session=session, portal=portal)
    return reports.region_public(region, latest=None)


@router.post(
    "/postcodes",
    response_model=PostcodesImported,
    responses=documented(413),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "postcode;ags",
        }
    },
)
async def post_postcodes(
    request: Request,
    session: SessionDep,
    _: AdminDep,
    replace: Annotated[bool, Query(description="replace the whole table")] = False,
) -> PostcodesImported:
    """Admins: add (or replace) rows of the postcode → district table from `postcode;ags`
    CSV; all or nothing, a 422 names line and column of every bad value."""
    text = await _text_body(request)

    def load() -> PostcodesImported:
        count = regions.import_postcode_table(session=session, text=text, replace=replace)
        table = regions.postcode_districts(session=session)
        return PostcodesImported(imported=count, districts=len(set(table.values())))

    return await run_in_threadpool(load)


@router.post("/snapshots", response_model=SnapshotTaken, responses=documented(409))
async def take_snapshot(_: AdminDep) -> SnapshotTaken:
    """Admins: take today's snapshot now (replacing today's if there is one)."""
    return await snapshots.take_snapshot_async(session_factory=session_scope, day=date.today())
