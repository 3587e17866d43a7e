"""Every committed change writes an outbox row in the same transaction; failures write none."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.db import get_engine
from app.models.offer import Offer
from app.models.outbox import OutboxEntry
from tests.conftest import offer_payload


def _counts() -> tuple[int, int, list[int]]:
    with Session(get_engine()) as session:
        offers = session.exec(select(func.count()).select_from(Offer)).one()
        rows = list(session.exec(select(OutboxEntry.offer_id).order_by(col(OutboxEntry.id))))
    return int(offers), len(rows), rows


def test_each_change_queues_the_offer(
    client: TestClient, provider: dict[str, Any], admin: dict[str, str]
) -> None:
    h = provider["headers"]
    oid = client.post("/api/v1/offers", json=offer_payload(), headers=h).json()["id"]
    client.post(f"/api/v1/offers/{oid}/publish", headers=admin)
    client.patch(
        f"/api/v1/offers/{oid}", json={"dates": offer_payload(days_ahead=50)["dates"]}, headers=h
    )
    client.delete(f"/api/v1/offers/{oid}", headers=h)
    _, count, rows = _counts()
    assert count == 4
    assert set(rows) == {oid}


def test_failed_request_leaves_neither_data_nor_outbox(
    client: TestClient, provider: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(**_: Any) -> None:
        raise RuntimeError("audit store broke after the offer was flushed")

    monkeypatch.setattr("app.services.audit.record", explode)
    r = client.post("/api/v1/offers", json=offer_payload(), headers=provider["headers"])
    assert r.status_code == 500
    assert _counts()[:2] == (0, 0)


def test_unchanged_upsert_queues_nothing(client: TestClient, provider: dict[str, Any]) -> None:
    h = provider["headers"]
    client.put("/api/v1/offers/external/a", json=offer_payload(), headers=h)
    client.put("/api/v1/offers/external/a", json=offer_payload(), headers=h)
    assert _counts()[1] == 1
