"""Reminders: each person's habit rules and when each fires next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Row, Table, and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Reminder, TimeMove
from bot.storage.sql import insert_for, run

_r = cast(Table, Reminder.__table__)
# Read on most replies (goals, /today): built once (see storage.sql.run). A Core read also
# sees what upserts wrote past the identity map.
_OF_PERSON = select(*_r.c).where(_r.c.person_id == bindparam("person_id")).order_by(_r.c.id)

# Habits nudged once or twice a day at clock times: their times follow the person.
LEARNED_HABITS = ("food", "breathe")


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
    # The rule before the bot moved its times toward the person's own (None: not moved).
    own_rule: dict[str, Any] | None = None
    pinned: bool = False
    goal: int | None = None  # the person's own daily goal, if they set one


def to_record(row: Reminder | Row[Any]) -> ReminderRecord:
    """Copy a row (an ORM object or a row of the table) into a plain record."""
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
        own_rule=dict(row.own_rule) if row.own_rule else None,
        pinned=bool(row.pinned),
        goal=row.goal,
    )


class Reminders:
    """Repository of reminders."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def for_person(self, person_id: int) -> list[ReminderRecord]:
        """Return a person's reminders, in a stable order."""
        rows = await run(self.session, _OF_PERSON, {"person_id": person_id})
        return [to_record(r) for r in rows]

    async def lock_for_person(self, person_id: int) -> list[ReminderRecord]:
        """Return a person's reminders locked until commit (PostgreSQL), as they are now."""
        # A tick that claimed one of them holds its lock until it has queued and advanced it,
        # so this waits for that tick to commit; SQLite transactions are serial already.
        rows = await self.session.scalars(
            select(Reminder)
            .where(Reminder.person_id == person_id)
            .order_by(Reminder.id)
            .with_for_update()
            .execution_options(populate_existing=True)
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
                # The new rule is the person's own: nothing learned is left to undo.
                "own_rule": None,
                "updated_at": now,
            },
        )
        await self.session.execute(stmt)

    async def due_for_learning(self, before: datetime, limit: int) -> list[ReminderRecord]:
        """Return reminders of clock-time habits not looked at since `before` (nor pinned)."""
        rows = await self.session.scalars(
            select(Reminder)
            .where(
                Reminder.habit.in_(LEARNED_HABITS),
                Reminder.enabled.is_(True),
                Reminder.pinned.is_(False),
                Reminder.next_fire_at.is_not(None),
                or_(
                    Reminder.learned_at < before,
                    and_(Reminder.learned_at.is_(None), Reminder.updated_at < before),
                ),
            )
            .order_by(Reminder.id)
            .limit(limit)
        )
        return [to_record(r) for r in rows]

    async def mark_learned(self, reminder_ids: list[int], now: datetime) -> None:
        """Remember that these reminders were looked at now."""
        if reminder_ids:
            await self.session.execute(
                update(Reminder).where(Reminder.id.in_(reminder_ids)).values(learned_at=now)
            )

    async def move_times(
        self, reminder: ReminderRecord, rule: dict[str, Any], now: datetime
    ) -> None:
        """Store times moved toward the person's own, keeping their rule to go back to."""
        await self.session.execute(
            update(Reminder)
            .where(Reminder.id == reminder.id)
            .values(rule=rule, own_rule=reminder.own_rule or reminder.rule, learned_at=now)
        )
        self.session.add(
            TimeMove(
                person_id=reminder.person_id,
                habit=reminder.habit,
                from_times=",".join(reminder.rule.get("times") or []),
                to_times=",".join(rule.get("times") or []),
                at=now,
            )
        )

    async def pin_own(self, person_id: int, habit: str, now: datetime) -> bool:
        """Put the person's own times back and never move them again; False if none moved."""
        row = await self.session.scalar(
            select(Reminder).where(Reminder.person_id == person_id, Reminder.habit == habit)
        )
        if row is None or row.own_rule is None:
            return False
        row.rule, row.own_rule, row.pinned, row.updated_at = dict(row.own_rule), None, True, now
        return True

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
