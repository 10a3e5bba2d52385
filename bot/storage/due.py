"""Due reminders for the tick: claim them in bulk, look up what they depend on, move them on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Table,
    and_,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.delivery_days import add_counts, tally
from bot.storage.models import CheckIn, DaySkip, Delivery, HabitLog, Person, Reminder
from bot.storage.people import PersonRecord
from bot.storage.sql import insert_for, is_postgres

# Keeps every IN (...) list well under SQLite's limit on bound parameters.
ID_CHUNK = 500
# Outbox rows the tick makes; a late one of these is stale, unlike a broadcast.
NUDGE_KINDS = ("nudge", "ask")

_r = cast(Table, Reminder.__table__)
_p = cast(Table, Person.__table__)
_d = cast(Table, Delivery.__table__)


@dataclass(frozen=True)
class DueReminder:
    """A claimed reminder with its owner and the outcome of its previous delivery."""

    id: int
    habit: str
    rule: dict[str, Any]
    enabled: bool
    due: datetime
    ignored_in_row: int
    asked_less_at: datetime | None
    recent_texts: list[int]
    person: PersonRecord
    prev_kind: str | None
    prev_status: str | None
    prev_response: str | None


@dataclass(frozen=True)
class Advance:
    """The new state of a claimed reminder after the tick handled it."""

    id: int
    next_fire_at: datetime | None
    ignored_in_row: int
    asked_less_at: datetime | None
    recent_texts: list[int]


@dataclass(frozen=True)
class DoneFacts:
    """What a batch of people did recently: last time per habit, done and skipped days."""

    last_at: dict[tuple[int, str], datetime]
    done_days: set[tuple[int, str, date]]
    skipped_days: set[tuple[int, str, date]]
    checkin_days: set[tuple[int, date]]


def _latest(column: Any) -> Any:
    """Return a column of the reminder's latest delivery (an index seek on reminder, due)."""
    return (
        select(column)
        .where(_d.c.reminder_id == _r.c.id)
        .order_by(_d.c.due_at.desc())
        .limit(1)
        .correlate(_r)
        .scalar_subquery()
    )


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield list(ids[start : start + ID_CHUNK])


class DueReminders:
    """Repository of what the dispatcher reads and writes in one tick."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, now: datetime, limit: int) -> list[DueReminder]:
        """Return up to `limit` reminders due at `now`, oldest first, locked for this tick.

        On PostgreSQL the rows are locked FOR UPDATE SKIP LOCKED, so several instances
        share the work without waiting for each other; SQLite runs a single instance.
        """
        stmt = (
            select(
                _r.c.id,
                _r.c.habit,
                _r.c.rule,
                _r.c.enabled,
                _r.c.next_fire_at,
                _r.c.ignored_in_row,
                _r.c.asked_less_at,
                _r.c.recent_texts,
                _p.c.id.label("person_id"),
                _p.c.first_name,
                _p.c.timezone,
                _p.c.wake_time,
                _p.c.sleep_time,
                _p.c.sit_start,
                _p.c.sit_end,
                _p.c.consent_at,
                _p.c.onboarded_at,
                _p.c.paused_until,
                _p.c.active,
                _p.c.created_at,
                _latest(_d.c.kind).label("prev_kind"),
                _latest(_d.c.status).label("prev_status"),
                _latest(_d.c.response).label("prev_response"),
            )
            .join_from(_r, _p, _p.c.id == _r.c.person_id)
            .where(_r.c.next_fire_at <= now)
            .order_by(_r.c.next_fire_at)
            .limit(limit)
        )
        if is_postgres(self.session):
            stmt = stmt.with_for_update(skip_locked=True, of=_r)
        rows = (await self.session.execute(stmt)).mappings().all()
        return [
            DueReminder(
                id=row["id"],
                habit=row["habit"],
                rule=row["rule"],
                enabled=row["enabled"],
                due=row["next_fire_at"],
                ignored_in_row=row["ignored_in_row"] or 0,
                asked_less_at=row["asked_less_at"],
                recent_texts=[int(i) for i in row["recent_texts"] or []],
                person=PersonRecord(
                    id=row["person_id"],
                    first_name=row["first_name"],
                    timezone=row["timezone"],
                    wake_time=row["wake_time"],
                    sleep_time=row["sleep_time"],
                    sit_start=row["sit_start"],
                    sit_end=row["sit_end"],
                    consent_at=row["consent_at"],
                    onboarded_at=row["onboarded_at"],
                    awaiting=None,
                    paused_until=row["paused_until"],
                    active=row["active"],
                    created_at=row["created_at"],
                ),
                prev_kind=row["prev_kind"],
                prev_status=row["prev_status"],
                prev_response=row["prev_response"],
            )
            for row in rows
        ]

    async def done_facts(self, person_ids: Iterable[int], since: date) -> DoneFacts:
        """Return, for a batch of people, their habit logs, skips and check-ins since a day."""
        ids = sorted(set(person_ids))
        facts = DoneFacts({}, set(), set(), set())
        for chunk in _chunks(ids):
            logs = await self.session.execute(
                select(
                    HabitLog.person_id, HabitLog.habit, HabitLog.local_date, func.max(HabitLog.at)
                )
                .where(HabitLog.person_id.in_(chunk), HabitLog.local_date >= since)
                .group_by(HabitLog.person_id, HabitLog.habit, HabitLog.local_date)
            )
            for person_id, habit, day, at in logs.tuples():
                facts.done_days.add((person_id, habit, day))
                key = (person_id, habit)
                if key not in facts.last_at or at > facts.last_at[key]:
                    facts.last_at[key] = at
            skips = await self.session.execute(
                select(DaySkip.person_id, DaySkip.habit, DaySkip.local_date).where(
                    DaySkip.person_id.in_(chunk), DaySkip.local_date >= since
                )
            )
            facts.skipped_days.update(skips.tuples())
            checkins = await self.session.execute(
                select(CheckIn.person_id, CheckIn.local_date).where(
                    CheckIn.person_id.in_(chunk),
                    CheckIn.local_date >= since,
                    CheckIn.completed_at.is_not(None),
                )
            )
            facts.checkin_days.update(checkins.tuples())
        return facts

    async def queue(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert the tick's outbox rows in one executemany; an occurrence already queued stays.

        Every row carries every column, so one compiled statement serves the whole batch.
        """
        if not rows:
            return
        stmt = insert_for(self.session, _d).on_conflict_do_nothing(
            index_elements=["reminder_id", "due_at"]
        )
        await self.session.execute(stmt, list(rows))
        # Skipped and missed rows are finished as they are written; count them now.
        await add_counts(self.session, tally((r["created_at"], r["status"]) for r in rows))

    async def advance(self, changes: Sequence[Advance]) -> None:
        """Store each reminder's next fire time and nudge state in one executemany."""
        if not changes:
            return
        stmt = (
            update(_r)
            .where(_r.c.id == bindparam("rid"))
            .values(
                next_fire_at=bindparam("nfa"),
                ignored_in_row=bindparam("ign"),
                asked_less_at=bindparam("asked"),
                recent_texts=bindparam("recent"),
            )
        )
        await self.session.execute(
            stmt,
            [
                {
                    "rid": c.id,
                    "nfa": c.next_fire_at,
                    "ign": c.ignored_in_row,
                    "asked": c.asked_less_at,
                    "recent": c.recent_texts,
                }
                for c in changes
            ],
        )

    async def reset_ignored(self, person_id: int, habit: str) -> None:
        """Forget unanswered nudges of a habit: the person answered one."""
        await self.session.execute(
            update(Reminder)
            .where(Reminder.person_id == person_id, Reminder.habit == habit)
            .values(ignored_in_row=0)
        )

    async def expire_stale(self, before: datetime, *, now: datetime) -> int:
        """Mark nudges still unsent from before `before` as missed (the bot was down)."""
        stale = and_(
            _d.c.status == "pending",
            _d.c.send_after < before,
            _d.c.kind.in_(NUDGE_KINDS),
        )
        # A read first: an UPDATE would take SQLite's write lock even when nothing matches.
        if await self.session.scalar(select(_d.c.id).where(stale).limit(1)) is None:
            return 0
        result = cast(
            CursorResult[Any],
            await self.session.execute(update(_d).where(stale).values(status="missed")),
        )
        missed = int(result.rowcount or 0)
        await add_counts(self.session, Counter({(now.date(), "missed"): missed}))
        return missed
