"""Small SQL helpers: what differs between SQLite and PostgreSQL, and statements built once."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Executable, Result
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession, table: Any) -> Any:
    """Return the dialect's INSERT construct, which knows ON CONFLICT."""
    if session.bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def is_postgres(session: AsyncSession) -> bool:
    """Tell whether this session talks to PostgreSQL (row locks, advisory locks)."""
    return session.bind.dialect.name == "postgresql"


def per_dialect(build: Callable[[Callable[[Any], Any]], Any]) -> Callable[[AsyncSession], Any]:
    """Build a statement once per dialect, given that dialect's insert (ON CONFLICT differs)."""
    built: dict[str, Any] = {}

    def pick(session: AsyncSession) -> Any:
        name = session.bind.dialect.name
        stmt = built.get(name)
        if stmt is None:
            insert = postgresql.insert if name == "postgresql" else sqlite.insert
            stmt = built[name] = build(insert)
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
    if session.new or session.dirty or session.deleted:
        await session.flush()
    return await session.execute(stmt, params)
