"""Portal administration and the public, region-scoped portal API with its own CORS list."""

from typing import Annotated

import orjson
from fastapi import APIRouter, Body, Path, Query, Response, status

from app import api_examples
from app.deps import AdminDep, SearchParamsDep, SessionDep
from app.models.changes import ChangePage
from app.models.offer import OfferPublic
from app.models.portal import (
    ContactIn,
    ContactPatch,
    ContactPublic,
    PortalAdmin,
    PortalCreate,
    PortalInfo,
    PortalPatch,
)
from app.models.search import SearchResult, SuggestResult
from app.openapi import documented
from app.routers.changes import LimitQuery, SinceQuery
from app.search import service as search
from app.services import changes
from app.services import offers as offer_service
from app.services import portals as service
from app.services.monitoring.demand import record_search

SlugPath = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$")]
OfferId = Annotated[int, Path(ge=1, le=2**31 - 1)]


admin_router = APIRouter(prefix="/api/v1/admin/portals", tags=["portals (admin)"])
# CORS headers for these routes come from app.cors.PortalCors (each portal's own list).
public_router = APIRouter(prefix="/api/v1/portals/{slug}", tags=["portals"])


# --- administration ---------------------------------------------------------------------------


@admin_router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=PortalAdmin, responses=documented(409)
)
def create_portal(
    body: Annotated[PortalCreate, Body(openapi_examples=api_examples.portal_examples())],
    session: SessionDep,
    _: AdminDep,
) -> PortalAdmin:
    """Admins: create a portal with its region, rules and counselling contacts."""
    portal = service.create_portal(session=session, data=body)
    return service.to_admin(session=session, portal=portal)


@admin_router.get("", response_model=list[PortalAdmin])
def list_portals(session: SessionDep, _: AdminDep) -> list[PortalAdmin]:
    """Admins: every portal with its full configuration."""
    return [
        service.to_admin(session=session, portal=p) for p in service.list_portals(session=session)
    ]


@admin_router.get("/{slug}", response_model=PortalAdmin)
def get_portal(slug: SlugPath, session: SessionDep, _: AdminDep) -> PortalAdmin:
    """Admins: one portal's full configuration."""
    return service.to_admin(session=session, portal=service.get_portal(session=session, slug=slug))


@admin_router.patch("/{slug}", response_model=PortalAdmin)
def update_portal(
    slug: SlugPath,
    body: Annotated[PortalPatch, Body(openapi_examples=api_examples.portal_patch_examples())],
    session: SessionDep,
    _: AdminDep,
) -> PortalAdmin:
    """Admins: change some settings of a portal."""
    portal = service.update_portal(session=session, slug=slug, data=body)
    return service.to_admin(session=session, portal=portal)


@admin_router.delete("/{slug}", status_code=status.HTTP_204_NO_CONTENT)
def delete_portal(slug: SlugPath, session: SessionDep, _: AdminDep) -> Response:
    """Admins: delete a portal and its contacts (offers are not touched)."""
    service.delete_portal(session=session, slug=slug)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@admin_router.get("/{slug}/contacts", response_model=list[ContactPublic])
def list_contacts(slug: SlugPath, session: SessionDep, _: AdminDep) -> list[ContactPublic]:
    """Admins: the portal's counselling contacts."""
    portal = service.get_portal(session=session, slug=slug)
    return [
        ContactPublic.model_validate(c)
        for c in service.list_contacts(session=session, portal=portal)
    ]


@admin_router.post(
    "/{slug}/contacts", status_code=status.HTTP_201_CREATED, response_model=ContactPublic
)
def add_contact(
    slug: SlugPath,
    body: Annotated[ContactIn, Body(openapi_examples=api_examples.contact_examples())],
    session: SessionDep,
    _: AdminDep,
) -> ContactPublic:
    """Admins: add a counselling contact (Weiterbildungsberatung)."""
    return ContactPublic.model_validate(service.add_contact(session=session, slug=slug, data=body))


@admin_router.patch("/{slug}/contacts/{contact_id}", response_model=ContactPublic)
def update_contact(
    slug: SlugPath, contact_id: OfferId, body: ContactPatch, session: SessionDep, _: AdminDep
) -> ContactPublic:
    """Admins: change a counselling contact."""
    return ContactPublic.model_validate(
        service.update_contact(session=session, slug=slug, contact_id=contact_id, data=body)
    )


@admin_router.delete("/{slug}/contacts/{contact_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_contact(
    slug: SlugPath, contact_id: OfferId, session: SessionDep, _: AdminDep
) -> Response:
    """Admins: remove a counselling contact."""
    service.delete_contact(session=session, slug=slug, contact_id=contact_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- public, scoped to the portal -------------------------------------------------------------


@public_router.get("", response_model=PortalInfo)
async def portal_info(slug: SlugPath) -> PortalInfo:
    """The portal's name, region, languages and counselling contacts."""
    return service.to_info(await service.public_portal(slug))


@public_router.get("/search", response_model=SearchResult)
async def portal_search(slug: SlugPath, params: SearchParamsDep) -> Response:
    """Search like `/api/v1/search`, limited to the portal's region and rules."""
    portal = await service.public_portal(slug)
    result = await search.search_offers(params, scope=portal.scope)
    record_search(params, result.total, portal=slug)
    return Response(result.as_json(), media_type="application/json")


@public_router.get("/suggest", response_model=SuggestResult)
async def portal_suggest(
    slug: SlugPath,
    params: SearchParamsDep,
    limit: Annotated[int, Query(ge=1, le=20)] = 10,
) -> SuggestResult:
    """Suggestions like `/api/v1/suggest`, from the portal's offers only."""
    portal = await service.public_portal(slug)
    return await search.suggest_offers(params.q, scope=portal.scope, limit=limit)


@public_router.get("/offers/{offer_id}", response_model=OfferPublic, responses=documented(410))
def portal_offer(slug: SlugPath, offer_id: OfferId, session: SessionDep) -> OfferPublic:
    """A public offer, only when it lies in the portal's region and passes its rules."""
    portal = service.get_portal(session=session, slug=slug)
    view = service.get_portal_offer(session=session, portal=portal, offer_id=offer_id)
    return offer_service.to_public(view, internal=False)


@public_router.get("/changes", response_model=ChangePage, responses=documented(410))
def portal_changes(
    slug: SlugPath, session: SessionDep, since: SinceQuery = None, limit: LimitQuery = 100
) -> Response:
    """The change feed as this portal sees it: its offers' upserts and removals, and a
    tombstone (`reason: left_portal`) when an offer leaves its region or rules; when those
    rules change, a tombstone for each offer that leaves and an upsert for each that joins. A
    page may be short, even empty, with `has_more`: keep following `next_cursor`. 422: the
    cursor is not one of this feed's (also one beyond its newest change); 410: it is older
    than the retained history, start over without `since`."""
    portal = service.get_portal(session=session, slug=slug)
    after = changes.start_after(session=session, since=since)
    page = changes.read_portal_changes(session=session, portal=portal, after=after, limit=limit)
    return Response(orjson.dumps(page.as_dict()), media_type="application/json")


@public_router.options("", include_in_schema=False)
@public_router.options("/{rest:path}", include_in_schema=False)
def portal_preflight(slug: SlugPath) -> Response:
    """CORS preflight: app.cors.PortalCors adds the headers when the origin is listed."""
    return Response(status_code=status.HTTP_204_NO_CONTENT)
