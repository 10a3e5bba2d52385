"""Settings without Telegram: typed questions, changes, and refusals that change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.domain.day import BadDay, BadSpacing, NotInDay, OutsideDay
from bot.domain.habits import Habit
from bot.domain.pending import Feature, PendingInput
from bot.domain.schedule import Window
from bot.services import onboarding, settings
from bot.services.people import Speaker
from bot.services.settings import SettingsOverview, SettingsQuestion
from bot.storage.uow import Database

NOW = datetime(2026, 3, 27, 7, 0, tzinfo=UTC)
ANA = Speaker(id=42, first_name="Ana")


@pytest.fixture
async def ana(db: Database) -> SettingsOverview:
    """Ana, set up: Berlin, awake 07:00–23:00, sitting 09:00–17:00."""
    await onboarding.begin(db.uow(), ANA, chat_id=ANA.id, now=NOW)
    await onboarding.consent(db.uow(), ANA.id, NOW)
    await onboarding.set_zone(db.uow(), ANA.id, "Europe/Berlin", NOW)
    await onboarding.set_wake(db.uow(), ANA.id, time(7), NOW)
    await onboarding.set_sleep(db.uow(), ANA.id, time(23), NOW)
    await onboarding.set_sitting(db.uow(), ANA.id, Window(time(9), time(17)), NOW)
    await onboarding.finish(db.uow(), ANA.id, NOW)
    return await settings.overview(db.uow(), ANA.id, NOW)


async def test_a_typed_question_is_stored_typed_and_the_menu_forgets_it(
    db: Database, ana: SettingsOverview
) -> None:
    asked = await settings.ask(db.uow(), ANA.id, SettingsQuestion.TIMES, NOW, Habit.BREATHE)
    assert asked.person.pending == PendingInput(
        Feature.SETTINGS, "times", asked_at=NOW, habit=Habit.BREATHE
    )
    shown = await settings.overview(db.uow(), ANA.id, NOW)
    assert shown.person.pending is None


async def test_opening_the_menu_leaves_another_features_question(
    db: Database, ana: SettingsOverview
) -> None:
    note = PendingInput(Feature.CHECKIN, "note", asked_at=NOW, day=NOW.date())
    async with db.uow() as uow:
        await uow.people.set_pending(ANA.id, note, NOW)
        await uow.commit()
    shown = await settings.overview(db.uow(), ANA.id, NOW)
    assert shown.person.pending == note


async def test_a_new_zone_is_stored_and_the_question_released(
    db: Database, ana: SettingsOverview
) -> None:
    await settings.ask(db.uow(), ANA.id, SettingsQuestion.ZONE, NOW)
    moved = await settings.set_zone(db.uow(), ANA.id, "America/New_York", NOW)
    assert moved.person.timezone == "America/New_York" and moved.person.pending is None
    before = {h: r.next_fire_at for h, r in ana.reminders.items()}
    after = {h: r.next_fire_at for h, r in moved.reminders.items()}
    assert before != after  # rescheduled in the new zone
    with pytest.raises(settings.Unchanged):
        await settings.set_zone(db.uow(), ANA.id, "America/New_York", NOW)


async def test_a_new_day_moves_the_sitting_hours_only_if_they_no_longer_fit(
    db: Database, ana: SettingsOverview
) -> None:
    later = await settings.set_day(db.uow(), ANA.id, Window(time(8), time(0)), NOW)
    assert (later.person.wake_time, later.person.sleep_time) == ("08:00", "00:00")
    assert (later.person.sit_start, later.person.sit_end) == ("09:00", "17:00")
    night = await settings.set_day(db.uow(), ANA.id, Window(time(20), time(12)), NOW)
    assert (night.person.sit_start, night.person.sit_end) == ("20:00", "12:00")


@pytest.mark.parametrize(
    "change",
    [
        lambda db: settings.set_day(db.uow(), ANA.id, Window(time(7), time(9)), NOW),
        lambda db: settings.set_sitting(db.uow(), ANA.id, Window(time(5), time(12)), NOW),
        lambda db: settings.set_times(db.uow(), ANA.id, Habit.BREATHE, (time(3),), NOW),
        lambda db: settings.set_times(
            db.uow(), ANA.id, Habit.BREATHE, tuple(time(h) for h in range(8, 15)), NOW
        ),
        lambda db: settings.set_interval(db.uow(), ANA.id, Habit.WATER, 5, NOW),
        lambda db: settings.set_interval(db.uow(), ANA.id, Habit.WATER, 600, NOW),
        lambda db: settings.set_interval(db.uow(), ANA.id, Habit.BREATHE, 60, NOW),
        lambda db: settings.set_weekdays(db.uow(), ANA.id, Habit.FOOD, frozenset(), NOW),
        lambda db: settings.set_budget(db.uow(), ANA.id, "lots", NOW),
    ],
    ids=[
        "short-day",
        "sitting-outside-day",
        "time-at-night",
        "seven-times",
        "every-5-min",
        "every-10-h",
        "interval-for-clock-habit",
        "no-days",
        "unknown-budget",
    ],
)
async def test_a_refused_change_changes_nothing(
    db: Database, ana: SettingsOverview, change: object
) -> None:
    assert callable(change)
    with pytest.raises((BadDay, NotInDay, OutsideDay, BadSpacing, ValueError)):
        await change(db)
    after = await settings.overview(db.uow(), ANA.id, NOW)
    assert after.person == ana.person
    assert after.reminders == ana.reminders


async def test_pause_and_resume(db: Database, ana: SettingsOverview) -> None:
    paused = await settings.pause(db.uow(), ANA.id, timedelta(days=3), NOW)
    assert paused.person.paused_until == NOW + timedelta(days=3) and paused.paused(NOW)
    forever = await settings.pause(db.uow(), ANA.id, None, NOW)
    assert forever.paused_indefinitely(NOW)
    resumed = await settings.resume(db.uow(), ANA.id, NOW)
    assert not resumed.paused(NOW)
    with pytest.raises(settings.Unchanged):
        await settings.resume(db.uow(), ANA.id, NOW)


async def test_budget_and_stool_question(db: Database, ana: SettingsOverview) -> None:
    light = await settings.set_budget(db.uow(), ANA.id, "light", NOW)
    assert light.person.nudge_budget == "light"
    with pytest.raises(settings.Unchanged):
        await settings.set_budget(db.uow(), ANA.id, "light", NOW)
    stool = await settings.set_ask_stool(db.uow(), ANA.id, True, NOW)
    assert stool.person.ask_stool


async def test_settings_need_a_finished_setup(db: Database) -> None:
    await onboarding.begin(db.uow(), ANA, chat_id=ANA.id, now=NOW)
    with pytest.raises(settings.NotOnboarded):
        await settings.overview(db.uow(), ANA.id, NOW)
    with pytest.raises(settings.NotOnboarded):
        await settings.ask(db.uow(), ANA.id, SettingsQuestion.ZONE, NOW)
