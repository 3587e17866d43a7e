"""Writes outbox rows: the indexer's only source of what changed."""

from collections.abc import Iterable

from sqlmodel import Session

from app.models.outbox import OutboxEntry


def enqueue(*, session: Session, offer_ids: Iterable[int]) -> None:
    """Queue offers for (re)indexing in the same transaction as the change."""
    for offer_id in dict.fromkeys(offer_ids):
        session.add(OutboxEntry(offer_id=offer_id))
