"""dates within the calendar kept: dates stored before input was held to 1900-01-01 ..
2199-12-31 (year 1 or 9999, typing and export mistakes) are moved to those bounds, so that an
offer holding one can be read, edited and reviewed again (its content is checked by the same
rules as input)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 06:45:00
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST, LAST = date(1900, 1, 1), date(2199, 12, 31)
_DAY_FIELDS = ("start_date", "end_date", "registration_deadline", "visible_from", "visible_until")


def _clamped(value: date) -> date:
    return min(max(value, FIRST), LAST)


def _clamped_text(value: Any) -> Any:
    """An ISO day in JSON, moved within the bounds; anything else as it was."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return _clamped(date.fromisoformat(value)).isoformat()
        except ValueError:
            return value
    return value


def _clamped_json(content: Any) -> Any:
    """Every day of a stored offer's JSON (a revision, a date's sessions), within the bounds."""
    if isinstance(content, list):
        return [_clamped_json(item) for item in content]
    if isinstance(content, dict):
        return {
            key: _clamped_text(value) if key in (*_DAY_FIELDS, "date") else _clamped_json(value)
            for key, value in content.items()
        }
    return content


def _clamp_columns(table: sa.TableClause, names: Sequence[str]) -> None:
    bind = op.get_bind()
    for name in names:
        column = table.c[name]
        bind.execute(table.update().where(column < FIRST).values({name: FIRST}))
        bind.execute(table.update().where(column > LAST).values({name: LAST}))


def _clamp_json(table: sa.TableClause, name: str) -> None:
    bind = op.get_bind()
    column = table.c[name]
    for row_id, content in bind.execute(sa.select(table.c.id, column).where(column.is_not(None))):
        clamped = _clamped_json(content)
        if clamped != content:
            bind.execute(table.update().where(table.c.id == row_id).values({name: clamped}))


def upgrade() -> None:
    offer_date = sa.table(
        "offer_date",
        sa.column("id", sa.Integer),
        sa.column("start_date", sa.Date),
        sa.column("end_date", sa.Date),
        sa.column("registration_deadline", sa.Date),
        sa.column("sessions", sa.JSON),
    )
    offer = sa.table(
        "offer",
        sa.column("id", sa.Integer),
        sa.column("visible_from", sa.Date),
        sa.column("visible_until", sa.Date),
        sa.column("pending_revision", sa.JSON),
    )
    organisation = sa.table(
        "organisation", sa.column("id", sa.Integer), sa.column("azav_valid_until", sa.Date)
    )
    _clamp_columns(offer_date, ("start_date", "end_date", "registration_deadline"))
    _clamp_columns(offer, ("visible_from", "visible_until"))
    _clamp_columns(organisation, ("azav_valid_until",))
    _clamp_json(offer_date, "sessions")
    _clamp_json(offer, "pending_revision")


def downgrade() -> None:
    pass  # the original mistakes are not brought back
