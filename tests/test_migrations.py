"""Migrations run on each backend and survive a downgrade/upgrade round trip."""

from sqlalchemy import inspect

from app import db
from app.migrations import downgrade, upgrade


def test_downgrade_upgrade_round_trip(database_url: str) -> None:
    engine = db.get_engine()
    before = set(inspect(engine).get_table_names())
    assert {"offer", "offer_date", "organisation", "api_key", "outbox", "audit_entry"} <= before
    downgrade(database_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(database_url)
    assert set(inspect(engine).get_table_names()) == before
