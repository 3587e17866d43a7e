"""Portals: configuration, counselling contacts, the search scope and the CORS allow-list."""

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import anyio
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.db import session_scope
from app.errors import Conflict, Gone, InvalidInput, NotFound
from app.geo import distance_km, postcode_centre
from app.models.portal import (
    ContactIn,
    ContactPatch,
    ContactPublic,
    CounsellingContact,
    DuplicateDisplay,
    Moderation,
    Portal,
    PortalAdmin,
    PortalCreate,
    PortalFields,
    PortalInfo,
    PortalPatch,
)
from app.models.search import SearchScope
from app.models.types import utcnow
from app.search.cache import BoundedLru
from app.search.documents import is_current
from app.search.filters import stale_cutoff
from app.search.service import answer_cache
from app.search.state import Generations, new_portal_generation
from app.services.offers import OfferView, get_offer, has_ended
from app.services.quality.duplicate_queue import merged_into


def _portal_values(data: BaseModel, *, exclude_unset: bool = False) -> dict[str, Any]:
    return data.model_dump(mode="json", exclude_unset=exclude_unset, exclude={"slug", "contacts"})


def _resolve_centre(portal: Portal) -> None:
    # A centre postcode is the operator's shorthand; the coordinates are what search needs.
    if portal.center_postcode is not None and portal.center_lat is None:
        portal.center_lat, portal.center_lon = postcode_centre(
            portal.center_postcode, field="center_postcode"
        )


def _contact_row(portal_id: int, position: int, data: ContactIn) -> CounsellingContact:
    return CounsellingContact(
        portal_id=portal_id, position=position, **data.model_dump(mode="json")
    )


def get_portal(*, session: Session, slug: str) -> Portal:
    portal = session.exec(select(Portal).where(Portal.slug == slug)).first()
    if portal is None:
        raise NotFound(f"portal {slug!r} does not exist")
    return portal


def list_portals(*, session: Session) -> list[Portal]:
    return list(session.exec(select(Portal).order_by(col(Portal.slug))))


def list_contacts(*, session: Session, portal: Portal) -> list[CounsellingContact]:
    return list(
        session.exec(
            select(CounsellingContact)
            .where(CounsellingContact.portal_id == portal.id)
            .order_by(col(CounsellingContact.position), col(CounsellingContact.id))
        )
    )


def create_portal(*, session: Session, data: PortalCreate) -> Portal:
    """Create a portal with its counselling contacts."""
    if session.exec(select(Portal.id).where(Portal.slug == data.slug)).first() is not None:
        raise Conflict(f"portal {data.slug!r} exists already")
    portal = Portal(slug=data.slug, **_portal_values(data))
    _resolve_centre(portal)
    session.add(portal)
    try:
        session.flush()
    except IntegrityError:  # a concurrent create of the same slug
        raise Conflict(f"portal {data.slug!r} exists already") from None
    assert portal.id is not None
    for position, contact in enumerate(data.contacts):
        session.add(_contact_row(portal.id, position, contact))
    new_portal_generation(session)
    session.flush()
    return portal


def update_portal(*, session: Session, slug: str, data: PortalPatch) -> Portal:
    """Change some settings; the merged configuration must still describe a region."""
    portal = get_portal(session=session, slug=slug)
    changes = _portal_values(data, exclude_unset=True)
    if "center_postcode" in changes and "center_lat" not in changes:
        # A new centre postcode replaces coordinates derived from the old one.
        changes["center_lat"] = changes["center_lon"] = None
    merged = {name: getattr(portal, name) for name in PortalFields.model_fields} | changes
    try:
        PortalFields.model_validate(merged)
    except ValidationError as exc:
        raise InvalidInput(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None
    before = portal_scope(portal)
    for name, value in changes.items():
        setattr(portal, name, value)
    _resolve_centre(portal)
    portal.updated_at = utcnow()
    session.add(portal)
    new_portal_generation(session)
    session.flush()
    # The portal's feed hears of new rules in the same transaction: tombstones for the offers
    # that leave, upserts for those that join. Imported here because the feed imports this
    # module for the rules it judges by.
    from app.services import changes as feed

    feed.record_portal_rules(session=session, before=before, after=portal_scope(portal))
    return portal


def delete_portal(*, session: Session, slug: str) -> None:
    portal = get_portal(session=session, slug=slug)
    for contact in list_contacts(session=session, portal=portal):
        session.delete(contact)
    session.delete(portal)
    new_portal_generation(session)
    session.flush()


def add_contact(*, session: Session, slug: str, data: ContactIn) -> CounsellingContact:
    portal = get_portal(session=session, slug=slug)
    assert portal.id is not None
    position = len(list_contacts(session=session, portal=portal))
    contact = _contact_row(portal.id, position, data)
    session.add(contact)
    new_portal_generation(session)
    session.flush()
    return contact


def _portal_contact(*, session: Session, slug: str, contact_id: int) -> CounsellingContact:
    portal = get_portal(session=session, slug=slug)
    contact = session.get(CounsellingContact, contact_id)
    if contact is None or contact.portal_id != portal.id:
        raise NotFound(f"portal {slug!r} has no contact {contact_id}")
    return contact


def update_contact(
    *, session: Session, slug: str, contact_id: int, data: ContactPatch
) -> CounsellingContact:
    contact = _portal_contact(session=session, slug=slug, contact_id=contact_id)
    changes = data.model_dump(mode="json", exclude_unset=True)
    for name, value in changes.items():
        setattr(contact, name, value)
    session.add(contact)
    new_portal_generation(session)
    session.flush()
    return contact


def delete_contact(*, session: Session, slug: str, contact_id: int) -> None:
    session.delete(_portal_contact(session=session, slug=slug, contact_id=contact_id))
    new_portal_generation(session)
    session.flush()


# --- what the portal shows ------------------------------------------------------------------


@dataclass
class PortalScope(SearchScope):
    """A portal's scope that knows its portal: the portal's change feed judges each change by
    the rules in effect when it was recorded, which it keeps by portal."""

    portal_id: int | None = None
    portal_created: datetime | None = None


def portal_scope(portal: Portal) -> PortalScope:
    """The portal's region and rules as the search service understands them."""
    centre = (
        (portal.center_lat, portal.center_lon)
        if portal.center_lat is not None and portal.center_lon is not None
        else None
    )
    return PortalScope(
        postcodes=list(portal.postcodes),
        postcode_prefixes=list(portal.postcode_prefixes),
        center=centre,
        radius_km=portal.radius_km if centre is not None else None,
        categories_allow=list(portal.categories_allow),
        categories_block=list(portal.categories_block),
        providers_allow=list(portal.providers_allow),
        providers_block=list(portal.providers_block),
        reviewed_only=portal.moderation == Moderation.review_all,
        min_completeness=portal.min_completeness,
        hide_stale=portal.hide_stale,
        show_also_offered=portal.duplicates == DuplicateDisplay.also_offered,
        portal_id=portal.id,
        portal_created=portal.created_at,
    )


def to_admin(*, session: Session, portal: Portal) -> PortalAdmin:
    contacts = [
        ContactPublic.model_validate(c) for c in list_contacts(session=session, portal=portal)
    ]
    return PortalAdmin.model_validate({**portal.model_dump(), "contacts": contacts})


def to_info(public: "PublicPortal") -> PortalInfo:
    portal = public.portal
    contacts = [ContactPublic.model_validate(c) for c in public.contacts]
    return PortalInfo(
        slug=portal.slug,
        name=portal.name,
        postcodes=portal.postcodes,
        postcode_prefixes=portal.postcode_prefixes,
        center_postcode=portal.center_postcode,
        radius_km=portal.radius_km,
        languages=portal.languages,
        moderation=portal.moderation,
        imprint_url=portal.imprint_url,
        privacy_url=portal.privacy_url,
        sign_language_url=portal.sign_language_url,
        accessibility_email=portal.accessibility_email,
        contacts=contacts,
    )


def cors_headers(*, origins: list[str], origin: str | None, preflight: bool) -> dict[str, str]:
    """CORS headers for one response: only listed origins are named, nobody gets `*`."""
    headers = {"Vary": "Origin"}
    if not origin:
        return headers
    normalised = origin.rstrip("/").lower()
    if not any(listed.rstrip("/").lower() == normalised for listed in origins):
        return headers
    headers["Access-Control-Allow-Origin"] = origin
    if preflight:
        headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        # Simple GETs need no extra headers; these are what fetch() may add.
        headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language, Content-Type"
        headers["Access-Control-Max-Age"] = "600"
    return headers


def get_portal_offer(
    *, session: Session, portal: Portal, offer_id: int, ended_ok: bool = False
) -> OfferView:
    """A public offer the portal may show; anything else is `NotFound`, as if it did not exist:
    outside its region or rules, or merged into another provider's offer (search shows that
    one instead). One whose dates have all passed is Gone, unless `ended_ok`."""
    view = get_offer(session=session, actor=None, offer_id=offer_id, ended_ok=True)
    today = date.today()
    if not offer_in_scope(view, portal_scope(portal), today=today) or merged_into(
        session=session, offer_ids=[offer_id], today=today
    ):
        raise NotFound(f"offer {offer_id} does not exist")
    if not ended_ok and has_ended(view):
        raise Gone(f"offer {offer_id} is no longer offered: all its dates have passed")
    return view


def offer_in_scope(view: OfferView, scope: SearchScope, *, today: date | None = None) -> bool:
    """The detail-page twin of `scope_filters`: may this portal show this offer? Its region is
    judged by the dates one can still take, as the search documents are (`current_dates`): a
    past date in the region does not bring an offer whose current dates lie elsewhere. An offer
    whose dates have all passed is judged by all of them, so that the portals it was shown in
    can still say that it ended."""
    o = view.offer
    today = today or date.today()
    dates = [d for d in view.dates if is_current(d, today)] or view.dates
    return in_scope(
        scope,
        category=o.category,
        organisation_id=o.organisation_id,
        reviewed=o.reviewed_at is not None,
        completeness=o.completeness,
        stale=is_stale_for_portals(o.updated_at),
        places=[(d.postcode, d.lat, d.lon) for d in dates],
    )


def is_stale_for_portals(updated_at: datetime) -> bool:
    """Unchanged for so long that portals with `hide_stale` leave it out (as the search's
    filter does, app/search/filters.py)."""
    return int(updated_at.timestamp()) < stale_cutoff(int(time.time()))


Place = tuple[str | None, float | None, float | None]


def in_scope(
    scope: SearchScope,
    *,
    category: str,
    organisation_id: int,
    reviewed: bool,
    completeness: int,
    stale: bool,
    places: Iterable[Place],
) -> bool:
    """May a portal with this scope show an offer with these facts? Places are (postcode,
    lat, lon) of its dates; the offer detail and the change feed both ask this."""
    if scope.categories_allow and category not in scope.categories_allow:
        return False
    if category in scope.categories_block:
        return False
    if scope.providers_allow and organisation_id not in scope.providers_allow:
        return False
    if organisation_id in scope.providers_block:
        return False
    if scope.reviewed_only and not reviewed:
        return False
    if completeness < scope.min_completeness and not reviewed:
        return False
    if scope.hide_stale and stale:
        return False
    has_postcode_rule = bool(scope.postcodes or scope.postcode_prefixes)
    has_radius_rule = scope.center is not None and scope.radius_km is not None
    if not (has_postcode_rule or has_radius_rule):
        return True
    prefixes = tuple(scope.postcodes) + tuple(scope.postcode_prefixes)
    for postcode, lat, lon in places:
        if has_postcode_rule and postcode and postcode.startswith(prefixes):
            return True
        if (
            has_radius_rule
            and lat is not None
            and lon is not None
            and scope.center
            and scope.radius_km is not None
            and distance_km(scope.center, (lat, lon)) <= scope.radius_km
        ):
            return True
    return False


# --- the public side's view of a portal, kept per process --------------------------------------


@dataclass(frozen=True)
class PublicPortal:
    """What searches, pages, the widget and CORS need of a portal. Shared read-only between
    requests: nobody changes these objects."""

    portal: Portal
    contacts: list[CounsellingContact]
    scope: SearchScope
    cors_origins: list[str]


class PortalDirectory:
    """Portals by slug, kept until the portal generation moves: the citizen's routes (portal
    search, pages, widget, CORS) then need no database round trip, which cost the portal
    search 3.4 ms of its API time (5.7 ms with an Origin header) against 0.14 ms for the
    global search (bench/search_bench.py). Unknown slugs are remembered too, within bounds."""

    def __init__(self, entries: int = 1000) -> None:
        self._kept: BoundedLru[str, tuple[Any, PublicPortal | None]] = BoundedLru(entries)

    async def get(self, slug: str) -> PublicPortal:
        cache = answer_cache()
        fresh = await cache.ensure_fresh()
        generation = cache.generation.portals if isinstance(cache.generation, Generations) else None
        kept = self._kept.get(slug)
        if fresh and kept is not None and kept[0] == generation:
            found = kept[1]
        else:
            found = await anyio.to_thread.run_sync(_load_public_portal, slug)
            if fresh:
                self._kept.put(slug, (generation, found))
        if found is None:
            raise NotFound(f"portal {slug!r} does not exist")
        return found

    def clear(self) -> None:
        self._kept.clear()


def _load_public_portal(slug: str) -> PublicPortal | None:
    with session_scope() as session:
        portal = session.exec(select(Portal).where(Portal.slug == slug)).first()
        if portal is None:
            return None
        return PublicPortal(
            portal=portal,
            contacts=list_contacts(session=session, portal=portal),
            scope=portal_scope(portal),
            cors_origins=list(portal.cors_origins),
        )


_directory = PortalDirectory()


async def public_portal(slug: str) -> PublicPortal:
    """A portal as the public side sees it; NotFound when there is none."""
    return await _directory.get(slug)
