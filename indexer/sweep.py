"""Once a day: requeue offers whose dates passed (their next start and visibility changed),
and take the monitoring snapshot."""

import logging
import threading
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from app.codelists import OfferStatus
from app.config import get_settings
from app.db import session_scope
from app.models.offer import Offer, OfferDate
from app.models.types import utcnow
from app.search.filters import STALE_HIDE_DAYS
from app.search.state import LAST_SWEEP, get_state, set_state
from app.services import changes, outbox
from app.services.monitoring import demand, publication, snapshots

log = logging.getLogger("bildungsraum.indexer")


def sweep_if_due(engine: Engine, today: date) -> int:
    """Requeue what time has changed since the last sweep; returns how many offers."""
    with Session(engine) as session:
        last = get_state(session, LAST_SWEEP)
        if last == today.isoformat():
            return 0
        since = date.fromisoformat(last) if last else today - timedelta(days=1)
        # Every way a date stops being current (app.search.documents.is_current): it starts,
        # its registration closes, or a course that began and still took people ends.
        passed = or_(
            col(OfferDate.start_date).between(since, today),
            col(OfferDate.registration_deadline).between(since, today),
            col(OfferDate.end_date).between(since, today),
        )
        by_date = select(OfferDate.offer_id).where(passed)
        by_window = select(Offer.id).where(
            or_(
                col(Offer.visible_from).between(since, today),
                col(Offer.visible_until).between(since, today),
            )
        )
        # Unchanged for a year since the last sweep: portals that hide stale offers drop them
        # (the change feed's facts say "stale" once the indexer has seen them again).
        stale_days = timedelta(days=STALE_HIDE_DAYS)
        went_stale = select(Offer.id).where(
            col(Offer.updated_at).between(
                _midnight(since - stale_days), _midnight(today - stale_days + timedelta(days=1))
            )
        )
        ids = set(
            session.exec(
                select(Offer.id).where(
                    Offer.status == OfferStatus.published,
                    or_(
                        col(Offer.id).in_(by_date),
                        col(Offer.id).in_(by_window),
                        col(Offer.id).in_(went_stale),
                    ),
                )
            )
        )
        outbox.enqueue(session=session, offer_ids=[i for i in ids if i is not None])
        retention = timedelta(days=get_settings().feed_retention_days)
        changes.prune_changes(session=session, older_than=utcnow() - retention)
        set_state(session, LAST_SWEEP, today.isoformat())
        session.commit()
    _prune_demand(engine)
    return len(ids)


def _prune_demand(engine: Engine) -> None:
    """Counts of closed months no output can show, deleted the day their month closes; in
    its own transaction, after the sweep's: a fault here must not hold up indexing (the next
    day's sweep tries again, and nothing unshown is shown meanwhile)."""
    try:
        with session_scope(engine) as session:
            gone = publication.prune_closed_months(
                session=session, today=publication.utc_today(), threshold=demand.min_clients()
            )
    except Exception:
        log.exception("deleting unpublishable demand counts failed; retried tomorrow")
        return
    if gone:
        log.info("demand: %s counts of closed months below the threshold deleted", gone)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class DailySnapshot:
    """Takes the monitoring snapshot once a day, in its own thread so that indexing goes on
    meanwhile. Asked only when the indexer is idle, so the needs coverage (which searches)
    sees an index that has caught up with the database."""

    RETRY_S = 600.0

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.done_for: date | None = None
        self.failed_at = float("-inf")
        self.thread: threading.Thread | None = None

    def start_if_due(self, today: date) -> bool:
        if self.done_for == today or (self.thread is not None and self.thread.is_alive()):
            return False
        if time.monotonic() - self.failed_at < self.RETRY_S:
            return False
        with Session(self.engine) as session:
            if snapshots.snapshot_taken(session=session, day=today):
                self.done_for = today
                return False
        self.thread = threading.Thread(
            target=self._take, args=(today,), name="monitoring-snapshot", daemon=True
        )
        self.thread.start()
        return True

    def _take(self, today: date) -> None:
        try:
            taken = snapshots.take_snapshot(engine=self.engine, day=today)
        except Exception:
            self.failed_at = time.monotonic()
            log.exception("monitoring snapshot failed; retrying in %.0f s", self.RETRY_S)
            return
        self.done_for = today
        log.info(
            "monitoring snapshot of %s: %s regions in %.1f s", today, taken.regions, taken.seconds
        )
