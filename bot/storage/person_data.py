"""Everything stored about one person, across every table: for export and for erasure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Base


def person_filter(table: Table, person_id: int) -> ColumnElement[bool]:
    """Return the condition that picks a person's rows in a table (false if it has none)."""
    # People are keyed by their Telegram id, their private chat has the same id, and every
    # other table that holds personal data names its owner in `person_id`; outbox rows for the
    # private chat are theirs too, even ones queued without a person.
    columns = table.c
    if table.name == "people":
        return columns.id == person_id
    conditions: list[ColumnElement[bool]] = []
    if "person_id" in columns:
        conditions.append(columns.person_id == person_id)
    if table.name == "chats":
        conditions.append(columns.id == person_id)
    elif "chat_id" in columns and "person_id" in columns:
        conditions.append(columns.chat_id == person_id)
    return or_(*conditions) if conditions else false()


# Raw updates as Telegram sent them, kept two days for redelivery: erased with the rest, but
# not "data about you" to export or count (the /delete press itself is one of them).
TRANSPORT_TABLES = ("inbox",)


def personal_tables() -> list[Table]:
    """Return the tables that can hold a person's rows, parents before children."""
    return [
        t
        for t in Base.metadata.sorted_tables
        if (t.name in ("people", "chats") or "person_id" in t.c) and t.name not in TRANSPORT_TABLES
    ]


DUMP_SLICE = 500


@dataclass(frozen=True)
class TableRows:
    """One table's rows about a person, with the table's column names in order."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]]


class PersonData:
    """Repository that reads or erases all of a person's rows at once."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def dump(self, person_id: int) -> list[TableRows]:
        """Return every row about a person, table by table, in primary-key order."""
        out: list[TableRows] = []
        for table in personal_tables():
            order = list(table.primary_key.columns)
            result = await self.session.stream(
                select(table).where(person_filter(table, person_id)).order_by(*order)
            )
            rows: list[dict[str, Any]] = []
            # In slices, so a year of logs never holds the event loop for long in one go.
            async for part in result.mappings().partitions(DUMP_SLICE):
                rows.extend(dict(row) for row in part)
            out.append(TableRows(table.name, [c.name for c in table.columns], rows))
        return out

    async def count(self, person_id: int) -> int:
        """Count every row about a person."""
        total = 0
        for table in personal_tables():
            total += int(
                await self.session.scalar(
                    select(func.count()).select_from(table).where(person_filter(table, person_id))
                )
                or 0
            )
        return total

    async def erase(self, person_id: int) -> int:
        """Delete every row about a person, children first; return how many went."""
        total = 0
        for table in reversed(personal_tables()):
            result = await self.session.execute(
                delete(table).where(person_filter(table, person_id))
            )
            total += int(getattr(result, "rowcount", 0) or 0)
        for name in TRANSPORT_TABLES:
            table = Base.metadata.tables[name]
            await self.session.execute(delete(table).where(person_filter(table, person_id)))
        return total
