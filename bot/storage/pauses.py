"""Pause history: when a person paused, so progress can excuse those days."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Pause
from bot.storage.sql import run

_p = cast(Table, Pause.__table__)
# Read by every progress view: built once (see storage.sql.run).
_OVERLAPPING = (
    select(_p.c.starts_at, _p.c.ends_at)
    .where(
        _p.c.person_id == bindparam("person_id"),
        _p.c.starts_at < bindparam("end"),
        _p.c.ends_at > bindparam("start"),
    )
    .order_by(_p.c.starts_at)
)


class Pauses:
    """Repository of pauses."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def start(self, person_id: int, starts_at: datetime, ends_at: datetime) -> None:
        """Record a pause; one still running is cut short where the new one starts."""
        await self.end(person_id, starts_at)
        self.session.add(Pause(person_id=person_id, starts_at=starts_at, ends_at=ends_at))
        await self.session.flush()

    async def end(self, person_id: int, now: datetime) -> None:
        """End any pause still running at `now`."""
        await self.session.execute(
            update(Pause)
            .where(Pause.person_id == person_id, Pause.starts_at <= now, Pause.ends_at > now)
            .values(ends_at=now)
        )

    async def overlapping(
        self, person_id: int, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        """Return the pauses that overlap [start, end), as (starts_at, ends_at)."""
        params = {"person_id": person_id, "start": start, "end": end}
        rows = await run(self.session, _OVERLAPPING, params)
        return [(s, e) for s, e in rows.tuples()]
