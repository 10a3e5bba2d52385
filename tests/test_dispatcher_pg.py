"""Two instances ticking the same PostgreSQL database share the work without duplicates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.clock import FakeClock
from bot.config import Settings
from bot.runtime import Runtime
from bot.scheduler.dispatcher import Dispatcher, TickStats
from bot.storage.models import Delivery, Person, Reminder
from bot.storage.uow import Database

PEOPLE = 1000
HABITS = ("water", "move")
T0 = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
async def second_db(pg_only: None, db_url: str) -> AsyncIterator[Database]:
    other = Database(db_url)
    yield other
    await other.close()


def _dispatcher(db: Database, clock: FakeClock) -> Dispatcher:
    settings = Settings(_env_file=None, database_url=db.url)  # type: ignore[call-arg]
    # Small batches make the two instances interleave many times.
    return Dispatcher(Runtime(settings=settings, db=db, clock=clock), batch=150)


async def _seed(db: Database) -> None:
    rule: dict[str, Any] = {"every_minutes": 5, "window": {"start": "00:00", "end": "23:55"}}
    async with db.uow() as uow:
        uow.session.add_all(
            Person(
                id=i,
                first_name="P",
                timezone="UTC",
                onboarded_at=T0,
                consent_at=T0,
                active=True,
                created_at=T0,
                updated_at=T0,
                recent_tips=[],
            )
            for i in range(1, PEOPLE + 1)
        )
        await uow.session.flush()
        for i in range(1, PEOPLE + 1):
            for habit in HABITS:
                await uow.reminders.set_rule(i, habit, rule=rule, enabled=True, now=T0)
        # Everyone falls due at the same instant: the worst case for contention.
        await uow.session.execute(update(Reminder).values(next_fire_at=T0))
        await uow.commit()


async def test_two_instances_never_nudge_twice(db: Database, second_db: Database) -> None:
    await _seed(db)
    clock = FakeClock(T0)
    first, second = _dispatcher(db, clock), _dispatcher(second_db, clock)
    steps = [T0 + timedelta(minutes=5 * k, seconds=1) for k in range(3)]
    results: list[TickStats] = []
    for now in steps:
        # Each instance ticks twice per step, as a 1-second job would, all at once.
        ticks = [d.tick(now) for d in (first, second, first, second)]
        results += await asyncio.gather(*ticks)

    due = len(HABITS) * PEOPLE * len(steps)
    async with db.uow() as uow:
        rows = await uow.session.scalar(select(func.count()).select_from(Delivery))
        pairs = await uow.session.execute(
            select(Delivery.reminder_id, func.count())
            .group_by(Delivery.reminder_id)
            .having(func.count() != len(steps))
        )
        distinct = await uow.session.scalar(
            select(func.count()).select_from(
                select(Delivery.reminder_id, Delivery.due_at).distinct().subquery()
            )
        )
        left = await uow.session.scalar(
            select(func.count()).select_from(Reminder).where(Reminder.next_fire_at <= steps[-1])
        )
    assert rows == distinct == due
    assert pairs.all() == [], "some reminder did not get exactly one row per occurrence"
    assert left == 0
    # Claims never overlapped: no instance handled a row the other one also handled.
    assert sum(r.due for r in results) == due
    # Each occurrence was decided exactly once: sent, or skipped for the day's budget or gap.
    assert sum(r.queued + r.skipped for r in results) == due
    assert sum(r.due for r in results[0::2]) > 0 and sum(r.due for r in results[1::2]) > 0
