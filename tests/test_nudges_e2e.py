"""Nudges end to end: the tick, the sender and the buttons against the sandbox, clock in hand."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.sandbox.models import ChatMessage
from bot.storage.deliveries import DeliveryRecord
from bot.storage.models import HabitLog
from bot.storage.reminders import ReminderRecord
from bot.telegram import texts
from tests.factories import make_person
from tests.harness import Harness


def _at(month: int, day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, month, day, hh, mm, tzinfo=UTC)


# Water every two hours, 07:00-23:00: a steady rhythm to test the buttons and the tick on.
EVERY_2H = {"water": {"every_minutes": 120, "window": {"start": "07:00", "end": "23:00"}}}


async def _person(harness: Harness, habits: tuple[str, ...], **kwargs: Any) -> Any:
    """Add a sandbox user who is onboarded with the given habits (water every two hours)."""
    kwargs.setdefault("rules", EVERY_2H)
    user = harness.sandbox.add_user(first_name="Ana")
    assert harness.db is not None
    await make_person(harness.db, user.id, now=harness.clock.now(), habits=habits, **kwargs)
    return user


async def _deliveries(harness: Harness, person_id: int) -> list[DeliveryRecord]:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        return await uow.deliveries.for_person(person_id)


async def _reminder(harness: Harness, person_id: int, habit: str) -> ReminderRecord:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        [found] = [r for r in await uow.reminders.for_person(person_id) if r.habit == habit]
        return found


async def _logs(harness: Harness, person_id: int, habit: str) -> int:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        stmt = select(func.count()).select_from(HabitLog)
        where = (HabitLog.person_id == person_id, HabitLog.habit == habit)
        return int(await uow.session.scalar(stmt.where(*where)) or 0)


async def _tick_at(harness: Harness, when: datetime, chat_id: int) -> list[ChatMessage]:
    """Move the clock, tick, and return the bot's new messages in the chat."""
    before = {m.message_id for m in harness.sandbox.bot_messages(chat_id)}
    harness.clock.set(when)
    await harness.tick()
    return [m for m in harness.sandbox.bot_messages(chat_id) if m.message_id not in before]


def _current(harness: Harness, message: ChatMessage) -> ChatMessage:
    [now] = [
        m
        for m in harness.sandbox.bot_messages(message.chat_id)
        if m.message_id == message.message_id
    ]
    return now


async def test_meal_nudges_keep_local_time_across_the_dst_change(harness: Harness) -> None:
    ana = await _person(harness, ("food",))
    # 12:30 and 18:30 in Berlin: CET (UTC+1) until Sunday 29 March 2026 02:00, CEST (UTC+2) after.
    harness.clock.set(_at(3, 28, 17))  # the bot was off since Friday morning
    assert await _tick_at(harness, _at(3, 28, 17, 29), ana.id) == []
    expected = [_at(3, 28, 17, 30), _at(3, 29, 10, 30), _at(3, 29, 16, 30)]
    for due in expected:
        # Not a minute early (nor an hour late or early on the day the clocks change).
        assert await _tick_at(harness, due - timedelta(minutes=1), ana.id) == []
        [nudge] = await _tick_at(harness, due, ana.id)
        assert "Gut-friendly food" in (nudge.text or "")
        assert nudge.button_texts == ["✅ Done", "⏰ 15 min", "⏰ 1 h", "Skip today"]
    rows = [r for r in await _deliveries(harness, ana.id) if r.kind == "nudge"]
    assert [(r.due_at, r.status) for r in rows] == [
        (_at(3, 27, 11, 30), "missed"),
        *((due, "sent") for due in expected),
    ]
    sent = rows[1:]
    assert all(r.sent_at is not None and r.sent_at - r.due_at < timedelta(seconds=5) for r in sent)


async def test_done_logs_once_and_acknowledges_with_count_and_streak(harness: Harness) -> None:
    ana = await _person(harness, ("water",))
    [nudge] = await _tick_at(harness, _at(3, 27, 8), ana.id)  # 09:00 in Berlin
    assert "Hydration" in (nudge.text or "")
    await harness.restart()  # the buttons live in the database, not in memory

    query = await harness.press(ana, nudge, text="✅ Done")
    edited = _current(harness, nudge)
    assert edited.text == "✅ 💧 Hydration – logged. 1/6 today."
    assert edited.button_texts == ["↩️ Undo"]  # for exactly the entry this press logged
    assert harness.sandbox.callback_answer(query) is not None
    assert await _logs(harness, ana.id, "water") == 1

    [row] = await _deliveries(harness, ana.id)
    again = await harness.sandbox.press_callback(ana, nudge.message_id, f"n:done:{row.id}")
    await harness.settle()
    answer = harness.sandbox.callback_answer(again)
    assert answer is not None and answer.text == texts.ALREADY_ANSWERED
    assert await _logs(harness, ana.id, "water") == 1


async def test_streak_counts_earlier_days(harness: Harness) -> None:
    ana = await _person(harness, ("food",))
    assert harness.db is not None
    async with harness.db.uow() as uow:
        for day in (25, 26):  # both meals on Wednesday and Thursday
            for hour in (11, 17):
                at = _at(3, day, hour)
                await uow.habit_logs.add(
                    ana.id, "food", at=at, local_date=at.date(), source="text"
                )
        await uow.commit()
    [nudge] = await _tick_at(harness, _at(3, 27, 11, 30), ana.id)
    await harness.press(ana, nudge, text="✅ Done")
    assert _current(harness, nudge).text == (
        "✅ 🥗 Gut-friendly food – logged. 1/2 today. 🔥 2-day streak!"
    )


async def test_snooze_survives_a_restart_and_comes_back(harness: Harness) -> None:
    ana = await _person(harness, ("water",))
    [nudge] = await _tick_at(harness, _at(3, 27, 8), ana.id)
    await harness.press(ana, nudge, text="⏰ 15 min")
    assert _current(harness, nudge).text == (
        "⏰ 💧 Hydration – snoozed. I'll remind you again at 09:15."
    )
    await harness.restart()
    assert await _tick_at(harness, _at(3, 27, 8, 14), ana.id) == []
    [again] = await _tick_at(harness, _at(3, 27, 8, 15), ana.id)
    assert again.text == nudge.text
    assert again.button_texts == nudge.button_texts
    # The snoozed copy has its own buttons: Done on it logs once.
    await harness.press(ana, again, text="✅ Done")
    assert await _logs(harness, ana.id, "water") == 1
    snoozed = [r for r in await _deliveries(harness, ana.id) if r.reminder_id is None]
    assert [(r.response, r.status) for r in snoozed] == [("done", "sent")]


async def test_skip_today_silences_the_habit_until_tomorrow(harness: Harness) -> None:
    ana = await _person(harness, ("water",))
    [nudge] = await _tick_at(harness, _at(3, 27, 8), ana.id)
    await harness.press(ana, nudge, text="Skip today")
    assert "skipped for today" in (_current(harness, nudge).text or "")
    await harness.restart()
    for hour in (10, 12, 14, 16, 18, 20, 22):  # 11:00 ... 23:00 in Berlin
        assert await _tick_at(harness, _at(3, 27, hour), ana.id) == []
    [tomorrow] = await _tick_at(harness, _at(3, 28, 6), ana.id)  # 07:00 Saturday
    assert "Hydration" in (tomorrow.text or "")


async def test_foreign_forged_and_stale_presses_change_nothing(harness: Harness) -> None:
    ana = await _person(harness, ("water",))
    bo = harness.sandbox.add_user(first_name="Bo")
    [nudge] = await _tick_at(harness, _at(3, 27, 8), ana.id)
    [row] = await _deliveries(harness, ana.id)
    attempts = [
        (bo, f"n:done:{row.id}", texts.NOT_YOURS),
        (ana, f"n:done:{row.id + 1000}", texts.STALE_BUTTON),
        (ana, "n:done:abc", texts.STALE_BUTTON),
        (ana, f"n:snz:{row.id}:5", texts.STALE_BUTTON),
        (ana, f"n:less:{row.id}", texts.STALE_BUTTON),
        (ana, f"n:zap:{row.id}", texts.STALE_BUTTON),
        (ana, "n:done:" + "9" * 50, texts.STALE_BUTTON),
    ]
    for who, data, refusal in attempts:
        query = await harness.sandbox.press_callback(who, nudge.message_id, data, chat_id=ana.id)
        await harness.settle()
        answer = harness.sandbox.callback_answer(query)
        assert answer is not None and answer.text == refusal, data
    assert _current(harness, nudge).text == nudge.text
    assert await _logs(harness, ana.id, "water") == 0
    [row] = await _deliveries(harness, ana.id)
    assert row.response is None


async def test_quiet_hours_are_respected(harness: Harness) -> None:
    # The rule runs 06:00-23:59 every 4 hours, but Ana sleeps until 08:00: 06:00 stays quiet.
    water = {"every_minutes": 240, "window": {"start": "06:00", "end": "23:59"}}
    ana = await _person(harness, ("water",), wake="08:00", sleep="22:30", rules={"water": water})
    sent = []
    times = [_at(3, 27, hour) for hour in (9, 13, 17, 21)]  # 10:00 ... 22:00 CET
    times += [_at(3, 28, hour) for hour in (1, 5, 9)]  # 02:00, 06:00, 10:00 CET
    for at in times:
        if await _tick_at(harness, at, ana.id):
            sent.append(at.hour)
    assert sent == [9, 13, 17, 21, 9]
    assert all(r.status == "sent" for r in await _deliveries(harness, ana.id))


async def test_pause_is_respected(harness: Harness) -> None:
    ana = await _person(harness, ("water",))
    replies = await harness.say(ana, "/pause 3h")  # 08:00 -> 11:00 in Berlin
    assert replies, "the bot did not answer /pause"
    assert await _tick_at(harness, _at(3, 27, 8), ana.id) == []  # 09:00 falls in the pause
    assert await _tick_at(harness, _at(3, 27, 10), ana.id) != []  # 11:00 does not


async def test_three_ignored_nudges_back_off_and_the_old_rhythm_can_be_kept(
    harness: Harness,
) -> None:
    ana = await _person(harness, ("water",))
    for hour in (8, 10, 12):
        [nudge] = await _tick_at(harness, _at(3, 27, hour), ana.id)
        assert "Hydration" in (nudge.text or "")
    # Three went unanswered: one line says the nudges thin out, with a way to keep them.
    [notice] = await _tick_at(harness, _at(3, 27, 14), ana.id)
    assert "less often" in (notice.text or "")
    assert notice.button_texts == ["Keep the old rhythm"]
    [nudge] = await _tick_at(harness, _at(3, 27, 16), ana.id)  # four hours after the last
    assert await _tick_at(harness, _at(3, 27, 18), ana.id) == []  # thinned out
    await harness.press(ana, notice, text="Keep the old rhythm")
    assert _current(harness, notice).text == texts.LESS_KEPT
    water = await _reminder(harness, ana.id, "water")
    assert water.ignored_in_row == 0 and water.next_fire_at == _at(3, 27, 20)
    [nudge] = await _tick_at(harness, _at(3, 27, 20), ana.id)
    assert "Hydration" in (nudge.text or "")


async def test_after_downtime_no_burst_of_stale_nudges(harness: Harness) -> None:
    ana = await _person(harness, ("water", "food", "breathe"))
    await harness.stop_bot()
    harness.clock.set(_at(3, 27, 17, 0))  # down from 08:00 to 18:00 in Berlin
    await harness.start_bot()
    await harness.tick()
    assert harness.sandbox.bot_messages(ana.id) == []
    rows = await _deliveries(harness, ana.id)
    assert sorted((r.habit, r.status) for r in rows) == [
        ("breathe", "missed"),
        ("food", "missed"),
        ("water", "missed"),
    ]
    [food] = await _tick_at(harness, _at(3, 27, 17, 30), ana.id)  # the 18:30 meal is on time
    assert "Gut-friendly food" in (food.text or "")


async def test_blocked_person_stops_being_scheduled(harness: Harness) -> None:
    ana = await _person(harness, ("water", "food"))
    harness.sandbox.block(ana)
    await _tick_at(harness, _at(3, 27, 8), ana.id)
    water = await _reminder(harness, ana.id, "water")
    food = await _reminder(harness, ana.id, "food")
    assert water.next_fire_at is None and food.next_fire_at is None
    count = len(await _deliveries(harness, ana.id))
    for hour in (10, 11, 12, 14, 18):
        await _tick_at(harness, _at(3, 27, hour, 30), ana.id)
    assert len(await _deliveries(harness, ana.id)) == count
    assert harness.sandbox.bot_messages(ana.id) == []


async def test_a_new_nudge_takes_the_buttons_off_the_last_one(harness: Harness) -> None:
    ana = await _person(harness, ("water",))
    [first] = await _tick_at(harness, _at(3, 27, 8), ana.id)  # 09:00 in Berlin
    [second] = await _tick_at(harness, _at(3, 27, 10), ana.id)  # 11:00
    assert "Hydration" in (second.text or "") and second.buttons
    passed = _current(harness, first)
    assert passed.text == "💧 Missed 09:00 — no worries" and not passed.buttons
    # Its old buttons answer kindly and change nothing.
    [row] = [
        r
        for r in await _deliveries(harness, ana.id)
        if r.kind == "nudge" and r.telegram_message_id == first.message_id
    ]
    query = await harness.sandbox.press_callback(
        ana, first.message_id, f"n:done:{row.id}", chat_id=ana.id
    )
    await harness.settle()
    answer = harness.sandbox.callback_answer(query)
    assert answer is not None and answer.text == texts.NUDGE_PASSED
    assert await _logs(harness, ana.id, "water") == 0
    # Never more live keyboards than enabled habits.
    live = [m for m in harness.sandbox.bot_messages(ana.id) if _current(harness, m).buttons]
    assert [m.message_id for m in live] == [second.message_id]


async def test_the_days_end_takes_the_buttons_off(harness: Harness) -> None:
    ana = await _person(harness, ("food",))
    await _tick_at(harness, _at(3, 27, 17, 29), ana.id)  # lunch went by while the bot was off
    [dinner] = await _tick_at(harness, _at(3, 27, 17, 30), ana.id)  # 18:30 in Berlin
    assert dinner.buttons
    await _tick_at(harness, _at(3, 27, 22, 30), ana.id)  # 23:30: Ana's day (07-23) is over
    passed = _current(harness, dinner)
    assert passed.text == "🥗 Missed 18:30 — no worries" and not passed.buttons


async def test_a_default_weekday_stays_within_the_budget_and_the_gap(harness: Harness) -> None:
    ana = await _person(harness, ("water", "move", "food", "breathe", "checkin"), rules={})
    arrived: list[datetime] = []
    at = _at(3, 27, 7)  # Friday 08:00 in Berlin, to midnight
    while at <= _at(3, 27, 23):
        arrived += [at for _ in await _tick_at(harness, at, ana.id)]
        at += timedelta(minutes=5)
    assert 4 <= len(arrived) <= 7, arrived
    assert all(b - a >= timedelta(minutes=45) for a, b in itertools.pairwise(arrived))
    rows = await _deliveries(harness, ana.id)
    reasons = {r.payload.get("reason") for r in rows if r.status == "skipped"}
    assert reasons <= {"budget", "gap"} and reasons, reasons
    # The check-in came, and came first among what was due with it.
    assert any(r.habit == "checkin" and r.status == "sent" for r in rows)


async def test_a_met_goal_stops_that_habits_nudges_for_the_day(harness: Harness) -> None:
    ana = await _person(harness, ("water",))
    assert harness.db is not None
    async with harness.db.uow() as uow:
        await uow.habit_logs.add(
            ana.id,
            "water",
            at=_at(3, 27, 7),
            local_date=_at(3, 27, 7).date(),
            source="text",
            amount=6,
        )
        await uow.commit()
    for hour in (8, 10, 12, 14):  # 09:00 ... 15:00 in Berlin: 6 of 6 glasses already
        assert await _tick_at(harness, _at(3, 27, hour), ana.id) == []
    rows = await _deliveries(harness, ana.id)
    assert [r.payload.get("reason") for r in rows] == ["goal"] * 4
    await _tick_at(harness, _at(3, 28, 5, 59), ana.id)  # last night's times went by unsent
    [tomorrow] = await _tick_at(harness, _at(3, 28, 6), ana.id)  # a new day, a new goal
    assert "Hydration" in (tomorrow.text or "")
