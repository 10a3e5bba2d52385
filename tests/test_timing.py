"""Timed to the person: nudge times move toward when they act, and can be pinned back."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.config import Settings
from bot.domain.schedule import Window
from bot.domain.timing import learned_times
from bot.runtime import Runtime
from bot.scheduler.dispatcher import Dispatcher
from bot.storage.models import TimeMove
from bot.storage.uow import Database
from bot.telegram import texts
from tests.factories import make_person
from tests.harness import Harness
from tests.talk import ask, press

DAY = Window(time(7), time(23))
NIGHT = Window(time(20), time(8))


def _times(*values: str) -> list[time]:
    return [time.fromisoformat(v) for v in values]


@pytest.mark.parametrize(
    ("times", "done", "awake", "expected"),
    [
        # Lunch usually at 13:20: the 12:30 nudge moves 50 minutes later, dinner stays.
        (
            ("12:30", "18:30"),
            ("13:20", "13:15", "13:25", "18:40"),
            DAY,
            ("13:20", "18:30"),
        ),
        # Far from it: one hour at most per step.
        (("12:30",), ("15:00", "15:10", "14:50"), DAY, ("13:30",)),
        # Earlier works too.
        (("15:30",), ("14:00", "14:10", "14:20"), DAY, ("14:30",)),
        # Close enough already: no move.
        (("12:30",), ("12:40", "12:35", "12:20"), DAY, None),
        # Too little to go on.
        (("12:30",), ("14:00", "14:00"), DAY, None),
        # Three or more times a day are not learned.
        (("09:00", "12:00", "15:00"), ("10:00",) * 9, DAY, None),
        # What was done outside the waking day does not count.
        (("22:30",), ("23:50", "23:55", "23:58"), DAY, None),
        (("22:30",), ("22:55", "22:58", "22:59"), DAY, ("23:00",)),
        # A night shift: measured from waking, so midnight is no edge.
        (("23:30",), ("00:20", "00:30", "00:25"), NIGHT, ("00:25",)),
    ],
)
def test_learned_times(
    times: tuple[str, ...], done: tuple[str, ...], awake: Window, expected: tuple[str, ...] | None
) -> None:
    got = learned_times(_times(*times), _times(*done), awake)
    assert got == (None if expected is None else tuple(_times(*expected)))


def _at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 3, day, hh, mm, tzinfo=UTC)


def _runtime(db: Database, clock: FakeClock, **settings: Any) -> Runtime:
    values: dict[str, Any] = {"database_url": db.url, **settings}
    return Runtime(settings=Settings(_env_file=None, **values), db=db, clock=clock)  # type: ignore[call-arg]


async def _log_lunches(db: Database, days: range, hh: int, mm: int) -> None:
    async with db.uow() as uow:
        for day in days:
            at = _at(day, hh, mm)
            await uow.habit_logs.add(1, "food", at=at, local_date=at.date(), source="text")
        await uow.commit()


async def test_a_week_of_late_lunches_moves_the_nudge_once(db: Database, clock: FakeClock) -> None:
    await make_person(db, 1, now=clock.now(), habits=("food",))
    # Lunch logged at 13:30 Berlin (12:30 UTC, CET) on five days; the nudge says 12:30.
    await _log_lunches(db, range(20, 25), 12, 30)
    dispatcher = Dispatcher(_runtime(db, clock), rng=random.Random(1))
    assert await dispatcher.learn(clock.now() + timedelta(days=8)) == 1
    async with db.uow() as uow:
        [food] = [r for r in await uow.reminders.for_person(1) if r.habit == "food"]
        moves = (
            await uow.session.execute(
                select(TimeMove.habit, TimeMove.from_times, TimeMove.to_times)
            )
        ).all()
    assert food.rule["times"] == ["13:30", "18:30"]
    assert food.own_rule is not None and food.own_rule["times"] == ["12:30", "18:30"]
    assert [tuple(m) for m in moves] == [("food", "12:30,18:30", "13:30,18:30")]
    # Not again within the week, however late lunch gets.
    assert await dispatcher.learn(clock.now() + timedelta(days=8, hours=2)) == 0


async def test_a_moved_time_shows_in_settings_and_can_be_pinned_back(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    assert harness.db is not None
    await make_person(harness.db, ana.id, now=harness.clock.now(), habits=("food",))
    async with harness.db.uow() as uow:
        for day in range(20, 25):
            at = _at(day, 12, 30)
            await uow.habit_logs.add(ana.id, "food", at=at, local_date=at.date(), source="text")
        await uow.commit()
    harness.clock.set(harness.clock.now() + timedelta(days=8))
    assert harness.runtime.dispatcher is not None
    assert await harness.runtime.dispatcher.learn() == 1
    [menu] = await ask(harness, ana, "/settings")
    await press(harness, ana, "🥗 Gut-friendly food", message=menu)
    screen = harness.sandbox.last_bot_message(ana.id)
    assert screen is not None and "your own time was 12:30, 18:30" in (screen.text or "")
    await press(harness, ana, texts.BUTTON_PIN_TIME, message=menu)
    async with harness.db.uow() as uow:
        [food] = [r for r in await uow.reminders.for_person(ana.id) if r.habit == "food"]
    assert food.rule["times"] == ["12:30", "18:30"] and food.pinned and food.own_rule is None
    # Pinned: no more moves.
    harness.clock.set(harness.clock.now() + timedelta(days=8))
    assert await harness.runtime.dispatcher.learn() == 0
