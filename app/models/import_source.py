"""Import sources: a URL an organisation's catalogue is pulled from on a schedule, and its API
schemas."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from sqlalchemy import JSON, Column, ForeignKey, Integer, Text
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.models.types import InputModel, UTCDateTime, utcnow

MIN_INTERVAL_MINUTES = 5
MAX_INTERVAL_MINUTES = 7 * 24 * 60


class SourceFormat(StrEnum):
    openqcat = "openqcat"
    # Open-vhs XML 1.2 or the Berlin JSON dialect, told apart by the content.
    openvhs = "openvhs"


class SourceStatus(StrEnum):
    imported = "imported"
    # 304: the server says the file did not change.
    not_modified = "not_modified"
    # 200 with the same bytes as the last imported file: not parsed again.
    unchanged = "unchanged"
    # The file was fetched but could not be read (malformed, wrong format): nothing imported.
    rejected = "rejected"
    # The fetch failed (refused address, HTTP error, timeout, too large): nothing imported.
    failed = "failed"


class ImportSource(SQLModel, table=True):
    __tablename__ = "import_source"

    id: int | None = SQLField(default=None, primary_key=True)
    organisation_id: int = SQLField(
        sa_column=Column(Integer, ForeignKey("organisation.id"), nullable=False, index=True)
    )
    url: str = SQLField(max_length=2000)
    format: str | None = SQLField(default=None, max_length=20)
    interval_minutes: int = 60
    enabled: bool = True
    next_run_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # Set while a scheduler (or `source run`) pulls the source, so two never pull it at once.
    lease_until: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    etag: str | None = SQLField(default=None, max_length=500)
    last_modified: str | None = SQLField(default=None, max_length=100)
    content_sha256: str | None = SQLField(default=None, max_length=64)
    consecutive_failures: int = 0
    last_run_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    last_success_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    last_status: str | None = SQLField(default=None, max_length=20)
    last_error: str | None = SQLField(default=None, sa_column=Column(Text))
    last_report: dict[str, Any] | None = SQLField(default=None, sa_column=Column(JSON))
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


SourceUrl = Annotated[HttpUrl, Field(max_length=2000)]
Interval = Annotated[int, Field(ge=MIN_INTERVAL_MINUTES, le=MAX_INTERVAL_MINUTES)]


class SourceIn(InputModel):
    organisation_id: int = Field(ge=1, le=2**31 - 1)
    url: SourceUrl
    format: SourceFormat | None = Field(
        default=None, description="openqcat or openvhs; empty: detected from the file"
    )
    interval_minutes: Interval = 60
    enabled: bool = True


class SourcePatch(InputModel):
    not_null = frozenset({"url"})

    url: SourceUrl | None = None
    format: SourceFormat | None = None
    interval_minutes: Interval | None = None
    enabled: bool | None = None


class SourcePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    url: str
    format: str | None
    interval_minutes: int
    enabled: bool
    next_run_at: datetime
    running: bool = False
    consecutive_failures: int
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_status: str | None
    last_error: str | None
    last_report: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
