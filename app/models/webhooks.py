"""Webhook endpoints that partners register, and the deliveries of feed changes to them."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.models.api_key import PortalSlug
from app.models.changes import ChangeEvent
from app.models.types import InputModel, UTCDateTime, utcnow


class DeliveryStatus:
    pending = "pending"
    delivered = "delivered"


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoint"

    id: int | None = SQLField(default=None, primary_key=True)
    url: str = SQLField(max_length=2000)
    event_types: list[str] = SQLField(default_factory=list, sa_column=Column(JSON))
    # None: the whole catalogue (admins only); else the changes as this portal sees them.
    portal_id: int | None = SQLField(
        default=None,
        sa_column=Column(Integer, ForeignKey("portal.id", ondelete="CASCADE"), index=True),
    )
    description: str | None = SQLField(default=None, max_length=200)
    # Kept as issued, not hashed: every delivery is signed with it (HMAC needs the secret
    # itself). It is shown once, at registration, and never returned again.
    secret: str = SQLField(max_length=100)
    active: bool = True
    disabled_reason: str | None = SQLField(default=None, sa_column=Column(Text))
    disabled_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    # Since when deliveries keep failing (None while they succeed): after the retry window
    # the endpoint is disabled.
    failing_since: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    # The last feed change turned into deliveries for this endpoint (replay moves it back).
    position: int = SQLField(
        default=0, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), nullable=False)
    )
    created_by_key_id: int | None = None
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    # The webhook worker serving the endpoint, until when: one worker at a time queues and
    # sends its deliveries, so none goes out twice or out of order. A worker that died
    # leaves the lease to expire.
    lease_holder: str | None = SQLField(default=None, max_length=100)
    lease_until: datetime | None = SQLField(default=None, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_endpoint_status_id", "endpoint_id", "status", "id"),
        # The worker prunes delivered rows by age (WEBHOOK_KEEP_DELIVERED_DAYS).
        Index("ix_webhook_delivery_status_delivered_at", "status", "delivered_at"),
    )

    id: int | None = SQLField(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    )
    endpoint_id: int = SQLField(
        sa_column=Column(
            Integer, ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), nullable=False
        )
    )
    change_id: int = SQLField(
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), nullable=False)
    )
    offer_id: int
    event: str = SQLField(max_length=32)
    # The message body: the feed's item for this change, as the endpoint's scope sees it.
    payload: dict[str, Any] = SQLField(default_factory=dict, sa_column=Column(JSON))
    status: str = SQLField(default=DeliveryStatus.pending, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    last_error: str | None = SQLField(default=None, sa_column=Column(Text))
    last_status: int | None = None
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)


WebhookUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
EventTypes = Annotated[list[ChangeEvent], Field(min_length=1, max_length=3)]


class WebhookIn(InputModel):
    url: WebhookUrl
    event_types: EventTypes = Field(default_factory=lambda: list(ChangeEvent))
    # Admins: a portal's changes, or the whole catalogue without one; operators: one of theirs.
    portal: PortalSlug | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = (
        None
    )


class WebhookPatch(InputModel):
    not_null = frozenset({"url", "event_types", "active"})

    url: WebhookUrl | None = None
    event_types: EventTypes | None = None
    # true: enable again (after a disable); failing deliveries are tried again at once.
    active: bool | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = (
        None
    )


class ReplayIn(InputModel):
    # Deliver again every change after this feed cursor; none: from the beginning.
    since: Annotated[str, StringConstraints(max_length=100)] | None = None


class WebhookPublic(BaseModel):
    id: int
    url: str
    event_types: list[ChangeEvent]
    portal: str | None
    description: str | None
    active: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    failing_since: datetime | None
    # The feed cursor up to which changes were queued for this endpoint.
    cursor: str
    pending: int
    created_at: datetime


class WebhookCreated(WebhookPublic):
    # Shown here only: verify our signatures with it (Standard Webhooks, `whsec_…`).
    secret: str


class DeliveryPublic(BaseModel):
    id: int
    change_cursor: str
    offer_id: int
    event: ChangeEvent
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
