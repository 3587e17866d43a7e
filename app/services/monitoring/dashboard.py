"""The dashboard pages (/monitoring/...): rendered on the server from snapshots, charts as
SVG each with its data table, German and English, printable for a council report."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from sqlmodel import Session, col, select

from app.models.monitoring import MonitoringSnapshot
from app.services.auth import Actor
from app.services.monitoring import publication, regions, reports, snapshots, texts
from app.services.monitoring.charts import Bar, bar_chart, line_chart
from app.services.monitoring.indicators import DIMENSIONS, INDICATORS, share
from app.services.monitoring.regions import DISTRICT, PORTAL, Region
from app.services.pages import environment

PAGES = ("supply", "white_spots", "demand", "needs")
PAGE_PATHS = {
    "supply": "",
    "white_spots": "/weisse-flecken",
    "demand": "/nachfrage",
    "needs": "/bedarf",
}
OVERVIEW = (
    "offers",
    "offers_per_10k",
    "runs_12m",
    "runs_12m_per_10k",
    "runs_flexible",
    "providers",
    "providers_per_100k",
    "hours",
    "hours_per_1000",
    "hours_missing_share",
    "counselling_contacts",
    "counselling_per_100k",
    "white_spot_postcodes",
    "white_spot_share",
)
FUNDING = (
    "bildungsgutschein_share",
    "aufstiegs_bafoeg_share",
    "free_share",
    "price_unknown_share",
    "qualification_share",
)
COMPAT = (
    "part_time_share",
    "evening_share",
    "weekend_share",
    "work_compatible_share",
    "part_time_childcare_share",
)
ACCESS = ("in_person_share", "online_share", "blended_share", "barrier_free_share")
LINES = (
    "german_integration_offers",
    "german_integration_per_10k",
    "german_integration_runs_12m",
    "basic_education_offers",
    "basic_education_per_10k",
    "basic_education_runs_12m",
)
PRICE = ("price_per_hour_median", "price_per_hour_p25", "price_per_hour_p75")
TREND_DAYS = 400


@dataclass
class Figure:
    name: str
    label: str
    unit: str
    value: str
    numerator: str
    denominator: str


def page_language(value: str | None) -> str:
    return "en" if value == "en" else "de"


def base_path(region: Region) -> str:
    return reports.dashboard_path(region) or "/monitoring/"


def link(path: str, *, lang: str, day: date | None = None) -> str:
    query = {}
    if day is not None:
        query["tag"] = day.isoformat()
    if lang != "de":
        query["lang"] = lang
    return f"{path}?{urlencode(query)}" if query else path


def _decimals(unit: str) -> int:
    return 0 if unit in ("count", "hours") else 2 if unit == "eur_per_hour" else 1


def _format(name: str, value: float | None, lang: str) -> str:
    unit = INDICATORS[name].unit if name in INDICATORS else "count"
    return texts.number(value, lang, _decimals(unit))


def _figures(rows: list[list[Any]], names: tuple[str, ...], lang: str) -> list[Figure]:
    headline = {r[0]: r for r in rows if r[1] == ""}
    figures = []
    for name in names:
        row = headline.get(name)
        if row is None:
            continue
        figures.append(
            Figure(
                name=name,
                label=texts.indicator_label(name, lang),
                unit=texts.unit_label(name, lang),
                value=_format(name, row[5], lang),
                numerator=texts.number(row[3], lang, 0 if name not in PRICE else 0),
                denominator=texts.number(row[4], lang, 0),
            )
        )
    return figures


def _share_chart(
    chart_id: str, title: str, figures: list[Figure], rows: list[list[Any]], lang: str
) -> Markup:
    headline = {r[0]: r for r in rows if r[1] == ""}
    bars = [Bar(f.label, float(headline[f.name][5] or 0), f"{f.value} %") for f in figures]
    t = texts.texts(lang)
    description = "; ".join(f"{b.label}: {b.shown}" for b in bars)
    return bar_chart(
        chart_id=chart_id, title=title, description=description or t["value"], bars=bars
    )


def _by_category(rows: list[list[Any]], lang: str) -> list[dict[str, Any]]:
    cells: dict[tuple[str, str], list[Any]] = {(r[0], r[2]): r for r in rows if r[1] == "category"}
    out = []
    for category in DIMENSIONS["category"]:
        offers = cells.get(("offers", category))
        count = float(offers[5] or 0) if offers else 0.0

        def value(name: str, category: str = category) -> str:
            row = cells.get((name, category))
            return _format(name, row[5] if row else None, lang)

        out.append(
            {
                "code": category,
                "label": texts.member_label("category", category, lang),
                "offers": count,
                "offers_text": texts.number(count, lang, 0),
                "per_10k": value("offers_per_10k"),
                "runs": value("runs_12m"),
                "bildungsgutschein": value("bildungsgutschein_share"),
                "work_compatible": value("work_compatible_share"),
                "childcare": value("part_time_childcare_share"),
                "median": value("price_per_hour_median"),
                "p25": value("price_per_hour_p25"),
                "p75": value("price_per_hour_p75"),
                "priced": texts.number(
                    cells[("price_per_hour_median", category)][3]
                    if ("price_per_hour_median", category) in cells
                    else None,
                    lang,
                    0,
                ),
            }
        )
    return out


def _common(
    *,
    session: Session,
    actor: Actor,
    region: Region,
    page: str,
    lang: str,
    snapshot: MonitoringSnapshot | None,
    days: list[date],
) -> dict[str, Any]:
    t = texts.texts(lang)
    base = base_path(region)
    day = snapshot.day if snapshot else None
    nav = [
        {
            "page": p,
            "label": t[f"nav_{p}"],
            "url": link(base + PAGE_PATHS[p], lang=lang, day=day),
            "current": p == page,
        }
        for p in PAGES
        if region.kind == PORTAL or p in ("supply", "white_spots")
    ]
    other = "en" if lang == "de" else "de"
    path = base + PAGE_PATHS[page]
    population = snapshot.population if snapshot else region.population
    source = snapshot.population_source if snapshot else region.population_source
    return {
        "t": t,
        "lang": lang,
        "region": region,
        "region_name": texts.region_name(region.kind, region.key, region.name, lang),
        "page": page,
        "nav": nav,
        "regions_url": link("/monitoring/", lang=lang),
        "day": day,
        "day_text": day.strftime("%d.%m.%Y")
        if day and lang == "de"
        else (day.isoformat() if day else ""),
        "days": days,
        "form_action": path,
        "other_lang": other,
        "other_lang_url": link(path, lang=other, day=day),
        "population": texts.number(population, lang, 0) if population else t["population_unknown"],
        "population_source": source,
        "export": lambda what: link(f"{base}/export/{what}.csv", lang=lang, day=day),
        "is_admin": actor.is_admin,
        "compared": [
            {"label": texts.indicator_label(n, lang), "unit": texts.unit_label(n, lang)}
            for n in COMPARED
        ],
    }


def render(
    *, session: Session, actor: Actor, region: Region, page: str, lang: str, day: date | None
) -> tuple[int, str]:
    """One dashboard page; (status, HTML)."""
    days = snapshots.snapshot_days(session=session, region=region)
    snapshot: MonitoringSnapshot | None = None
    if days:
        chosen = day if day in days else days[0]
        snapshot = snapshots.get_snapshot(session=session, region=region, day=chosen)
    context = _common(
        session=session,
        actor=actor,
        region=region,
        page=page,
        lang=lang,
        snapshot=snapshot,
        days=days,
    )
    env = environment()
    if snapshot is None and page != "demand":
        return 200, env.get_template("monitoring/empty.html").render(context)
    if page == "supply":
        assert snapshot is not None
        context |= _supply(
            session=session, actor=actor, region=region, snapshot=snapshot, lang=lang
        )
    elif page == "white_spots":
        assert snapshot is not None
        context |= _white_spots(snapshot=snapshot, lang=lang)
    elif page == "demand":
        context |= _demand(session=session, region=region, lang=lang)
    else:
        assert snapshot is not None
        context |= _needs(session=session, region=region, snapshot=snapshot, lang=lang)
    return 200, env.get_template(f"monitoring/{page}.html").render(context)


def _supply(
    *, session: Session, actor: Actor, region: Region, snapshot: MonitoringSnapshot, lang: str
) -> dict[str, Any]:
    t = texts.texts(lang)
    rows = snapshot.indicators
    categories = _by_category(rows, lang)
    shown = [c for c in categories if c["offers"] > 0]
    category_chart = bar_chart(
        chart_id="chart-category",
        title=t["by_category"],
        description="; ".join(f"{c['label']}: {c['offers_text']}" for c in shown),
        bars=[Bar(c["label"], c["offers"], c["offers_text"]) for c in shown],
    )
    compat = _figures(rows, COMPAT, lang)
    access = _figures(rows, ACCESS, lang)
    funding = _figures(rows, FUNDING, lang)
    dqr = [
        {
            "label": texts.member_label("dqr_level", r[2], lang),
            "count": texts.number(r[3], lang, 0),
            "share": texts.number(r[5], lang, 1),
        }
        for r in rows
        if r[0] == "dqr_level"
    ]
    # Shares among the offers that carry a DVV category (the Volkshochschulen's), not among
    # all offers: the table answers "what do the VHS offer", not "how much is VHS".
    areas = [r for r in rows if r[0] == "offers" and r[1] == "dvv_area" and r[2] != "none"]
    with_area = sum(r[3] or 0 for r in areas)
    dvv = [
        {
            "label": texts.member_label("dvv_area", r[2], lang),
            "count": texts.number(r[3], lang, 0),
            "share": texts.number(share(r[3] or 0, with_area), lang, 1),
        }
        for r in areas
    ]
    start = snapshot.day - timedelta(days=TREND_DAYS)
    trend = snapshots.get_series(
        session=session, region=region, indicator="offers", start=start, end=snapshot.day
    )
    trend_points = [(p.day, p.value) for p in trend]
    trend_chart = line_chart(
        chart_id="chart-trend",
        title=t["trend_of"],
        description="; ".join(
            f"{d.isoformat()}: {texts.number(v, lang, 0)}" for d, v in trend_points[-12:]
        ),
        points=trend_points,
        day_label=t["day_label"],
    )
    return {
        "overview": _figures(rows, OVERVIEW, lang),
        "lines": _figures(rows, LINES, lang),
        "prices": _figures(rows, PRICE, lang),
        "funding": funding,
        "compat": compat,
        "access": access,
        "dqr": dqr,
        "dvv": dvv,
        "categories": categories,
        "category_chart": category_chart,
        "compat_chart": _share_chart("chart-compat", t["compat"], compat, rows, lang),
        "access_chart": _share_chart("chart-access", t["formats"], access, rows, lang),
        "funding_chart": _share_chart("chart-funding", t["funding"], funding, rows, lang),
        "trend": [
            {"day": d.isoformat(), "value": texts.number(v, lang, 0)} for d, v in trend_points
        ],
        "trend_chart": trend_chart,
        "districts": _districts_of(session=session, actor=actor, snapshot=snapshot, lang=lang)
        if region.kind == PORTAL
        else [],
    }


COMPARED = (
    "offers",
    "offers_per_10k",
    "runs_12m_per_10k",
    "providers_per_100k",
    "bildungsgutschein_share",
    "work_compatible_share",
    "part_time_childcare_share",
)


def _districts_of(
    *, session: Session, actor: Actor, snapshot: MonitoringSnapshot, lang: str
) -> list[dict[str, Any]]:
    """The districts a portal's postcodes fall in, with their own rates on the same day: a
    portal made of parts of districts has no population of its own, its districts do. Only
    those the key may see through the API (analysts: none), so the page shows no figure the
    API would answer 404 for."""
    keys = sorted(
        ags
        for ags in {ags for _, ags, _ in snapshot.white_spots.get("postcodes", []) if ags}
        if regions.may_see(session=session, actor=actor, kind=DISTRICT, key=ags)
    )
    if not keys:
        return []
    found = session.exec(
        select(MonitoringSnapshot).where(
            MonitoringSnapshot.region_kind == DISTRICT,
            col(MonitoringSnapshot.region_key).in_(keys),
            MonitoringSnapshot.day == snapshot.day,
        )
    ).all()
    rows = []
    for snap in sorted(found, key=lambda s: s.region_key):
        headline = {r[0]: r for r in snap.indicators if r[1] == ""}
        rows.append(
            {
                "name": snap.region_name,
                "ags": snap.region_key,
                "population": texts.number(snap.population, lang, 0),
                "values": [
                    _format(name, headline[name][5] if name in headline else None, lang)
                    for name in COMPARED
                ],
            }
        )
    return rows


def _white_spots(*, snapshot: MonitoringSnapshot, lang: str) -> dict[str, Any]:
    data = snapshot.white_spots
    categories: list[str] = data.get("categories", [])
    rows = []
    for postcode, ags, counts in data.get("postcodes", []):
        missing = [
            texts.member_label("category", c, lang)
            for c, n in zip(categories, counts, strict=True)
            if n == 0
        ]
        rows.append(
            {
                "postcode": postcode,
                "district": texts.region_name(
                    "district", ags or "unknown", regions.district_name(ags or "unknown"), lang
                ),
                "total": sum(counts),
                "total_text": texts.number(sum(counts), lang, 0),
                "missing": missing,
            }
        )
    rows.sort(key=lambda r: (r["total"], r["postcode"]))
    return {
        "radius": texts.number(float(data.get("radius_km", 25)), lang, 0),
        "spots": [r for r in rows if r["total"] == 0],
        "postcode_rows": rows,
    }


def _demand(*, session: Session, region: Region, lang: str) -> dict[str, Any]:
    start, end = reports.demand_period(None, None, today=publication.utc_today())
    table = reports.demand(session=session, region=region, start=start, end=end, lang=lang)
    terms = [
        {
            "term": row.term or texts.texts(lang)["no_term"],
            "clients": texts.number(row.clients, lang, 0),
            "zero": texts.number(row.zero_result_clients, lang, 0)
            if row.zero_result_clients is not None
            else "–",
            "kind": texts.zero_kind_label(row.zero_result_kind, lang)
            if row.zero_result_clients is not None
            else "",
        }
        for row in table.terms
    ]
    filters = [
        {
            "term": b.term or texts.texts(lang)["no_term"],
            "label": b.label,
            "clients": texts.number(b.clients, lang, 0),
        }
        for b in table.breakdown
        if b.dimension == "filter"
    ]
    top = table.terms[:15]
    chart = bar_chart(
        chart_id="chart-demand",
        title=texts.texts(lang)["demand"],
        description="; ".join(f"{r.term or '–'}: {r.clients}" for r in top),
        bars=[
            Bar(r.term or texts.texts(lang)["no_term"], float(r.clients), str(r.clients))
            for r in top
        ],
    )
    return {
        "month": texts.month_name(start, lang),
        "k": table.min_clients,
        "terms": terms,
        "filters": filters,
        "demand_chart": chart if top else None,
    }


def _needs(
    *, session: Session, region: Region, snapshot: MonitoringSnapshot, lang: str
) -> dict[str, Any]:
    table = reports.needs_coverage(session=session, region=region, day=snapshot.day, lang=lang)
    rows = [
        {
            "rank": r.rank,
            "need": r.need,
            "kldb": r.kldb or "",
            "offers": r.offers,
            "bildungsgutschein": r.bildungsgutschein,
            "part_time": r.part_time,
            "qualification": r.qualification,
            "next_start": (
                r.next_start.strftime("%d.%m.%Y") if lang == "de" else r.next_start.isoformat()
            )
            if r.next_start
            else "–",
            "nearest": r.nearest_outside,
            "nearest_km": texts.number(r.nearest_outside.distance_km, lang, 1)
            if r.nearest_outside
            else "",
        }
        for r in table.rows
    ]
    chart = (
        bar_chart(
            chart_id="chart-needs",
            title=texts.texts(lang)["needs"],
            description="; ".join(f"{r.need}: {r.offers}" for r in table.rows),
            bars=[Bar(r.need, float(r.offers), str(r.offers)) for r in table.rows],
        )
        if table.rows
        else None
    )
    return {"needs_rows": rows, "needs_note": table.note, "needs_chart": chart}


def regions_page(*, session: Session, actor: Actor, lang: str) -> str:
    latest = snapshots.latest_days(session=session)
    visible = regions.visible_regions(session=session, actor=actor)
    t = texts.texts(lang)

    def entry(r: Region) -> dict[str, Any]:
        day = latest.get((r.kind, r.key))
        return {
            "name": texts.region_name(r.kind, r.key, r.name, lang),
            "key": r.key,
            "url": link(base_path(r), lang=lang),
            "latest": day.isoformat() if day else "–",
        }

    return (
        environment()
        .get_template("monitoring/regions.html")
        .render(
            t=t,
            lang=lang,
            portals=[entry(r) for r in visible if r.kind == PORTAL],
            districts=[entry(r) for r in visible if r.kind != PORTAL],
            other_lang="en" if lang == "de" else "de",
            other_lang_url=link("/monitoring/", lang="en" if lang == "de" else "de"),
            signed_in=True,
        )
    )


def sign_in_page(
    *, lang: str, next_path: str, error: bool = False, signed_out: bool = False
) -> str:
    other = "en" if lang == "de" else "de"
    query = {k: v for k, v in (("next", next_path), ("lang", other if other != "de" else "")) if v}
    return (
        environment()
        .get_template("monitoring/sign_in.html")
        .render(
            t=texts.texts(lang),
            lang=lang,
            next_path=next_path,
            error=error,
            signed_out=signed_out,
            other_lang=other,
            other_lang_url="/monitoring/" + (f"?{urlencode(query)}" if query else ""),
            signed_in=False,
        )
    )


def not_found_page(*, lang: str) -> str:
    return (
        environment()
        .get_template("monitoring/not_found.html")
        .render(t=texts.texts(lang), lang=lang, signed_in=False)
    )
