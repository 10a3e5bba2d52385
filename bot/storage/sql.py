"""Small SQL helpers: what differs between SQLite and PostgreSQL, and statements built once."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Executable, Result
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.cache_key import CacheKey, HasCacheKey


def insert_for(session: AsyncSession, table: Any) -> Any:
    """Return the dialect's INSERT construct, which knows ON CONFLICT."""
    if session.bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def is_postgres(session: AsyncSession) -> bool:
    """Tell whether this session talks to PostgreSQL (row locks, advisory locks)."""
    return session.bind.dialect.name == "postgresql"


class _OwnCacheKey(HasCacheKey):
    """A statement built once, with a cache key of its own, so it is compiled once.

    SQLAlchemy 2.0's dialect INSERTs (the ones that know ON CONFLICT) have no cache key, so
    they are compiled again on every execution (sqlalchemy/sqlalchemy#10445): the inbox's and
    the habit log's inserts were compiled on every update, a sixth of `Session.execute`'s
    time under the webhook bench. A statement built once at import can instead be known by
    its identity. Only the very object keyed here is: a statement derived from it (a copy)
    has no key again.
    """

    inherit_cache = False

    def _generate_cache_key(self) -> CacheKey | None:
        own: tuple[int, CacheKey] | None = self.__dict__.get("_own_cache_key")
        if own is not None and own[0] == id(self):
            return own[1]
        return super()._generate_cache_key()


class _SqliteInsert(_OwnCacheKey, sqlite.Insert):
    inherit_cache = False


class _PostgresInsert(_OwnCacheKey, postgresql.Insert):
    inherit_cache = False


def per_dialect(build: Callable[[Callable[[Any], Any]], Any]) -> Callable[[AsyncSession], Any]:
    """Build a statement once per dialect, given that dialect's insert (ON CONFLICT differs).

    The statement built is compiled once too (see _OwnCacheKey): it must not hold values that
    change between executions, only bind parameters filled by each execution.
    """
    built: dict[str, Any] = {}

    def pick(session: AsyncSession) -> Any:
        name = session.bind.dialect.name
        stmt = built.get(name)
        if stmt is None:
            insert = _PostgresInsert if name == "postgresql" else _SqliteInsert
            stmt = build(insert)
            if isinstance(stmt, _OwnCacheKey):
                stmt.__dict__["_own_cache_key"] = (id(stmt), CacheKey(("prebuilt", id(stmt)), []))
            built[name] = stmt
        return stmt

    return pick


async def run(
    session: AsyncSession,
    stmt: Executable,
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
) -> Result[Any]:
    """Run a statement built once at import, with its bind parameters, in the session's work.

    Building a statement costs more CPU than running it (bench/replies.py), so the statements
    of the replies' hot paths are built once with bind parameters. A Core statement skips the
    ORM's autoflush, so a change made through an ORM object of this session is flushed first.
    """
    sync = session.sync_session
    # What Session.flush itself checks first; AsyncSession.dirty builds a set on every call.
    if sync.identity_map.check_modified() or sync.new or sync.deleted:
        await session.flush()
    return await session.execute(stmt, params)
