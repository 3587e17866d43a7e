"""Organisations (providers, VHS, chambers, job centres, agencies) and their API schemas."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, HttpUrl, StringConstraints
from sqlalchemy import JSON, Column
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.codelists import OrganisationKind
from app.models.types import Day, InputModel, UTCDateTime, utcnow

Postcode = Annotated[str, StringConstraints(pattern=r"^\d{5}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"

    id: int | None = SQLField(default=None, primary_key=True)
    name: str = SQLField(max_length=200, index=True)
    kind: str = SQLField(max_length=32, index=True)
    street: str | None = SQLField(default=None, max_length=200)
    postcode: str | None = SQLField(default=None, max_length=5)
    city: str | None = SQLField(default=None, max_length=100)
    website: str | None = SQLField(default=None, max_length=500)
    email: str | None = SQLField(default=None, max_length=200)
    phone: str | None = SQLField(default=None, max_length=50)
    contact_person: str | None = SQLField(default=None, max_length=200)
    azav_approved: bool = SQLField(default=False)
    azav_certifier: str | None = SQLField(default=None, max_length=200)
    azav_valid_until: date | None = None
    certificates: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    trusted: bool = SQLField(default=False)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


class OrganisationIn(InputModel):
    name: ShortText
    kind: OrganisationKind
    street: ShortText | None = None
    postcode: Postcode | None = None
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    website: HttpUrl | None = None
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(max_length=50)] | None = None
    contact_person: ShortText | None = None
    azav_approved: bool = False
    azav_certifier: ShortText | None = None
    azav_valid_until: Day | None = None
    certificates: list[ShortText] = Field(default_factory=list, max_length=20)
    trusted: bool = False


class OrganisationPatch(InputModel):
    not_null = frozenset({"name", "kind", "azav_approved", "certificates", "trusted"})

    name: ShortText | None = None
    kind: OrganisationKind | None = None
    street: ShortText | None = None
    postcode: Postcode | None = None
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    website: HttpUrl | None = None
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(max_length=50)] | None = None
    contact_person: ShortText | None = None
    azav_approved: bool | None = None
    azav_certifier: ShortText | None = None
    azav_valid_until: Day | None = None
    certificates: list[ShortText] | None = Field(default=None, max_length=20)
    trusted: bool | None = None


class OrganisationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    street: str | None
    postcode: str | None
    city: str | None
    website: str | None
    email: str | None
    phone: str | None
    contact_person: str | None
    azav_approved: bool
    azav_certifier: str | None
    azav_valid_until: date | None
    certificates: list[str]
    trusted: bool
    created_at: datetime
    updated_at: datetime


def organisation_values(payload: BaseModel, *, exclude_unset: bool = False) -> dict[str, Any]:
    """Plain column values from an input schema (URLs and e-mails as strings)."""
    data = payload.model_dump(mode="json", exclude_unset=exclude_unset)
    if "azav_valid_until" in data and data["azav_valid_until"] is not None:
        data["azav_valid_until"] = date.fromisoformat(data["azav_valid_until"])
    return data
