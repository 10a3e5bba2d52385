"""aiosqlite as SQLAlchemy drives it, with one trip to the driver's thread per statement.

aiosqlite runs every call on a thread of its own. SQLAlchemy's adapter makes four calls per
statement (open a cursor, execute, fetch, close), and the pool rolls back every connection it
takes back, even one whose transaction was just committed. Each call wakes the thread and waits
for the event loop to be woken in turn: on a busy machine about a millisecond apiece, and a
reply took some 75 of them (bench/replies.py). Here a statement is one call that does all four
on the thread, and a rollback with no transaction open is not sent at all.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose execute runs, fetches and closes in one call on aiosqlite's thread."""

    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        """Run one statement and keep its rows (as the stock adapter does, minus three trips)."""
        driver: Any = self._connection

        def run() -> tuple[Any, list[Any] | None, int, int]:
            cursor = driver._conn.cursor()
            try:
                if parameters is None:
                    cursor.execute(operation)
                else:
                    cursor.execute(operation, parameters)
                if cursor.description:
                    return cursor.description, cursor.fetchall(), -1, -1
                return None, None, cursor.lastrowid, cursor.rowcount
            finally:
                cursor.close()

        try:
            description, rows, lastrowid, rowcount = self.await_(driver._execute(run))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description = description
        self.lastrowid = lastrowid
        self.rowcount = rowcount
        if rows is not None:
            self._rows = deque(rows)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        """Run one statement for many parameter sets in one call."""
        driver: Any = self._connection

        def run() -> tuple[int, int]:
            cursor = driver._conn.cursor()
            try:
                cursor.executemany(operation, seq_of_parameters)
                return cursor.lastrowid, cursor.rowcount
            finally:
                cursor.close()

        try:
            lastrowid, rowcount = self.await_(driver._execute(run))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description = None
        self.lastrowid = lastrowid
        self.rowcount = rowcount


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """The adapted connection: one-trip cursors; no rollback sent when nothing is open."""

    __slots__ = ()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:
            return super().cursor(server_side=True)
        return OneTripCursor(self)

    def rollback(self) -> None:
        try:
            # Read on this thread: the driver's thread is idle between this connection's calls.
            open_ = bool(self._connection._conn.in_transaction)
        except ValueError:  # closed: let the stock rollback say so
            open_ = True
        if open_:
            super().rollback()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect uses, handing out one-trip connections."""

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def dbapi() -> OneTripDBAPI:
    """Return the module to pass as create_engine(module=...)."""
    return OneTripDBAPI(aiosqlite, sqlite3)
