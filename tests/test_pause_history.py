"""Paused days do not break a streak: pauses are kept as history, not only as paused_until."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import FakeClock
from bot.services import progress
from bot.services import settings as settings_service
from bot.storage.uow import Database
from tests.factories import make_person

BERLIN = ZoneInfo("Europe/Berlin")


async def _eat_twice(db: Database, person_id: int, day: date) -> None:
    at = datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)
    async with db.uow() as uow:
        for _ in range(2):
            await uow.habit_logs.add(person_id, "food", at=at, local_date=day, source="test")
        await uow.commit()


async def _food(db: Database, now: datetime) -> progress.HabitProgress:
    view = await progress.progress_view(db.uow(), 1, now)
    return next(h for h in view.habits if h.habit == "food")


async def test_days_paused_in_the_past_are_excused(db: Database, clock: FakeClock) -> None:
    start = datetime(2026, 4, 6, 6, 0, tzinfo=UTC)  # a Monday morning in Berlin
    clock.set(start)
    await make_person(db, 1, now=clock.now(), habits=("food",))
    days = [start.date() + timedelta(days=i) for i in range(7)]
    for day in days[:3]:
        await _eat_twice(db, 1, day)
    # Thursday morning: pause two days (until Saturday morning), nothing eaten meanwhile.
    clock.set(datetime(2026, 4, 9, 6, 0, tzinfo=UTC))
    await settings_service.pause(db.uow(), 1, timedelta(days=2), clock.now())
    clock.set(datetime(2026, 4, 11, 7, 0, tzinfo=UTC))  # the pause is over, not resumed by hand
    for day in days[5:]:
        await _eat_twice(db, 1, day)
    clock.set(datetime(2026, 4, 12, 20, 0, tzinfo=UTC))
    food = await _food(db, clock.now())
    # Mon-Wed done, Thu-Fri paused (excused), Sat (the pause ended that morning) and Sun done.
    assert food.streak == 5
    assert food.week == 1.0


async def test_an_unpaused_gap_still_breaks_the_streak(db: Database, clock: FakeClock) -> None:
    start = datetime(2026, 4, 6, 6, 0, tzinfo=UTC)
    clock.set(start)
    await make_person(db, 1, now=clock.now(), habits=("food",))
    days = [start.date() + timedelta(days=i) for i in range(7)]
    for day in days[:3] + days[5:]:
        await _eat_twice(db, 1, day)
    clock.set(datetime(2026, 4, 12, 20, 0, tzinfo=UTC))
    assert (await _food(db, clock.now())).streak == 2


async def test_resume_ends_the_excused_stretch(db: Database, clock: FakeClock) -> None:
    start = datetime(2026, 4, 6, 6, 0, tzinfo=UTC)
    clock.set(start)
    await make_person(db, 1, now=clock.now(), habits=("food",))
    await _eat_twice(db, 1, start.date())
    await settings_service.pause(db.uow(), 1, None, clock.now())  # until /resume
    clock.set(datetime(2026, 4, 7, 12, 0, tzinfo=UTC))
    await settings_service.resume(db.uow(), 1, clock.now())  # Tuesday: paused part of the day
    # Wednesday and Thursday: not paused, nothing eaten; the streak breaks on Wednesday.
    clock.set(datetime(2026, 4, 9, 20, 0, tzinfo=UTC))
    assert (await _food(db, clock.now())).streak == 0
    async with db.uow() as uow:
        spans = await uow.pauses.overlapping(1, start, clock.now())
    assert spans == [(start, datetime(2026, 4, 7, 12, 0, tzinfo=UTC))]
