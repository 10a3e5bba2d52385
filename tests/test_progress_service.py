"""/today and /progress as services: the views they return, without Telegram."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.domain.peg import PegItem
from bot.services import progress as service
from bot.services.local_day import NotReady
from bot.storage.uow import Database
from bot.telegram.charts import render_progress
from tests.factories import make_person

# Noon in Berlin on a Friday, a week after the test clock starts.
NOON = datetime(2026, 4, 3, 10, 0, tzinfo=UTC)
TODAY = date(2026, 4, 3)


async def log(db: Database, person_id: int, habit: str, day: date, times: int = 1) -> None:
    at = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
    async with db.uow() as uow:
        for _ in range(times):
            await uow.habit_logs.add(person_id, habit, at=at, local_date=day, source="test")
        await uow.commit()


async def test_today_shows_switched_on_habits_and_the_next_nudge(
    db: Database, clock: FakeClock
) -> None:
    clock.set(NOON)
    await make_person(db, 1, now=clock.now(), habits=("water", "food"))
    await log(db, 1, "water", TODAY, times=2)
    await log(db, 1, "breathe", TODAY)  # switched off, but done today: shown
    view = await service.today_view(db.uow(), 1, clock.now())
    shown = {h.habit: (h.done, h.target, h.enabled) for h in view.habits}
    assert view.day == TODAY
    assert shown == {"water": (2, 6, True), "food": (0, 2, True), "breathe": (1, 1, False)}
    assert view.upcoming is not None and view.upcoming.next_at is not None
    assert view.upcoming.next_at > clock.now()
    assert view.paused_until is None


async def test_progress_counts_streaks_and_lays_out_the_chart(
    db: Database, clock: FakeClock
) -> None:
    clock.set(NOON - timedelta(days=3))
    await make_person(db, 1, now=clock.now(), habits=("food",))
    for back in (3, 2, 1):
        await log(db, 1, "food", TODAY - timedelta(days=back), times=2)
    await log(db, 1, "food", TODAY)  # half of today's goal: today is still open
    clock.set(NOON)
    view = await service.progress_view(db.uow(), 1, clock.now())
    [food] = view.habits
    assert (food.habit, food.streak, food.best, food.goal) == ("food", 3, 3, 2)
    assert food.flexible == 4
    assert await service.habit_streak(db.uow(), 1, "food", clock.now()) == 3
    assert view.chart is not None
    assert len(view.chart.days) == service.CHART_MIN_DAYS and view.chart.days[-1] == TODAY
    [row] = view.chart.habits
    assert row.cells[-4:] == [service.Cell.MET] * 3 + [service.Cell.SOME]
    assert row.cells[0] is service.Cell.BEFORE

    longer = await service.progress_view(db.uow(), 1, clock.now(), days=90)
    assert longer.chart is not None and len(longer.chart.days) == 90


async def test_progress_without_data_has_no_chart(db: Database, clock: FakeClock) -> None:
    clock.set(NOON)
    await make_person(db, 1, now=clock.now())
    view = await service.progress_view(db.uow(), 1, clock.now())
    assert view.chart is None


async def test_someone_without_a_zone_is_not_ready(db: Database, clock: FakeClock) -> None:
    clock.set(NOON)
    with pytest.raises(NotReady):
        await service.today_view(db.uow(), 9, clock.now())
    with pytest.raises(NotReady):
        await service.progress_view(db.uow(), 9, clock.now())


async def test_the_weekly_pain_score_is_charted_on_its_day(db: Database, clock: FakeClock) -> None:
    clock.set(NOON - timedelta(days=3))
    await make_person(db, 1, now=clock.now(), habits=("food",))
    await log(db, 1, "food", TODAY - timedelta(days=2))
    given = TODAY - timedelta(days=1)
    async with db.uow() as uow:
        for item, value in ((PegItem.PAIN, 6), (PegItem.ENJOYMENT, 5), (PegItem.ACTIVITY, 7)):
            await uow.checkins.answer_peg(1, "2026-W14", given, item, value, clock.now())
        await uow.commit()
    clock.set(NOON)
    view = await service.progress_view(db.uow(), 1, clock.now())
    assert view.chart is not None
    marked = {d: v for d, v in zip(view.chart.days, view.chart.peg, strict=True) if v is not None}
    assert marked == {given: 6.0}
    png = render_progress(view.chart)
    assert png.startswith(b"\x89PNG")
