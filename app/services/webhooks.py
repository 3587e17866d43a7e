"""Webhook endpoints: registration by admins (any scope) and portal operators (their portals),
the delivery log, replay from a feed cursor. Deliveries themselves are the webhook worker's
(workers/webhooks.py)."""

import base64
import secrets

from sqlmodel import Session, col, func, select

from app.config import get_settings
from app.errors import InvalidInput, NotFound
from app.models.api_key import Role
from app.models.changes import PublicChange
from app.models.portal import Portal
from app.models.types import utcnow
from app.models.webhooks import (
    DeliveryPublic,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookIn,
    WebhookPatch,
    WebhookPublic,
)
from app.services import audit, changes
from app.services.auth import Actor
from app.services.monitoring.regions import analyst_portals
from app.services.public_addresses import OutboundError, parse_networks, refuse_private_target


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def checked_url(url: str) -> str:
    """http(s), no credentials, and a host that is (and resolves to) a public address unless
    WEBHOOK_ALLOWED_NETWORKS lists it. The worker checks every connection again."""
    allowed = parse_networks(get_settings().webhook_allowed_networks)
    try:
        refuse_private_target(url, allowed, resolve=True)
    except OutboundError as exc:
        raise InvalidInput.at(["url"], exc.message) from None
    return url


def _operator_portal_ids(session: Session, actor: Actor) -> list[int]:
    if actor.key_id is None:
        return []
    slugs = analyst_portals(session=session, api_key_ids=[actor.key_id]).get(actor.key_id, [])
    if not slugs:
        return []
    return [
        pid for pid in session.exec(select(Portal.id).where(col(Portal.slug).in_(slugs))) if pid
    ]


def _scope_portal(session: Session, actor: Actor, slug: str | None) -> int | None:
    """The portal an endpoint is for: admins may leave it out (the whole catalogue),
    operators name one of their own."""
    if slug is None:
        if actor.role == Role.admin:
            return None
        owned = _operator_portal_ids(session, actor)
        if len(owned) == 1:
            return owned[0]
        raise InvalidInput.at(["portal"], "name the portal whose changes this endpoint receives")
    portal = session.exec(select(Portal).where(Portal.slug == slug)).first()
    if portal is None or (
        actor.role != Role.admin and portal.id not in _operator_portal_ids(session, actor)
    ):
        raise InvalidInput.at(["portal"], f"no portal {slug!r} that this key runs")
    return portal.id


def register(*, session: Session, actor: Actor, data: WebhookIn) -> WebhookEndpoint:
    """Register an endpoint; it receives the changes committed from now on."""
    url = checked_url(data.url)
    portal_id = _scope_portal(session, actor, data.portal)
    newest = session.exec(select(func.max(col(PublicChange.id)))).one()
    endpoint = WebhookEndpoint(
        url=url,
        event_types=list(dict.fromkeys(e.value for e in data.event_types)),
        portal_id=portal_id,
        description=data.description,
        secret=new_secret(),
        position=int(newest or 0),
        created_by_key_id=actor.key_id,
    )
    session.add(endpoint)
    session.flush()
    assert endpoint.id is not None
    audit.record(
        session=session,
        actor=actor,
        entity="webhook",
        entity_id=endpoint.id,
        action="registered",
        fields=["url", "event_types", "portal"],
    )
    return endpoint


def get_endpoint(*, session: Session, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    """An endpoint the caller may see; another operator's is NotFound, as if it did not exist."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or (
        actor.role != Role.admin
        and (
            endpoint.portal_id is None
            or endpoint.portal_id not in _operator_portal_ids(session, actor)
        )
    ):
        raise NotFound(f"webhook {endpoint_id} does not exist")
    return endpoint


def list_endpoints(*, session: Session, actor: Actor) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).order_by(col(WebhookEndpoint.id))
    if actor.role != Role.admin:
        query = query.where(
            col(WebhookEndpoint.portal_id).in_(_operator_portal_ids(session, actor))
        )
    return list(session.exec(query))


def update(
    *, session: Session, actor: Actor, endpoint_id: int, data: WebhookPatch
) -> WebhookEndpoint:
    endpoint = get_endpoint(session=session, actor=actor, endpoint_id=endpoint_id)
    changes_ = data.model_dump(exclude_unset=True)
    if "url" in changes_:
        endpoint.url = checked_url(changes_["url"])
    if "event_types" in changes_:
        endpoint.event_types = list(dict.fromkeys(str(e) for e in changes_["event_types"]))
    if "description" in changes_:
        endpoint.description = changes_["description"]
    if changes_.get("active") is True and not endpoint.active:
        enable(session=session, endpoint=endpoint)
    elif changes_.get("active") is False:
        endpoint.active = False
        endpoint.disabled_reason = "disabled by its owner"
        endpoint.disabled_at = utcnow()
    endpoint.updated_at = utcnow()
    session.add(endpoint)
    assert endpoint.id is not None
    audit.record(
        session=session,
        actor=actor,
        entity="webhook",
        entity_id=endpoint.id,
        action="changed",
        fields=sorted(changes_),
    )
    session.flush()
    return endpoint


def enable(*, session: Session, endpoint: WebhookEndpoint) -> None:
    """Active again: the waiting deliveries are tried at once, in order."""
    endpoint.active = True
    endpoint.disabled_reason = None
    endpoint.disabled_at = None
    endpoint.failing_since = None
    now = utcnow()
    for delivery in session.exec(
        select(WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status == DeliveryStatus.pending,
            col(WebhookDelivery.next_attempt_at) > now,
        )
    ):
        delivery.next_attempt_at = now
        session.add(delivery)


def delete(*, session: Session, actor: Actor, endpoint_id: int) -> None:
    endpoint = get_endpoint(session=session, actor=actor, endpoint_id=endpoint_id)
    for delivery in session.exec(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    ):
        session.delete(delivery)
    session.delete(endpoint)
    audit.record(
        session=session,
        actor=actor,
        entity="webhook",
        entity_id=endpoint_id,
        action="deleted",
        fields=[],
    )
    session.flush()


def replay(
    *, session: Session, actor: Actor, endpoint_id: int, since: str | None
) -> WebhookEndpoint:
    """Deliver again every change after a feed cursor (from the beginning without one); 410
    for a cursor older than the retained history."""
    endpoint = get_endpoint(session=session, actor=actor, endpoint_id=endpoint_id)
    if since is not None:
        changes.decode_cursor(since, loc=["since"])
    endpoint.position = changes.start_after(session=session, since=since)
    endpoint.updated_at = utcnow()
    session.add(endpoint)
    session.flush()
    return endpoint


def deliveries(
    *, session: Session, actor: Actor, endpoint_id: int, status: str | None, limit: int
) -> list[WebhookDelivery]:
    """The endpoint's delivery log, newest first."""
    get_endpoint(session=session, actor=actor, endpoint_id=endpoint_id)
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    return list(session.exec(query.order_by(col(WebhookDelivery.id).desc()).limit(limit)))


def to_public(*, session: Session, endpoint: WebhookEndpoint) -> WebhookPublic:
    slug = None
    if endpoint.portal_id is not None:
        portal = session.get(Portal, endpoint.portal_id)
        slug = portal.slug if portal else None
    pending = session.exec(
        select(func.count())
        .select_from(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status == DeliveryStatus.pending,
        )
    ).one()
    assert endpoint.id is not None
    return WebhookPublic.model_validate(
        {
            **endpoint.model_dump(exclude={"secret", "position"}),
            "id": endpoint.id,
            "portal": slug,
            "cursor": changes.encode_cursor(endpoint.position),
            "pending": int(pending),
        }
    )


def delivery_public(delivery: WebhookDelivery) -> DeliveryPublic:
    return DeliveryPublic.model_validate(
        {
            **delivery.model_dump(exclude={"payload"}),
            "change_cursor": changes.encode_cursor(delivery.change_id),
            "next_attempt_at": delivery.next_attempt_at
            if delivery.status == DeliveryStatus.pending
            else None,
        }
    )
