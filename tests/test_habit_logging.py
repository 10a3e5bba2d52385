"""Habit logging as a service: what is stored and what comes back, without Telegram."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.domain.quicklog import NotLogged, QuickLog, Refusal, read_log
from bot.services import habit_logging as service
from bot.services.local_day import NotReady
from bot.storage.uow import Database
from tests.factories import make_person

# Noon in Berlin on a Friday, a week after the test clock starts.
NOON = datetime(2026, 4, 3, 10, 0, tzinfo=UTC)
TODAY = date(2026, 4, 3)


async def rows_on(db: Database, person_id: int, day: date) -> list[tuple[str, int | None]]:
    async with db.uow() as uow:
        return [(e.habit, e.amount) for e in await uow.habit_logs.for_day(person_id, day)]


def entry(text: str) -> QuickLog:
    parsed = read_log(text)
    assert isinstance(parsed, QuickLog), text
    return parsed


async def test_glasses_are_one_entry_of_one_row_each_and_undo_takes_it_back_whole(
    db: Database, clock: FakeClock
) -> None:
    clock.set(NOON)
    await make_person(db, 1, now=clock.now())
    logged = await service.log_entry(db.uow(), 1, entry("drank 3 glasses"), clock.now())
    assert (logged.habit, logged.done, logged.target, logged.day) == ("water", 3, 6, TODAY)
    assert await rows_on(db, 1, TODAY) == [("water", 1)] * 3

    undone = await service.undo(db.uow(), 1, logged.log_id, clock.now())
    assert undone.outcome is service.UndoOutcome.UNDONE
    assert (undone.done, undone.target, undone.day) == (0, 6, TODAY)
    assert await rows_on(db, 1, TODAY) == []
    again = await service.undo(db.uow(), 1, logged.log_id, clock.now())
    assert again.outcome is service.UndoOutcome.GONE


async def test_undo_refuses_someone_else_and_a_day_old_entry(
    db: Database, clock: FakeClock
) -> None:
    clock.set(NOON)
    await make_person(db, 1, now=clock.now())
    await make_person(db, 2, now=clock.now(), first_name="Ben")
    logged = await service.log_entry(db.uow(), 1, entry("walked 20 min"), clock.now())
    theirs = await service.undo(db.uow(), 2, logged.log_id, clock.now())
    assert theirs.outcome is service.UndoOutcome.NOT_YOURS
    late = await service.undo(db.uow(), 1, logged.log_id, clock.now() + timedelta(hours=25))
    assert late.outcome is service.UndoOutcome.TOO_LATE
    assert await rows_on(db, 1, TODAY) == [("move", 20)]


async def test_a_hint_message_logs_once(db: Database, clock: FakeClock) -> None:
    clock.set(NOON)
    await make_person(db, 1, now=clock.now())
    logged = await service.log_from_hint(db.uow(), 1, "breathe", 77, clock.now())
    assert (logged.done, logged.target) == (1, 1)
    with pytest.raises(service.AlreadyLogged):
        await service.log_from_hint(db.uow(), 1, "breathe", 77, clock.now())
    with pytest.raises(ValueError):
        await service.log_from_hint(db.uow(), 1, "checkin", 78, clock.now())
    assert await rows_on(db, 1, TODAY) == [("breathe", None)]


async def test_yesterday_is_logged_on_yesterday_and_days_are_local(
    db: Database, clock: FakeClock
) -> None:
    # 22:30 UTC is already Saturday in Berlin (summer time).
    clock.set(datetime(2026, 4, 3, 22, 30, tzinfo=UTC))
    await make_person(db, 1, now=clock.now())
    late = await service.log_entry(db.uow(), 1, entry("had kefir"), clock.now())
    back = await service.log_entry(db.uow(), 1, entry("had kefir yesterday"), clock.now())
    assert (late.day, late.today) == (TODAY + timedelta(days=1), TODAY + timedelta(days=1))
    assert (back.day, back.done) == (TODAY, 1)


async def test_reaching_the_goal_on_the_third_day_is_a_milestone(
    db: Database, clock: FakeClock
) -> None:
    clock.set(NOON - timedelta(days=2))
    await make_person(db, 1, now=clock.now(), habits=("breathe",))
    milestones = []
    for day in range(3):
        clock.set(NOON + timedelta(days=day - 2))
        logged = await service.log_entry(db.uow(), 1, entry("box breathing"), clock.now())
        milestones.append(logged.milestone)
    assert milestones == [None, None, 3]


async def test_tea_counts_as_water_only_once_chosen(db: Database, clock: FakeClock) -> None:
    clock.set(NOON)
    await make_person(db, 1, now=clock.now())
    refused = await service.read_message(db.uow(), 1, "a cup of tea")
    assert isinstance(refused, NotLogged) and refused.reason is Refusal.OTHER_DRINK
    await service.set_hot_drinks(db.uow(), 1, True)
    counted = await service.read_message(db.uow(), 1, "a cup of tea")
    assert isinstance(counted, QuickLog) and counted.habit == "water"


async def test_someone_without_a_zone_is_not_ready(db: Database, clock: FakeClock) -> None:
    clock.set(NOON)
    with pytest.raises(NotReady):
        await service.log_entry(db.uow(), 9, entry("had kefir"), clock.now())
