"""All tables, imported here so Alembic and the app see the same metadata."""

from app.models.api_key import ApiKey
from app.models.audit import AuditEntry
from app.models.changes import PublicChange
from app.models.duplicate import DuplicateCandidate
from app.models.import_source import ImportSource
from app.models.index_state import IndexerState
from app.models.monitoring import (
    AnalystPortal,
    DashboardSession,
    DemandClient,
    DemandCount,
    MonitoringSeries,
    MonitoringSnapshot,
    Need,
    PortalPopulation,
    PostcodeDistrict,
    ZeroResultClass,
)
from app.models.offer import Offer, OfferDate
from app.models.organisation import Organisation
from app.models.outbox import OutboxEntry
from app.models.portal import CounsellingContact, Portal
from app.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "AnalystPortal",
    "ApiKey",
    "AuditEntry",
    "CounsellingContact",
    "DashboardSession",
    "DemandClient",
    "DemandCount",
    "DuplicateCandidate",
    "ImportSource",
    "IndexerState",
    "MonitoringSeries",
    "MonitoringSnapshot",
    "Need",
    "Offer",
    "OfferDate",
    "Organisation",
    "OutboxEntry",
    "Portal",
    "PortalPopulation",
    "PostcodeDistrict",
    "PublicChange",
    "WebhookDelivery",
    "WebhookEndpoint",
    "ZeroResultClass",
]
