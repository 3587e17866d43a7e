"""Webhook endpoints of admins (whole catalogue or a portal) and portal operators (theirs)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response, status

from app.deps import SessionDep, WebhookActorDep
from app.errors import ErrorBody
from app.models.webhooks import (
    DeliveryPublic,
    ReplayIn,
    WebhookCreated,
    WebhookIn,
    WebhookPatch,
    WebhookPublic,
)
from app.openapi import documented
from app.services import webhooks as service

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
EndpointId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# A URL's host name is resolved to check that it is public; a slow resolver answers 503.
URL_CHECKED: dict[int | str, dict[str, Any]] = {
    503: {
        "model": ErrorBody,
        "description": "The database is unavailable, or the URL's host name could not be "
        "resolved within WEBHOOK_RESOLVE_TIMEOUT (`details` names `url`); try again "
        "(`Retry-After`)",
    }
}


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=WebhookCreated, responses=URL_CHECKED
)
def register_webhook(
    body: WebhookIn, session: SessionDep, actor: WebhookActorDep
) -> WebhookCreated:
    """Register an endpoint for `offer.published`, `offer.updated`, `offer.removed`. It gets
    the changes committed from now on, signed per Standard Webhooks with the `secret` in this
    answer (shown once). Private, loopback and link-local addresses are refused."""
    endpoint = service.register(session=session, actor=actor, data=body)
    public = service.to_public(session=session, endpoint=endpoint)
    return WebhookCreated.model_validate({**public.model_dump(), "secret": endpoint.secret})


@router.get("", response_model=list[WebhookPublic])
def list_webhooks(session: SessionDep, actor: WebhookActorDep) -> list[WebhookPublic]:
    """The caller's endpoints (admins: all) with their state and pending deliveries."""
    endpoints = service.list_endpoints(session=session, actor=actor)
    return service.to_public_list(session=session, endpoints=endpoints)


@router.get("/{endpoint_id}", response_model=WebhookPublic)
def get_webhook(
    endpoint_id: EndpointId, session: SessionDep, actor: WebhookActorDep
) -> WebhookPublic:
    """One endpoint; `disabled_reason` says why deliveries stopped."""
    endpoint = service.get_endpoint(session=session, actor=actor, endpoint_id=endpoint_id)
    return service.to_public(session=session, endpoint=endpoint)


@router.patch("/{endpoint_id}", response_model=WebhookPublic, responses=URL_CHECKED)
def update_webhook(
    endpoint_id: EndpointId, body: WebhookPatch, session: SessionDep, actor: WebhookActorDep
) -> WebhookPublic:
    """Change the URL or event types; `active: true` enables a disabled endpoint again (its
    waiting deliveries go out at once, in order)."""
    endpoint = service.update(session=session, actor=actor, endpoint_id=endpoint_id, data=body)
    return service.to_public(session=session, endpoint=endpoint)


@router.delete("/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(
    endpoint_id: EndpointId, session: SessionDep, actor: WebhookActorDep
) -> Response:
    """Remove the endpoint and its delivery log."""
    service.delete(session=session, actor=actor, endpoint_id=endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{endpoint_id}/replay", response_model=WebhookPublic, responses=documented(410))
def replay_webhook(
    endpoint_id: EndpointId, body: ReplayIn, session: SessionDep, actor: WebhookActorDep
) -> WebhookPublic:
    """Deliver again every change after a feed cursor (`since`; none: from the beginning).
    422 at `since` for a cursor that is not the feed's (also one beyond its newest change),
    410 for one older than the retained history."""
    endpoint = service.replay(
        session=session, actor=actor, endpoint_id=endpoint_id, since=body.since
    )
    return service.to_public(session=session, endpoint=endpoint)


@router.get("/{endpoint_id}/deliveries", response_model=list[DeliveryPublic])
def webhook_deliveries(
    endpoint_id: EndpointId,
    session: SessionDep,
    actor: WebhookActorDep,
    status_: Annotated[Literal["pending", "delivered"] | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeliveryPublic]:
    """The delivery log, newest first: status, attempts, last HTTP status and error."""
    rows = service.deliveries(
        session=session, actor=actor, endpoint_id=endpoint_id, status=status_, limit=limit
    )
    return [service.delivery_public(d) for d in rows]
