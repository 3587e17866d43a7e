"""Applies parsed import records to one organisation's catalogue, all-or-nothing or partially."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app.codelists import OfferStatus
from app.db import savepoint
from app.errors import DomainError, Forbidden, NotFound
from app.geo import UnknownPostcode
from app.models.offer import Offer, OfferDate, OfferFields
from app.models.organisation import Organisation
from app.services import offers
from app.services.auth import Actor
from app.services.interop.bulk_upsert import BulkUpserter
from app.services.interop.report import (
    DateRecord,
    DeleteRecord,
    DeliveryRecord,
    FailedRecord,
    FileRejected,
    ImportReport,
    OfferRecord,
    Record,
    RecordOutcome,
    WarningRecord,
    describe_domain_error,
    describe_validation_error,
    offer_outcome,
)
from app.services.offers import UpsertOutcome
from app.services.quality.completeness import Completeness, completeness

_RANK = {"created": 3, "updated": 2, "unchanged": 1}
# What a provider can do about a place whose postcode has no known centre, per file format.
_UNKNOWN_POSTCODE_HINT = {
    "openqcat": "correct the ZIP (open-Qcat carries no coordinates)",
    "csv": "correct the PLZ, or fill in Breitengrad and Längengrad",
    "openvhs": "correct the plz, or send breitengrad and laengengrad",
}


def replaced_by(delivery_format: str, offer_format: str | None) -> bool:
    """Whether a full delivery in `delivery_format` replaces an offer last delivered in
    `offer_format`. An Open-vhs programme replaces only what Open-vhs delivered, so a VHS's
    API or open-Qcat offers survive it; open-Qcat replaces everything else, as it always did.
    """
    if delivery_format == "openvhs":
        return offer_format == "openvhs"
    return offer_format != "openvhs"


def resolve_organisation(
    *, session: Session, actor: Actor, organisation_id: int | None
) -> Organisation:
    """Providers import into their own organisation; admins (and the CLI) name one."""
    if not actor.is_admin:
        if organisation_id is not None and organisation_id != actor.organisation_id:
            raise Forbidden("a provider key can only import into its own organisation")
        organisation_id = actor.organisation_id
    if organisation_id is None:
        from app.errors import InvalidInput

        raise InvalidInput.at(
            ["query", "organisation_id"], "say which organisation the offers belong to"
        )
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    return org


class _Run:
    def __init__(
        self, *, session: Session, actor: Actor, organisation: Organisation, report: ImportReport
    ) -> None:
        self.session = session
        self.actor = actor
        self.report = report
        self.bulk = BulkUpserter(
            session=session, actor=actor, organisation=organisation, import_format=report.format
        )
        self.organisation_id = self.bulk.organisation_id
        self.outcomes: dict[str, str] = {}
        self.failed_ids: set[str] = set()
        self.deletes: list[DeleteRecord] = []
        self.late_dates: list[DateRecord] = []
        self.full = False
        self.today = date.today()
        # external id → (line, outcome, the day it speaks of, completeness), in file order
        self.results: dict[str, tuple[int | None, str, date | None, Completeness | None]] = {}

    def _result(self, ext: str, line: int | None, fields: OfferFields | None) -> None:
        """Note what became of an offer: its status now and whether citizens will find it."""
        first_line = self.results[ext][0] if ext in self.results else line
        if fields is None:
            self.results[ext] = (first_line, "deleted", None, None)
            return
        current = self.bulk.existing.get(ext)
        if current is None:  # queued for the bulk insert
            status, revision = self.bulk.new_status, False
        else:
            status, revision = current.status, current.revision_pending
        outcome, day = offer_outcome(
            status=status, revision_pending=revision, fields=fields, today=self.today
        )
        self.results[ext] = (first_line, outcome, day, completeness(fields))

    def outcomes_in_order(self) -> list[RecordOutcome]:
        return [
            RecordOutcome(
                ext,
                line,
                "deleted" if outcome == "deleted" else self.outcomes.get(ext, "unchanged"),
                outcome,
                day,
                None if score is None else score.score,
                () if score is None else tuple(str(m) for m in score.missing),
            )
            for ext, (line, outcome, day, score) in self.results.items()
        ]

    def _note(self, external_id: str, outcome: str) -> None:
        before = self.outcomes.get(external_id)
        if before is None or _RANK[outcome] > _RANK[before]:
            self.outcomes[external_id] = outcome

    def _guarded(self, record_id: str | None, line: int | None, action: Any) -> Any:
        """Run one record's change in its own savepoint, so a failure leaves the rest usable."""
        try:
            with savepoint(self.session):
                return action()
        except ValidationError as exc:
            self.report.fail(record_id, line, describe_validation_error(exc))
        except DomainError as exc:
            self.report.fail(record_id, line, self._describe(exc))
        except SQLAlchemyError as exc:
            self.report.fail(record_id, line, f"database error: {exc.__class__.__name__}")
        if record_id:
            self.failed_ids.add(record_id)
        return None

    def _describe(self, exc: DomainError) -> str:
        if isinstance(exc, UnknownPostcode):
            hint = _UNKNOWN_POSTCODE_HINT.get(self.report.format, "send lat and lon")
            return "; ".join(
                f"{'.'.join(map(str, loc))}: unknown postcode {postcode}; {hint}"
                for loc, postcode in exc.places
            )
        return describe_domain_error(exc)

    def offer(self, record: OfferRecord) -> None:
        ext = record.external_id
        if ext not in self.bulk.existing:
            # A new offer is valid already (parsed into OfferFields) and only queued for the
            # bulk insert, so it needs no savepoint of its own; placing it on the map comes
            # first and fails before anything is queued.
            try:
                outcome = self.bulk.upsert(external_id=ext, fields=record.fields)
            except UnknownPostcode as exc:
                self.report.fail(ext, record.line, self._describe(exc))
                self.failed_ids.add(ext)
                return
            self._note(ext, outcome.value)
            self._result(ext, record.line, record.fields)
            return
        outcome = self._guarded(
            ext, record.line, lambda: self.bulk.upsert(external_id=ext, fields=record.fields)
        )
        if outcome is not None:
            self._note(ext, outcome.value)
            self._result(ext, record.line, record.fields)

    def late_date(self, record: DateRecord) -> None:
        ext = record.offer_external_id
        date_id = record.date.external_id
        if ext in self.failed_ids:
            self.report.fail(date_id, record.line, f"its offer {ext} failed")
            return
        self.bulk.flush()
        offer = self.session.exec(
            select(Offer).where(
                Offer.organisation_id == self.organisation_id, Offer.external_id == ext
            )
        ).first()
        if offer is None or offer.status == OfferStatus.archived:
            self.report.fail(
                date_id,
                record.line,
                f"COURSE_ID {ext} names no offer in this file or the catalogue",
            )
            return
        assert offer.id is not None
        dates = offers.load_dates(session=self.session, offer_ids=[offer.id])[offer.id]
        data = offer.pending_revision or offers.snapshot(offer, dates)
        new_date = record.date.model_dump(mode="json")
        kept = [
            d for d in data["dates"] if d.get("external_id") not in (date_id, ext)
        ]  # ext: the offer's own date
        replaced = [d for d in data["dates"] if d.get("external_id") == date_id]
        if replaced and replaced[0] == new_date:
            self._note(ext, "unchanged")
            return
        data = {**data, "dates": [*kept, new_date]}
        merged: list[OfferFields] = []

        def apply() -> UpsertOutcome:
            merged.append(OfferFields.model_validate(data))
            return self.bulk.update(external_id=ext, fields=merged[0])

        outcome = self._guarded(date_id, record.line, apply)
        if outcome is not None:
            self._note(ext, outcome.value)
            self._result(ext, record.line, merged[0])

    def delete(self, record: DeleteRecord) -> None:
        ext = record.external_id
        if ext in self.outcomes or ext in self.failed_ids:
            self.report.warn(
                ext,
                record.line,
                "deleted and delivered again in the same file; the delivered version wins",
            )
            return
        current = self.bulk.existing.get(ext)
        if current is not None:
            if current.status == OfferStatus.archived:
                self.report.warn(ext, record.line, "already deleted (archived)")
                return
            offer_id = current.id
            done = self._guarded(
                ext,
                record.line,
                lambda: offers.archive_offer(
                    session=self.session, actor=self.actor, offer_id=offer_id
                ),
            )
            if done is not None:
                self.bulk.mark_archived(ext)
                self.report.deleted += 1
                self._result(ext, record.line, None)
            return
        self._delete_date(record)

    def _delete_date(self, record: DeleteRecord) -> None:
        row = self.session.exec(
            select(OfferDate, Offer)
            .join(Offer, col(Offer.id) == col(OfferDate.offer_id))
            .where(
                Offer.organisation_id == self.organisation_id,
                OfferDate.external_id == record.external_id,
            )
        ).first()
        if row is None:
            self.report.warn(
                record.external_id, record.line, "unknown PRODUCT_ID; nothing to delete"
            )
            return
        _, offer = row
        if offer.external_id is None or offer.status == OfferStatus.archived:
            self.report.warn(record.external_id, record.line, "its offer is archived already")
            return
        assert offer.id is not None
        dates = offers.load_dates(session=self.session, offer_ids=[offer.id])[offer.id]
        data = offer.pending_revision or offers.snapshot(offer, dates)
        data = {
            **data,
            "dates": [d for d in data["dates"] if d.get("external_id") != record.external_id],
        }
        offer_ext = offer.external_id
        remaining: list[OfferFields] = []

        def apply() -> UpsertOutcome:
            remaining.append(OfferFields.model_validate(data))
            return self.bulk.update(external_id=offer_ext, fields=remaining[0])

        if self._guarded(record.external_id, record.line, apply) is not None:
            self.report.dates_deleted += 1
            self._result(offer_ext, record.line, remaining[0])

    def archive_missing(self) -> None:
        """A full delivery replaces what its format delivered: offers it no longer names are
        archived (and the report counts them as deleted)."""
        self.bulk.flush()
        for ext, current in list(self.bulk.existing.items()):
            if ext in self.outcomes or ext in self.failed_ids:
                continue
            if current.status == OfferStatus.archived:
                continue
            if not replaced_by(self.report.format, current.import_format):
                continue
            offer_id = current.id
            done = self._guarded(
                ext,
                None,
                lambda oid=offer_id: offers.archive_offer(
                    session=self.session, actor=self.actor, offer_id=oid
                ),
            )
            if done is not None:
                self.bulk.mark_archived(ext)
                self.report.deleted += 1
                self._result(ext, None, None)

    def run(self, records: Iterable[Record]) -> None:
        for record in records:
            if isinstance(record, OfferRecord):
                self.offer(record)
            elif isinstance(record, DateRecord):
                self.late_dates.append(record)
            elif isinstance(record, DeleteRecord):
                self.deletes.append(record)
            elif isinstance(record, FailedRecord):
                self.report.fail(record.record_id, record.line, record.reason)
                if record.record_id:
                    self.failed_ids.add(record.record_id)
            elif isinstance(record, WarningRecord):
                self.report.warn(record.record_id, record.line, record.message)
            elif isinstance(record, DeliveryRecord):
                self.full = record.full
                self.report.delivery = "full" if record.full else "delta"
                self.report.supplier = record.supplier
        self.bulk.flush()
        # Dates whose offer came later in the file, then deletions: both need every offer first.
        for date_record in self.late_dates:
            self.late_date(date_record)
        for delete_record in self.deletes:
            self.delete(delete_record)
        if self.full:
            self.archive_missing()
        self.bulk.claim_delivered()
        for outcome in self.outcomes.values():
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)
        self.report.record(self.outcomes_in_order())


def apply_records(
    *,
    session: Session,
    actor: Actor,
    organisation_id: int | None,
    records: Iterable[Record],
    report: ImportReport,
) -> ImportReport:
    """Apply records inside one SAVEPOINT: kept when all went well (or --partial), else undone.

    Dry runs do all the work and undo it at the end, so what they say would happen is what
    an import of the same file would do.
    """
    organisation = resolve_organisation(
        session=session, actor=actor, organisation_id=organisation_id
    )
    outer = savepoint(session)
    try:
        _Run(session=session, actor=actor, organisation=organisation, report=report).run(records)
    except FileRejected as exc:
        outer.rollback()
        report.error = exc.message
        report.error_line = exc.line
        # A file that cannot be read to its end would do nothing: there is nothing to predict.
        report.record([])
        report.settle(written=False)
        report.would = None
        return report
    except BaseException:
        outer.rollback()
        raise
    keep = not report.dry_run and (report.partial or report.failed == 0)
    if keep:
        outer.commit()
        session.flush()
    else:
        outer.rollback()
    report.settle(written=keep)
    return report
