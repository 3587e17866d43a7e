"""Citizen pages of a portal: search and offer pages rendered on the server with Jinja2."""

import contextlib
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlmodel import Session

from app.errors import DomainError
from app.i18n import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    code_label,
    code_labels,
    format_amount,
    format_date,
    format_number,
    funding_explanations,
    text_keys,
    translations,
)
from app.models.offer import OfferDate
from app.models.organisation import Organisation
from app.models.portal import Portal
from app.models.search import SearchParams, SearchResult, SortOrder
from app.search import service as search
from app.search.documents import is_current
from app.services import portals as portal_service
from app.services.follow_links import follow_links
from app.services.interop.jsonld import course_jsonld, jsonld_script_text
from app.services.monitoring.demand import record_search
from app.services.offers import OfferView, has_ended, price_eur
from app.services.page_form import PageForm, chips, read_form
from app.services.page_query import (
    PAGE_FIELDS,
    FieldProblem,
    search_params_from_query,
)
from app.services.page_texts import explanation, glossary, texts, widget_texts
from app.services.query_hints import forgiven_words, replaced
from app.services.ways_out import Hints, find_ways_out

__all__ = ["FieldProblem", "search_params_from_query"]  # kept where callers found them

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"

# Facets a citizen may tick, with the code list (app/codelists.py) that labels their values.
FACET_CODES: dict[str, str | None] = {
    "category": "category",
    "education_type": "education_type",
    "format": "format",
    "schedule": "schedule",
    "funding": "funding",
    "language": "language",
    "level": "level",
    "dvv_category": "dvv_category",
    "city": None,
    "provider": None,
}
# Facets whose values the form offers only when their code list names them: the DVV's
# sub-codes ("4.06") mean nothing to a citizen, its programme areas ("4", Sprachen) do. A
# sub-code chosen by a link still shows, ticked.
NAMED_VALUES_ONLY = frozenset({"dvv_category"})
RADIUS_CHOICES = (5, 10, 25, 50, 100)
MAX_FACET_VALUES = 12


@lru_cache
def environment(lang: str = SOURCE_LANGUAGE) -> Environment:
    """The templates in one page language: `_()` and `ngettext()` look texts up in its gettext
    catalogue. One environment per language (not one whose texts are swapped per request), so
    concurrent requests in different languages cannot see each other's, and each keeps its
    compiled templates."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Old-style gettext: texts hold str.format fields ({n}) that the templates fill in. The
    # i18n extension adds this method at run time, which Jinja's type stubs cannot know.
    catalogue = translations(lang)
    env.install_gettext_translations(catalogue, newstyle=False)  # type: ignore[attr-defined]
    # `_()` straight to the catalogue: the extension's alias resolves `gettext` through the
    # template context on every call, and a search page makes ~100 of them (a tenth of the
    # page's rendering time, measured with bench/pages_bench.py).
    env.globals["_"] = catalogue.gettext
    env.globals["follow_links"] = follow_links
    env.filters["number"] = format_number
    return env


# What a page's path may hold: checked by the page routes themselves, so a URL typed or cut
# short by hand gets the portal's HTML "not found" page, never the API's JSON 422.
_SLUG = re.compile(r"[a-z0-9-]{1,60}")
_OFFER_ID = re.compile(r"[1-9][0-9]{0,9}")
_MAX_ID = 2**31 - 1


def is_portal_slug(value: str) -> bool:
    return _SLUG.fullmatch(value) is not None


def page_id(value: str) -> int | None:
    """An offer's or a date's id as a page's path holds it; None for anything none can have."""
    if not _OFFER_ID.fullmatch(value) or int(value) > _MAX_ID:
        return None
    return int(value)


def page_language(value: str | None) -> str:
    return value if value in LANGUAGES else SOURCE_LANGUAGE


# --- formatting -------------------------------------------------------------------------------


def format_price(value: Decimal | None, lang: str) -> str:
    t = texts(lang)
    if value is None:
        return t.gettext("price_on_request")
    if value == 0:
        return t.gettext("price_free")
    return format_amount(value, lang)


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


def _input_id(name: str, value: str) -> str:
    """A stable id per value, so that focus can return to a box after the page reloads."""
    plain = re.sub(r"[^a-z0-9]+", "-", value.casefold()).strip("-")[:24]
    digest = hashlib.blake2s(value.encode(), digest_size=3).hexdigest()
    return f"f-{name}-{plain}-{digest}"


def _facet_groups(result: SearchResult | None, params: SearchParams, lang: str) -> list[FacetGroup]:
    t = texts(lang)
    groups = []
    facets = result.facets if result else {}
    for name in FACET_CODES:
        chosen = {str(v) for v in getattr(params, name)}
        values = facets.get(name, [])
        legend = f"facet_{name}"  # keys in page_texts.COMPUTED_KEYS
        group = FacetGroup(name=name, legend=t.gettext(legend))
        # The search service labels values in German; the page shows the page language's.
        code_list = FACET_CODES[name]
        labels = code_labels(code_list, lang) if code_list else {}
        if name in NAMED_VALUES_ONLY:
            values = [fv for fv in values if fv.value in labels]
        seen = set()
        for fv in values[:MAX_FACET_VALUES]:
            seen.add(fv.value)
            group.options.append(
                FacetOption(
                    fv.value,
                    labels.get(fv.value, fv.label),
                    fv.count,
                    fv.value in chosen,
                    _input_id(name, fv.value),
                )
            )
        # A ticked value stays visible (and untickable) even when it has no hits now.
        for value in sorted(chosen - seen):
            label = labels.get(value, value)
            group.options.append(FacetOption(value, label, 0, True, _input_id(name, value)))
        if group.options:
            groups.append(group)
    return groups


@dataclass
class Paging:
    """The page links under the results; `past_end` when the page asked for lies beyond the
    last (a hand-edited link, or a catalogue that shrank), with `last_url` the way back."""

    links: list[PageLink]
    previous_url: str | None
    next_url: str | None
    last: int
    last_url: str
    past_end: bool


def _page_links(
    *, base: str, query: list[tuple[str, str]], page: int, total: int, per_page: int
) -> Paging:
    pages = max(1, -(-total // per_page))
    rest = [(k, v) for k, v in query if k != "page"]

    def url(n: int) -> str:
        items = rest + ([("page", str(n))] if n > 1 else [])
        return f"{base}?{urlencode(items)}" if items else base

    # Past the end, the links are those around the last page.
    shown = min(page, pages)
    window = range(max(1, shown - 2), min(pages, shown + 2) + 1)
    links = [PageLink(n, url(n), n == page) for n in window]
    previous = url(min(page - 1, pages)) if page > 1 else None
    following = url(page + 1) if page < pages else None
    return Paging(links, previous, following, pages, url(pages), total > 0 and page > pages)


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
        "lang": lang,
        "portal": portal,
        "show_lang_switch": other_lang in portal.languages or other_lang == "de",
        "other_lang": other_lang,
        "other_lang_url": other_url,
        "search_url": f"/p/{portal.slug}/",
    }


# --- pages ------------------------------------------------------------------------------------


def _offer_url(slug: str, offer_id: int, lang: str, back: str) -> str:
    """An offer's page, carrying the search it was found by so its back link returns there."""
    items = ([("back", back)] if back else []) + ([("lang", lang)] if lang != "de" else [])
    path = f"/p/{slug}/angebote/{offer_id}"
    return f"{path}?{urlencode(items)}" if items else path


def back_to_search(slug: str, back: str | None, lang: str) -> str:
    """The search page an offer was found on. Only search parameters are carried over, onto
    the portal's own search path: a crafted `back` leads nowhere else."""
    items = [
        (k, v)
        for k, v in parse_qsl(back or "", keep_blank_values=False)[:100]
        if k in PAGE_FIELDS and k != "lang"
    ]
    if lang != "de":
        items.append(("lang", lang))
    base = f"/p/{slug}/"
    return f"{base}?{urlencode(items)}" if items else base


def _seats_label(n: int | None, t: Translations) -> str | None:
    """ "noch 3 Plätze frei" / "ausgebucht", when the provider says how many places are left."""
    if n is None:
        return None
    if n == 0:
        return t.gettext("booked_out")
    return t.ngettext("seats_free_one", "seats_free", n).format(n=n)


def _radius_choices(form: PageForm) -> tuple[list[int | float], str]:
    """The radius options and the one to show as chosen: "egal", the chosen radius, or the
    default that applies when a postcode comes without one."""
    choices: list[int | float] = list(RADIUS_CHOICES)
    chosen = form.params.radius_km
    if chosen is not None and chosen not in choices:
        choices = sorted([*choices, chosen])
    if form.radius_any:
        return choices, "any"
    value = chosen if chosen is not None else search.DEFAULT_RADIUS_KM
    return choices, f"{value:g}"


async def render_search_page(
    *, slug: str, query: list[tuple[str, str]], embed: bool = False
) -> tuple[int, str]:
    """The search page (or its minimal embeddable variant); returns status and HTML. The
    portal comes from the process's portal directory: no database work on the event loop."""
    public = await portal_service.public_portal(slug)
    portal = public.portal
    lang = page_language(dict(query).get("lang"))
    t = texts(lang)
    form = read_form(query, lang=lang)
    params = form.params
    contacts = [] if embed else public.contacts
    status = 200
    result: SearchResult | None = None
    failed = False
    try:
        result = await search.search_offers(
            params, scope=public.scope, default_radius=not form.radius_any
        )
        record_search(params, result.total, portal=slug)
    except DomainError:
        # The page still works as a form and shows the counselling contacts.
        failed, status = True, 503
    path = f"/p/{slug}/embed" if embed else f"/p/{slug}/"
    paging = _page_links(
        base=path,
        query=form.query,
        page=params.page,
        total=result.total if result else 0,
        per_page=params.per_page,
    )
    facets = _facet_groups(result, params, lang)
    active = chips(
        form,
        lang=lang,
        labels={g.name: {o.value: o.label for o in g.options} for g in facets},
    )
    hints = Hints(ways=[])
    forgiven: dict[str, str] = {}
    if result is not None:
        marked = [h.title_html for h in result.hits] + [h.snippet for h in result.hits]
        forgiven = forgiven_words(params.q, marked) if params.q else {}
        # Ways out are a nicety: when they cannot be counted, the results stand alone.
        with contextlib.suppress(DomainError):
            hints = await find_ways_out(
                form=form,
                result=result,
                chips=active,
                scope=public.scope,
                base=path,
                lang=lang,
                facet_words=[o.value for g in facets if g.name == "city" for o in g.options],
            )
    page_items = [("page", str(params.page))] if params.page > 1 else []
    back = urlencode(
        [(k, v) for k, v in form.query if k in PAGE_FIELDS and k != "lang"] + page_items
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
                "url": _offer_url(slug, hit.id, lang, back),
                "next_start": format_date(hit.next_start, lang),
                "price": format_price(hit.price, lang),
                "distance": (
                    None if hit.distance_km is None else format_number(hit.distance_km, lang)
                ),
                "azav_until": format_date(hit.azav_valid_until, lang),
                "seats": _seats_label(hit.free_seats, t),
            }
        )
    radius_choices, radius_value = _radius_choices(form)
    problems = [
        {"label": field_label(p.field, lang), "value": p.value, "message": p.message}
        for p in form.problems
    ]
    context = _base_context(portal=portal, lang=lang, path=path, query=query) | {
        "embed": embed,
        "form_action": path,
        "params": params,
        "problems": problems,
        "field_errors": form.field_errors,
        "result": result,
        "total": format_number(result.total if result else 0, lang),
        "failed": failed,
        "hits": hits,
        "facets": facets,
        "radius_choices": radius_choices,
        "radius_value": radius_value,
        "default_radius": f"{search.DEFAULT_RADIUS_KM:g}",
        "radius_applied": form.radius_km,
        "radius_any": form.radius_any and form.centre_given,
        "chips": [{"label": c.label, "url": _url(path, c.query)} for c in active],
        "clear_url": _url(path, [(k, v) for k, v in form.query if k in ("q", "lang")]),
        "forgiven": replaced(params.q, forgiven) if forgiven else None,
        "ways": hints.ways,
        "suggestion": hints.suggestion,
        "glossary": [] if embed else glossary(lang),
        "sorts": [s.value for s in SortOrder],
        "pages": paging.links,
        "previous_url": paging.previous_url,
        "next_url": paging.next_url,
        "past_end": paging.past_end,
        "last_page": paging.last,
        "last_page_url": paging.last_url,
        "contacts": contacts,
        "suggest_url": f"/api/v1/portals/{slug}/suggest",
    }
    return status, environment(lang).get_template("search.html").render(context)


def _url(base: str, query: list[tuple[str, str]]) -> str:
    return f"{base}?{urlencode(query)}" if query else base


def field_label(name: str, lang: str) -> str:
    """What the page calls a search parameter, for messages about its value."""
    keys = text_keys()
    for key in (f"field_{name}", f"facet_{name}", f"{name}_label", name):
        if key in keys:
            return texts(lang).gettext(key)
    return name


_WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _seats_text(d: OfferDate, t: Translations) -> str | None:
    return _seats_label(d.free_seats, t)


def _next_first(dates: list[OfferDate], today: date) -> list[OfferDate]:
    """Current dates first, soonest first; dates any time after them; past ones last."""
    return sorted(
        dates,
        key=lambda d: (not is_current(d, today), d.start_date is None, d.start_date or date.max),
    )


def _trust(org: Organisation, today: date, lang: str) -> dict[str, Any]:
    """What the provider has to show: its AZAV approval only while valid, its certificates."""
    valid = org.azav_approved and (org.azav_valid_until is None or org.azav_valid_until >= today)
    return {
        "azav": valid,
        "azav_certifier": org.azav_certifier if valid else None,
        "azav_until": format_date(org.azav_valid_until, lang) if valid else "",
        "certificates": list(org.certificates or []),
    }


def _registration(
    view: OfferView, first: OfferDate | None, t: Translations, lang: str
) -> str | None:
    """Where "Anmelden / Anfrage" leads: the offer's own page, else an e-mail to the
    provider with subject and text filled in."""
    offer, org = view.offer, view.organisation
    if offer.url:
        return offer.url
    email = (offer.contact or {}).get("email") or org.email
    if not email:
        return None
    when = ""
    if first is not None and first.start_date is not None:
        when = t.gettext("register_when").format(date=format_date(first.start_date, lang))
    title = offer.title + (f" ({offer.course_number})" if offer.course_number else "")
    subject = t.gettext("register_subject").format(title=title)
    body = t.gettext("register_body").format(title=title, when=when)
    # Everything after the address is percent-encoded: a title cannot add headers.
    return f"mailto:{quote(email, safe='@.+-_')}?subject={quote(subject)}&body={quote(body)}"


def _sessions_view(d: OfferDate, t: Translations, lang: str) -> dict[str, Any]:
    """The sessions of a course run: a count, the weekdays and one line per session."""
    days = t.gettext("weekdays").split(",")
    lines = []
    for item in d.sessions:
        day = date.fromisoformat(item["date"])
        line = f"{days[day.weekday()]}, {format_date(day, lang)}"
        start, end = item.get("start_time"), item.get("end_time")
        if start and end:
            line += ", " + t.gettext("session_time").format(start=start[:5], end=end[:5])
        elif start:
            line += ", " + t.gettext("session_from").format(start=start[:5])
        lines.append(line)
    count = d.session_count or len(lines)
    label = None
    if count:
        label = t.ngettext("sessions_one", "sessions", count).format(n=count)
    weekdays = [days[_WEEK.index(w)] for w in d.weekdays if w in _WEEK]
    return {"label": label, "weekdays": ", ".join(weekdays), "lines": lines}


def render_offer_page(
    *, session: Session, slug: str, offer_id: int, lang: str, back: str | None = None
) -> tuple[int, str]:
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
            "category": code_label("category", offer.category, lang),
            "similar_url": f"/p/{slug}/?{urlencode(similar)}",
            "contacts": portal_service.list_contacts(session=session, portal=portal),
        }
        return 410, environment(lang).get_template("ended.html").render(context)
    today = date.today()
    ordered = _next_first(list(view.dates), today)
    dates = []
    for d in ordered:
        if d.start_date and d.end_date:
            when = t.gettext("from_to").format(
                start=format_date(d.start_date, lang), end=format_date(d.end_date, lang)
            )
        elif d.start_date:
            when = t.gettext("starts").format(start=format_date(d.start_date, lang))
        else:
            when = t.gettext("flexible_start")
        dates.append(
            {
                "when": when,
                "flexible": d.flexible_start and d.start_date is not None,
                "schedule": code_label("schedule", d.schedule, lang),
                "schedule_explained": explanation(lang, "schedule", d.schedule),
                "schedule_note": d.schedule_note,
                "deadline": (
                    t.gettext("deadline").format(date=format_date(d.registration_deadline, lang))
                    if d.registration_deadline
                    else None
                ),
                "online": d.online,
                "place": d,
                "language": code_labels("language", lang).get(d.teaching_language or ""),
                "seats": _seats_text(d, t),
                "booked_out": d.free_seats == 0,
                "min_participants": (
                    t.gettext("min_participants").format(n=d.min_participants)
                    if d.min_participants
                    else None
                ),
                "sessions": _sessions_view(d, t, lang),
            }
        )
    path = f"/p/{slug}/angebote/{offer_id}"
    own_query = ([("back", back)] if back else []) + ([("lang", lang)] if lang != "de" else [])
    first = next((d for d in ordered if is_current(d, today)), None)
    context = _base_context(portal=portal, lang=lang, path=path, query=own_query) | {
        "offer": offer,
        "organisation": view.organisation,
        "back_url": back_to_search(slug, back, lang),
        "trust": _trust(view.organisation, today, lang),
        "register_url": _registration(view, first, t, lang),
        "explain": {
            "format": explanation(lang, "format", offer.format),
            "education_type": explanation(lang, "education_type", offer.education_type),
        },
        "category": code_label("category", offer.category, lang),
        "education_type": code_label("education_type", offer.education_type, lang),
        "format": code_label("format", offer.format, lang),
        "languages": [code_label("language", c, lang) for c in offer.languages],
        "target_groups": [code_label("target_group", g, lang) for g in offer.target_groups],
        "price": format_price(price_eur(offer), lang),
        "funding": [
            (code_label("funding", f, lang), funding_explanations(lang).get(f, ""))
            for f in offer.funding
        ],
        "dates": dates,
        "links": offer.links,
        "contact": offer.contact or {},
        "contacts": portal_service.list_contacts(session=session, portal=portal),
        "jsonld": Markup(offer_jsonld_text(view)),
    }
    return 200, environment(lang).get_template("offer.html").render(context)


INFO_PAGES = {"barrierefreiheit": "accessibility.html", "leichte-sprache": "easy_language.html"}


async def render_info_page(*, slug: str, page: str, lang: str) -> str:
    """The accessibility statement or the Leichte Sprache page of a portal."""
    public = await portal_service.public_portal(slug)
    query = [("lang", lang)] if lang != "de" else []
    context = _base_context(
        portal=public.portal, lang=lang, path=f"/p/{slug}/{page}", query=query
    ) | {
        "contacts": public.contacts,
        "search_link": _url(f"/p/{slug}/", query),
    }
    return environment(lang).get_template(INFO_PAGES[page]).render(context)


def render_not_found(*, lang: str) -> str:
    return environment(lang).get_template("not_found.html").render(lang=lang)


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
    # The widget is served with its texts filled in, under /widget/<portal>.js only.
    return {
        p.name: p
        for p in STATIC.iterdir()
        if p.is_file() and p.suffix in STATIC_TYPES and p.name != "widget.js"
    }


WIDGET_TEXTS_MARKER = '/*TEXTS*/{"de": {}}/*TEXTS*/'


@lru_cache
def widget_script() -> str:
    """The widget's code with the texts of every page language from the catalogues: one file
    for all languages, so a site's `data-lang` needs no second download or cache entry."""
    code = (STATIC / "widget.js").read_text(encoding="utf-8")
    table = {lang: widget_texts(lang) for lang in LANGUAGES}
    if WIDGET_TEXTS_MARKER not in code:
        raise RuntimeError("widget.js: the marker for its texts is missing")
    # JSON is a JavaScript expression; the script puts texts into the page as textContent only.
    return code.replace(WIDGET_TEXTS_MARKER, json.dumps(table, ensure_ascii=False), 1)


async def widget_for(*, slug: str) -> str:
    """The widget's code for an existing portal (one file; it reads its slug from its URL)."""
    await portal_service.public_portal(slug)
    return widget_script()
