"""The monitoring dashboard (/monitoring/...): sign in with a key once, then pages served
from snapshots; without a valid session every page redirects to the sign-in form."""

from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from app.config import get_settings
from app.deps import SessionDep
from app.errors import NotFound, Unauthorized
from app.rate_limits import Limited, client_address, rate_limits_of
from app.services.auth import Actor
from app.services.monitoring import dashboard, publication, regions, reports, sessions
from app.services.monitoring.regions import DISTRICT, PORTAL, Region

router = APIRouter(include_in_schema=False)
SlugPath = Annotated[str, Path(min_length=1, max_length=60)]
Lang = Annotated[str | None, Query(max_length=5)]
DayQuery = Annotated[str | None, Query(alias="tag", max_length=10)]
# The figures are for the signed-in key only: no shared cache may keep them.
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _actor(request: Request, session: SessionDep) -> Actor | None:
    return sessions.actor_of(session=session, cookie=request.cookies.get(sessions.COOKIE))


def _to_sign_in(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/monitoring/?{urlencode({'next': target})}", status_code=303)


def _safe_next(value: str | None) -> str:
    """Only our own dashboard paths: no open redirect to another site."""
    if not value or not value.startswith("/monitoring/") or value.startswith("//"):
        return "/monitoring/"
    parts = urlsplit(value)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _not_found(lang: str) -> HTMLResponse:
    return HTMLResponse(dashboard.not_found_page(lang=lang), status_code=404, headers=PRIVATE)


def _page(
    request: Request,
    session: SessionDep,
    kind: str,
    key: str,
    page: str,
    lang: str | None,
    day: str | None,
) -> Response:
    actor = _actor(request, session)
    if actor is None:
        return _to_sign_in(request)
    language = dashboard.page_language(lang)
    try:
        region = regions.visible_region(
            session=session, actor=actor, kind=kind, key=key, details=False
        )
        if page in ("demand", "needs") and region.kind != PORTAL:
            raise NotFound("districts have no demand or needs pages")
        status, html = dashboard.render(
            session=session, actor=actor, region=region, page=page, lang=language, day=_day(day)
        )
    except NotFound:
        return _not_found(language)
    return HTMLResponse(html, status_code=status, headers=PRIVATE)


@router.get("/monitoring", response_class=RedirectResponse)
def root() -> RedirectResponse:
    return RedirectResponse("/monitoring/", status_code=308)


@router.get("/monitoring/", response_class=HTMLResponse)
def home(
    request: Request,
    session: SessionDep,
    lang: Lang = None,
    next: Annotated[str | None, Query(max_length=300)] = None,
    abgemeldet: Annotated[str | None, Query(max_length=5)] = None,
) -> HTMLResponse:
    """Signed in: the regions of the key. Otherwise: the sign-in form."""
    language = dashboard.page_language(lang)
    actor = _actor(request, session)
    if actor is None:
        html = dashboard.sign_in_page(
            lang=language,
            next_path=_safe_next(next) if next else "",
            signed_out=abgemeldet is not None,
        )
        return HTMLResponse(html, headers=PRIVATE)
    return HTMLResponse(
        dashboard.regions_page(session=session, actor=actor, lang=language), headers=PRIVATE
    )


def _same_origin(request: Request) -> bool:
    """A form post from our own pages (browsers send Origin with every POST); SameSite=Strict
    already keeps the cookie off cross-site requests, this also stops login CSRF."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


@router.post("/monitoring/", response_class=HTMLResponse)
async def sign_in(request: Request, session: SessionDep) -> Response:
    """Check the key, set the session cookie and go where the visitor wanted to go."""
    form = await request.form()
    key = str(form.get("key") or "")[:200]
    language = dashboard.page_language(str(form.get("lang") or ""))
    target = _safe_next(str(form.get("next") or ""))
    if not _same_origin(request):
        return HTMLResponse(dashboard.not_found_page(lang=language), status_code=403)
    # Keys tried here count against the address like keys sent to the API.
    limits, address = rate_limits_of(request), client_address(request.scope)
    await limits.refuse_if_exceeded(Limited.auth_failures, address)
    try:
        cookie = await run_in_threadpool(sessions.sign_in, session=session, key=key)
    except Unauthorized:
        await limits.hit(Limited.auth_failures, address)
        html = dashboard.sign_in_page(lang=language, next_path=target, error=True)
        return HTMLResponse(html, status_code=401, headers=PRIVATE)
    if language != "de" and "lang=" not in target:
        target += ("&" if "?" in target else "?") + "lang=en"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        sessions.COOKIE,
        cookie,
        max_age=int(get_settings().dashboard_session_hours * 3600),
        path=sessions.COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https" or get_settings().environment == "production",
    )
    return response


@router.post("/monitoring/abmelden", response_class=RedirectResponse)
async def sign_out(request: Request, session: SessionDep) -> Response:
    """End the session on the server and drop the cookie."""
    if not _same_origin(request):
        return HTMLResponse(dashboard.not_found_page(lang="de"), status_code=403)
    await run_in_threadpool(
        sessions.sign_out, session=session, cookie=request.cookies.get(sessions.COOKIE)
    )
    response = RedirectResponse("/monitoring/?abgemeldet=1", status_code=303)
    response.delete_cookie(sessions.COOKIE, path=sessions.COOKIE_PATH)
    return response


def _export(
    request: Request,
    session: SessionDep,
    kind: str,
    key: str,
    what: str,
    lang: str | None,
    day: str | None,
) -> Response:
    actor = _actor(request, session)
    if actor is None:
        return _to_sign_in(request)
    language: Literal["de", "en"] = "en" if lang == "en" else "de"
    try:
        region: Region = regions.visible_region(
            session=session, actor=actor, kind=kind, key=key, details=False
        )
        chosen = _day(day)
        table: BaseModel
        if what == "kennzahlen":
            table = reports.indicator_table(
                session=session, region=region, day=chosen, lang=language
            )
        elif what == "weisse-flecken":
            table = reports.white_spots(
                session=session, region=region, day=chosen, lang=language, only_empty=False
            )
        elif what == "bedarf" and region.kind == PORTAL:
            table = reports.needs_coverage(
                session=session, region=region, day=chosen, lang=language
            )
        elif what == "nachfrage" and region.kind == PORTAL:
            start, end = reports.demand_period(None, None, today=publication.utc_today())
            table = reports.demand(
                session=session, region=region, start=start, end=end, lang=language
            )
        else:
            raise NotFound(what)
    except NotFound:
        return _not_found(language)
    return Response(
        reports.csv_of(table, lang=language),
        media_type="text/csv; charset=utf-8",
        headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{key}-{what}.csv"'},
    )


# Districts first: "/monitoring/kreise/..." is not a portal.
@router.get("/monitoring/kreise/{ags}", response_class=HTMLResponse)
def district_supply(
    ags: SlugPath, request: Request, session: SessionDep, lang: Lang = None, tag: DayQuery = None
) -> Response:
    return _page(request, session, DISTRICT, ags, "supply", lang, tag)


@router.get("/monitoring/kreise/{ags}/weisse-flecken", response_class=HTMLResponse)
def district_white_spots(
    ags: SlugPath, request: Request, session: SessionDep, lang: Lang = None, tag: DayQuery = None
) -> Response:
    return _page(request, session, DISTRICT, ags, "white_spots", lang, tag)


@router.get("/monitoring/kreise/{ags}/export/{what}.csv")
def district_export(
    ags: SlugPath,
    what: SlugPath,
    request: Request,
    session: SessionDep,
    lang: Lang = None,
    tag: DayQuery = None,
) -> Response:
    return _export(request, session, DISTRICT, ags, what, lang, tag)


@router.get("/monitoring/{slug}", response_class=HTMLResponse)
def portal_supply(
    slug: SlugPath, request: Request, session: SessionDep, lang: Lang = None, tag: DayQuery = None
) -> Response:
    return _page(request, session, PORTAL, slug, "supply", lang, tag)


@router.get("/monitoring/{slug}/weisse-flecken", response_class=HTMLResponse)
def portal_white_spots(
    slug: SlugPath, request: Request, session: SessionDep, lang: Lang = None, tag: DayQuery = None
) -> Response:
    return _page(request, session, PORTAL, slug, "white_spots", lang, tag)


@router.get("/monitoring/{slug}/nachfrage", response_class=HTMLResponse)
def portal_demand(
    slug: SlugPath, request: Request, session: SessionDep, lang: Lang = None, tag: DayQuery = None
) -> Response:
    return _page(request, session, PORTAL, slug, "demand", lang, tag)


@router.get("/monitoring/{slug}/bedarf", response_class=HTMLResponse)
def portal_needs(
    slug: SlugPath, request: Request, session: SessionDep, lang: Lang = None, tag: DayQuery = None
) -> Response:
    return _page(request, session, PORTAL, slug, "needs", lang, tag)


@router.get("/monitoring/{slug}/export/{what}.csv")
def portal_export(
    slug: SlugPath,
    what: SlugPath,
    request: Request,
    session: SessionDep,
    lang: Lang = None,
    tag: DayQuery = None,
) -> Response:
    return _export(request, session, PORTAL, slug, what, lang, tag)
