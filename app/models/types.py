"""Column types that behave the same on SQLite and PostgreSQL, and the building blocks of what
clients send (InputModel, Day, DbId)."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from sqlalchemy import JSON, DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps everywhere; SQLite forgets the zone, so we put it back."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# JSON works on both backends; lists of codes are small and read with their row.
JSONList = JSON


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- what clients send ----------------------------------------------------------------------

# Control characters other than tab and line breaks, and lone surrogates: PostgreSQL refuses
# NUL in text (a 500 before this check), neither database can store a lone surrogate, and
# none of them belongs in an offer, a name or a search.
_FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# The largest value of the INTEGER columns ids are stored in.
MAX_ID = 2**31 - 1


def forbidden_character_problem(value: Any) -> str | None:
    """Where a value (a string, or strings in lists and dicts) holds a forbidden character."""
    if isinstance(value, str):
        found = _FORBIDDEN_CHARACTERS.search(value)
        if found is None:
            return None
        return (
            f"control characters are not allowed (U+{ord(found.group()):04X} "
            f"at position {found.start()})"
        )
    if isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            if (problem := forbidden_character_problem(item)) is not None:
                return f"item {index}: {problem}"
    if isinstance(value, dict):
        for key, item in value.items():
            problem = forbidden_character_problem(key) or forbidden_character_problem(item)
            if problem is not None:
                return f"{key!r}: {problem}"
    return None


def clean_text(value: str) -> str:
    """A text value without control characters (for query and path parameters)."""
    if (problem := forbidden_character_problem(value)) is not None:
        raise ValueError(problem)
    return value


def _iso_day(value: Any) -> Any:
    # Pydantic reads 0 and "0" as 1970-01-01 (a Unix time): for an offer's dates that is
    # always a mistake, so only calendar dates are accepted.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return value
    raise ValueError("give a date as YYYY-MM-DD")


# Dates a catalogue can mean: years 1 or 9999 are typing or export mistakes, and arithmetic
# on them (a week before, a day's end as a timestamp) runs out of the calendar.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)


def _plausible_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"give a date between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")
    return value


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
Day = Annotated[date, BeforeValidator(_iso_day), AfterValidator(_plausible_day)]
CleanText = Annotated[str, AfterValidator(clean_text)]
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]


class InputModel(BaseModel):
    """A body a client sends: unknown fields are refused, and no text anywhere in it may hold
    a control character (422 naming the field). Fields named in `not_null` may be left out
    but not sent as null (for partial updates of required columns)."""

    model_config = ConfigDict(extra="forbid")
    not_null: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name in cls.not_null:
            raise ValueError(f"{info.field_name} cannot be null; leave it out to keep it")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_control_characters(cls, value: Any) -> Any:
        # Nested models checked their own fields already.
        if not isinstance(value, BaseModel) and (problem := forbidden_character_problem(value)):
            raise ValueError(problem)
        return value
