"""Needs coverage (Bedarfsplanung): a portal's needs list, and for each need the matching
offers in the region, found through the search engine with the need's terms."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.codelists import CATEGORY_LABELS
from app.geo import distance_km
from app.models.monitoring import Need, NeedPublic
from app.models.portal import Portal
from app.models.search import SearchScope
from app.search.documents import DateFacts
from app.services.monitoring.engine import MAX_MATCHES, Engine, EngineQuery
from app.services.monitoring.facts import OfferFact
from app.services.monitoring.indicators import bildungsgutschein_eligible, qualification
from app.services.monitoring.indicators import work_compatible as part_time
from app.services.monitoring.regions import file_errors
from app.services.monitoring.whitespots import postcode_centre

MAX_NEEDS = 500
MAX_TERMS = 20
_HEADERS = (
    ("need", "bedarf"),
    ("search terms", "suchbegriffe"),
    ("kldb code", "kldb code (optional)", "kldb", "kldb-code"),
    ("category", "category (optional)", "kategorie", "thema"),
)


@dataclass(frozen=True)
class NeedLine:
    name: str
    terms: list[str]
    kldb: str | None
    category: str | None


def parse_needs(text: str) -> list[NeedLine]:
    """`need;search terms;KldB code;category` lines (the last two optional; terms separated
    by commas). Raises InvalidInput naming line and column; nothing is half-read."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines:
        raise file_errors([_error(1, "header", "the file is empty; expected a header line")])
    header = [h.strip().lower() for h in lines[0].split(";")]
    if (
        len(header) < 2
        or any(h not in _HEADERS[i] for i, h in enumerate(header[: len(_HEADERS)]))
        or len(header) > len(_HEADERS)
    ):
        raise file_errors(
            [
                _error(
                    1,
                    "header",
                    "must be 'need;search terms;KldB code;category' (the last two optional, "
                    f"`;`-separated), not {lines[0][:80]!r}",
                )
            ]
        )
    needs: list[NeedLine] = []
    errors: list[dict[str, Any]] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(";")]
        if len(cells) > len(header):
            errors.append(
                _error(number, "row", f"{len(cells)} columns, the header has {len(header)}")
            )
            continue
        cells += [""] * (4 - len(cells))
        name, terms_text, kldb, category = cells[:4]
        terms = list(dict.fromkeys(t.strip() for t in terms_text.split(",") if t.strip()))
        if not name or len(name) > 200:
            errors.append(_error(number, "need", "give the need's name (at most 200 characters)"))
        if not terms:
            errors.append(_error(number, "search terms", "give at least one search term"))
        elif len(terms) > MAX_TERMS or any(len(t) > 100 for t in terms):
            errors.append(
                _error(number, "search terms", f"at most {MAX_TERMS} terms of 100 characters")
            )
        if kldb and not (kldb.isdigit() and 1 <= len(kldb) <= 5):
            errors.append(_error(number, "KldB code", f"{kldb[:20]!r} is not a KldB 2010 code"))
        if category and category not in CATEGORY_LABELS:
            errors.append(
                _error(
                    number,
                    "category",
                    f"unknown category {category[:40]!r}; allowed: {', '.join(CATEGORY_LABELS)}",
                )
            )
        needs.append(NeedLine(name, terms, kldb or None, category or None))
        if len(needs) > MAX_NEEDS:
            errors.append(_error(number, "row", f"at most {MAX_NEEDS} needs"))
            break
    if errors:
        raise file_errors(errors)
    if not needs:
        raise file_errors([_error(2, "need", "the file lists no needs")])
    return needs


def _error(line: int, column: str, message: str) -> dict[str, Any]:
    return {"loc": [f"line {line}", column], "message": message}


def replace_needs(*, session: Session, portal: Portal, text: str) -> list[NeedPublic]:
    """Replace a portal's needs list with the file's (all or nothing)."""
    lines = parse_needs(text)
    session.execute(delete(Need).where(col(Need.portal_id) == portal.id))
    assert portal.id is not None
    for position, line in enumerate(lines):
        session.add(
            Need(
                portal_id=portal.id,
                position=position,
                name=line.name,
                terms=line.terms,
                kldb=line.kldb,
                category=line.category,
            )
        )
    session.flush()
    return list_needs(session=session, portal=portal)


def list_needs(*, session: Session, portal: Portal) -> list[NeedPublic]:
    rows = session.exec(
        select(Need).where(Need.portal_id == portal.id).order_by(col(Need.position))
    ).all()
    return [
        NeedPublic(
            position=n.position, need=n.name, terms=n.terms, kldb=n.kldb, category=n.category
        )
        for n in rows
    ]


# --- coverage ---------------------------------------------------------------------------------


def region_centre(portal: Portal, postcodes: list[str]) -> tuple[float, float] | None:
    """Where "nearest" is measured from: the portal's centre, else the mean of its postcode
    centres."""
    if portal.center_lat is not None and portal.center_lon is not None:
        return portal.center_lat, portal.center_lon
    points = [c for p in postcodes if (c := postcode_centre(p)) is not None]
    if not points:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def _nearest_place(o: OfferFact, centre: tuple[float, float]) -> tuple[str | None, float | None]:
    best: tuple[str | None, float | None] = (None, None)
    for d in o.places:
        point = (
            (d.lat, d.lon)
            if d.lat is not None and d.lon is not None
            else (postcode_centre(d.postcode) if d.postcode else None)
        )
        if point is None or point[0] is None or point[1] is None:
            continue
        km = distance_km(centre, (float(point[0]), float(point[1])))
        if best[1] is None or km < best[1]:
            best = (d.postcode, km)
    return best


async def coverage(
    *,
    engine: Engine,
    needs: list[Need],
    scope: SearchScope,
    centre: tuple[float, float] | None,
    offers: dict[int, OfferFact],
    in_region: dict[int, list[DateFacts]],
    day: date,
) -> list[dict[str, Any]]:
    """One coverage row per need, ranked by gap (fewest matching offers first). Offers are
    matched by the search engine (every word of a term must match, typos and synonyms as in
    every search; any of the need's terms) and counted from the reporting day's catalogue.
    `in_region`: the region's offers with their current dates in the region, the only ones
    a next start may come from."""
    # No term can match more offers than the region has: a smaller limit spares the engine.
    limit = max(1, min(MAX_MATCHES, len(in_region)))
    queries = [
        EngineQuery(q=term, scope=scope, category=need.category, limit=limit)
        for need in needs
        for term in need.terms
    ]
    answers = iter(await engine.offer_ids(queries))
    rows = []
    missing: list[tuple[dict[str, Any], Need]] = []
    for need in needs:
        matched: set[int] = set()
        for _ in need.terms:
            matched.update(i for i in next(answers) if i in offers and i in in_region)
        found = [offers[i] for i in matched]
        starts = [
            d.start_date
            for i in matched
            for d in in_region[i]
            if d.start_date is not None and d.start_date >= day
        ]
        row: dict[str, Any] = {
            "need": need.name,
            "kldb": need.kldb,
            "category": need.category,
            "terms": need.terms,
            "offers": len(found),
            "bildungsgutschein": sum(1 for o in found if bildungsgutschein_eligible(o)),
            "part_time": sum(1 for o in found if part_time(o)),
            "qualification": sum(1 for o in found if qualification(o)),
            "next_start": min(starts).isoformat() if starts else None,
            "nearest_outside": None,
        }
        rows.append(row)
        if not found and centre is not None:
            missing.append((row, need))
    if missing:
        assert centre is not None
        nearest = [
            EngineQuery(q=term, category=need.category, near=centre, limit=20)
            for _, need in missing
            for term in need.terms
        ]
        answers = iter(await engine.offer_ids(nearest))
        for row, need in missing:
            best: tuple[float, OfferFact, str | None] | None = None
            for _ in need.terms:
                for offer_id in next(answers):
                    o = offers.get(offer_id)
                    if o is None or offer_id in in_region:
                        continue
                    postcode, km = _nearest_place(o, centre)
                    if km is None:
                        continue
                    if best is None or km < best[0]:
                        best = (km, o, postcode)
                    break  # hits come nearest first
            if best is not None:
                row["nearest_outside"] = {
                    "offer_id": best[1].id,
                    "title": best[1].title,
                    "postcode": best[2],
                    "distance_km": round(best[0], 1),
                }
    rows.sort(key=lambda r: (r["offers"], r["bildungsgutschein"], r["part_time"], r["need"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows
