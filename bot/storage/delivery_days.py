"""Daily counts of finished deliveries: what /stats reads once the outbox has forgotten a row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import DeliveryDay
from bot.storage.sql import insert_for

_t = cast(Table, DeliveryDay.__table__)
# The statuses counted: how the messages the bot decided on turned out.
COUNTED = frozenset({"sent", "failed", "missed", "skipped"})


def tally(events: Iterable[tuple[datetime, str]]) -> Counter[tuple[date, str]]:
    """Count (UTC day, status) pairs of finished rows, ignoring statuses not counted."""
    return Counter((at.date(), status) for at, status in events if status in COUNTED)


async def add_counts(session: AsyncSession, counts: Counter[tuple[date, str]]) -> None:
    """Add finished rows to their day's counts inside the caller's transaction."""
    # Keys are written in one order, so two transactions adding to the same days cannot deadlock.
    for (day, status), n in sorted(counts.items()):
        if n <= 0:
            continue
        stmt: Any = insert_for(session, _t).values(day=day, status=status, count=n)
        stmt = stmt.on_conflict_do_update(
            index_elements=["day", "status"], set_={"count": _t.c.count + stmt.excluded.count}
        )
        await session.execute(stmt)


class DeliveryDays:
    """Repository of the daily counts."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def totals(self, since: date) -> dict[str, int]:
        """Return finished rows by status from `since` (a UTC day) on."""
        rows = await self.session.execute(
            select(_t.c.status, func.sum(_t.c.count))
            .where(_t.c.day >= since)
            .group_by(_t.c.status)
        )
        return {status: int(n or 0) for status, n in rows.tuples()}

    async def by_day(self, since: date) -> dict[date, dict[str, int]]:
        """Return the counts of each day from `since` on (for tests and benches)."""
        rows = await self.session.execute(
            select(_t.c.day, _t.c.status, _t.c.count).where(_t.c.day >= since)
        )
        out: dict[date, dict[str, int]] = {}
        for day, status, n in rows.tuples():
            out.setdefault(day, {})[status] = int(n)
        return out
