"""Small key/value state the indexer keeps in the database (rebuild target, last sweep,
search generation)."""

import secrets

from sqlalchemy import update
from sqlmodel import Session, col

from app.models.index_state import IndexerState

REBUILD_TARGET = "rebuild_target"
LAST_SWEEP = "last_sweep"
# Changes whenever the index changed (written once Meilisearch confirmed the change); the
# API's search cache keeps an answer only while this value stays the same.
SEARCH_GENERATION = "search_generation"


def get_state(session: Session, key: str) -> str | None:
    row = session.get(IndexerState, key)
    return None if row is None else row.value


def set_state(session: Session, key: str, value: str | None) -> None:
    row = session.get(IndexerState, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(IndexerState(key=key, value=value))
    else:
        row.value = value
        session.add(row)
    session.flush()


def new_search_generation(session: Session) -> None:
    """Tell the API's search caches that the index changed (flushed with the caller's work).

    An UPDATE of the row migration 0003 created: concurrent workers wait for each other's
    row lock instead of racing to insert it."""
    moved = session.execute(
        update(IndexerState)
        .where(col(IndexerState.key) == SEARCH_GENERATION)
        .values(value=secrets.token_hex(8))
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        set_state(session, SEARCH_GENERATION, secrets.token_hex(8))
