"""Fast upsert of many offers of one organisation: unchanged skipped, new ones bulk-inserted.

New offers are written in chunks. On PostgreSQL (psycopg) a chunk goes in with COPY FROM STDIN:
offer ids are drawn from the offer sequence first, so the offers, their dates, audit entries and
outbox rows are four COPYs and one small query per chunk. Large multi-row INSERTs would cost more
in the driver (splitting and converting one huge statement per page) than in the database.
Elsewhere (SQLite) the portable multi-row INSERT ... RETURNING is used. Both write the same rows.
"""

from dataclasses import dataclass
from typing import Any, cast

import orjson
from sqlalchemy import JSON, insert, select, text, update
from sqlmodel import Session

from app.codelists import OfferStatus
from app.geo import place_locations
from app.models.audit import AuditEntry
from app.models.offer import Offer, OfferDate, OfferDateIn, OfferFields
from app.models.organisation import Organisation
from app.models.outbox import OutboxEntry
from app.models.types import utcnow
from app.services import offers
from app.services.auth import Actor
from app.services.offers import UpsertOutcome

CHUNK_SIZE = 1000

_OFFER_TABLE = cast(Any, Offer).__table__
_DATE_TABLE = cast(Any, OfferDate).__table__
_AUDIT_TABLE = cast(Any, AuditEntry).__table__
_OUTBOX_TABLE = cast(Any, OutboxEntry).__table__
_OFFER_COLUMNS: tuple[str, ...] = tuple(c.name for c in _OFFER_TABLE.columns)
# JSON columns are sent as JSON text; readers parse it, so spacing does not matter.
_OFFER_JSON = frozenset(c.name for c in _OFFER_TABLE.columns if isinstance(c.type, JSON))
_DATE_COLUMNS: tuple[str, ...] = (
    "offer_id",
    "position",
    "external_id",
    "start_date",
    "end_date",
    "flexible_start",
    "schedule",
    "schedule_note",
    "registration_deadline",
    "seats",
    "min_participants",
    "free_seats",
    "session_count",
    "weekdays",
    "sessions",
    "teaching_language",
    "online",
    "location_name",
    "street",
    "postcode",
    "city",
    "lat",
    "lon",
    "approximate_location",
    "barrier_free",
)
_DATE_JSON = frozenset(c.name for c in _DATE_TABLE.columns if isinstance(c.type, JSON))
_AUDIT_COLUMNS = (
    "at",
    "actor",
    "actor_key_id",
    "entity",
    "entity_id",
    "action",
    "fields",
    "detail",
)
_OUTBOX_COLUMNS = ("offer_id", "created_at", "attempts", "last_error", "parked_at")


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


@dataclass(slots=True)
class Existing:
    id: int
    content_hash: str
    status: str
    revision_pending: bool = False
    import_format: str | None = None


@dataclass(slots=True)
class _Pending:
    external_id: str
    fields: OfferFields
    fields_json: dict[str, Any]


def date_values(
    offer_id: int, position: int, d: OfferDateIn, dumped: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Column values of one offer_date row (as create_offer writes them); `dumped` is the date
    as JSON already, whose sessions and weekdays are taken as they are."""
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
        "min_participants": d.min_participants,
        "free_seats": d.free_seats,
        "session_count": d.session_count,
        "weekdays": (dumped["weekdays"] if dumped is not None else [w.value for w in d.weekdays]),
        "sessions": (
            dumped["sessions"]
            if dumped is not None
            else [s.model_dump(mode="json") for s in d.sessions]
        ),
        "teaching_language": d.teaching_language,
        "online": d.online,
        "location_name": loc.name if loc else None,
        "street": loc.street if loc else None,
        "postcode": loc.postcode if loc else None,
        "city": loc.city if loc else None,
        "lat": loc.lat if loc else None,
        "lon": loc.lon if loc else None,
        "approximate_location": loc.approximate if loc else False,
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
        import_format: str | None = None,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        assert organisation.id is not None
        self.session = session
        self.import_format = import_format
        # Offers this file delivered whose recorded format differs (see claim_delivered).
        self._reclaimed: list[int] = []
        self.actor = actor
        self.organisation = organisation
        self.organisation_id: int = organisation.id
        self.chunk_size = chunk_size
        self.existing: dict[str, Existing] = {}
        self._pending: dict[str, _Pending] = {}
        dialect = session.get_bind().dialect
        self._use_copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
        self._preload()

    def _preload(self) -> None:
        table = _OFFER_TABLE
        rows = self.session.execute(
            select(
                table.c.external_id,
                table.c.id,
                table.c.content_hash,
                table.c.status,
                table.c.pending_revision,
                table.c.import_format,
            ).where(
                table.c.organisation_id == self.organisation_id, table.c.external_id.is_not(None)
            )
        )
        for external_id, offer_id, content_hash, status, revision, import_format in rows:
            self.existing[external_id] = Existing(
                offer_id, content_hash, status, revision is not None, import_format
            )

    def knows(self, external_id: str) -> bool:
        return external_id in self.existing or external_id in self._pending

    @property
    def new_status(self) -> str:
        """The status a new offer of this organisation starts in."""
        trusted = self.organisation.trusted
        return OfferStatus.published.value if trusted else OfferStatus.submitted.value

    def upsert(self, *, external_id: str, fields: OfferFields) -> UpsertOutcome:
        """Skip unchanged offers, queue new ones, update changed ones through the offer service.
        Places without coordinates are placed first (UnknownPostcode: nothing is queued)."""
        fields = place_locations(fields)
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
        # An offer whose revision waits is not unchanged when the file brings its public
        # content: the offer service drops the revision, which the file no longer asks for.
        if (
            current.status != OfferStatus.archived
            and not current.revision_pending
            and current.content_hash == offers.content_hash(fields_json)
        ):
            if current.import_format != self.import_format:
                self._reclaimed.append(current.id)
                current.import_format = self.import_format
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
        if offer.import_format != self.import_format:
            offer.import_format = self.import_format
            self.session.add(offer)
        self.existing[external_id] = Existing(
            offer.id,
            offer.content_hash,
            offer.status,
            offer.pending_revision is not None,
            self.import_format,
        )
        return outcome

    def claim_delivered(self) -> None:
        """Record this file's format on unchanged offers another format delivered before, so
        the next full delivery of this format counts them as its own."""
        self.flush()
        for start in range(0, len(self._reclaimed), self.chunk_size):
            ids = self._reclaimed[start : start + self.chunk_size]
            self.session.execute(
                update(_OFFER_TABLE)
                .where(_OFFER_TABLE.c.id.in_(ids))
                .values(import_format=self.import_format)
            )
        self._reclaimed.clear()

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
        status = self.new_status
        offer_rows = []
        hashes = []
        for p in pending:
            values = offers.column_values(p.fields)
            content_hash = offers.content_hash(p.fields_json)
            hashes.append(content_hash)
            values.update(
                organisation_id=self.organisation_id,
                external_id=p.external_id,
                status=status,
                rejection_reason=None,
                pending_revision=None,
                revision_at=None,
                content_hash=content_hash,
                created_at=now,
                updated_at=now,
                published_at=now if trusted else None,
                reviewed_at=None,
                import_format=self.import_format,
                duplicates_checked_at=None,
            )
            offer_rows.append(values)
        if self._use_copy:
            ids = self._copy_offers(offer_rows)
        else:
            ids = list(
                self.session.execute(
                    insert(_OFFER_TABLE).returning(_OFFER_TABLE.c.id, sort_by_parameter_order=True),
                    offer_rows,
                ).scalars()
            )
        date_rows: list[dict[str, Any]] = []
        audit_rows: list[dict[str, Any]] = []
        outbox_rows: list[dict[str, Any]] = []
        detail = {"status": status}
        for offer_id, p, content_hash in zip(ids, pending, hashes, strict=True):
            dumped = p.fields_json["dates"]
            date_rows.extend(
                date_values(offer_id, i, d, dumped[i]) for i, d in enumerate(p.fields.dates)
            )
            audit_rows.append(
                {
                    "at": now,
                    "actor": self.actor.label,
                    "actor_key_id": self.actor.key_id,
                    "entity": "offer",
                    "entity_id": offer_id,
                    "action": "create",
                    "fields": sorted(p.fields_json),
                    "detail": detail,
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
            self.existing[p.external_id] = Existing(
                offer_id, content_hash, status, import_format=self.import_format
            )
        if self._use_copy:
            self._copy(_DATE_TABLE.name, _DATE_COLUMNS, date_rows, _DATE_JSON)
            self._copy(_AUDIT_TABLE.name, _AUDIT_COLUMNS, audit_rows, ("fields", "detail"))
            self._copy(_OUTBOX_TABLE.name, _OUTBOX_COLUMNS, outbox_rows, ())
            return
        if date_rows:
            self.session.execute(insert(_DATE_TABLE), date_rows)
        self.session.execute(insert(_AUDIT_TABLE), audit_rows)
        self.session.execute(insert(_OUTBOX_TABLE), outbox_rows)

    # --- PostgreSQL: COPY FROM STDIN ------------------------------------------------------

    def _driver_connection(self) -> Any:
        """The psycopg connection under the session's transaction (and open savepoints)."""
        return self.session.connection().connection.driver_connection

    def _copy_offers(self, rows: list[dict[str, Any]]) -> list[int]:
        """COPY the offers with ids drawn from their sequence, in the order of `rows`."""
        ids = sorted(
            self.session.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence('offer', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": len(rows)},
            ).scalars()
        )
        for offer_id, row in zip(ids, rows, strict=True):
            row["id"] = offer_id
        self._copy(_OFFER_TABLE.name, _OFFER_COLUMNS, rows, _OFFER_JSON)
        return ids

    def _copy(
        self,
        table: str,
        columns: tuple[str, ...],
        rows: list[dict[str, Any]],
        json_columns: "frozenset[str] | tuple[str, ...]",
    ) -> None:
        if not rows:
            return
        conn = self._driver_connection()
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        # orjson, not json.dumps: a tenth of the CPU for the JSON columns, which with sessions
        # per date were a fifth of a 10k-course import's database writing (bench/).
        dumps = _json_text
        with conn.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    tuple(dumps(row[c]) if c in json_columns else row[c] for c in columns)
                )
