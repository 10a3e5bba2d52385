"""Bugs found by playing people against the bot, each pinned by the test that first failed."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from bot.domain.habits import Habit
from bot.domain.schedule import Rule, Window
from bot.services import onboarding
from bot.services import settings as settings_service
from bot.services.schedules import next_time
from bot.storage.reminders import ReminderRecord
from bot.telegram import texts
from tests.factories import make_person
from tests.harness import Harness
from tests.talk import ask, forge, last, press, quick_typist, say, tap

TODAY = date(2026, 3, 27)  # the clock fixture's day in Berlin


async def onboarded(harness: Harness, name: str = "Ana", **person: Any) -> Any:
    quick_typist(harness)
    user = harness.sandbox.add_user(first_name=name)
    assert harness.db is not None
    await make_person(harness.db, user.id, now=harness.clock.now(), first_name=name, **person)
    return user


async def reminders(harness: Harness, user: Any) -> dict[str, ReminderRecord]:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        return {r.habit: r for r in await uow.reminders.for_person(user.id)}


async def test_red_flag_answer_is_acknowledged_in_words(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    question = last(harness, ana)
    await tap(harness, ana, question, data=f"c:a:{TODAY:%Y%m%d}:pain:9")
    await tap(harness, ana, last(harness, ana), text=texts.CHOICE_LABELS["where"]["lower_back"])
    safety = last(harness, ana)
    await tap(harness, ana, safety, text=texts.RED_FLAG_BUTTONS["weight_cancer"])
    await tap(harness, ana, last(harness, ana), text=texts.BUTTON_RF_DONE)
    [answered] = [
        m for m in harness.sandbox.bot_messages(ana.id) if m.message_id == safety.message_id
    ]
    # The warning names the sign in words, not the stored key.
    assert texts.RED_FLAG_ABOUT["weight_cancer"] in answered.text
    assert "weight_cancer" not in answered.text


async def test_a_button_nobody_knows_is_answered(harness: Harness) -> None:
    ana = await onboarded(harness)
    [reply] = await say(harness, ana, "/today")
    for data in ("zzz", "q:1:2", "🙂"):
        answer = await forge(harness, ana, reply, data)
        assert answer.text == texts.STALE_BUTTON
    assert last(harness, ana).message_id == reply.message_id  # and nothing else happened


async def test_broadcast_to_one_person_says_person(harness: Harness) -> None:
    admin = await onboarded(harness, "Ad")
    harness.make_admin(admin)
    await say(harness, admin, "/broadcast Stand up and stretch.")
    preview = last(harness, admin)
    await press(harness, admin, texts.BUTTON_SEND, preview)
    [queued] = [
        m for m in harness.sandbox.bot_messages(admin.id) if m.message_id == preview.message_id
    ]
    text = queued.text
    assert "1 person." in text and "1 people" not in text


async def test_new_day_moves_custom_times_that_no_longer_fit(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    await ask(harness, ana, "/start")
    assert harness.db is not None
    db, now = harness.db, harness.clock.now()
    await onboarding.consent(db.uow(), ana.id, now)
    await onboarding.set_zone(db.uow(), ana.id, "America/Los_Angeles", now)
    await onboarding.set_wake(db.uow(), ana.id, time(7), now)
    await onboarding.set_sleep(db.uow(), ana.id, time(23), now)
    await onboarding.set_sitting(db.uow(), ana.id, Window(time(9), time(17)), now)
    await onboarding.finish(db.uow(), ana.id, now)
    # Custom times: breathing at 10:00 and 15:00 on weekdays, the check-in at 22:00.
    await settings_service.set_times(db.uow(), ana.id, Habit.BREATHE, (time(10), time(15)), now)
    await settings_service.set_times(db.uow(), ana.id, Habit.CHECKIN, (time(22),), now)
    await settings_service.set_weekdays(db.uow(), ana.id, Habit.BREATHE, frozenset(range(5)), now)

    # A night shift: 15:00 and 22:00 now fall in quiet hours and would never fire.
    await ask(harness, ana, "/settings")
    await press(harness, ana, "☀️ Day")
    [menu] = await ask(harness, ana, "23:00-13:00")
    rows = await reminders(harness, ana)
    day = Window(time(23), time(13))
    for habit in ("breathe", "checkin", "food"):
        rule = Rule.from_dict(rows[habit].rule)
        assert all(day.contains(t) for t in rule.times), (habit, rule.times)
        assert rows[habit].next_fire_at is not None
        assert rule.describe() in menu.text
    assert Rule.from_dict(rows["breathe"].rule).weekdays == frozenset(range(5))  # kept
    async with db.uow() as uow:
        person = await uow.people.get(ana.id)
    assert person is not None
    for r in rows.values():
        assert r.next_fire_at == next_time(person, r.habit, r.rule, harness.clock.now())

    # Custom times that still fit are left alone.
    await settings_service.set_times(db.uow(), ana.id, Habit.FOOD, (time(1), time(6)), now)
    await ask(harness, ana, "/settings")
    await press(harness, ana, "☀️ Day")
    await ask(harness, ana, "22:00-12:00")
    food = Rule.from_dict((await reminders(harness, ana))["food"].rule)
    assert food.times == (time(1), time(6))


async def test_zero_or_negative_amounts_log_nothing(harness: Harness) -> None:
    ana = await onboarded(harness)
    for text in ("/log 0 glasses", "drank 0 glasses of water", "/log -3 glasses"):
        [reply] = await say(harness, ana, text)
        assert reply.text is not None and "I logged nothing for water" in reply.text
    [reply] = await say(harness, ana, "/today")
    assert "Hydration: 0/6" in reply.text


async def test_hello_from_someone_not_set_up_points_at_start(harness: Harness) -> None:
    stranger = harness.sandbox.add_user(first_name="New")
    [reply] = await harness.say(stranger, "hello there")
    assert reply.text == texts.FINISH_START_FIRST
    assert not reply.buttons
