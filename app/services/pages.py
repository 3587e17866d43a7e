"""Citizen pages of a portal: search and offer pages rendered on the server with Jinja2."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, get_origin
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pydantic import ValidationError
from sqlmodel import Session

from app.codelists import (
    CATEGORY_LABELS,
    CEFR_LEVEL_LABELS,
    EDUCATION_TYPE_LABELS,
    FORMAT_LABELS,
    FUNDING_EXPLANATIONS,
    FUNDING_LABELS,
    LANGUAGE_LABELS,
    SCHEDULE_LABELS,
    TARGET_GROUP_LABELS,
)
from app.errors import DomainError, InvalidInput
from app.models.offer import OfferDate
from app.models.portal import Portal
from app.models.search import SearchParams, SearchResult, SortOrder
from app.search import service as search
from app.services import portals as portal_service
from app.services.follow_links import follow_links
from app.services.interop.jsonld import course_jsonld, jsonld_script_text
from app.services.monitoring.demand import record_search
from app.services.offers import OfferView, has_ended, price_eur
from app.services.page_texts import LANGUAGES, texts

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"

# Facets a citizen may tick, with the code list that checks their values.
FACET_CODES: dict[str, dict[str, str] | None] = {
    "category": CATEGORY_LABELS,
    "education_type": EDUCATION_TYPE_LABELS,
    "format": FORMAT_LABELS,
    "schedule": SCHEDULE_LABELS,
    "funding": FUNDING_LABELS,
    "language": LANGUAGE_LABELS,
    "level": CEFR_LEVEL_LABELS,
    "city": None,
    "provider": None,
}
RADIUS_CHOICES = (5, 10, 25, 50, 100)
MAX_FACET_VALUES = 12
PER_PAGE = 10


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["follow_links"] = follow_links
    return env


def page_language(value: str | None) -> str:
    return value if value in LANGUAGES else "de"


# --- query parsing --------------------------------------------------------------------------

# Every search parameter but the page size (fixed for pages) may come in a page's query.
_PAGE_FIELDS = frozenset(SearchParams.model_fields) - {"per_page"}
_LIST_FIELDS = frozenset(
    name for name, f in SearchParams.model_fields.items() if get_origin(f.annotation) is list
)
MAX_VALUES_PER_FACET = 20


@dataclass(frozen=True)
class FieldProblem:
    """A query parameter the page could not use: its name, what was sent, and the API's
    message on it (English; the page shows the field's own label and the value)."""

    field: str
    value: str
    message: str


def search_params_from_query(
    query: Iterable[tuple[str, str]],
) -> tuple[SearchParams, list[FieldProblem]]:
    """A citizen's form query as SearchParams, read by the API's rules (the same model, the
    same cross-field checks). A value the API would refuse is left out of the search and
    reported, so that a hand-edited or outdated link still shows a page, with a message."""
    values: dict[str, list[str]] = {}
    for key, value in query:
        if key in _PAGE_FIELDS and (value := value.strip()):
            values.setdefault(key, []).append(value)
    data: dict[str, Any] = {
        name: list(dict.fromkeys(found))[:MAX_VALUES_PER_FACET]
        if name in _LIST_FIELDS
        else found[0]
        for name, found in values.items()
    }
    problems: list[FieldProblem] = []
    # Each round removes at least one value, so this ends.
    while True:
        try:
            params = SearchParams.model_validate({**data, "per_page": PER_PAGE})
        except ValidationError as exc:
            _drop_invalid(data, exc, problems)
            continue
        try:
            search.check(*search.located(params))
        except InvalidInput as exc:
            loc = exc.details[0]["loc"] if exc.details else []
            name = str(loc[-1]) if loc else ""
            if name not in data:
                raise  # not a parameter of the page's: a defect, not a citizen's mistake
            problems.append(FieldProblem(name, _shown(data.pop(name)), exc.message))
            continue
        return params, problems


def _drop_invalid(data: dict[str, Any], exc: ValidationError, problems: list[FieldProblem]) -> None:
    bad_items: dict[str, set[int]] = {}
    for err in exc.errors():
        loc = err["loc"]
        name = str(loc[0]) if loc else ""
        if name not in data:
            raise exc  # not a parameter of the page's: a defect, not a citizen's mistake
        message = str(err["msg"]).removeprefix("Value error, ")
        if name in _LIST_FIELDS and len(loc) > 1 and isinstance(loc[1], int):
            bad_items.setdefault(name, set()).add(loc[1])
            problems.append(FieldProblem(name, data[name][loc[1]], message))
        elif name not in bad_items:
            bad_items[name] = set()
            problems.append(FieldProblem(name, _shown(data[name]), message))
    for name, items in bad_items.items():
        kept = [v for i, v in enumerate(data[name]) if i not in items] if items else []
        if kept:
            data[name] = kept
        else:
            data.pop(name)


def _shown(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


# --- formatting -------------------------------------------------------------------------------


def format_date(value: date | None, lang: str) -> str:
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y") if lang == "de" else value.isoformat()


def format_price(value: Decimal | None, lang: str) -> str:
    t = texts(lang)
    if value is None:
        return t["price_on_request"]
    if value == 0:
        return t["price_free"]
    if lang == "de":
        whole = f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        return f"{whole} €"
    return f"€{value:,.2f}"


def _with_lang(url: str, lang: str) -> str:
    return url if lang == "de" else f"{url}?lang={lang}"


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    checked: bool
    input_id: str


@dataclass
class FacetGroup:
    name: str
    legend: str
    options: list[FacetOption] = field(default_factory=list)


@dataclass
class PageLink:
    number: int
    url: str
    current: bool


def _facet_groups(result: SearchResult | None, params: SearchParams, lang: str) -> list[FacetGroup]:
    t = texts(lang)
    groups = []
    facets = result.facets if result else {}
    for name in FACET_CODES:
        chosen = {str(v) for v in getattr(params, name)}
        values = facets.get(name, [])
        group = FacetGroup(name=name, legend=t.get(f"facet_{name}", name))
        seen = set()
        for index, fv in enumerate(values[:MAX_FACET_VALUES]):
            seen.add(fv.value)
            group.options.append(
                FacetOption(fv.value, fv.label, fv.count, fv.value in chosen, f"f-{name}-{index}")
            )
        # A ticked value stays visible (and untickable) even when it has no hits now.
        for index, value in enumerate(sorted(chosen - seen)):
            label = (FACET_CODES[name] or {}).get(value, value)
            group.options.append(FacetOption(value, label, 0, True, f"f-{name}-x{index}"))
        if group.options:
            groups.append(group)
    return groups


def _page_links(
    *, base: str, query: list[tuple[str, str]], page: int, total: int, per_page: int
) -> tuple[list[PageLink], str | None, str | None]:
    pages = max(1, -(-total // per_page))
    rest = [(k, v) for k, v in query if k != "page"]

    def url(n: int) -> str:
        items = rest + ([("page", str(n))] if n > 1 else [])
        return f"{base}?{urlencode(items)}" if items else base

    window = range(max(1, page - 2), min(pages, page + 2) + 1)
    links = [PageLink(n, url(n), n == page) for n in window]
    previous = url(page - 1) if page > 1 else None
    following = url(page + 1) if page < pages else None
    return links, previous, following


def _lang_switch(path: str, query: list[tuple[str, str]], lang: str) -> tuple[str, str]:
    other = "en" if lang == "de" else "de"
    items = [(k, v) for k, v in query if k != "lang"]
    if other != "de":
        items.append(("lang", other))
    return other, f"{path}?{urlencode(items)}" if items else path


def _base_context(
    *, portal: Portal, lang: str, path: str, query: list[tuple[str, str]]
) -> dict[str, Any]:
    other_lang, other_url = _lang_switch(path, query, lang)
    return {
        "t": texts(lang),
        "lang": lang,
        "portal": portal,
        "show_lang_switch": other_lang in portal.languages or other_lang == "de",
        "other_lang": other_lang,
        "other_lang_url": other_url,
        "search_url": f"/p/{portal.slug}/",
    }


# --- pages ------------------------------------------------------------------------------------


async def render_search_page(
    *, slug: str, query: list[tuple[str, str]], embed: bool = False
) -> tuple[int, str]:
    """The search page (or its minimal embeddable variant); returns status and HTML. The
    portal comes from the process's portal directory: no database work on the event loop."""
    public = await portal_service.public_portal(slug)
    portal = public.portal
    lang = page_language(dict(query).get("lang"))
    params, problems = search_params_from_query(query)
    contacts = [] if embed else public.contacts
    status = 200
    result: SearchResult | None = None
    failed = False
    try:
        result = await search.search_offers(params, scope=public.scope)
        record_search(params, result.total, portal=slug)
    except DomainError:
        # The page still works as a form and shows the counselling contacts.
        failed, status = True, 503
    path = f"/p/{slug}/embed" if embed else f"/p/{slug}/"
    links, previous, following = _page_links(
        base=path,
        query=query,
        page=params.page,
        total=result.total if result else 0,
        per_page=params.per_page,
    )
    hits = []
    for hit in result.hits if result else []:
        hits.append(
            {
                "hit": hit,
                # Snippet and title come from the search service as escaped HTML whose only
                # markup is <mark>; everything else in the template is escaped by Jinja.
                "title_html": Markup(hit.title_html),
                "snippet": Markup(hit.snippet),
                "url": _with_lang(f"/p/{slug}/angebote/{hit.id}", lang),
                "next_start": format_date(hit.next_start, lang),
                "price": format_price(hit.price, lang),
                "distance": None if hit.distance_km is None else f"{hit.distance_km:.0f}",
            }
        )
    context = _base_context(portal=portal, lang=lang, path=path, query=query) | {
        "embed": embed,
        "form_action": path,
        "params": params,
        "problems": [
            {"label": _field_label(p.field, lang), "value": p.value, "message": p.message}
            for p in problems
        ],
        "result": result,
        "failed": failed,
        "hits": hits,
        "facets": _facet_groups(result, params, lang),
        "radius_choices": RADIUS_CHOICES,
        "sorts": [s.value for s in SortOrder],
        "pages": links,
        "previous_url": previous,
        "next_url": following,
        "contacts": contacts,
        "suggest_url": f"/api/v1/portals/{slug}/suggest",
    }
    return status, environment().get_template("search.html").render(context)


def _field_label(name: str, lang: str) -> str:
    t = texts(lang)
    for key in (f"field_{name}", f"facet_{name}", f"{name}_label", name):
        if key in t:
            return t[key]
    return name


_WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _seats_text(d: OfferDate, t: dict[str, str]) -> str | None:
    """ "noch 3 Plätze frei" / "ausgebucht", when the provider says how many places are left."""
    if d.free_seats is None:
        return None
    if d.free_seats == 0:
        return t["booked_out"]
    return t["seats_free_one"] if d.free_seats == 1 else t["seats_free"].format(n=d.free_seats)


def _sessions_view(d: OfferDate, t: dict[str, str], lang: str) -> dict[str, Any]:
    """The sessions of a course run: a count, the weekdays and one line per session."""
    days = t["weekdays"].split(",")
    lines = []
    for item in d.sessions:
        day = date.fromisoformat(item["date"])
        line = f"{days[day.weekday()]}, {format_date(day, lang)}"
        start, end = item.get("start_time"), item.get("end_time")
        if start and end:
            line += ", " + t["session_time"].format(start=start[:5], end=end[:5])
        elif start:
            line += ", " + t["session_from"].format(start=start[:5])
        lines.append(line)
    count = d.session_count or len(lines)
    label = None
    if count:
        label = t["sessions_one"] if count == 1 else t["sessions"].format(n=count)
    weekdays = [days[_WEEK.index(w)] for w in d.weekdays if w in _WEEK]
    return {"label": label, "weekdays": ", ".join(weekdays), "lines": lines}


def render_offer_page(*, session: Session, slug: str, offer_id: int, lang: str) -> tuple[int, str]:
    """The offer page: dates, places, price, funding in plain words, contacts and JSON-LD;
    for an offer whose dates have all passed, a short page that says so (410) and leads to
    similar current offers."""
    portal = portal_service.get_portal(session=session, slug=slug)
    view = portal_service.get_portal_offer(
        session=session, portal=portal, offer_id=offer_id, ended_ok=True
    )
    offer = view.offer
    t = texts(lang)
    if has_ended(view):
        similar = [("category", offer.category)] + ([("lang", lang)] if lang != "de" else [])
        path = f"/p/{slug}/angebote/{offer_id}"
        context = _base_context(
            portal=portal, lang=lang, path=path, query=[("lang", lang)] if lang != "de" else []
        ) | {
            "offer": offer,
            "organisation": view.organisation,
            "category": CATEGORY_LABELS.get(offer.category, offer.category),
            "similar_url": f"/p/{slug}/?{urlencode(similar)}",
            "contacts": portal_service.list_contacts(session=session, portal=portal),
        }
        return 410, environment().get_template("ended.html").render(context)
    dates = []
    for d in view.dates:
        if d.start_date and d.end_date:
            when = t["from_to"].format(
                start=format_date(d.start_date, lang), end=format_date(d.end_date, lang)
            )
        elif d.start_date:
            when = t["starts"].format(start=format_date(d.start_date, lang))
        else:
            when = t["flexible_start"]
        dates.append(
            {
                "when": when,
                "flexible": d.flexible_start and d.start_date is not None,
                "schedule": SCHEDULE_LABELS.get(d.schedule, d.schedule),
                "schedule_note": d.schedule_note,
                "deadline": (
                    t["deadline"].format(date=format_date(d.registration_deadline, lang))
                    if d.registration_deadline
                    else None
                ),
                "online": d.online,
                "place": d,
                "language": LANGUAGE_LABELS.get(d.teaching_language or "", None),
                "seats": _seats_text(d, t),
                "booked_out": d.free_seats == 0,
                "min_participants": (
                    t["min_participants"].format(n=d.min_participants)
                    if d.min_participants
                    else None
                ),
                "sessions": _sessions_view(d, t, lang),
            }
        )
    path = f"/p/{slug}/angebote/{offer_id}"
    context = _base_context(
        portal=portal, lang=lang, path=path, query=[("lang", lang)] if lang != "de" else []
    ) | {
        "offer": offer,
        "organisation": view.organisation,
        "back_url": _with_lang(f"/p/{slug}/", lang),
        "category": CATEGORY_LABELS.get(offer.category, offer.category),
        "education_type": EDUCATION_TYPE_LABELS.get(offer.education_type, offer.education_type),
        "format": FORMAT_LABELS.get(offer.format, offer.format),
        "languages": [LANGUAGE_LABELS.get(c, c) for c in offer.languages],
        "target_groups": [TARGET_GROUP_LABELS.get(g, g) for g in offer.target_groups],
        "price": format_price(price_eur(offer), lang),
        "funding": [
            (FUNDING_LABELS.get(f, f), FUNDING_EXPLANATIONS.get(f, "")) for f in offer.funding
        ],
        "dates": dates,
        "links": offer.links,
        "contact": offer.contact or {},
        "contacts": portal_service.list_contacts(session=session, portal=portal),
        "jsonld": Markup(offer_jsonld_text(view)),
    }
    return 200, environment().get_template("offer.html").render(context)


def render_not_found(*, lang: str) -> str:
    return environment().get_template("not_found.html").render(t=texts(lang), lang=lang)


# --- JSON-LD --------------------------------------------------------------------------------


def offer_jsonld_text(view: OfferView) -> str:
    """The offer's schema.org Course, ready to embed in a <script> element."""
    return str(jsonld_script_text(course_jsonld(view)))


# --- static files -------------------------------------------------------------------------

STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


@lru_cache
def static_files() -> dict[str, Path]:
    """The files the app serves under /static/, by name: nothing outside app/static."""
    return {p.name: p for p in STATIC.iterdir() if p.is_file() and p.suffix in STATIC_TYPES}


@lru_cache
def widget_script() -> str:
    return (STATIC / "widget.js").read_text(encoding="utf-8")


async def widget_for(*, slug: str) -> str:
    """The widget's code for an existing portal (one file; it reads its slug from its URL)."""
    await portal_service.public_portal(slug)
    return widget_script()
