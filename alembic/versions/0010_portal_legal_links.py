"""portal legal links: Impressum, Datenschutz, Gebärdensprache and the accessibility contact

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("imprint_url", 500),
    ("privacy_url", 500),
    ("sign_language_url", 500),
    ("accessibility_email", 200),
    ("accessibility_phone", 50),
)


def upgrade() -> None:
    with op.batch_alter_table("portal", schema=None) as batch_op:
        for name, length in _COLUMNS:
            batch_op.add_column(
                sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True)
            )


def downgrade() -> None:
    with op.batch_alter_table("portal", schema=None) as batch_op:
        for name, _ in reversed(_COLUMNS):
            batch_op.drop_column(name)
