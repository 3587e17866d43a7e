"""Audit log: who changed what, when, and which fields."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, Column
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.models.types import UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = SQLField(default=None, primary_key=True)
    at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = SQLField(max_length=100)
    actor_key_id: int | None = None
    entity: str = SQLField(max_length=30)
    entity_id: int = SQLField(index=True)
    action: str = SQLField(max_length=30)
    fields: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    detail: dict[str, Any] = SQLField(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AuditEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    entity: str
    entity_id: int
    action: str
    fields: list[str]
    detail: dict[str, Any]
