"""Habit logs and day skips: what a person did, and what they chose to skip today."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import DaySkip, HabitLog, Person
from bot.storage.sql import insert_for, per_dialect, run

# The statements of logging and of every progress view, built once (see storage.sql.run).
_h = cast(Table, HabitLog.__table__)
_s = cast(Table, DaySkip.__table__)
_ADD = per_dialect(lambda insert: insert(_h).returning(_h.c.id))
# A delivery's button logs once: a second press finds the row there and adds nothing.
_ADD_ONCE = per_dialect(
    lambda insert: (
        insert(_h).on_conflict_do_nothing(index_elements=["delivery_id"]).returning(_h.c.id)
    )
)
_COUNTS_ON = (
    select(_h.c.habit, func.count())
    .where(_h.c.person_id == bindparam("person_id"), _h.c.local_date == bindparam("day"))
    .group_by(_h.c.habit)
)
_DAILY_COUNTS = (
    select(_h.c.habit, _h.c.local_date, func.count())
    .where(_h.c.person_id == bindparam("person_id"), _h.c.local_date >= bindparam("since"))
    .group_by(_h.c.habit, _h.c.local_date)
)
_HAS_SOURCE = (
    select(_h.c.id)
    .where(_h.c.person_id == bindparam("person_id"), _h.c.source == bindparam("source"))
    .limit(1)
)
_SKIPPED_DAYS = select(_s.c.habit, _s.c.local_date).where(
    _s.c.person_id == bindparam("person_id"), _s.c.local_date >= bindparam("since")
)


@dataclass(frozen=True)
class LogEntry:
    """One logged habit."""

    id: int
    person_id: int
    habit: str
    at: datetime
    local_date: date
    source: str
    amount: int | None
    unit: str | None
    label: str | None
    said: str | None = None
    entry_of: int | None = None


def _entry(r: HabitLog) -> LogEntry:
    return LogEntry(
        r.id,
        r.person_id,
        r.habit,
        r.at,
        r.local_date,
        r.source,
        r.amount,
        r.unit,
        r.label,
        r.said,
        r.entry_of,
    )


class HabitLogs:
    """Repository of habit logs and day skips."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        person_id: int,
        habit: str,
        *,
        at: datetime,
        local_date: date,
        source: str,
        delivery_id: int | None = None,
        amount: int | None = None,
        unit: str | None = None,
        label: str | None = None,
        said: str | None = None,
        rows: int = 1,
    ) -> int | None:
        """Log a habit as one entry of `rows` completions; return the entry's first row's id."""
        # The other rows point at the first, so remove_entry() takes the entry back whole. With
        # a delivery id, a delivery logs only once (None when it was logged already).
        first: int | None = None
        for _ in range(max(rows, 1)):
            once = delivery_id is not None and first is None
            stmt = (_ADD_ONCE if once else _ADD)(self.session)
            values = {
                "person_id": person_id,
                "habit": habit,
                "at": at,
                "local_date": local_date,
                "source": source,
                "delivery_id": delivery_id if first is None else None,
                "amount": amount,
                "unit": unit,
                "label": label and label[:200],
                "said": said and said[:200],
                "entry_of": first,
            }
            new_id = (await run(self.session, stmt, values)).scalar()
            if new_id is None:
                return None
            first = first or int(new_id)
        return first

    async def get(self, log_id: int) -> LogEntry | None:
        """Return one log row."""
        row = await self.session.get(HabitLog, log_id)
        return _entry(row) if row is not None else None

    async def remove_entry(self, person_id: int, log_id: int) -> int:
        """Remove one entry (its first row and the rows that belong to it); return rows gone."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                delete(HabitLog).where(
                    HabitLog.person_id == person_id,
                    or_(HabitLog.id == log_id, HabitLog.entry_of == log_id),
                )
            ),
        )
        return int(result.rowcount)

    async def hot_drinks_count(self, person_id: int) -> bool:
        """Tell whether the person counts tea and coffee toward water."""
        value = await self.session.scalar(
            select(Person.hot_drinks_count).where(Person.id == person_id)
        )
        return bool(value)

    async def set_hot_drinks_count(self, person_id: int, on: bool) -> None:
        """Choose whether tea and coffee count toward water."""
        await self.session.execute(
            update(Person).where(Person.id == person_id).values(hot_drinks_count=on)
        )

    async def counts_on(self, person_id: int, day: date) -> Counter[str]:
        """Count completions per habit on one local day."""
        rows = await run(self.session, _COUNTS_ON, {"person_id": person_id, "day": day})
        return Counter({habit: int(n) for habit, n in rows.tuples()})

    async def daily_counts(self, person_id: int, since: date) -> dict[str, dict[date, int]]:
        """Count completions per habit per local day from `since` on."""
        rows = await run(self.session, _DAILY_COUNTS, {"person_id": person_id, "since": since})
        out: dict[str, dict[date, int]] = {}
        for habit, day, n in rows.tuples():
            out.setdefault(habit, {})[day] = int(n)
        return out

    async def times_since(self, person_id: int, habit: str, since: datetime) -> list[datetime]:
        """Return when a person did a habit since `since` (by the moment it was logged)."""
        rows = await self.session.scalars(
            select(HabitLog.at).where(
                HabitLog.person_id == person_id, HabitLog.habit == habit, HabitLog.at >= since
            )
        )
        return list(rows)

    async def times_since_many(
        self, person_ids: list[int], since: datetime
    ) -> dict[tuple[int, str], list[datetime]]:
        """Return when each of these people did each habit since `since` (one read)."""
        out: dict[tuple[int, str], list[datetime]] = {}
        if not person_ids:
            return out
        rows = await self.session.execute(
            select(HabitLog.person_id, HabitLog.habit, HabitLog.at).where(
                HabitLog.person_id.in_(sorted(set(person_ids))), HabitLog.at >= since
            )
        )
        for person_id, habit, at in rows.tuples():
            out.setdefault((person_id, habit), []).append(at)
        return out

    async def has_source(self, person_id: int, source: str) -> bool:
        """Tell whether a person has a log from this source (e.g. one hint message)."""
        params = {"person_id": person_id, "source": source}
        return (await run(self.session, _HAS_SOURCE, params)).first() is not None

    async def last_at(self, person_id: int, habit: str) -> datetime | None:
        """Return when a person last did a habit."""
        value: datetime | None = await self.session.scalar(
            select(func.max(HabitLog.at)).where(
                HabitLog.person_id == person_id, HabitLog.habit == habit
            )
        )
        return value

    async def for_day(self, person_id: int, day: date) -> list[LogEntry]:
        """Return a person's logs of one local day, oldest first."""
        rows = await self.session.scalars(
            select(HabitLog)
            .where(HabitLog.person_id == person_id, HabitLog.local_date == day)
            .order_by(HabitLog.at, HabitLog.id)
        )
        return [_entry(r) for r in rows]

    async def skip_day(self, person_id: int, habit: str, day: date, now: datetime) -> bool:
        """Mark a habit skipped for a local day. Return whether it was new."""
        stmt = (
            insert_for(self.session, DaySkip.__table__)
            .values(person_id=person_id, habit=habit, local_date=day, created_at=now)
            .on_conflict_do_nothing(index_elements=["person_id", "habit", "local_date"])
        )
        result = cast(CursorResult[Any], await self.session.execute(stmt))
        return bool(result.rowcount)

    async def skipped_days(self, person_id: int, since: date) -> dict[str, set[date]]:
        """Return the skipped days per habit from `since` on."""
        rows = await run(self.session, _SKIPPED_DAYS, {"person_id": person_id, "since": since})
        out: dict[str, set[date]] = {}
        for habit, day in rows.tuples():
            out.setdefault(habit, set()).add(day)
        return out
