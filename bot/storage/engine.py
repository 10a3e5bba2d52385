"""Async engine and session factory for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession  # re-export
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.util import await_only

from bot.storage import sqlite_driver

BUSY_TIMEOUT_MS = 10_000
# PostgreSQL: a pooled connection unused this long is pinged before it is handed out (one
# round trip); one used more recently is trusted, and if the server went away meanwhile the
# statement fails once and SQLAlchemy recycles the whole pool.
PING_IDLE_SECONDS = 10.0
# asyncpg prepares each distinct statement once per connection; the bot has more than the
# driver's default of 100 on its hot paths and the tick together.
PREPARED_STATEMENTS = 500
POOL_SIZE = 20
# Execution options for a unit of work that only reads: on SQLite it then begins DEFERRED and
# does not queue for the write lock (ignored elsewhere).
READ_ONLY = {"sqlite_begin": "DEFERRED"}
# Execution options for one statement that reads, with no transaction around it: no BEGIN and
# no COMMIT (two trips to SQLite's thread, two round trips to PostgreSQL).
SINGLE_READ_SQLITE = {"sqlite_begin": "NONE"}
SINGLE_READ_POSTGRES = {"isolation_level": "AUTOCOMMIT"}
# Execution options for writes that go before this process's other waiting writers (SQLite).
WRITE_AHEAD = {"write_ahead": True}


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
            # aiosqlite with one trip to its thread per statement (see sqlite_driver).
            module=sqlite_driver.dbapi(),
        )
        event.listen(
            engine.sync_engine,
            "connect",
            _sqlite_connect if foreign_keys else _sqlite_connect_for_migrations,
        )
        WriteGate().attach(engine)
        return engine
    engine = create_async_engine(
        url,
        echo=echo,
        # Handlers in flight (32), the inbox writer, the tick and the sender each hold one at a
        # time; 10 + 10 ran out under a burst of webhook updates (30 s pool timeouts).
        pool_size=POOL_SIZE,
        max_overflow=POOL_SIZE,
        connect_args={"prepared_statement_cache_size": PREPARED_STATEMENTS},
    )
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    event.listen(engine.sync_engine.pool, "checkin", _note_idle_since)
    return engine


def _ping_if_idle(
    dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection
) -> None:
    # Instead of pool_pre_ping, which costs a round trip on every checkout (about a third of
    # a short unit of work's time on a local server).
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_IDLE_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as exc:
        raise DisconnectionError("a pooled connection did not answer its ping") from exc


def _note_idle_since(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["idle_since"] = time.monotonic()


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


def _info(connection: Any) -> dict[Any, Any] | None:
    """Return a pooled connection's info dict (none on the first connect's ad hoc wrapper)."""
    try:
        info: dict[Any, Any] = connection.info
    except (AttributeError, NotImplementedError):
        return None
    return info


class Turns:
    """A lock whose waiters are served in arrival order, those that go ahead first."""

    def __init__(self) -> None:
        self._held = False
        self._ahead: deque[asyncio.Future[None]] = deque()
        self._others: deque[asyncio.Future[None]] = deque()

    def locked(self) -> bool:
        return self._held

    async def acquire(self, *, ahead: bool = False) -> None:
        """Wait for the turn (before every waiter that is not ahead, if `ahead`)."""
        if not self._held and not self._ahead and not self._others:
            self._held = True
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        line = self._ahead if ahead else self._others
        line.append(turn)
        try:
            await turn
        except BaseException:
            if turn.done() and not turn.cancelled():
                self.release()  # handed the turn while being cancelled: pass it on
            else:
                line.remove(turn)
            raise

    def release(self) -> None:
        """Hand the turn to the next waiter, or free the lock."""
        for line in (self._ahead, self._others):
            while line:
                turn = line.popleft()
                if not turn.done():
                    turn.set_result(None)  # the lock stays held: it is theirs now
                    return
        self._held = False


class WriteGate:
    """SQLite's write lock, queued for in this process: writers take turns in arrival order.

    IMMEDIATE, not the recipe's plain BEGIN: a deferred transaction that read and then writes
    after another connection committed fails at once with "database is locked" (the busy
    timeout does not apply), and almost every unit of work reads before it writes. Taking the
    write lock up front makes transactions queue instead. A unit of work that never writes may
    ask for DEFERRED (READ_ONLY) and read alongside a writer.

    The queue is an asyncio lock taken before BEGIN IMMEDIATE and given back when the
    transaction ends. Without it the writers of this process wait in SQLite's busy handler,
    which sleeps and polls (1, 2, 5 ... up to 100 ms a try): under load most of a reply's time
    went to those sleeps while the lock stood free. Other processes (a migration, a second
    instance by mistake) still meet SQLite's own lock and its busy timeout.

    A unit of work begun with the execution option `write_ahead` goes before the writers
    waiting (the inbox's writes: a webhook's 200 waits for them, and under a backlog they
    waited behind every handler's transaction, 1-2 s).
    """

    KEY = "nudgebot_write_gate"

    def __init__(self, timeout: float = BUSY_TIMEOUT_MS / 1000) -> None:
        self.timeout = timeout
        self._lock = Turns()

    def attach(self, engine: AsyncEngine) -> None:
        """Begin every writing transaction of `engine` through the gate."""
        sync = engine.sync_engine
        event.listen(sync, "begin", self.begin)
        # The turn passes on once COMMIT or ROLLBACK has run, so the next writer finds SQLite's
        # lock free. The dialect's own calls are wrapped: they also serve the pool's rollback
        # of a connection returned mid-transaction.
        dialect = sync.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(dbapi_connection: Any) -> None:
            try:
                commit(dbapi_connection)
            finally:
                self._give_back(_info(dbapi_connection))

        def do_rollback(dbapi_connection: Any) -> None:
            try:
                rollback(dbapi_connection)
            finally:
                self._give_back(_info(dbapi_connection))

        dialect.do_commit = do_commit  # type: ignore[method-assign]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign]
        # A connection invalidated mid-transaction gives its turn back too.
        event.listen(sync.pool, "invalidate", self._release_invalidated)
        event.listen(sync.pool, "close", self._release)

    async def _acquire(self, ahead: bool) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                await self._lock.acquire(ahead=ahead)
        except TimeoutError:
            raise TimeoutError("database is locked (waited for this process's writers)") from None

    def begin(self, conn: Connection) -> None:
        """Wait for this process's turn to write, then BEGIN IMMEDIATE (or DEFERRED to read)."""
        options = conn.get_execution_options()
        begin = options.get("sqlite_begin", "IMMEDIATE")
        if begin == "NONE":  # one read in SQLite's autocommit mode (SINGLE_READ_SQLITE)
            return
        if begin == "DEFERRED":
            conn.exec_driver_sql("BEGIN DEFERRED")
            return
        info = conn.connection.info
        if not info.get(self.KEY):
            # Begin runs inside SQLAlchemy's greenlet, so it may wait on the event loop.
            await_only(self._acquire(bool(options.get("write_ahead"))))
            info[self.KEY] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self._give_back(info)
            raise

    def _release(self, dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        self._give_back(record.info)

    def _release_invalidated(
        self, dbapi_connection: Any, record: ConnectionPoolEntry, exc: BaseException | None
    ) -> None:
        self._give_back(record.info)

    def _give_back(self, info: dict[Any, Any] | None) -> None:
        if info is not None and info.pop(self.KEY, False):
            self._lock.release()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return the session factory the unit of work opens sessions from."""
    return async_sessionmaker(engine, expire_on_commit=False)
