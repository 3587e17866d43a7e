"""Webhook endpoints: registration by admins (any scope) and portal operators (their portals),
the delivery log, replay from a feed cursor. Deliveries themselves are the webhook worker's
(workers/webhooks.py)."""

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete as delete_rows
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from app.config import get_settings
from app.errors import InvalidInput, NotFound, ServiceUnavailable
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
from app.services.public_addresses import (
    OutboundError,
    ResolveTimeout,
    parse_networks,
    refuse_private_target,
)


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def checked_url(url: str) -> str:
    """http(s), no credentials, and a host that is (and resolves to) a public address unless
    WEBHOOK_ALLOWED_NETWORKS lists it. The worker checks every connection again. A resolver
    slower than WEBHOOK_RESOLVE_TIMEOUT is a 503: the name may well be fine."""
    settings = get_settings()
    allowed = parse_networks(settings.webhook_allowed_networks)
    try:
        refuse_private_target(
            url, allowed, resolve=True, resolve_timeout_s=settings.webhook_resolve_timeout_s
        )
    except ResolveTimeout as exc:
        raise ServiceUnavailable(
            f"url: {exc.message}", details=[{"loc": ["url"], "message": exc.message}]
        ) from None
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
    """Deliver again every change after a feed cursor (from the beginning without one); 422
    at `since` for a cursor beyond the newest change, 410 for one older than the retained
    history."""
    endpoint = get_endpoint(session=session, actor=actor, endpoint_id=endpoint_id)
    endpoint.position = changes.start_after(session=session, since=since, loc=["since"])
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


def prune_deliveries(*, session: Session, older_than: datetime, limit: int) -> int:
    """Drop up to `limit` deliveries delivered before `older_than`. Pending ones (waiting for
    a retry too) stay, and so does each endpoint's newest delivered one: its log still shows
    when the endpoint last received a message."""
    newer = aliased(WebhookDelivery)
    newest_delivered = (
        select(func.max(newer.id))
        .where(newer.endpoint_id == WebhookDelivery.endpoint_id)
        .where(newer.status == DeliveryStatus.delivered)
        .scalar_subquery()
    )
    ids = list(
        session.exec(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.delivered,
                col(WebhookDelivery.delivered_at) < older_than,
                col(WebhookDelivery.id) < newest_delivered,
            )
            .order_by(col(WebhookDelivery.delivered_at))
            .limit(limit)
        )
    )
    if not ids:
        return 0
    session.execute(delete_rows(WebhookDelivery).where(col(WebhookDelivery.id).in_(ids)))
    session.flush()
    return len(ids)


def to_public(*, session: Session, endpoint: WebhookEndpoint) -> WebhookPublic:
    return to_public_list(session=session, endpoints=[endpoint])[0]


def to_public_list(
    *, session: Session, endpoints: Sequence[WebhookEndpoint]
) -> list[WebhookPublic]:
    """Endpoints as their owners see them; two queries however many there are."""
    ids = [e.id for e in endpoints if e.id is not None]
    portal_ids = {e.portal_id for e in endpoints if e.portal_id is not None}
    slugs: dict[int | None, str] = {}
    if portal_ids:
        slugs = dict(
            session.exec(select(Portal.id, Portal.slug).where(col(Portal.id).in_(portal_ids))).all()
        )
    pending: dict[int, int] = {}
    if ids:
        pending = dict(
            session.exec(
                select(WebhookDelivery.endpoint_id, func.count())
                .where(
                    col(WebhookDelivery.endpoint_id).in_(ids),
                    WebhookDelivery.status == DeliveryStatus.pending,
                )
                .group_by(col(WebhookDelivery.endpoint_id))
            ).all()
        )
    public = []
    for endpoint in endpoints:
        assert endpoint.id is not None
        public.append(
            WebhookPublic.model_validate(
                {
                    **endpoint.model_dump(exclude={"secret", "position"}),
                    "id": endpoint.id,
                    "portal": slugs.get(endpoint.portal_id),
                    "cursor": changes.encode_cursor(endpoint.position),
                    "pending": pending.get(endpoint.id, 0),
                }
            )
        )
    return public


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
