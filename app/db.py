"""Engine and session factory; SQLite gets foreign keys and WAL so it behaves like a server.
Every wait on the database is bounded (connect, pool, statement, lock), so that a database
that is down or hangs costs a request a few seconds and a 503, never a hang."""

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import orjson
from sqlalchemy import Connection, Engine, MetaData, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, SQLModel, create_engine

from app.config import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


@dataclass(frozen=True)
class DatabaseTimeouts:
    connect_s: float = 2.0
    pool_s: float = 3.0
    statement_s: float = 4.0
    # A pooled connection is checked with a ping before use; a hung one fails it this fast.
    ping_s: float = 1.0

    @classmethod
    def from_settings(cls) -> "DatabaseTimeouts":
        settings = get_settings()
        return cls(
            connect_s=settings.db_connect_timeout_s,
            pool_s=settings.db_pool_timeout_s,
            statement_s=settings.db_statement_timeout_s,
        )


def build_engine(url: str, timeouts: DatabaseTimeouts | None = None) -> Engine:
    timeouts = timeouts or DatabaseTimeouts.from_settings()
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite:
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # `timeout`: how long a writer waits for SQLite's lock before "database is locked".
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": timeouts.statement_s}
    else:
        kwargs["connect_args"] = {
            "connect_timeout": max(1, round(timeouts.connect_s)),
            "options": f"-c statement_timeout={int(timeouts.statement_s * 1000)}",
        }
    # orjson reads the JSON columns ~4× faster than the standard library; the indexer and
    # the rebuild read three of them for every offer.
    engine = create_engine(
        url, json_deserializer=orjson.loads, pool_timeout=timeouts.pool_s, **kwargs
    )
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        # Imported for PostgreSQL only: psycopg and its libpq add ~20 MB to every process.
        from app.db_postgres import bound_postgres_waits

        bound_postgres_waits(engine, timeouts.statement_s + 0.5, ping_s=timeouts.ping_s)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@lru_cache
def get_engine() -> Engine:
    return build_engine(get_settings().sqlalchemy_url)


def catalogue_problem(url: str) -> str | None:
    """Why there is no catalogue to work on at `url`, in words for the operator; None when
    there is one whose schema is up to date. Creates nothing: no file, no folder."""
    from app.migrations import head_revision

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if not path or path == ":memory:":
            return None
        where, setting = str(Path(path).resolve()), "DATA_DIR"
        if not Path(path).is_file():
            return f"no catalogue found at {where}; run `bildungsraum migrate` or set {setting}"
        # Read-only: opening a file for writing would leave a journal or a new database.
        with closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)) as conn:
            try:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.DatabaseError:
                row = None
    else:
        where, setting = parsed.render_as_string(hide_password=True), "DATABASE_URL"
        engine = build_engine(url)
        try:
            with engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    row = None
                else:
                    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        finally:
            engine.dispose()
    if row is None:
        return f"no catalogue found at {where}; run `bildungsraum migrate` or set {setting}"
    if row[0] != head_revision():
        return (
            f"the catalogue at {where} has schema {row[0]} and this version needs "
            f"{head_revision()}: run `bildungsraum migrate`"
        )
    return None


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def database_now(connection: Connection) -> datetime:
    """The database server's clock (UTC). Leases that several hosts take and test are timed
    by it, so a host whose clock runs ahead cannot take a lease that has not yet expired."""
    if connection.dialect.name == "postgresql":
        now = connection.execute(text("SELECT clock_timestamp()")).scalar_one()
        return cast(datetime, now).astimezone(UTC)
    # SQLite is a file on this host: its clock is the host's, read the same way for both.
    stamp = connection.execute(text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")).scalar_one()
    return datetime.fromisoformat(str(stamp)).replace(tzinfo=UTC)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def savepoint(session: Session) -> SessionTransaction:
    """`session.begin_nested()` that stays inside the session's transaction on SQLite too.

    pysqlite opens its transaction only before the first INSERT, UPDATE or DELETE: a SAVEPOINT
    issued before any write starts a transaction of its own, and releasing it commits — the
    request's "one transaction" would be committed halfway. So the transaction is opened first.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not cast(sqlite3.Connection, raw).in_transaction:
            connection.exec_driver_sql("BEGIN")
    return session.begin_nested()
