"""One active sender per deployment: a PostgreSQL advisory lock held on its own connection.

The send budget belongs to the bot token, so two instances sending at once would each spend
all of it. SQLite serves one process, which needs no lock.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# pg_advisory_lock key: "nudge" + "send" as digits; any constant shared by all instances works.
LOCK_KEY = 0x6E756467_73656E64


class SendLock:
    """The right to send: always held on SQLite, an advisory lock on PostgreSQL."""

    def __init__(self, url: str, dialect: str, owner: str) -> None:
        self.url = url
        self.needed = dialect == "postgresql"
        self.owner = owner
        self._engine: AsyncEngine | None = None
        self._conn: AsyncConnection | None = None

    async def acquire(
        self,
        retry_seconds: float,
        pause: Callable[[float], Awaitable[None]],
        stop: Callable[[], bool],
    ) -> bool:
        """Wait until this instance may send; return False if `stop()` turned true first."""
        if not self.needed:
            return True
        if self._engine is None:
            # Its own unpooled connection: closing it really ends the session and frees the lock.
            self._engine = create_async_engine(self.url, poolclass=NullPool)
        while not stop():
            try:
                conn = await self._engine.connect()
                got = await conn.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
                )
                await conn.commit()
                if got:
                    self._conn = conn
                    log.info("sender %s holds the send lock", self.owner)
                    return True
                await conn.close()
            except Exception as exc:
                log.warning("could not try the send lock: %s", exc)
            await pause(retry_seconds)
        return False

    @property
    def held(self) -> bool:
        """Tell whether a lock connection is open (always false on SQLite)."""
        return self._conn is not None

    async def still_held(self) -> bool:
        """Check the lock's connection is alive (a dead session has dropped the lock)."""
        if self._conn is None:
            return not self.needed
        try:
            await self._conn.execute(text("SELECT 1"))
            await self._conn.commit()
        except Exception as exc:
            log.warning("lost the send lock connection: %s", exc)
            return False
        return True

    async def release(self) -> None:
        """Give the lock up and close its connection (idempotent)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                await conn.commit()
            with contextlib.suppress(Exception):
                await conn.close()
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
