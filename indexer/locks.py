"""Locks that keep the index in commit order when several writers feed it.

Meilisearch applies tasks in the order they were enqueued. Whoever reads an offer and
enqueues its document therefore holds a lock over both steps: workers per offer (two
workers never race on one offer), and the rebuild exclusively against all workers.
"""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from app.config import get_settings

_GUARD_KEY = 727_001  # advisory lock id of the index guard
_OFFER_NAMESPACE = 727_002


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@contextmanager
def index_guard(session: Session, *, exclusive: bool) -> Iterator[None]:
    """Shared for indexing batches, exclusive for the rebuild's reads and the swap."""
    if _is_postgres(session):
        fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        session.execute(text(f"SELECT {fn}(:k)"), {"k": _GUARD_KEY})
        yield  # released when the transaction ends
        return
    # SQLite runs one worker; a file lock still orders it against a rebuild in another process.
    path = Path(get_settings().data_dir) / ".index.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lock_offers(session: Session, offer_ids: list[int]) -> None:
    """Per-offer locks until commit, taken in id order so workers cannot deadlock."""
    if not _is_postgres(session):
        return
    # One round trip: the ordered subquery makes the locks come in id order.
    session.execute(
        text(
            "SELECT pg_advisory_xact_lock(:ns, id) FROM "
            "(SELECT unnest(CAST(:ids AS integer[])) AS id ORDER BY 1) AS ordered"
        ),
        {"ns": _OFFER_NAMESPACE, "ids": sorted(set(offer_ids))},
    )
