"""The map view of a portal search: its hits with a place, as a page (with an accessible list
of the same offers) and as JSON for the map script. Tiles come from the portal's tile server,
OpenStreetMap's unless the operator set another."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from app.errors import DomainError
from app.i18n import format_date
from app.models.portal import Portal
from app.models.search import SearchParams, SearchResult
from app.search import service as search
from app.services import pages
from app.services.follow_links import follow_links, search_query
from app.services.page_texts import texts
from app.services.portals import public_portal

# The first hits of a search the map shows: enough to see where offers are, few enough that
# the page and its JSON stay small. The page says when there are more.
MAP_HITS = 100
VENDOR = pages.STATIC / "vendor"
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_ATTRIBUTION_URL = "https://www.openstreetmap.org/copyright"


@dataclass(frozen=True)
class Tiles:
    url: str
    attribution: str
    attribution_url: str | None


def tiles(portal: Portal, lang: str) -> Tiles:
    if portal.map_tile_url:
        return Tiles(portal.map_tile_url, portal.map_attribution or "", portal.map_attribution_url)
    attribution = texts(lang).gettext("map_osm_attribution")
    return Tiles(DEFAULT_TILE_URL, attribution, DEFAULT_ATTRIBUTION_URL)


def tile_source(url: str) -> str:
    """The tile server as a CSP source: its scheme and host, a `{s}` subdomain as `*.`."""
    parts = urlsplit(url)
    labels = (parts.hostname or "").split(".")
    if labels and "{" in labels[0]:
        labels[0] = "*"
    if any("{" in label or "}" in label for label in labels):
        # A placeholder deeper in the host cannot be said in CSP; allow the scheme only.
        return f"{parts.scheme}:"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{'.'.join(labels)}{port}"


def _markers(result: SearchResult | None, slug: str, lang: str) -> list[dict[str, Any]]:
    markers = []
    for hit in result.hits if result else []:
        loc = hit.location
        if loc is None or loc.lat is None or loc.lon is None:
            continue
        url = f"/p/{slug}/angebote/{hit.id}" + (f"?lang={lang}" if lang != "de" else "")
        markers.append(
            {
                "id": hit.id,
                "title": hit.title,
                "url": url,
                "provider": hit.provider,
                "place": " ".join(p for p in (loc.postcode, loc.city) if p) or (hit.city or ""),
                "start": format_date(hit.next_start, lang),
                "approximate": loc.approximate,
                "lat": round(loc.lat, 6),
                "lon": round(loc.lon, 6),
            }
        )
    return markers


def _map_params(params: SearchParams) -> SearchParams:
    return params.model_copy(update={"page": 1, "per_page": MAP_HITS})


async def map_data(*, slug: str, params: SearchParams, lang: str) -> dict[str, Any]:
    """The JSON of the map: the first hits with a place, as plain values (the script shows
    them with textContent)."""
    public = await public_portal(slug)
    result = await search.search_offers(_map_params(params), scope=public.scope)
    markers = _markers(result, slug, lang)
    t = texts(lang)
    return {
        "total": result.total,
        "shown": len(markers),
        "markers": markers,
        "texts": {
            "approximate": t.gettext("map_approximate"),
            "start": t.gettext("next_start"),
            "cluster": t.gettext("map_cluster"),
        },
    }


async def render_map_page(*, slug: str, query: list[tuple[str, str]]) -> tuple[int, str, str]:
    """The map view: status, HTML and the tile server's CSP source. Parameters are read as on
    the search page: a value the search cannot use is reported on the page, never a 500."""
    public = await public_portal(slug)
    portal = public.portal
    lang = pages.page_language(dict(query).get("lang"))
    params, problems = pages.search_params_from_query(query)
    status, result = 200, None
    try:
        result = await search.search_offers(_map_params(params), scope=public.scope)
    except DomainError:
        status = 503
    markers = _markers(result, slug, lang)
    links = follow_links(portal, params, lang)
    other = "en" if lang == "de" else "de"
    other_query = [(k, v) for k, v in query if k != "lang"] + (
        [("lang", other)] if other != "de" else []
    )
    # The search as understood (values the page left out are not sent again).
    json_query = search_query(params, lang=lang)
    source = tiles(portal, lang)
    context = {
        "lang": lang,
        "portal": portal,
        "embed": False,
        "contacts": [],
        "show_lang_switch": other in portal.languages or other == "de",
        "other_lang": other,
        "other_lang_url": f"/p/{slug}/karte?{urlencode(other_query)}",
        "search_url": f"/p/{slug}/",
        "params": params,
        "problems": [
            {
                "label": pages.field_label(p.field, lang),
                "value": p.value,
            }
            for p in problems
        ],
        "failed": result is None,
        "total": result.total if result else 0,
        "markers": markers,
        "list_url": links["list"],
        "json_url": f"/p/{slug}/karte.json" + (f"?{urlencode(json_query)}" if json_query else ""),
        "tiles": source,
    }
    html = pages.environment(lang).get_template("map.html").render(context)
    return status, html, tile_source(source.url)


@lru_cache
def vendor_files() -> dict[str, Path]:
    """The vendored files by their path under app/static/vendor (nothing else is served)."""
    return {
        p.relative_to(VENDOR).as_posix(): p
        for p in VENDOR.rglob("*")
        if p.is_file() and p.suffix in pages.STATIC_TYPES
    }
