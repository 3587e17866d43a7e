"""The daily sweep: offers whose dates passed since the last sweep are queued again (their
next start and visibility changed), once a day; and the monitoring snapshot is taken once a
day, in a thread of its own, retried later when it failed."""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from app.models.index_state import IndexerState
from app.models.monitoring import DemandClient, DemandCount
from app.models.offer import Offer
from app.models.outbox import OutboxEntry
from app.services.monitoring import demand, publication, snapshots
from indexer.sweep import DailySnapshot, sweep_if_due
from tests.conftest import offer_payload


def _queued(engine: Engine) -> set[int]:
    with Session(engine) as session:
        return set(session.exec(select(col(OutboxEntry.offer_id))))


def _clear_outbox(engine: Engine) -> None:
    with Session(engine) as session:
        for row in session.exec(select(OutboxEntry)):
            session.delete(row)
        session.commit()


def test_offers_whose_dates_passed_are_queued_once_a_day(
    engine: Engine, client: TestClient, trusted_provider: dict[str, Any]
) -> None:
    today = date.today()
    h = trusted_provider["headers"]

    def offer(days: int) -> int:
        r = client.post("/api/v1/offers", json=offer_payload(days_ahead=days), headers=h)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    soon, later = offer(3), offer(30)
    assert sweep_if_due(engine, today) == 0  # first sweep: nothing passed since yesterday
    _clear_outbox(engine)
    # Five days on: the first offer's start has passed, the second's has not.
    assert sweep_if_due(engine, today + timedelta(days=5)) == 1
    assert _queued(engine) == {soon}
    assert later not in _queued(engine)
    _clear_outbox(engine)
    assert sweep_if_due(engine, today + timedelta(days=5)) == 0  # the same day again
    assert _queued(engine) == set()


def test_an_offer_is_queued_when_its_running_course_ends(
    engine: Engine, client: TestClient, trusted_provider: dict[str, Any]
) -> None:
    today = date.today()
    # Began five days ago and takes people until it ends in ten days (no deadline): the day
    # after, it is no longer current, and partners must hear that the offer ended.
    dates = [
        {
            "start_date": (today - timedelta(days=5)).isoformat(),
            "end_date": (today + timedelta(days=10)).isoformat(),
            "online": True,
        }
    ]
    body = offer_payload(dates=dates)
    r = client.post("/api/v1/offers", json=body, headers=trusted_provider["headers"])
    assert r.status_code == 201, r.text
    running = int(r.json()["id"])
    assert sweep_if_due(engine, today) == 0
    _clear_outbox(engine)
    assert sweep_if_due(engine, today + timedelta(days=12)) == 1
    assert _queued(engine) == {running}


def test_the_snapshot_is_taken_once_a_day_and_retried_after_a_failure(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = date.today()
    taken: list[date] = []
    real = snapshots.take_snapshot

    def flaky(*, engine: Engine, day: date) -> Any:
        if not taken:
            taken.append(day)
            raise RuntimeError("search engine away")
        taken.append(day)
        return real(engine=engine, day=day)

    monkeypatch.setattr(snapshots, "take_snapshot", flaky)
    daily = DailySnapshot(engine)
    assert daily.start_if_due(day)
    assert daily.thread is not None
    daily.thread.join(60)
    assert daily.done_for is None  # failed: not done, and not asked again at once
    assert not daily.start_if_due(day)
    daily.failed_at -= DailySnapshot.RETRY_S  # the retry pause is over
    assert daily.start_if_due(day)
    daily.thread.join(60)
    assert daily.done_for == day
    with Session(engine) as session:
        assert snapshots.snapshot_taken(session=session, day=day)
    assert not daily.start_if_due(day)  # done for today
    # Another process (a restarted indexer) sees the stored snapshot and takes none.
    assert not DailySnapshot(engine).start_if_due(day)
    assert taken == [day, day]


def test_the_daily_sweep_deletes_demand_counts_of_closed_months_no_output_can_show(
    engine: Engine,
) -> None:
    today = publication.utc_today()
    closed = publication.last_closed(today)
    demand.write_counts(
        engine,
        Counter(
            {
                (closed, "p", "pflege", "", ""): demand.min_clients(),
                (closed, "p", "insolvenz jana kowalski", "", ""): 1,
                (today, "p", "insolvenz jana kowalski", "", ""): 1,
            }
        ),
    )
    sweep_if_due(engine, date.today())
    with Session(engine) as session:
        left = session.exec(select(col(DemandCount.day), col(DemandCount.term))).all()
    assert sorted(left) == [(closed, "pflege"), (today, "insolvenz jana kowalski")]


def test_the_daily_sweep_forgets_the_clients_of_closed_months(engine: Engine) -> None:
    """The marks that count each client once a month, and what their month's key came from,
    go once the month closes; those of the month still counting stay."""
    today = publication.utc_today()
    closed = publication.last_closed(today)
    address = "198.51.100.1"
    demand.write_searches(
        engine,
        {(closed, "p", "pflege", "", "", address), (today, "p", "pflege", "", "", address)},
    )
    with engine.connect() as connection:
        old_key = demand.month_key(connection, publication.month_start(closed))
    sweep_if_due(engine, date.today())
    with Session(engine) as session:
        months = session.exec(select(col(DemandClient.month))).all()
        salts = session.exec(
            select(col(IndexerState.key)).where(
                col(IndexerState.key).startswith(publication.CLIENT_SALT)
            )
        ).all()
    assert months == [publication.month_start(today)]
    assert salts == [f"{publication.CLIENT_SALT}{today:%Y-%m}"]
    with engine.connect() as connection:
        assert demand.month_key(connection, publication.month_start(closed)) != old_key


def test_offers_that_go_stale_are_queued_for_portals_that_hide_them(
    engine: Engine, client: TestClient, trusted_provider: dict[str, Any]
) -> None:
    from app.search.filters import STALE_HIDE_DAYS

    today = date.today()
    r = client.post("/api/v1/offers", json=offer_payload(), headers=trusted_provider["headers"])
    offer_id = int(r.json()["id"])
    assert sweep_if_due(engine, today - timedelta(days=1)) == 0
    _clear_outbox(engine)
    # Last changed a year ago today: it crosses the mark between the two sweeps.
    crossed = datetime.combine(today - timedelta(days=STALE_HIDE_DAYS), time(12), UTC)
    with Session(engine) as session:
        session.execute(update(Offer).where(col(Offer.id) == offer_id).values(updated_at=crossed))
        session.commit()
    assert sweep_if_due(engine, today) == 1
    assert _queued(engine) == {offer_id}
