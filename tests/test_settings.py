"""Settings end to end: every change lands in the stored rules and their next fire times."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.habits import NUDGED, Habit
from bot.domain.schedule import ALL_DAYS, Window
from bot.sandbox.limits import FloodLimits
from bot.services import onboarding
from bot.services.schedules import next_time
from bot.storage.people import PersonRecord
from bot.storage.reminders import ReminderRecord
from bot.telegram import texts
from tests.harness import Harness
from tests.talk import ask, forge, last, press

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def no_flood_limits(harness: Harness) -> None:
    # People tap slower than a test; flood limits have tests of their own.
    harness.sandbox.limits = FloodLimits(enabled=False)


async def onboard(harness: Harness, user: Any) -> None:
    """Onboard a person through the services (the flow itself is tested elsewhere)."""
    await ask(harness, user, "/start")
    assert harness.db is not None
    db, now = harness.db, harness.clock.now()
    await onboarding.consent(db.uow(), user.id, now)
    await onboarding.set_zone(db.uow(), user.id, "Europe/Berlin", now)
    await onboarding.set_wake(db.uow(), user.id, time(7), now)
    await onboarding.set_sleep(db.uow(), user.id, time(23), now)
    await onboarding.set_sitting(db.uow(), user.id, Window(time(9), time(17)), now)
    await onboarding.finish(db.uow(), user.id, now)


async def state(harness: Harness, user: Any) -> tuple[PersonRecord, dict[str, ReminderRecord]]:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        person = await uow.people.get(user.id)
        assert person is not None
        return person, {r.habit: r for r in await uow.reminders.for_person(user.id)}


async def assert_scheduled(harness: Harness, user: Any) -> dict[str, ReminderRecord]:
    """Check every reminder's next_fire_at is what its rule says, from now."""
    person, rows = await state(harness, user)
    for r in rows.values():
        assert r.next_fire_at == next_time(
            person, r.habit, r.rule, harness.clock.now(), enabled=r.enabled
        ), r.habit
    return rows


async def test_settings_need_onboarding_and_a_private_chat(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    [reply] = await ask(harness, ana, "/settings")
    assert reply.text == texts.NEED_START
    for command in ("/pause 3d", "/resume"):
        [reply] = await ask(harness, ana, command)
        assert reply.text == texts.NEED_START
    group = harness.sandbox.add_group("Desk club", members=[ana])
    await harness.sandbox.add_bot_to_group(group.id, ana)
    await harness.settle()
    for command in ("/settings", "/pause", "/breathe"):
        [reply] = await ask(harness, ana, command, chat_id=group.id)
        assert reply.text == texts.NOT_IN_GROUP


async def test_zone_change_moves_every_reminder(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    await onboard(harness, ana)
    before = await assert_scheduled(harness, ana)

    [menu] = await ask(harness, ana, "/settings")
    assert "Europe/Berlin" in menu.text and "07:00–23:00" in menu.text
    await press(harness, ana, "🌍 Time zone", message=menu)
    answer = await press(harness, ana, "Tokyo")
    assert answer.text is None
    person, rows = await state(harness, ana)
    assert person.timezone == "Asia/Tokyo"
    assert rows["checkin"].next_fire_at != before["checkin"].next_fire_at
    await assert_scheduled(harness, ana)
    # The same button again, from the old screen: polite, nothing changes.
    answer = await forge(harness, ana, menu, "s:z:7")
    assert answer.text == texts.SETTINGS_ALREADY

    await press(harness, ana, "🌍 Time zone")
    [reply] = await ask(harness, ana, "Atlantis")
    assert "don't know the time zone" in reply.text
    assert (await state(harness, ana))[0].timezone == "Asia/Tokyo"
    await ask(harness, ana, "new york", count=2)
    person, _ = await state(harness, ana)
    assert person.timezone == "America/New_York" and person.pending is None
    await assert_scheduled(harness, ana)

    await press(harness, ana, "🌍 Time zone")
    await harness.sandbox.send_location(ana, 52.52, 13.405)
    await harness.sandbox.wait_for_bot_message(ana.id, count=2)  # the zone and the menu
    await harness.settle()
    assert (await state(harness, ana))[0].timezone == "Europe/Berlin"
    assert harness.sandbox.reply_keyboard(ana.id) is None


async def test_day_and_sitting_changes_refit_the_rules(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    await onboard(harness, ana)
    await ask(harness, ana, "/settings")
    await press(harness, ana, "☀️ Day")
    for bad in ("25:99-7", "7-6", "🙂", "z" * 5000):
        [reply] = await ask(harness, ana, bad)
        assert len(reply.text) < 250
    person, _ = await state(harness, ana)
    assert (person.wake_time, person.sleep_time) == ("07:00", "23:00")

    # A restart between the question and the answer: the answer still lands.
    await harness.restart()
    [reply] = await ask(harness, ana, "6-22")
    assert texts.SETTINGS_SAVED in reply.text
    person, rows = await state(harness, ana)
    assert (person.wake_time, person.sleep_time) == ("06:00", "22:00")
    assert rows["water"].rule["window"] == {"start": "08:00", "end": "20:00"}
    assert rows["move"].rule["window"] == {"start": "09:00", "end": "17:00"}
    await assert_scheduled(harness, ana)

    await press(harness, ana, "🪑 Sitting hours")
    await press(harness, ana, "10:00–18:00")
    person, rows = await state(harness, ana)
    assert (person.sit_start, person.sit_end) == ("10:00", "18:00")
    assert rows["move"].rule["window"] == {"start": "10:00", "end": "18:00"}
    await assert_scheduled(harness, ana)

    # A night shift crosses midnight; sitting hours that no longer fit follow the day.
    await press(harness, ana, "☀️ Day")
    await press(harness, ana, "20:00–12:00")
    person, rows = await state(harness, ana)
    assert (person.wake_time, person.sleep_time) == ("20:00", "12:00")
    assert (person.sit_start, person.sit_end) == ("20:00", "12:00")
    assert rows["water"].rule["window"] == {"start": "22:00", "end": "10:00"}
    await assert_scheduled(harness, ana)
    await press(harness, ana, "🪑 Sitting hours")
    [reply] = await ask(harness, ana, "13-17")
    assert "not inside your day" in reply.text
    [reply] = await ask(harness, ana, "22:00-06:00")
    _, rows = await state(harness, ana)
    assert rows["move"].rule["window"] == {"start": "22:00", "end": "06:00"}


async def test_habit_switches_times_and_days(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    await onboard(harness, ana)
    [menu] = await ask(harness, ana, "/settings")
    await press(harness, ana, "💧 Hydration")
    habit_screen = last(harness, ana)
    await press(harness, ana, "Turn off")
    _, rows = await state(harness, ana)
    assert not rows["water"].enabled and rows["water"].next_fire_at is None
    answer = await forge(harness, ana, habit_screen, "s:off:water")  # stale: already off
    assert answer.text == texts.SETTINGS_ALREADY
    await press(harness, ana, "⏰ Times")
    await press(harness, ana, "every 90 min")  # choosing a spacing turns it back on
    _, rows = await state(harness, ana)
    assert rows["water"].enabled and rows["water"].rule["every_minutes"] == 90
    await assert_scheduled(harness, ana)

    await press(harness, ana, texts.BUTTON_BACK)
    await press(harness, ana, "🌬️ Breathing", message=menu)
    await press(harness, ana, "⏰ Times")
    [reply] = await ask(harness, ana, "3am, 15:00")
    assert "outside your day" in reply.text
    [reply] = await ask(harness, ana, "10:00 and 3pm")
    assert "at 10:00 and 15:00" in reply.text
    _, rows = await state(harness, ana)
    assert rows["breathe"].rule["times"] == ["10:00", "15:00"]
    assert rows["breathe"].rule["offset_minutes"] == 0
    await assert_scheduled(harness, ana)
    await press(harness, ana, texts.BUTTON_BACK)

    await press(harness, ana, "📝 Daily check-in")
    await press(harness, ana, "⏰ Times")
    await press(harness, ana, "21:00")
    _, rows = await state(harness, ana)
    assert rows["checkin"].rule["times"] == ["21:00"]
    assert rows["checkin"].next_fire_at == datetime(2026, 3, 27, 21, 0, tzinfo=BERLIN)

    await ask(harness, ana, "/settings")
    await press(harness, ana, "🚶 Movement break")
    await press(harness, ana, "📅 Days")
    await press(harness, ana, "Every day")
    _, rows = await state(harness, ana)
    assert rows["move"].rule["weekdays"] == sorted(ALL_DAYS)
    await press(harness, ana, "📅 Days")
    [reply] = await ask(harness, ana, "someday")
    assert "couldn't read" in reply.text
    await ask(harness, ana, "mon,wed,fri")
    await press(harness, ana, "⏰ Times")
    await ask(harness, ana, "45m")
    _, rows = await state(harness, ana)
    assert rows["move"].rule["weekdays"] == [0, 2, 4]
    assert rows["move"].rule["every_minutes"] == 45
    await assert_scheduled(harness, ana)

    await ask(harness, ana, "/settings")
    await press(harness, ana, "🚶 Movement break")
    await press(harness, ana, "↺ Default")
    _, rows = await state(harness, ana)
    assert (
        rows["move"].rule
        == onboarding.default_rule_for(
            ana.id, Habit.MOVE, Window(time(7), time(23)), Window(time(9), time(17))
        ).to_dict()
    )
    answer = await press(harness, ana, "↺ Default")
    assert answer.text == texts.SETTINGS_ALREADY
    answer = await forge(harness, ana, last(harness, ana), "s:iv:water:7")  # forged value
    assert answer.text == texts.STALE_BUTTON


async def test_pause_and_resume(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    await onboard(harness, ana)
    now = harness.clock.now()
    before = await assert_scheduled(harness, ana)

    [reply] = await ask(harness, ana, "/pause 3d")
    assert "Paused until Mon 30 Mar 09:00" in reply.text  # Berlin time, after the DST change
    person, rows = await state(harness, ana)
    assert person.paused_until == now + timedelta(days=3)
    for habit in [h.value for h in NUDGED]:
        fire = rows[habit].next_fire_at
        assert fire is not None and fire >= now + timedelta(days=3)
    await assert_scheduled(harness, ana)
    [menu] = await ask(harness, ana, "/settings")
    assert "Paused until" in menu.text and "▶️ Resume" in menu.button_texts

    [reply] = await ask(harness, ana, "/resume")
    assert reply.text == texts.RESUMED
    person, rows = await state(harness, ana)
    assert person.paused_until is None
    assert {h: r.next_fire_at for h, r in rows.items()} == {
        h: r.next_fire_at for h, r in before.items()
    }
    [reply] = await ask(harness, ana, "/resume")
    assert reply.text == texts.NOT_PAUSED

    [reply] = await ask(harness, ana, "/pause")
    assert reply.text == texts.PAUSED_FOREVER
    _, rows = await state(harness, ana)
    assert all(r.next_fire_at is None for r in rows.values())
    [reply] = await ask(harness, ana, "/pause forever and ever")
    assert "couldn't read" in reply.text
    await ask(harness, ana, "/resume")
    _, rows = await state(harness, ana)
    assert {h: r.next_fire_at for h, r in rows.items()} == {
        h: r.next_fire_at for h, r in before.items()
    }

    await ask(harness, ana, "/settings")
    await press(harness, ana, "⏸ Pause")
    await press(harness, ana, "1d")
    person, _ = await state(harness, ana)
    assert person.paused_until == now + timedelta(days=1)
    await assert_scheduled(harness, ana)


async def test_privacy_and_close(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    [reply] = await ask(harness, ana, "/privacy")
    assert "/export" in reply.text and "/delete" in reply.text
    await onboard(harness, ana)
    [menu] = await ask(harness, ana, "/settings")
    await press(harness, ana, texts.BUTTON_CLOSE)
    closed = last(harness, ana)
    assert closed.message_id == menu.message_id and closed.buttons == []
    answer = await forge(harness, ana, closed, "s:nonsense")
    assert answer.text == texts.STALE_BUTTON


async def test_the_daily_message_budget_is_a_setting(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    await onboard(harness, ana)
    [menu_] = await ask(harness, ana, "/settings")
    assert "📬 Messages: Normal: up to 7 a day" in (menu_.text or "")
    await press(harness, ana, "📬 Messages a day", message=menu_)
    assert texts.BUDGET_QUESTION in (last(harness, ana).text or "")
    await press(harness, ana, "Light: up to 4 a day", message=menu_)
    person, _ = await state(harness, ana)
    assert person.nudge_budget == "light"
    assert "📬 Messages: Light: up to 4 a day" in (last(harness, ana).text or "")
    # A forged budget is a stale button and changes nothing.
    answer = await forge(harness, ana, menu_, "s:b:huge")
    assert answer is not None and answer.text == texts.STALE_BUTTON
    person, _ = await state(harness, ana)
    assert person.nudge_budget == "light"


async def test_own_daily_goal_is_shown_the_same_everywhere(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    await onboard(harness, ana)
    await ask(harness, ana, "/settings")
    await press(harness, ana, "🥗 Gut-friendly food")
    assert "🎯 Goal: 2 a day (follows your times)" in (last(harness, ana).text or "")
    await press(harness, ana, "🎯 Goal")
    goal_screen = last(harness, ana)
    await press(harness, ana, "3")
    assert "🎯 Goal: 3 a day (your own number)" in (last(harness, ana).text or "")
    _, rows = await state(harness, ana)
    assert rows["food"].goal == 3
    answer = await forge(harness, ana, goal_screen, "s:gs:food:99")  # not an offered goal
    assert answer.text == texts.STALE_BUTTON
    [today] = await ask(harness, ana, "/today")
    assert "Gut-friendly food: 0/3" in (today.text or "")
    [logged] = await ask(harness, ana, "had kefir")
    assert "1/3 today" in (logged.text or "")
    await ask(harness, ana, "/settings")
    await press(harness, ana, "🥗 Gut-friendly food")
    await press(harness, ana, "🎯 Goal")
    await press(harness, ana, texts.BUTTON_GOAL_FROM_SCHEDULE)
    _, rows = await state(harness, ana)
    assert rows["food"].goal is None
