"""Writes audit entries and reads them back."""

from typing import Any

from sqlmodel import Session, col, select

from app.models.audit import AuditEntry
from app.services.auth import Actor


def record(
    *,
    session: Session,
    actor: Actor,
    entity: str,
    entity_id: int,
    action: str,
    fields: list[str] | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit entry in the caller's transaction."""
    session.add(
        AuditEntry(
            actor=actor.label,
            actor_key_id=actor.key_id,
            entity=entity,
            entity_id=entity_id,
            action=action,
            fields=sorted(fields or []),
            detail=detail or {},
        )
    )


def history(*, session: Session, entity: str, entity_id: int) -> list[AuditEntry]:
    """Entries for one entity, oldest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(col(AuditEntry.id))
    )
    return list(session.exec(query))
