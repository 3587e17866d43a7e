"""Provider write API and the public offer detail."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response, status

from app import api_examples
from app.codelists import OfferStatus
from app.deps import ActorDep, AdminDep, OptionalActorDep, PaginationDep, SessionDep
from app.models.audit import AuditEntryPublic
from app.models.offer import (
    ExternalId,
    Offer,
    OfferCreate,
    OfferFields,
    OfferPage,
    OfferPatch,
    OfferPublic,
    RejectIn,
)
from app.models.types import DbId
from app.openapi import documented
from app.services import offers as service

router = APIRouter(prefix="/api/v1/offers", tags=["offers"])
OfferId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _out(session: SessionDep, offer: Offer) -> OfferPublic:
    return service.to_public(service.view_of(session=session, offer=offer), internal=True)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OfferPublic,
    responses=documented(403, 404, 409),
)
def create_offer(
    body: Annotated[OfferCreate, Body(openapi_examples=api_examples.offer_examples())],
    session: SessionDep,
    actor: ActorDep,
    organisation_id: Annotated[
        DbId | None, Query(description="admins: the owning organisation")
    ] = None,
) -> OfferPublic:
    """Create an offer. New offers are `submitted`, or `published` for trusted organisations."""
    offer = service.create_offer(
        session=session, actor=actor, data=body, organisation_id=organisation_id
    )
    return _out(session, offer)


@router.get("", response_model=OfferPage)
def list_offers(
    session: SessionDep,
    actor: ActorDep,
    pagination: PaginationDep,
    status_: Annotated[OfferStatus | None, Query(alias="status")] = None,
    organisation_id: Annotated[DbId | None, Query(description="admins only")] = None,
    stale: Annotated[
        bool | None,
        Query(
            description="true: only published or submitted offers unchanged for 6 months, "
            "longest unchanged first; false: all others"
        ),
    ] = None,
) -> OfferPage:
    """The caller's own offers in every state (admins: all offers)."""
    total, views = service.list_offers(
        session=session,
        actor=actor,
        status=status_,
        stale=stale,
        organisation_id=organisation_id,
        offset=pagination.offset,
        limit=pagination.per_page,
    )
    return OfferPage(
        total=total,
        page=pagination.page,
        per_page=pagination.per_page,
        items=[service.to_public(v, internal=True) for v in views],
    )


# `:path`: an id may hold "/" (ExternalId), sent as it is or as %2F, which the server decodes
# before routing.
@router.put(
    "/external/{external_id:path}",
    response_model=OfferPublic,
    responses={201: {"model": OfferPublic, "description": "Created"}, **documented(403)},
)
def upsert_offer(
    external_id: Annotated[ExternalId, Path()],
    body: Annotated[OfferCreate, Body(openapi_examples=api_examples.upsert_examples())],
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    organisation_id: Annotated[
        DbId | None, Query(description="admins: the owning organisation")
    ] = None,
) -> OfferPublic:
    """Idempotent upsert by the provider's own id: 201 created, 200 updated or unchanged."""
    offer, outcome = service.upsert_offer_by_external_id(
        session=session,
        actor=actor,
        external_id=external_id,
        data=body,
        organisation_id=organisation_id,
    )
    response.status_code = 201 if outcome == service.UpsertOutcome.created else 200
    response.headers["X-Upsert-Outcome"] = outcome.value
    return _out(session, offer)


@router.get("/{offer_id}", response_model=OfferPublic, responses=documented(410))
def get_offer(offer_id: OfferId, session: SessionDep, actor: OptionalActorDep) -> OfferPublic:
    """An offer: public when published; owners and admins see it in any state. When all its
    dates have passed, the public gets 410 Gone."""
    view = service.get_offer(session=session, actor=actor, offer_id=offer_id)
    internal = actor is not None and actor.may_manage_organisation(view.offer.organisation_id)
    return service.to_public(view, internal=internal)


@router.put("/{offer_id}", response_model=OfferPublic, responses=documented(403, 409))
def replace_offer(
    offer_id: OfferId,
    body: Annotated[OfferFields, Body(openapi_examples=api_examples.upsert_examples())],
    session: SessionDep,
    actor: ActorDep,
) -> OfferPublic:
    """Replace the whole offer (dates included)."""
    return _out(
        session, service.replace_offer(session=session, actor=actor, offer_id=offer_id, data=body)
    )


@router.patch("/{offer_id}", response_model=OfferPublic, responses=documented(403, 409))
def patch_offer(
    offer_id: OfferId,
    body: Annotated[OfferPatch, Body(openapi_examples=api_examples.patch_examples())],
    session: SessionDep,
    actor: ActorDep,
) -> OfferPublic:
    """Change some fields; `dates`, when sent, replaces all dates."""
    return _out(
        session, service.patch_offer(session=session, actor=actor, offer_id=offer_id, data=body)
    )


@router.delete(
    "/{offer_id}", status_code=status.HTTP_204_NO_CONTENT, responses=documented(403, 409)
)
def delete_offer(offer_id: OfferId, session: SessionDep, actor: ActorDep) -> Response:
    """Archive the offer: gone from every public read, kept for the audit trail."""
    service.archive_offer(session=session, actor=actor, offer_id=offer_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{offer_id}/publish", response_model=OfferPublic, responses=documented(409))
def publish_offer(offer_id: OfferId, session: SessionDep, actor: AdminDep) -> OfferPublic:
    """Admins: publish a submitted offer, or a published offer's pending revision."""
    return _out(session, service.publish_offer(session=session, actor=actor, offer_id=offer_id))


@router.post("/{offer_id}/reject", response_model=OfferPublic, responses=documented(409))
def reject_offer(
    offer_id: OfferId, body: RejectIn, session: SessionDep, actor: AdminDep
) -> OfferPublic:
    """Admins: reject with a reason the provider sees."""
    return _out(
        session,
        service.reject_offer(session=session, actor=actor, offer_id=offer_id, reason=body.reason),
    )


@router.post("/{offer_id}/withdraw", response_model=OfferPublic, responses=documented(403, 409))
def withdraw_offer(offer_id: OfferId, session: SessionDep, actor: ActorDep) -> OfferPublic:
    """Providers: take an offer off the catalogue."""
    return _out(session, service.withdraw_offer(session=session, actor=actor, offer_id=offer_id))


@router.post("/{offer_id}/submit", response_model=OfferPublic, responses=documented(403, 409))
def resubmit_offer(offer_id: OfferId, session: SessionDep, actor: ActorDep) -> OfferPublic:
    """Providers: submit a withdrawn or rejected offer again."""
    return _out(session, service.resubmit_offer(session=session, actor=actor, offer_id=offer_id))


@router.get("/{offer_id}/history", response_model=list[AuditEntryPublic], responses=documented(403))
def offer_history(
    offer_id: OfferId, session: SessionDep, actor: ActorDep
) -> list[AuditEntryPublic]:
    """Every change and status move of the offer: who, when, which fields."""
    entries = service.offer_history(session=session, actor=actor, offer_id=offer_id)
    return [AuditEntryPublic.model_validate(e) for e in entries]
