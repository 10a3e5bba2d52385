"""Async engine and session factory for SQLite (default) and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession  # re-export

BUSY_TIMEOUT_MS = 10_000
# Execution options for a unit of work that only reads: on SQLite it then begins DEFERRED and
# does not queue for the write lock (ignored elsewhere).
READ_ONLY = {"sqlite_begin": "DEFERRED"}


def is_sqlite(url: str) -> bool:
    """Tell whether a database URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False, foreign_keys: bool = True) -> AsyncEngine:
    """Create the engine; SQLite gets WAL, a busy timeout, foreign keys and real transactions.

    Migrations turn SQLite's foreign keys off: batch mode copies a table and drops the old
    one, and with them on, that drop would cascade and delete every row that points at it.
    """
    if is_sqlite(url):
        engine = create_async_engine(
            url,
            echo=echo,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(
            engine.sync_engine,
            "connect",
            _sqlite_connect if foreign_keys else _sqlite_connect_for_migrations,
        )
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's recipe for pysqlite/aiosqlite: the driver's legacy mode would begin a
    # transaction only at the first write, so a service's reads (and the tick's) ran outside
    # it and a concurrent change could be overwritten with what was read before it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_connect_for_migrations(dbapi_connection: Any, record: Any) -> None:
    _sqlite_connect(dbapi_connection, record)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # IMMEDIATE, not the recipe's plain BEGIN: a deferred transaction that read and then writes
    # after another connection committed fails at once with "database is locked" (the busy
    # timeout does not apply), and almost every unit of work reads before it writes. Taking
    # the write lock up front makes transactions queue on the busy timeout instead. A unit of
    # work that never writes may ask for DEFERRED (READ_ONLY) and read alongside a writer.
    mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    conn.exec_driver_sql("BEGIN DEFERRED" if mode == "DEFERRED" else "BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return the session factory the unit of work opens sessions from."""
    return async_sessionmaker(engine, expire_on_commit=False)
