"""The bulk import path (COPY on PostgreSQL, multi-row INSERT on SQLite) writes what the
offer service writes, with one audit entry and one outbox row per created offer."""

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import col, func, select

from app import db
from app.models.audit import AuditEntry
from app.models.offer import Offer, OfferCreate, OfferDate
from app.models.outbox import OutboxEntry
from app.services import offers
from app.services.auth import Actor
from app.services.interop import import_file
from app.services.interop.openqcat_import import parse_openqcat
from app.services.interop.report import OfferRecord
from testkit.openqcat_files import service

COUNT = 25
# import_format says which file delivered an offer: the offer service records none.
SKIP = {"id", "organisation_id", "created_at", "updated_at", "published_at", "import_format"}


def bench_file(count: int = COUNT) -> bytes:
    today = date(2030, 1, 1)
    body = "".join(service(i, today) for i in range(count))
    return (
        '<?xml version="1.0" encoding="UTF-8"?><OPENQCAT version="1.1"><HEADER><SUPPLIER>'
        "<SUPPLIER_NAME>Akademie</SUPPLIER_NAME></SUPPLIER></HEADER>"
        f'<UPDATE_CATALOG seq_number="1"><NEW>{body}</NEW></UPDATE_CATALOG></OPENQCAT>'
    ).encode()


def rows_of(org_id: int) -> dict[str, dict[str, Any]]:
    with db.session_scope() as session:
        found = {}
        for offer in session.exec(select(Offer).where(Offer.organisation_id == org_id)):
            dates = session.exec(
                select(OfferDate)
                .where(OfferDate.offer_id == offer.id)
                .order_by(col(OfferDate.position))
            )
            row = {k: v for k, v in offer.model_dump().items() if k not in SKIP}
            row["dates"] = [d.model_dump(exclude={"id", "offer_id"}) for d in dates]
            row["audit"] = [
                (a.action, a.fields, a.detail)
                for a in session.exec(select(AuditEntry).where(AuditEntry.entity_id == offer.id))
                if a.entity == "offer"
            ]
            row["outbox"] = session.exec(
                select(func.count())
                .select_from(OutboxEntry)
                .where(OutboxEntry.offer_id == offer.id)
            ).one()
            row["published"] = offer.published_at is not None
            found[offer.external_id or ""] = row
        return found


def import_bytes(org_id: int, data: bytes, **kwargs: Any) -> Any:
    with db.session_scope() as session:
        return import_file(
            session=session,
            actor=Actor.system("test"),
            organisation_id=org_id,
            stream=io.BytesIO(data),
            **kwargs,
        )


def test_bulk_created_offers_match_the_offer_service(make_org: Callable[..., int]) -> None:
    data = bench_file()
    for trusted in (True, False):
        bulk_org = make_org(name=f"Bulk {trusted}", trusted=trusted)
        service_org = make_org(name=f"Service {trusted}", trusted=trusted)
        report = import_bytes(bulk_org, data)
        assert report.ok
        assert report.created == COUNT
        assert report.written
        with db.session_scope() as session:
            for record in parse_openqcat(io.BytesIO(data)):
                if isinstance(record, OfferRecord):
                    offers.create_offer(
                        session=session,
                        actor=Actor.system("test"),
                        data=OfferCreate.model_validate(
                            {**record.fields.model_dump(), "external_id": record.external_id}
                        ),
                        organisation_id=service_org,
                    )
        bulk, via_service = rows_of(bulk_org), rows_of(service_org)
        assert len(bulk) == COUNT
        assert bulk == via_service
        with db.session_scope() as session:
            formats = set(
                session.exec(select(Offer.import_format).where(Offer.organisation_id == bulk_org))
            )
        assert formats == {"openqcat"}
        status = "published" if trusted else "submitted"
        for row in bulk.values():
            assert row["status"] == status
            assert row["published"] is trusted
            assert row["outbox"] == 1
            assert len(row["audit"]) == 1
            assert row["audit"][0][0] == "create"
            assert row["audit"][0][2] == {"status": status}
        again = import_bytes(bulk_org, data)
        assert (again.created, again.unchanged) == (0, COUNT)
        assert rows_of(bulk_org) == bulk


def test_bulk_import_failure_and_dry_run_write_nothing(make_org: Callable[..., int]) -> None:
    org_id = make_org(trusted=True)
    broken = bench_file().replace(b"<TITLE>Englisch B1 (3)</TITLE>", b"<TITLE></TITLE>", 1)
    dry = import_bytes(org_id, bench_file(), dry_run=True)
    assert dry.created == 0
    assert dry.would is not None
    assert dry.would["created"] == COUNT
    failed = import_bytes(org_id, broken)
    assert failed.failed == 1
    assert not failed.written
    with db.session_scope() as session:
        for model in (Offer, OfferDate, AuditEntry, OutboxEntry):
            total = session.exec(select(func.count()).select_from(model)).one()
            assert total == (1 if model is AuditEntry else 0), model  # the org's own entry
    partial = import_bytes(org_id, broken, partial=True)
    assert partial.created == COUNT - 1
    assert partial.written
    rows = rows_of(org_id)
    assert len(rows) == COUNT - 1
    assert all(r["outbox"] == 1 for r in rows.values())
