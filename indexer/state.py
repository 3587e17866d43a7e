"""Small key/value state the indexer keeps in the database (rebuild target, last sweep)."""

from sqlmodel import Session

from app.models.outbox import IndexerState

REBUILD_TARGET = "rebuild_target"
LAST_SWEEP = "last_sweep"


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
