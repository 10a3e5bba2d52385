"""Reminders: each person's habit rules and when each fires next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Reminder
from bot.storage.sql import insert_for


@dataclass(frozen=True)
class ReminderRecord:
    """One habit schedule, as plain values."""

    id: int
    person_id: int
    habit: str
    rule: dict[str, Any]
    enabled: bool
    next_fire_at: datetime | None
    ignored_in_row: int
    asked_less_at: datetime | None
    recent_texts: list[int]
    goal: int | None = None  # the person's own daily goal, if they set one


def to_record(row: Reminder) -> ReminderRecord:
    """Copy an ORM row into a plain record."""
    return ReminderRecord(
        id=row.id,
        person_id=row.person_id,
        habit=row.habit,
        rule=dict(row.rule),
        enabled=row.enabled,
        next_fire_at=row.next_fire_at,
        ignored_in_row=row.ignored_in_row,
        asked_less_at=row.asked_less_at,
        recent_texts=[int(i) for i in row.recent_texts or []],
        goal=row.goal,
    )


class Reminders:
    """Repository of reminders."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def for_person(self, person_id: int) -> list[ReminderRecord]:
        """Return a person's reminders, in a stable order."""
        rows = await self.session.scalars(
            select(Reminder).where(Reminder.person_id == person_id).order_by(Reminder.id)
        )
        return [to_record(r) for r in rows]

    async def get(self, reminder_id: int) -> ReminderRecord | None:
        """Return one reminder or None."""
        row = await self.session.get(Reminder, reminder_id, populate_existing=True)
        return None if row is None else to_record(row)

    async def get_owned(self, reminder_id: int, person_id: int) -> ReminderRecord | None:
        """Return a reminder only if it belongs to the person."""
        reminder = await self.get(reminder_id)
        return reminder if reminder is not None and reminder.person_id == person_id else None

    async def set_rule(
        self,
        person_id: int,
        habit: str,
        *,
        rule: dict[str, Any],
        enabled: bool,
        now: datetime,
    ) -> None:
        """Create or replace a person's rule for a habit. Safe to repeat."""
        stmt = insert_for(self.session, Reminder.__table__).values(
            person_id=person_id,
            habit=habit,
            rule=rule,
            enabled=enabled,
            next_fire_at=None,
            ignored_in_row=0,
            recent_texts=[],
            updated_at=now,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["person_id", "habit"],
            set_={
                "rule": stmt.excluded.rule,
                "enabled": stmt.excluded.enabled,
                "ignored_in_row": 0,
                "updated_at": now,
            },
        )
        await self.session.execute(stmt)

    async def set_goal(self, person_id: int, habit: str, goal: int | None) -> bool:
        """Set (or with None, clear) a person's own daily goal; False if no such habit row."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Reminder)
                .where(Reminder.person_id == person_id, Reminder.habit == habit)
                .values(goal=goal)
            ),
        )
        return bool(result.rowcount)

    async def set_enabled(self, person_id: int, habit: str, enabled: bool, now: datetime) -> None:
        """Turn a habit's reminder on or off."""
        await self.session.execute(
            update(Reminder)
            .where(Reminder.person_id == person_id, Reminder.habit == habit)
            .values(enabled=enabled, updated_at=now)
        )

    async def set_next(self, reminder_id: int, next_fire_at: datetime | None) -> None:
        """Store when a reminder fires next (None: never, until rescheduled)."""
        await self.session.execute(
            update(Reminder).where(Reminder.id == reminder_id).values(next_fire_at=next_fire_at)
        )

    async def park_all(self, person_id: int) -> int:
        """Stop all of a person's reminders from firing until rescheduled; return how many."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Reminder)
                .where(Reminder.person_id == person_id, Reminder.next_fire_at.is_not(None))
                .values(next_fire_at=None)
            ),
        )
        return int(result.rowcount or 0)
