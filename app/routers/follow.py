"""Following and keeping a portal's search: Atom feed, calendar files, OpenSearch
description, the map view and its data, the vendored map library, the iframe embed's script."""

from typing import Annotated

import orjson
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from app.config import get_settings
from app.deps import SearchParamsDep, SessionDep
from app.errors import NotFound
from app.security_headers import page_policy
from app.services import calendar, feeds, map_view
from app.services.pages import (
    STATIC_TYPES,
    is_portal_slug,
    page_id,
    page_language,
    render_not_found,
)
from app.services.portals import public_portal

router = APIRouter(include_in_schema=False)
SlugPath = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$")]
# The pages' own paths (the map view, calendar files) are checked by the routes: see
# app.services.pages.is_portal_slug.
PagePath = Annotated[str, Path()]
Lang = Annotated[str | None, Query(max_length=5)]
# Feed readers poll: a few minutes in shared caches spare the search.
FEED_CACHE_S = 300
PAGE_CACHE = "public, max-age=0, s-maxage=60"


def _not_found(request: Request) -> HTMLResponse:
    lang = page_language(request.query_params.get("lang"))
    return HTMLResponse(render_not_found(lang=lang), status_code=404)


def _base_url(request: Request) -> str:
    return get_settings().public_base_url or str(request.base_url).rstrip("/")


def _cache(max_age_s: int) -> str:
    """Without PUBLIC_BASE_URL the links inside come from the request's Host header, which a
    client can set: such answers are kept by the browser only, never by a shared cache."""
    scope = "public" if get_settings().public_base_url else "private"
    return f"{scope}, max-age={max_age_s}"


@router.get("/p/{slug}/neu.atom")
async def search_feed(
    slug: SlugPath, params: SearchParamsDep, request: Request, lang: Lang = None
) -> Response:
    """Newly published offers that the search with these parameters finds."""
    body = await feeds.search_feed(
        slug=slug, params=params, base_url=_base_url(request), lang=page_language(lang)
    )
    return Response(
        body, media_type=feeds.ATOM_TYPE, headers={"Cache-Control": _cache(FEED_CACHE_S)}
    )


@router.get("/p/{slug}/opensearch.xml")
async def opensearch(slug: SlugPath, request: Request, lang: Lang = None) -> Response:
    portal = (await public_portal(slug)).portal
    body = feeds.opensearch_description(
        portal=portal, base_url=_base_url(request), lang=page_language(lang)
    )
    return Response(
        body,
        media_type=feeds.OPENSEARCH_TYPE,
        headers={"Cache-Control": _cache(3600)},
    )


@router.get("/p/{slug}/angebote/{offer_id}/termine/{date_id}.ics")
def offer_date_calendar(
    slug: PagePath, offer_id: PagePath, date_id: PagePath, session: SessionDep, request: Request
) -> Response:
    """One date of an offer as a calendar file; a link cut short by hand gets the HTML page
    "not found", as the offer page does."""
    offer, date = page_id(offer_id), page_id(date_id)
    if offer is None or date is None or not is_portal_slug(slug):
        return _not_found(request)
    try:
        body = calendar.offer_date_calendar(
            session=session, slug=slug, offer_id=offer, date_id=date, base_url=_base_url(request)
        )
    except NotFound:
        return _not_found(request)
    return Response(
        body,
        media_type=calendar.CALENDAR_TYPE,
        headers={
            # Its link and UID name the host: as the Atom feed, shared caches only with
            # PUBLIC_BASE_URL set.
            "Cache-Control": PAGE_CACHE if get_settings().public_base_url else _cache(0),
            "Content-Disposition": f'attachment; filename="angebot-{offer_id}-{date_id}.ics"',
        },
    )


@router.get("/p/{slug}/karte", response_class=HTMLResponse)
async def map_page(slug: PagePath, request: Request) -> HTMLResponse:
    """The map view of a search; its images may come from the portal's tile server."""
    if not is_portal_slug(slug):
        return _not_found(request)
    query = list(request.query_params.multi_items())
    try:
        status, html, tile_source = await map_view.render_map_page(slug=slug, query=query)
    except NotFound:
        return _not_found(request)
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Cache-Control": PAGE_CACHE,
            "Content-Security-Policy": page_policy(image_sources=[tile_source]),
        },
    )


@router.get("/p/{slug}/karte.json")
async def map_data(slug: SlugPath, params: SearchParamsDep, lang: Lang = None) -> Response:
    """The map's markers: the first hits of the search that have a place."""
    data = await map_view.map_data(slug=slug, params=params, lang=page_language(lang))
    return Response(
        orjson.dumps(data), media_type="application/json", headers={"Cache-Control": PAGE_CACHE}
    )


@router.get("/static/vendor/{path:path}")
def vendor_file(path: Annotated[str, Path(max_length=100)]) -> FileResponse:
    """The map library, vendored (scripts/update-leaflet.sh): served from this host only."""
    found = map_view.vendor_files().get(path)
    if found is None:
        raise NotFound(f"no static file {path!r}")
    headers = {"Cache-Control": _cache(86400)}
    return FileResponse(found, media_type=STATIC_TYPES[found.suffix], headers=headers)
