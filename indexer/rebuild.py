"""Full rebuild into `<index>_new`, then an atomic swap; and the database/index comparison."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import meilisearch
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.codelists import OfferStatus
from app.models.offer import Offer
from app.models.outbox import OutboxEntry
from app.search.documents import OFFER_ID, PRIMARY, is_searchable, offer_documents
from app.search.index_admin import (
    add_documents,
    call,
    create_index_with_settings,
    delete_index_if_exists,
    index_exists,
    wait,
)
from app.search.state import REBUILD_TARGET, new_search_generation, set_state
from indexer.locks import index_guard
from indexer.sources import load_sources

Progress = Callable[[int, int], None]


@dataclass
class RebuildStats:
    offers: int
    documents: int


def rebuild_index(
    *,
    engine: Engine,
    client: meilisearch.Client,
    index_uid: str,
    today: date,
    chunk_size: int = 2_000,
    progress: Progress | None = None,
) -> RebuildStats:
    """Build a fresh index beside the live one and swap it in; searches answer throughout.

    While it runs, the indexer writes every change to both indexes. Each chunk is read and
    enqueued under the exclusive guard, so a change either lands in the chunk or is
    enqueued after it: Meilisearch applies tasks in order, and nothing is lost.
    """
    new_uid = f"{index_uid}_new"
    with Session(engine) as session, index_guard(session, exclusive=True):
        set_state(session, REBUILD_TARGET, None)  # a crashed rebuild may have left it
        session.commit()
    delete_index_if_exists(client, new_uid)
    create_index_with_settings(client, new_uid)
    if not index_exists(client, index_uid):
        create_index_with_settings(client, index_uid)
    with Session(engine) as session, index_guard(session, exclusive=True):
        set_state(session, REBUILD_TARGET, new_uid)
        session.commit()
    with Session(engine) as session:
        all_ids = list(
            session.exec(
                select(Offer.id)
                .where(Offer.status == OfferStatus.published)
                .order_by(col(Offer.id))
            )
        )
    offer_ids = [i for i in all_ids if i is not None]
    tasks = []
    documents = 0
    index = client.index(new_uid)
    for start in range(0, len(offer_ids), chunk_size):
        chunk = offer_ids[start : start + chunk_size]
        with Session(engine) as session, index_guard(session, exclusive=True):
            sources = load_sources(session, chunk)
            docs = [
                d
                for oid in chunk
                if oid in sources
                for d in offer_documents(sources[oid], today=today, rev="rebuild")
            ]
            if docs:
                tasks.append(add_documents(index, docs))
            session.rollback()
        documents += len(docs)
        if progress:
            progress(min(start + chunk_size, len(offer_ids)), len(offer_ids))
    for task in tasks:
        wait(client, task)
    with Session(engine) as session, index_guard(session, exclusive=True):
        wait(client, call(client.swap_indexes, [{"indexes": [index_uid, new_uid]}]))
        set_state(session, REBUILD_TARGET, None)
        new_search_generation(session)
        session.commit()
    delete_index_if_exists(client, new_uid)
    return RebuildStats(offers=len(offer_ids), documents=documents)


@dataclass
class IndexCheck:
    in_database: int
    in_index: int
    missing: list[int]
    unexpected: list[int]
    pending: int

    @property
    def clean(self) -> bool:
        return not self.missing and not self.unexpected


def check_index(
    *, engine: Engine, client: meilisearch.Client, index_uid: str, today: date
) -> IndexCheck:
    """Compare which offers the database says are searchable with what the index holds."""
    expected: set[int] = set()
    with Session(engine) as session:
        ids = [
            i
            for i in session.exec(select(Offer.id).where(Offer.status == OfferStatus.published))
            if i is not None
        ]
        for start in range(0, len(ids), 2_000):
            sources = load_sources(session, ids[start : start + 2_000])
            expected |= {oid for oid, src in sources.items() if is_searchable(src, today)}
        # Parked rows will not be applied by themselves, so they count as drift.
        queued = select(OutboxEntry.offer_id).where(col(OutboxEntry.parked_at).is_(None))
        pending_ids = set(session.exec(queued))
        pending = session.exec(select(func.count()).select_from(queued.subquery())).one()
    indexed: set[int] = set()
    index = client.index(index_uid)
    offset = 0
    while True:
        page = call(
            index.get_documents,
            {
                "filter": f"{PRIMARY} = true",
                "fields": [OFFER_ID],
                "limit": 10_000,
                "offset": offset,
            },
        )
        indexed |= {int(getattr(d, OFFER_ID)) for d in page.results}
        offset += len(page.results)
        if offset >= page.total or not page.results:
            break
    return IndexCheck(
        in_database=len(expected),
        in_index=len(indexed),
        missing=sorted(expected - indexed - pending_ids),
        unexpected=sorted(indexed - expected - pending_ids),
        pending=int(pending),
    )
