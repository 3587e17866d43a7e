"""Small key/value state kept in the database: the rebuild target and last sweep (indexer),
and the generations that tell each API process's caches when to forget."""

import secrets
from typing import NamedTuple

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.db import savepoint
from app.models.index_state import IndexerState

REBUILD_TARGET = "rebuild_target"
LAST_SWEEP = "last_sweep"
# Changes whenever the index changed (written once Meilisearch confirmed the change); the
# API's search cache keeps an answer only while this value stays the same.
SEARCH_GENERATION = "search_generation"
# Changes whenever a portal's configuration or contacts changed (written in the same
# transaction): the API's portal directory and its search answers depend on them.
PORTAL_GENERATION = "portal_generation"


class Generations(NamedTuple):
    search: str | None
    portals: str | None


def get_generations(session: Session) -> Generations:
    """Both generations in one query."""
    rows = dict(
        session.exec(
            select(IndexerState.key, IndexerState.value).where(
                col(IndexerState.key).in_((SEARCH_GENERATION, PORTAL_GENERATION))
            )
        ).all()
    )
    return Generations(rows.get(SEARCH_GENERATION), rows.get(PORTAL_GENERATION))


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
    """Tell the API's search caches that the index changed (flushed with the caller's work)."""
    _move_generation(session, SEARCH_GENERATION)


def new_portal_generation(session: Session) -> None:
    """Tell the API's portal directories that a portal changed (flushed with the change)."""
    _move_generation(session, PORTAL_GENERATION)


def _move_generation(session: Session, key: str) -> None:
    """An UPDATE of an existing row (migration 0003 created the search generation's):
    concurrent writers wait for each other's row lock instead of racing to insert it."""
    value = secrets.token_hex(8)
    moved = session.execute(
        update(IndexerState).where(col(IndexerState.key) == key).values(value=value)
    )
    if moved.rowcount:  # type: ignore[attr-defined]  # CursorResult of an UPDATE
        return
    try:
        with savepoint(session):  # the first write ever may race another first write
            session.add(IndexerState(key=key, value=value))
    except IntegrityError:
        session.execute(
            update(IndexerState).where(col(IndexerState.key) == key).values(value=value)
        )
