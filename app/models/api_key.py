"""API keys: only a hash is stored; the key itself is shown once when created."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.models.types import DbId, InputModel, UTCDateTime, utcnow

PortalSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")]


class Role(StrEnum):
    admin = "admin"
    provider = "provider"
    # reads the monitoring figures of named portals, nothing else
    analyst = "analyst"
    # runs named portals for a region: manages their webhooks, nothing else
    operator = "operator"


# Keys bound to portals (the analyst_portal table binds both).
PORTAL_ROLES = frozenset({Role.analyst, Role.operator})


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = SQLField(default=None, primary_key=True)
    # The public prefix finds the row; the secret part is compared by its hash.
    prefix: str = SQLField(max_length=16, unique=True)
    key_hash: str = SQLField(max_length=64)
    role: str = SQLField(max_length=16)
    organisation_id: int | None = SQLField(
        default=None, sa_column=Column(Integer, ForeignKey("organisation.id"), index=True)
    )
    name: str | None = SQLField(default=None, max_length=200)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    # A key for a project or a contractor can end by itself; None = until revoked.
    expires_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)


class ApiKeyIn(InputModel):
    role: Role
    organisation_id: DbId | None = None
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    # The portals (slugs) an analyst key may read the figures of, or an operator key runs.
    portals: list[PortalSlug] = Field(default_factory=list, max_length=200)
    expires_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _org_matches_role(self) -> "ApiKeyIn":
        if self.role == Role.provider and self.organisation_id is None:
            raise ValueError("a provider key needs organisation_id")
        if self.role != Role.provider and self.organisation_id is not None:
            raise ValueError(f"an {self.role.value} key is not bound to an organisation")
        if self.role in PORTAL_ROLES and not self.portals:
            raise ValueError(f"an {self.role.value} key needs portals: the slugs it is for")
        if self.role not in PORTAL_ROLES and self.portals:
            raise ValueError("only analyst and operator keys are bound to portals")
        if self.expires_at is not None and self.expires_at <= utcnow():
            raise ValueError("expires_at lies in the past")
        return self


class ApiKeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    prefix: str
    role: str
    organisation_id: int | None
    name: str | None
    created_at: datetime
    revoked_at: datetime | None
    expires_at: datetime | None
    portals: list[str] = []


class ApiKeyCreated(ApiKeyPublic):
    key: str
