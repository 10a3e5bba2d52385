"""A person's own data: export all of it, or erase all of it."""

from __future__ import annotations

from bot.storage.person_data import TableRows
from bot.storage.uow import UnitOfWork


async def export(uow: UnitOfWork, person_id: int) -> list[TableRows] | None:
    """Return everything stored about a person, table by table, or None when nothing is."""
    async with uow:
        tables = await uow.person_data.dump(person_id)
    if not any(t.rows for t in tables):
        return None
    return tables


async def has_data(uow: UnitOfWork, person_id: int) -> bool:
    """Tell whether anything at all is stored about a person."""
    async with uow:
        return await uow.person_data.count(person_id) > 0


async def erase(uow: UnitOfWork, person_id: int) -> int:
    """Delete every row about a person (which also stops every message); return how many."""
    async with uow:
        removed = await uow.person_data.erase(person_id)
        await uow.commit()
    return removed
