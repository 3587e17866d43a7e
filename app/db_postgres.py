"""The PostgreSQL side of app.db: every wait on the server bounded by a client deadline.
Imported only when the database is PostgreSQL (psycopg and its libpq add ~20 MB to a
process that serves SQLite)."""

import time
from typing import Any

import psycopg
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection


class DeadlineConnection(psycopg.Connection[Any]):
    """A psycopg connection whose every wait on the server (statement, fetch, commit, ping)
    ends after `deadline_s`. PostgreSQL's statement_timeout cannot help when the server or
    the network hangs: the server never sees the query, and psycopg would wait forever. On
    the deadline the connection is closed, so the pool discards it."""

    deadline_s: float | None = None

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        deadline = timeout if timeout is not None else self.deadline_s
        started = time.monotonic()
        try:
            return super().wait(gen, interval=interval, timeout=deadline)
        except psycopg.OperationalError:
            if deadline is None or time.monotonic() - started < deadline:
                raise
            self.close()
            raise psycopg.OperationalError(
                f"the database did not answer within {deadline:g} s"
            ) from None


def bound_postgres_waits(engine: Engine, deadline: float, *, ping_s: float) -> None:
    """Connections with a client `deadline` on every wait; a pooled connection is pinged
    before use with `ping_s` instead. The server cancels a slow statement itself
    (statement_timeout, set by app.db); the client deadline is a little longer and catches a
    server or network that hangs."""

    def connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> DeadlineConnection:
        connection = DeadlineConnection.connect(*cargs, **cparams)
        connection.deadline_s = deadline
        return connection

    def ping(
        dbapi_connection: Any, _record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        # SQLAlchemy's pool_pre_ping would wait the whole statement deadline on a hung
        # server; this ping gives up sooner, and the pool then tries a new connection.
        dbapi_connection.deadline_s = ping_s
        try:
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.rollback()  # hand the connection on outside a transaction
        except psycopg.Error as exc:
            raise DisconnectionError(str(exc)) from exc
        finally:
            dbapi_connection.deadline_s = deadline

    event.listen(engine, "do_connect", connect)
    event.listen(engine, "checkout", ping)
