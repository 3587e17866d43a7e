"""Fast upsert of many offers of one organisation: unchanged skipped, new ones bulk-inserted."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from app.codelists import OfferStatus
from app.models.audit import AuditEntry
from app.models.offer import Offer, OfferDate, OfferDateIn, OfferFields
from app.models.organisation import Organisation
from app.models.outbox import OutboxEntry
from app.models.types import utcnow
from app.services import offers
from app.services.auth import Actor
from app.services.offers import UpsertOutcome

CHUNK_SIZE = 500


@dataclass
class Existing:
    id: int
    content_hash: str
    status: str


@dataclass
class _Pending:
    external_id: str
    fields: OfferFields
    fields_json: dict[str, Any]


def date_values(offer_id: int, position: int, d: OfferDateIn) -> dict[str, Any]:
    """Column values of one offer_date row (as create_offer writes them)."""
    loc = d.location
    return {
        "offer_id": offer_id,
        "position": position,
        "external_id": d.external_id,
        "start_date": d.start_date,
        "end_date": d.end_date,
        "flexible_start": d.flexible_start,
        "schedule": d.schedule.value,
        "schedule_note": d.schedule_note,
        "registration_deadline": d.registration_deadline,
        "seats": d.seats,
        "teaching_language": d.teaching_language,
        "online": d.online,
        "location_name": loc.name if loc else None,
        "street": loc.street if loc else None,
        "postcode": loc.postcode if loc else None,
        "city": loc.city if loc else None,
        "lat": loc.lat if loc else None,
        "lon": loc.lon if loc else None,
        "barrier_free": loc.barrier_free if loc else None,
    }


class BulkUpserter:
    """Upserts keyed by external id within one organisation; call flush() before reading back."""

    def __init__(
        self,
        *,
        session: Session,
        actor: Actor,
        organisation: Organisation,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        assert organisation.id is not None
        self.session = session
        self.actor = actor
        self.organisation = organisation
        self.organisation_id: int = organisation.id
        self.chunk_size = chunk_size
        self.existing: dict[str, Existing] = {}
        self._pending: dict[str, _Pending] = {}
        self._preload()

    def _preload(self) -> None:
        table = Offer.__table__  # type: ignore[attr-defined]
        rows = self.session.execute(
            select(table.c.external_id, table.c.id, table.c.content_hash, table.c.status).where(
                table.c.organisation_id == self.organisation_id, table.c.external_id.is_not(None)
            )
        )
        for external_id, offer_id, content_hash, status in rows:
            self.existing[external_id] = Existing(offer_id, content_hash, status)

    def knows(self, external_id: str) -> bool:
        return external_id in self.existing or external_id in self._pending

    def upsert(self, *, external_id: str, fields: OfferFields) -> UpsertOutcome:
        """Skip unchanged offers, queue new ones, update changed ones through the offer service."""
        fields_json = fields.model_dump(mode="json", exclude={"external_id"})
        if external_id in self._pending:
            # Delivered twice in one file: the later version wins, still one new offer.
            self._pending[external_id] = _Pending(external_id, fields, fields_json)
            return UpsertOutcome.created
        current = self.existing.get(external_id)
        if current is None:
            self._pending[external_id] = _Pending(external_id, fields, fields_json)
            if len(self._pending) >= self.chunk_size:
                self.flush()
            return UpsertOutcome.created
        if current.status != OfferStatus.archived and current.content_hash == offers.content_hash(
            fields_json
        ):
            return UpsertOutcome.unchanged
        return self.update(external_id=external_id, fields=fields)

    def update(self, *, external_id: str, fields: OfferFields) -> UpsertOutcome:
        """The offer service's own path: review rules, audit and outbox as for an API call."""
        self.flush()
        offer, outcome = offers.upsert_offer_by_external_id(
            session=self.session,
            actor=self.actor,
            external_id=external_id,
            data=fields,
            organisation_id=self.organisation_id,
        )
        assert offer.id is not None
        self.existing[external_id] = Existing(offer.id, offer.content_hash, offer.status)
        return outcome

    def mark_archived(self, external_id: str) -> None:
        if external_id in self.existing:
            self.existing[external_id].status = OfferStatus.archived.value

    def flush(self) -> None:
        """Insert the queued new offers with their dates, audit entries and outbox rows."""
        if not self._pending:
            return
        pending = list(self._pending.values())
        self._pending.clear()
        now = utcnow()
        trusted = self.organisation.trusted
        status = OfferStatus.published.value if trusted else OfferStatus.submitted.value
        offer_rows = []
        for p in pending:
            values = offers.column_values(p.fields)
            values.update(
                organisation_id=self.organisation_id,
                external_id=p.external_id,
                status=status,
                rejection_reason=None,
                pending_revision=None,
                content_hash=offers.content_hash(p.fields_json),
                created_at=now,
                updated_at=now,
                published_at=now if trusted else None,
                reviewed_at=None,
            )
            offer_rows.append(values)
        table = Offer.__table__  # type: ignore[attr-defined]
        ids = list(
            self.session.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), offer_rows
            ).scalars()
        )
        date_rows: list[dict[str, Any]] = []
        audit_rows: list[dict[str, Any]] = []
        outbox_rows: list[dict[str, Any]] = []
        for offer_id, p, row in zip(ids, pending, offer_rows, strict=True):
            date_rows.extend(date_values(offer_id, i, d) for i, d in enumerate(p.fields.dates))
            audit_rows.append(
                {
                    "at": now,
                    "actor": self.actor.label,
                    "actor_key_id": self.actor.key_id,
                    "entity": "offer",
                    "entity_id": offer_id,
                    "action": "create",
                    "fields": sorted(p.fields_json),
                    "detail": {"status": status},
                }
            )
            outbox_rows.append(
                {
                    "offer_id": offer_id,
                    "created_at": now,
                    "attempts": 0,
                    "last_error": None,
                    "parked_at": None,
                }
            )
            self.existing[p.external_id] = Existing(offer_id, row["content_hash"], status)
        if date_rows:
            self.session.execute(insert(OfferDate.__table__), date_rows)  # type: ignore[attr-defined]
        self.session.execute(insert(AuditEntry.__table__), audit_rows)  # type: ignore[attr-defined]
        self.session.execute(insert(OutboxEntry.__table__), outbox_rows)  # type: ignore[attr-defined]
