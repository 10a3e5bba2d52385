"""Daily counts of finished deliveries: what /stats reads once the outbox has forgotten a row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import DeliveryDay

_t = cast(Table, DeliveryDay.__table__)
# The statuses counted: how the messages the bot decided on turned out.
COUNTED = frozenset({"sent", "failed", "missed", "skipped"})


def tally(events: Iterable[tuple[datetime, str]]) -> Counter[tuple[date, str]]:
    """Count (UTC day, status) pairs of finished rows, ignoring statuses not counted."""
    return Counter((at.date(), status) for at, status in events if status in COUNTED)


@cache
def _upsert(dialect: str) -> Any:
    """The counting upsert, built once per dialect (the sender runs it with every commit)."""
    stmt: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_t).values(
        day=bindparam("b_day"), status=bindparam("b_status"), count=bindparam("b_count")
    )
    return stmt.on_conflict_do_update(
        index_elements=["day", "status"], set_={"count": _t.c.count + stmt.excluded.count}
    )


async def add_counts(session: AsyncSession, counts: Counter[tuple[date, str]]) -> None:
    """Add finished rows to their day's counts inside the caller's transaction."""
    # Keys are written in one order, so two transactions adding to the same days cannot deadlock.
    params = [
        {"b_day": day, "b_status": status, "b_count": n}
        for (day, status), n in sorted(counts.items())
        if n > 0
    ]
    if params:
        await session.execute(_upsert(session.bind.dialect.name), params)


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
