"""Citizen pages of a portal (search, offer, embeddable variant), its widget and static files."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from app.deps import SessionDep
from app.errors import NotFound
from app.security_headers import page_policy
from app.services import pages as service
from app.services.portals import public_portal

router = APIRouter(include_in_schema=False)
# Path and query values of the pages are checked here, not by FastAPI: a URL typed or cut
# short by hand gets the portal's HTML "not found" page (or loses an unusable `back` or
# `lang`), never the API's JSON 422.
SlugPath = Annotated[str, Path()]
Lang = Annotated[str | None, Query()]
MAX_BACK_CHARS = 4000
# Pages change with the catalogue: shared caches may keep them briefly, browsers revalidate.
PAGE_CACHE = "public, max-age=0, s-maxage=60"


def _not_found(lang: str | None) -> HTMLResponse:
    return HTMLResponse(service.render_not_found(lang=service.page_language(lang)), status_code=404)


@router.get("/p/{slug}", response_class=RedirectResponse)
def portal_root(slug: SlugPath) -> Response:
    if not service.is_portal_slug(slug):
        return _not_found(None)
    return RedirectResponse(f"/p/{slug}/", status_code=308)


@router.get("/p/{slug}/", response_class=HTMLResponse)
async def search_page(slug: SlugPath, request: Request) -> HTMLResponse:
    """The search page; every control is a plain GET form, so it works without JavaScript."""
    if not service.is_portal_slug(slug):
        return _not_found(request.query_params.get("lang"))
    try:
        status, html = await service.render_search_page(
            slug=slug, query=list(request.query_params.multi_items())
        )
    except NotFound:
        return _not_found(request.query_params.get("lang"))
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": PAGE_CACHE})


@router.get("/p/{slug}/embed", response_class=HTMLResponse)
async def embed_page(slug: SlugPath, request: Request) -> HTMLResponse:
    """The search page without header and footer, for an iframe on a municipal site: the
    sites in the portal's CORS list may frame it, no other."""
    if not service.is_portal_slug(slug):
        return _not_found(request.query_params.get("lang"))
    try:
        status, html = await service.render_search_page(
            slug=slug, query=list(request.query_params.multi_items()), embed=True
        )
        origins = (await public_portal(slug)).cors_origins
    except NotFound:
        return _not_found(request.query_params.get("lang"))
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Cache-Control": PAGE_CACHE,
            "Content-Security-Policy": page_policy(frame_ancestors=origins),
        },
    )


@router.get("/p/{slug}/angebote/{offer_id}", response_class=HTMLResponse)
def offer_page(
    slug: SlugPath,
    offer_id: str,
    session: SessionDep,
    lang: Lang = None,
    back: str | None = None,
) -> HTMLResponse:
    """An offer page; 404 for offers that are not public or not in the portal's region.
    `back` is the search it was found by, for the way back (left out when longer than any
    search the page makes)."""
    found = service.page_id(offer_id)
    if found is None or not service.is_portal_slug(slug):
        return _not_found(lang)
    try:
        status, html = service.render_offer_page(
            session=session,
            slug=slug,
            offer_id=found,
            lang=service.page_language(lang),
            back=back if back is not None and len(back) <= MAX_BACK_CHARS else None,
        )
    except NotFound:
        return _not_found(lang)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": PAGE_CACHE})


@router.get("/p/{slug}/barrierefreiheit", response_class=HTMLResponse)
async def accessibility_page(slug: SlugPath, lang: Lang = None) -> HTMLResponse:
    """The portal's accessibility statement (Erklärung zur Barrierefreiheit, BITV 2.0)."""
    return await _info_page(slug, "barrierefreiheit", lang)


@router.get("/p/{slug}/leichte-sprache", response_class=HTMLResponse)
async def easy_language_page(slug: SlugPath, lang: Lang = None) -> HTMLResponse:
    """The portal and how to search it, in Leichte Sprache (plain English when lang=en)."""
    return await _info_page(slug, "leichte-sprache", lang)


async def _info_page(slug: str, page: str, lang: str | None) -> HTMLResponse:
    if not service.is_portal_slug(slug):
        return _not_found(lang)
    try:
        html = await service.render_info_page(
            slug=slug, page=page, lang=service.page_language(lang)
        )
    except NotFound:
        return _not_found(lang)
    return HTMLResponse(html, headers={"Cache-Control": PAGE_CACHE})


@router.get("/widget/{slug}.js")
async def widget(slug: SlugPath) -> Response:
    """The embeddable search widget of one portal."""
    unknown = Response("/* unknown portal */", status_code=404, media_type="text/javascript")
    if not service.is_portal_slug(slug):
        return unknown
    try:
        code = await service.widget_for(slug=slug)
    except NotFound:
        return unknown
    return Response(
        code,
        media_type="text/javascript",
        headers={
            "Cache-Control": "public, max-age=3600",
            # Other sites load it with <script>; that needs no CORS, but
            # a module or integrity-checked load does.
            "Access-Control-Allow-Origin": "*",
        },
    )


@router.get("/static/{name}")
def static_file(name: Annotated[str, Path(max_length=100)]) -> FileResponse:
    """The pages' CSS and JavaScript."""
    path = service.static_files().get(name)
    if path is None:
        raise NotFound(f"no static file {name!r}")
    return FileResponse(
        path,
        media_type=service.STATIC_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=3600"},
    )
