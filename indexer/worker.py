"""Drains the outbox into Meilisearch: read, build, upsert, wait for success, then delete rows."""

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import meilisearch
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from app.errors import SearchUnavailable
from app.models.outbox import OutboxEntry
from app.models.types import utcnow
from app.search.documents import ID, OFFER_ID, REV, offer_documents
from app.search.index_admin import (
    IndexingFailed,
    add_documents,
    call,
    create_index_with_settings,
    wait,
)
from app.search.state import REBUILD_TARGET, get_state, new_search_generation
from app.services import changes, outbox
from indexer.locks import index_guard, lock_offers
from indexer.sources import load_sources, twins_of
from indexer.sweep import DailySnapshot, sweep_if_due

log = logging.getLogger("bildungsraum.indexer")

FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 30.0
# How often a backing-off indexer asks whether the database and Meilisearch are back.
PROBE_S = 0.5
HEARTBEAT_S = 5.0


@dataclass
class IndexWriter:
    """Writes the documents of some offers to one or more indexes and waits for success."""

    client: meilisearch.Client

    def write(
        self, session: Session, offer_ids: list[int], targets: list[str], today: date
    ) -> None:
        sources = load_sources(session, offer_ids, today=today)
        rev = secrets.token_hex(8)
        docs = [
            doc
            for oid in offer_ids
            if oid in sources
            for doc in offer_documents(sources[oid], today=today, rev=rev)
        ]
        # Replace first, then drop what the offers no longer have: searches never see a gap.
        # Each task costs Meilisearch a fixed ~1 s on a large index, so the delete is only
        # enqueued when a cheap read finds stale documents (a moved place, an archived offer).
        stale = f'{OFFER_ID} IN [{", ".join(str(i) for i in offer_ids)}] AND {REV} != "{rev}"'
        for uid in targets:
            if docs:
                wait(self.client, add_documents(self.client.index(uid), docs))
        for uid in targets:
            index = self.client.index(uid)
            leftovers = call(index.get_documents, {"filter": stale, "limit": 1, "fields": [ID]})
            if leftovers.total:
                wait(self.client, call(index.delete_documents, filter=stale))


@dataclass
class Indexer:
    engine: Engine
    client: meilisearch.Client
    index_uid: str
    batch_size: int = 2000
    max_attempts: int = 5
    today: Callable[[], date] = date.today
    heartbeat: Path | None = None
    writer: IndexWriter = field(init=False)
    prepared: bool = field(default=False, init=False)
    _last_beat: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self.writer = IndexWriter(self.client)

    def prepare(self) -> None:
        """Apply the index settings once per process (and again after Meilisearch returns)."""
        if not self.prepared:
            create_index_with_settings(self.client, self.index_uid)
            with Session(self.engine) as session:
                new_search_generation(session)  # the settings may have changed answers
                session.commit()
            self.prepared = True

    def drain_once(self) -> int:
        """Process one batch; return how many outbox rows it settled (0 when idle)."""
        with (
            Session(self.engine, expire_on_commit=False) as session,
            index_guard(session, exclusive=False),
        ):
            query = (
                select(OutboxEntry)
                .where(col(OutboxEntry.parked_at).is_(None))
                .order_by(col(OutboxEntry.id))
                .limit(self.batch_size)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(session.exec(query))
            if not rows:
                session.rollback()
                return 0
            offer_ids = sorted({r.offer_id for r in rows})
            lock_offers(session, offer_ids)
            targets = [self.index_uid]
            rebuild = get_state(session, REBUILD_TARGET)
            if rebuild:
                targets.append(rebuild)
            try:
                self.writer.write(session, offer_ids, targets, self.today())
                settled = rows
            except IndexingFailed as exc:
                log.warning("batch refused (%s); retrying its offers one by one", exc)
                settled = self._one_by_one(session, rows, targets)
            ids = [r.id for r in settled]
            if ids:
                session.execute(delete(OutboxEntry).where(col(OutboxEntry.id).in_(ids)))
            # The feed says what became searchable, in the transaction that settles it.
            changes.record_changes(
                session=session, offer_ids={r.offer_id for r in settled}, today=self.today()
            )
            # An offer an admin marked as the same as a canonical one is hidden only while the
            # canonical one can be found: when that changes, so must the twin's document.
            twins = twins_of(session, {r.offer_id for r in settled}) - set(offer_ids)
            outbox.enqueue(session=session, offer_ids=sorted(twins))
            # Even a refused batch may have changed the index before the refusal.
            new_search_generation(session)
            session.commit()
            return len(rows)

    def _one_by_one(
        self, session: Session, rows: list[OutboxEntry], targets: list[str]
    ) -> list[OutboxEntry]:
        settled: list[OutboxEntry] = []
        by_offer: dict[int, list[OutboxEntry]] = {}
        for row in rows:
            by_offer.setdefault(row.offer_id, []).append(row)
        for offer_id, offer_rows in by_offer.items():
            try:
                self.writer.write(session, [offer_id], targets, self.today())
                settled.extend(offer_rows)
            except IndexingFailed as exc:
                for row in offer_rows:
                    row.attempts += 1
                    row.last_error = str(exc)[:2000]
                    if row.attempts >= self.max_attempts:
                        # Parked: kept for `indexer --failed`, no longer blocks the queue.
                        row.parked_at = utcnow()
                        log.error(
                            "offer %s parked after %s attempts: %s", offer_id, row.attempts, exc
                        )
                    session.add(row)
        session.flush()
        return settled

    def drain(self) -> int:
        """Process batches until the outbox is empty (parked rows aside)."""
        total = 0
        while done := self.drain_once():
            total += done
        return total

    def run_forever(self, stop: threading.Event, poll_s: float = 0.05) -> None:
        """The indexer process: drain, back off while Meilisearch or the database is away,
        sweep daily. While backing off it probes both every PROBE_S and resumes as soon as
        they answer: the backoff spares the logs, not the time to recover."""
        backoff = FIRST_BACKOFF_S
        daily_snapshot = DailySnapshot(self.engine)
        while not stop.is_set():
            self.beat()
            try:
                self.prepare()
                sweep_if_due(self.engine, self.today())
                done = self.drain_once()
                backoff = FIRST_BACKOFF_S
            except SearchUnavailable as exc:
                self.prepared = False
                log.warning("Meilisearch unreachable (%s); retrying within %.1f s", exc, backoff)
                self._wait_for_recovery(stop, backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            except Exception:  # a database hiccup must not end the process
                log.exception("indexing batch failed; retrying within %.1f s", backoff)
                self._wait_for_recovery(stop, backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            if not done:
                daily_snapshot.start_if_due(self.today())
                stop.wait(poll_s)

    def _wait_for_recovery(self, stop: threading.Event, backoff_s: float) -> None:
        deadline = time.monotonic() + backoff_s
        while not stop.wait(min(PROBE_S, max(0.0, deadline - time.monotonic()))):
            self.beat()
            if time.monotonic() >= deadline or self.dependencies_answer():
                return

    def beat(self) -> None:
        """Touch the heartbeat file (at most every HEARTBEAT_S): the loop is alive."""
        now = time.monotonic()
        if self.heartbeat is not None and now - self._last_beat >= HEARTBEAT_S:
            self.heartbeat.touch()
            self._last_beat = now

    def dependencies_answer(self) -> bool:
        """A cheap probe: the database answers a query and Meilisearch its health check."""
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
            return bool(
                httpx.get(f"{self.client.config.url}/health", timeout=PROBE_S).status_code == 200
            )
        except Exception:
            return False


def failed_entries(engine: Engine) -> list[OutboxEntry]:
    """Parked outbox rows, oldest first."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(OutboxEntry)
                .where(col(OutboxEntry.parked_at).is_not(None))
                .order_by(col(OutboxEntry.id))
            )
        )


def retry_failed(engine: Engine) -> int:
    """Put parked rows back in the queue."""
    with Session(engine) as session:
        rows = list(
            session.exec(select(OutboxEntry).where(col(OutboxEntry.parked_at).is_not(None)))
        )
        for row in rows:
            row.parked_at = None
            row.attempts = 0
            session.add(row)
        session.commit()
        return len(rows)


def wait_until_ready(client: meilisearch.Client, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if client.is_healthy():
            return
        time.sleep(0.2)
    raise SearchUnavailable("Meilisearch did not become healthy")
