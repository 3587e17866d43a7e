"""The monitoring tables as the API and the dashboard give them: indicator rows, series,
white spots, needs coverage and demand, each also as CSV that Excel opens as it is."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, select

from app.errors import InvalidInput
from app.models.monitoring import (
    Demand,
    DemandBreakdownRow,
    DemandRow,
    IndicatorRow,
    IndicatorTable,
    MonitoringSnapshot,
    NearestOffer,
    NeedCoverageRow,
    NeedsCoverage,
    RegionPublic,
    Series,
    SeriesPoint,
    WhiteSpotRow,
    WhiteSpots,
    ZeroResultClass,
)
from app.services.monitoring import demand as demand_service
from app.services.monitoring import publication, snapshots, texts
from app.services.monitoring.indicators import INDICATORS
from app.services.monitoring.regions import DISTRICT, PORTAL, Region


def dashboard_path(region: Region) -> str | None:
    if region.kind == PORTAL:
        return f"/monitoring/{region.key}"
    if region.kind == DISTRICT:
        return f"/monitoring/kreise/{region.key}"
    return None


def region_public(
    region: Region,
    *,
    latest: date | None,
    lang: str = "de",
    snapshot: MonitoringSnapshot | None = None,
) -> RegionPublic:
    """The region as the API names it; population as of the snapshot when one is given."""
    return RegionPublic(
        kind=region.kind,
        key=region.key,
        name=texts.region_name(region.kind, region.key, region.name, lang),
        population=snapshot.population if snapshot else region.population,
        population_source=snapshot.population_source if snapshot else region.population_source,
        latest_day=latest,
        dashboard=dashboard_path(region),
    )


def indicator_table(
    *, session: Session, region: Region, day: date | None, lang: str = "de"
) -> IndicatorTable:
    snap = snapshots.get_snapshot(session=session, region=region, day=day)
    rows = [
        IndicatorRow(
            indicator=name,
            label=texts.indicator_label(name, lang),
            unit=texts.unit_label(name, lang),
            dimension=dimension,
            member=member,
            member_label=texts.member_label(dimension, member, lang),
            numerator=numerator,
            denominator=denominator,
            value=value,
        )
        for name, dimension, member, numerator, denominator, value in snap.indicators
    ]
    return IndicatorTable(
        region=region_public(region, latest=snap.day, lang=lang, snapshot=snap),
        day=snap.day,
        rows=rows,
    )


def series(
    *,
    session: Session,
    region: Region,
    indicator: str,
    start: date | None,
    end: date | None,
    lang: str = "de",
) -> Series:
    if indicator not in INDICATORS or indicator == "dqr_level":
        raise InvalidInput.at(
            ["indicator"],
            f"unknown indicator {indicator!r}; allowed: "
            + ", ".join(n for n in INDICATORS if n != "dqr_level"),
        )
    # As the demand period: an empty series would read as "no data" for what is a mistake.
    if start is not None and end is not None and start > end:
        raise InvalidInput.at(["start"], "start is after end")
    points = snapshots.get_series(
        session=session, region=region, indicator=indicator, start=start, end=end
    )
    return Series(
        region=region_public(region, latest=points[-1].day if points else None, lang=lang),
        indicator=indicator,
        label=texts.indicator_label(indicator, lang),
        unit=texts.unit_label(indicator, lang),
        points=[
            SeriesPoint(day=p.day, numerator=p.numerator, denominator=p.denominator, value=p.value)
            for p in points
        ],
    )


def white_spots(
    *, session: Session, region: Region, day: date | None, lang: str = "de", only_empty: bool
) -> WhiteSpots:
    """Per postcode and category, the offers starting within the radius; `only_empty`: the
    white spots alone (postcode × category cells with none, and postcodes with none at all)."""
    snap = snapshots.get_snapshot(session=session, region=region, day=day)
    data = snap.white_spots
    categories: list[str] = data.get("categories", [])
    rows: list[WhiteSpotRow] = []
    for postcode, ags, counts in data.get("postcodes", []):
        total = sum(counts)
        if not only_empty or total == 0:
            rows.append(
                WhiteSpotRow(
                    postcode=postcode,
                    ags=ags,
                    category="",
                    category_label="alle Themen" if lang == "de" else "all topics",
                    offers=total,
                )
            )
        for category, count in zip(categories, counts, strict=True):
            if not only_empty or count == 0:
                rows.append(
                    WhiteSpotRow(
                        postcode=postcode,
                        ags=ags,
                        category=category,
                        category_label=texts.member_label("category", category, lang),
                        offers=count,
                    )
                )
    return WhiteSpots(
        region=region_public(region, latest=snap.day, lang=lang, snapshot=snap),
        day=snap.day,
        radius_km=float(data.get("radius_km", 25.0)),
        postcodes=len(data.get("postcodes", [])),
        rows=rows,
    )


def needs_coverage(
    *, session: Session, region: Region, day: date | None, lang: str = "de"
) -> NeedsCoverage:
    snap = snapshots.get_snapshot(session=session, region=region, day=day)
    t = texts.texts(lang)
    data = snap.needs
    raw: list[dict[str, Any]]
    if data is None:
        available, note, raw = False, t["needs_none"], []
    elif not data.get("available"):
        available, note, raw = False, t["needs_unavailable"], []
    else:
        available, note, raw = True, "", data.get("rows", [])
    rows = [
        NeedCoverageRow(
            rank=r["rank"],
            need=r["need"],
            kldb=r.get("kldb"),
            category=r.get("category"),
            terms=r["terms"],
            offers=r["offers"],
            bildungsgutschein=r["bildungsgutschein"],
            part_time=r["part_time"],
            qualification=r["qualification"],
            next_start=date.fromisoformat(r["next_start"]) if r.get("next_start") else None,
            nearest_outside=NearestOffer(**r["nearest_outside"])
            if r.get("nearest_outside")
            else None,
        )
        for r in raw
    ]
    return NeedsCoverage(
        region=region_public(region, latest=snap.day, lang=lang, snapshot=snap),
        day=snap.day,
        available=available,
        note=note,
        rows=rows,
    )


MAX_DEMAND_MONTHS = 12


def demand_period(start: date | None, end: date | None, *, today: date) -> tuple[date, date]:
    """Whole calendar months that have closed (default: the newest), at most a year: demand
    is published per month (app.services.monitoring.publication). `today` is the UTC day."""
    closed = publication.last_closed(today)
    if end is None:
        end = closed
    if end != publication.month_end(end):
        raise InvalidInput.at(
            ["end"], "demand is shown for whole months: end on the last day of a month"
        )
    if end > closed:
        raise InvalidInput.at(
            ["end"],
            f"demand is shown for months that have closed; the newest is the one ending {closed}",
        )
    if start is None:
        start = publication.month_start(end)
    if start != publication.month_start(start):
        raise InvalidInput.at(
            ["start"], "demand is shown for whole months: start on the first day of a month"
        )
    if start > end:
        raise InvalidInput.at(["start"], "start is after end")
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months > MAX_DEMAND_MONTHS:
        raise InvalidInput.at(["start"], f"a period of at most {MAX_DEMAND_MONTHS} months")
    return start, end


def demand(
    *,
    session: Session,
    region: Region,
    start: date,
    end: date,
    lang: str = "de",
) -> Demand:
    """The search terms of a portal (or of the global search, region kind "catalogue") over
    a period; every row below the threshold is left out, and a term below it is left out
    with every row of it."""
    portal = region.key if region.kind == PORTAL else demand_service.GLOBAL
    threshold = demand_service.min_clients()
    rows = publication.demand_rows(
        session=session, portal=portal, start=start, end=end, threshold=threshold
    )
    classes = {
        c.term: c.kind
        for c in session.exec(select(ZeroResultClass).where(ZeroResultClass.portal == portal))
    }
    totals: dict[str, int] = {}
    zero: dict[str, int] = {}
    breakdown: list[DemandBreakdownRow] = []
    for term, dimension, value, clients in rows:
        if dimension == "" and value == "":
            totals[term] = clients
        elif dimension == "" and value == publication.ZERO:
            zero[term] = clients
        else:
            breakdown.append(
                DemandBreakdownRow(
                    term=term,
                    dimension=dimension,
                    value=value,
                    label=_breakdown_label(dimension, value, lang),
                    clients=clients,
                )
            )
    terms = [
        DemandRow(
            term=term,
            clients=clients,
            zero_result_clients=zero.get(term),
            zero_result_kind=classes.get(term) if term in zero else None,
        )
        for term, clients in totals.items()
    ]
    return Demand(
        region=region_public(region, latest=None, lang=lang),
        start=start,
        end=end,
        min_clients=threshold,
        terms=terms,
        breakdown=breakdown,
    )


def _breakdown_label(dimension: str, value: str, lang: str) -> str:
    if dimension == "filter":
        return texts.filter_label(value, lang)
    if dimension == "district":
        return texts.region_name(DISTRICT, value, _district_name(value), lang)
    if dimension == "result":
        return {"0": "0", "1-5": "1–5", "6+": "6+"}.get(value, value)
    return value


def _district_name(ags: str) -> str:
    from app.services.monitoring.regions import district_name

    return district_name(ags)


# --- CSV --------------------------------------------------------------------------------------


def decimal_comma(value: Any) -> str:
    """Numbers with a decimal comma and no grouping (what German Excel reads as a number)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """`;`-separated, UTF-8 with a byte-order mark, CRLF: Excel opens it with umlauts and
    decimal commas intact."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([decimal_comma(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_HEADERS: dict[str, dict[str, list[str]]] = {
    "indicators": {
        "de": [
            "Stichtag",
            "Region",
            "Kennzahl-ID",
            "Kennzahl",
            "Einheit",
            "Aufschlüsselung",
            "Ausprägung",
            "Zähler",
            "Nenner",
            "Wert",
        ],
        "en": [
            "Reporting day",
            "Region",
            "Indicator id",
            "Indicator",
            "Unit",
            "Breakdown",
            "Member",
            "Numerator",
            "Denominator",
            "Value",
        ],
    },
    "series": {
        "de": [
            "Stichtag",
            "Region",
            "Kennzahl-ID",
            "Kennzahl",
            "Einheit",
            "Zähler",
            "Nenner",
            "Wert",
        ],
        "en": [
            "Reporting day",
            "Region",
            "Indicator id",
            "Indicator",
            "Unit",
            "Numerator",
            "Denominator",
            "Value",
        ],
    },
    "white_spots": {
        "de": [
            "Stichtag",
            "Region",
            "Postleitzahl",
            "Kreis (AGS)",
            "Thema-ID",
            "Thema",
            "Angebote mit Beginn im Umkreis von 25 km",
        ],
        "en": [
            "Reporting day",
            "Region",
            "Postcode",
            "District (AGS)",
            "Topic id",
            "Topic",
            "Offers starting within 25 km",
        ],
    },
    "needs": {
        "de": [
            "Stichtag",
            "Region",
            "Rang",
            "Bedarf",
            "KldB",
            "Thema",
            "Suchbegriffe",
            "Angebote in der Region",
            "davon Bildungsgutschein",
            "davon berufsbegleitend",
            "davon mit Abschluss",
            "nächster Beginn",
            "nächstes Angebot außerhalb (ID)",
            "Titel",
            "km",
        ],
        "en": [
            "Reporting day",
            "Region",
            "Rank",
            "Need",
            "KldB",
            "Topic",
            "Search terms",
            "Offers in the region",
            "of which Bildungsgutschein",
            "of which alongside work",
            "of which with qualification",
            "Next start",
            "Nearest offer outside (id)",
            "Title",
            "km",
        ],
    },
    "demand": {
        "de": [
            "von",
            "bis",
            "Region",
            "Suchbegriff",
            "Aufschlüsselung",
            "Wert",
            "Bezeichnung",
            "Suchende (Personen-Tage)",
            "Einordnung bei 0 Treffern",
        ],
        "en": [
            "from",
            "to",
            "Region",
            "Search term",
            "Breakdown",
            "Value",
            "Label",
            "Searchers (person-days)",
            "Zero-result classification",
        ],
    },
}


def csv_of(table: BaseModel, *, lang: str = "de") -> bytes:
    """Any monitoring table as CSV."""
    lang = "en" if lang == "en" else "de"
    if isinstance(table, IndicatorTable):
        return to_csv(
            _HEADERS["indicators"][lang],
            (
                [
                    table.day.isoformat(),
                    table.region.name,
                    r.indicator,
                    r.label,
                    r.unit,
                    texts.dimension_label(r.dimension, lang) if r.dimension else "",
                    r.member_label,
                    r.numerator,
                    r.denominator,
                    r.value,
                ]
                for r in table.rows
            ),
        )
    if isinstance(table, Series):
        return to_csv(
            _HEADERS["series"][lang],
            (
                [
                    p.day.isoformat(),
                    table.region.name,
                    table.indicator,
                    table.label,
                    table.unit,
                    p.numerator,
                    p.denominator,
                    p.value,
                ]
                for p in table.points
            ),
        )
    if isinstance(table, WhiteSpots):
        return to_csv(
            _HEADERS["white_spots"][lang],
            (
                [
                    table.day.isoformat(),
                    table.region.name,
                    r.postcode,
                    r.ags or "",
                    r.category,
                    r.category_label,
                    r.offers,
                ]
                for r in table.rows
            ),
        )
    if isinstance(table, NeedsCoverage):
        return to_csv(
            _HEADERS["needs"][lang],
            (
                [
                    table.day.isoformat(),
                    table.region.name,
                    r.rank,
                    r.need,
                    r.kldb or "",
                    texts.member_label("category", r.category, lang) if r.category else "",
                    ", ".join(r.terms),
                    r.offers,
                    r.bildungsgutschein,
                    r.part_time,
                    r.qualification,
                    r.next_start.isoformat() if r.next_start else "",
                    r.nearest_outside.offer_id if r.nearest_outside else "",
                    r.nearest_outside.title if r.nearest_outside else "",
                    r.nearest_outside.distance_km if r.nearest_outside else None,
                ]
                for r in table.rows
            ),
        )
    if isinstance(table, Demand):
        rows: list[list[Any]] = []
        zero_written: set[str] = set()
        # Searches without words named as such: an empty cell reads like a grand total.
        no_term = texts.texts(lang)["no_term"]
        for term in table.terms:
            rows.append(
                [
                    table.start.isoformat(),
                    table.end.isoformat(),
                    table.region.name,
                    term.term or no_term,
                    "",
                    "",
                    "",
                    term.clients,
                    "",
                ]
            )
            if term.zero_result_clients is not None:
                zero_written.add(term.term)
                rows.append(
                    [
                        table.start.isoformat(),
                        table.end.isoformat(),
                        table.region.name,
                        term.term,
                        "result",
                        "0",
                        "0",
                        term.zero_result_clients,
                        texts.zero_kind_label(term.zero_result_kind, lang),
                    ]
                )
        for b in table.breakdown:
            if b.dimension == "result" and b.value == "0" and b.term in zero_written:
                continue  # the same searchers as the term's zero-result row: once per term
            rows.append(
                [
                    table.start.isoformat(),
                    table.end.isoformat(),
                    table.region.name,
                    b.term or no_term,
                    b.dimension,
                    b.value,
                    b.label,
                    b.clients,
                    "",
                ]
            )
        return to_csv(_HEADERS["demand"][lang], rows)
    raise TypeError(f"no CSV for {type(table).__name__}")
