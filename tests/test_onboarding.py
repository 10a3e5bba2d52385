"""Onboarding end to end: buttons and typing, restarts in the middle, bad input."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.domain.habits import NUDGED, default_rule
from bot.domain.schedule import Window, spread_offset
from bot.sandbox.limits import FloodLimits
from bot.services.onboarding import SUMMARY, summary_rule
from bot.services.schedules import next_time
from bot.storage.models import HabitLog, Person
from bot.storage.people import PersonRecord
from bot.storage.reminders import ReminderRecord
from bot.telegram import texts
from tests.harness import Harness
from tests.talk import ask, forge, last, press


@pytest.fixture(autouse=True)
def no_flood_limits(harness: Harness) -> None:
    # People type slower than a test; flood limits have tests of their own.
    harness.sandbox.limits = FloodLimits(enabled=False)


async def person_of(harness: Harness, person_id: int) -> PersonRecord | None:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        return await uow.people.get(person_id)


async def reminders_of(harness: Harness, person_id: int) -> dict[str, ReminderRecord]:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        return {r.habit: r for r in await uow.reminders.for_person(person_id)}


async def test_new_person_completes_onboarding_by_buttons(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    now = harness.clock.now()

    [welcome] = await ask(harness, ana, "/start")
    assert welcome.message_id == 2
    assert "Ana" in welcome.text and "not medical advice" in welcome.text
    assert "/privacy" in welcome.text
    person = await person_of(harness, ana.id)
    assert person is not None and person.consent_at is None and person.timezone is None
    assert await reminders_of(harness, ana.id) == {}

    await press(harness, ana, texts.BUTTON_PRIVACY)
    assert "/delete" in last(harness, ana).text
    await press(harness, ana, texts.BUTTON_AGREE, message=welcome)
    # The same message, edited into the next question.
    [edited] = [m for m in harness.sandbox.bot_messages(ana.id) if m.message_id == 2]
    assert edited.edited and "Which time zone" in edited.text
    await ask(harness, ana, "/start")  # shows the current step again, as a new message
    assert "Which time zone" in last(harness, ana).text
    await press(harness, ana, "Berlin, Paris")
    await press(harness, ana, "07:00")
    await press(harness, ana, "23:00")
    await press(harness, ana, "09:00–17:00")
    habits = last(harness, ana)
    assert "✅ 💧 Hydration" in habits.button_texts
    rows = await reminders_of(harness, ana.id)
    assert set(rows) == {h.value for h in NUDGED}
    assert all(r.next_fire_at is None for r in rows.values())  # parked until Done

    await press(harness, ana, "✅ 💧 Hydration")
    assert "⬜ 💧 Hydration" in last(harness, ana).button_texts
    await press(harness, ana, texts.BUTTON_DONE)
    assert "All set" in last(harness, ana).text

    person = await person_of(harness, ana.id)
    assert person is not None and person.onboarded and person.consented
    assert (person.timezone, person.wake_time, person.sleep_time) == (
        "Europe/Berlin",
        "07:00",
        "23:00",
    )
    assert (person.sit_start, person.sit_end) == ("09:00", "17:00")
    assert person.pending is None
    rows = await reminders_of(harness, ana.id)
    assert set(rows) == {h.value for h in NUDGED} | {SUMMARY}
    assert not rows["water"].enabled and rows["water"].next_fire_at is None
    awake, sitting = Window(time(7), time(23)), Window(time(9), time(17))
    for habit in NUDGED:
        expected = default_rule(
            habit, awake=awake, sitting=sitting, offset_minutes=spread_offset(ana.id, habit.value)
        )
        assert rows[habit.value].rule == expected.to_dict()
    assert rows[SUMMARY].rule == summary_rule(ana.id).to_dict()
    for habit in ("move", "food", "breathe", "checkin", SUMMARY):
        reminder = rows[habit]
        assert reminder.enabled and reminder.next_fire_at is not None
        assert reminder.next_fire_at > now
        assert reminder.next_fire_at == next_time(person, habit, reminder.rule, now)
    # Friday 08:00 in Berlin: the first movement break is at 09:00 (plus the spread offset).
    move_at = rows["move"].next_fire_at
    assert move_at is not None
    offset = spread_offset(ana.id, "move")
    assert move_at.astimezone(ZoneInfo("Europe/Berlin")) == datetime(
        2026, 3, 27, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")
    ) + timedelta(minutes=offset)


@pytest.mark.parametrize(
    ("typed_zone", "zone"), [("berlin", "Europe/Berlin"), ("New York", "America/New_York")]
)
async def test_new_person_completes_onboarding_by_typing(
    harness: Harness, typed_zone: str, zone: str
) -> None:
    bo = harness.sandbox.add_user(first_name="Bo")
    await ask(harness, bo, "/start")
    await press(harness, bo, texts.BUTTON_AGREE)
    await press(harness, bo, texts.BUTTON_SHARE_LOCATION)
    assert harness.sandbox.reply_keyboard(bo.id) == [[texts.BUTTON_SEND_LOCATION]]

    confirm, question = await ask(harness, bo, typed_zone, count=2)
    assert zone in confirm.text
    assert harness.sandbox.reply_keyboard(bo.id) is None  # the location keyboard is gone
    assert "wake up" in question.text
    [reply] = await ask(harness, bo, "7am")
    assert "07:00" in reply.text
    [reply] = await ask(harness, bo, "23:30")
    assert "07:00–23:30" in reply.text
    [reply] = await ask(harness, bo, "9-17")
    assert reply.buttons  # the habit toggles
    await press(harness, bo, texts.BUTTON_DONE, message=reply)

    person = await person_of(harness, bo.id)
    assert person is not None and person.onboarded
    assert (person.timezone, person.wake_time, person.sleep_time) == (zone, "07:00", "23:30")
    assert (person.sit_start, person.sit_end) == ("09:00", "17:00")
    rows = await reminders_of(harness, bo.id)
    # Water follows the day, two hours in from waking and from sleep.
    assert rows["water"].rule["window"] == {"start": "09:00", "end": "21:30"}
    assert rows["move"].rule["window"] == {"start": "09:00", "end": "17:00"}
    assert all(r.next_fire_at is not None for r in rows.values())


async def test_shared_location_sets_the_zone(harness: Harness) -> None:
    cy = harness.sandbox.add_user(first_name="Cy")
    await ask(harness, cy, "/start")
    await press(harness, cy, texts.BUTTON_AGREE)
    await harness.sandbox.send_location(cy, 40.7128, -74.0060)
    await harness.sandbox.wait_for_bot_message(cy.id, count=2)  # the zone and the next step
    await harness.settle()
    person = await person_of(harness, cy.id)
    assert person is not None and person.timezone == "America/New_York"
    assert "wake up" in last(harness, cy).text
    assert harness.sandbox.reply_keyboard(cy.id) is None


async def test_restart_mid_onboarding_continues_where_they_were(harness: Harness) -> None:
    di = harness.sandbox.add_user(first_name="Di")
    await ask(harness, di, "/start")
    await press(harness, di, texts.BUTTON_AGREE)
    zone_question = last(harness, di)
    await ask(harness, di, "berlin", count=2)

    await harness.restart()

    # The typed answer still lands on the right step: it comes from the database.
    [reply] = await ask(harness, di, "6:30")
    person = await person_of(harness, di.id)
    assert person is not None and person.wake_time == "06:30"
    assert "06:30" in reply.text
    # A button of an answered step, pressed after the restart, changes nothing.
    answer = await forge(harness, di, zone_question, "o:z:7")
    assert answer is not None and answer.text == texts.ONB_STALE
    person = await person_of(harness, di.id)
    assert person is not None and person.timezone == "Europe/Berlin"

    [again] = await ask(harness, di, "/start")
    assert "go to sleep" in again.text  # /start shows the current step again

    await harness.restart()
    await press(harness, di, "23:00", message=again)
    await press(harness, di, "09:00–17:00")
    await press(harness, di, texts.BUTTON_DONE)
    person = await person_of(harness, di.id)
    assert person is not None and person.onboarded
    [back] = await ask(harness, di, "/start")
    assert "Welcome back" in back.text


async def test_bad_inputs_get_a_short_answer_and_change_nothing(harness: Harness) -> None:
    ed = harness.sandbox.add_user(first_name="Ed")
    group = harness.sandbox.add_group("Desk club", members=[ed])
    await harness.sandbox.add_bot_to_group(group.id, ed)
    await harness.settle()
    [reply] = await ask(harness, ed, "/start", chat_id=group.id)
    assert reply.text == texts.NOT_IN_GROUP
    assert await person_of(harness, ed.id) is None

    [welcome] = await ask(harness, ed, "/start")
    [reply] = await ask(harness, ed, "yes please")  # free text where a button is expected
    assert reply.text == texts.USE_BUTTONS
    person = await person_of(harness, ed.id)
    assert person is not None and person.consent_at is None

    await press(harness, ed, texts.BUTTON_AGREE, message=welcome)
    answer = await forge(harness, ed, welcome, "o:yes")  # a double tap
    assert answer is not None and answer.text == texts.ONB_STALE
    for junk in ("🙂🙂", "Atlantis", "x" * 5000, "Berlim"):
        [reply] = await ask(harness, ed, junk)
        assert "time zone" in reply.text and len(reply.text) < 200
    [reply] = await ask(harness, ed, "Berlim")
    assert "Europe/Berlin" in reply.text  # a suggestion
    answer = await forge(harness, ed, last(harness, ed), "o:z:999")
    assert answer is not None and answer.text == texts.STALE_BUTTON
    person = await person_of(harness, ed.id)
    assert person is not None and person.timezone is None

    await ask(harness, ed, "Europe/Berlin", count=2)
    for junk in ("25:99", "🙂", "y" * 5000, "soon"):
        [reply] = await ask(harness, ed, junk)
        assert "couldn't read" in reply.text or "Please send" in reply.text
    person = await person_of(harness, ed.id)
    assert person is not None and person.wake_time is None

    await ask(harness, ed, "7:00")
    [reply] = await ask(harness, ed, "06:00")  # sleep before wake: a 23-hour day
    assert "23.0 hours" in reply.text
    [reply] = await ask(harness, ed, "7am")
    assert "same time" in reply.text
    person = await person_of(harness, ed.id)
    assert person is not None and person.sleep_time is None
    await ask(harness, ed, "11pm")
    [reply] = await ask(harness, ed, "5am-9am")  # sitting outside the day
    assert "not inside your day" in reply.text
    person = await person_of(harness, ed.id)
    assert person is not None and person.sit_start is None
    assert await reminders_of(harness, ed.id) == {}

    [toggles] = await ask(harness, ed, "9-17")
    [reply] = await ask(harness, ed, "done!")
    assert reply.text == texts.USE_BUTTONS
    first = await forge(harness, ed, toggles, "o:off:water")
    second = await forge(harness, ed, toggles, "o:off:water")  # two taps on the same button
    assert first is not None and second is not None and second.text is None
    assert not (await reminders_of(harness, ed.id))["water"].enabled
    await forge(harness, ed, toggles, "o:done")
    answer = await forge(harness, ed, toggles, "o:done")
    assert answer is not None and answer.text == texts.ONB_FINISHED
    answer = await forge(harness, ed, toggles, "o:on:water")  # stale menu after the end
    assert answer is not None and answer.text == texts.ONB_FINISHED
    assert not (await reminders_of(harness, ed.id))["water"].enabled
    assert len(await reminders_of(harness, ed.id)) == len(NUDGED) + 1


async def test_night_shift_day_crosses_midnight(harness: Harness) -> None:
    fay = harness.sandbox.add_user(first_name="Fay")
    await ask(harness, fay, "/start")
    await press(harness, fay, texts.BUTTON_AGREE)
    await ask(harness, fay, "london", count=2)
    await ask(harness, fay, "7pm")
    [reply] = await ask(harness, fay, "11.00")
    assert "19:00–11:00" in reply.text
    [reply] = await ask(harness, fay, "22:00-06:00")
    await press(harness, fay, texts.BUTTON_DONE, message=reply)
    rows = await reminders_of(harness, fay.id)
    assert rows["move"].rule["window"] == {"start": "22:00", "end": "06:00"}
    assert rows["water"].rule["window"] == {"start": "21:00", "end": "09:00"}
    person = await person_of(harness, fay.id)
    assert person is not None
    for reminder in rows.values():
        assert reminder.next_fire_at == next_time(
            person, reminder.habit, reminder.rule, harness.clock.now()
        )


async def test_nothing_but_the_account_row_before_consent(harness: Harness) -> None:
    gus = harness.sandbox.add_user(first_name="Gus")
    await ask(harness, gus, "/start")
    await ask(harness, gus, "/tip")
    await ask(harness, gus, "Berlin")
    assert harness.db is not None
    async with harness.db.uow() as uow:
        row = await uow.session.get(Person, gus.id)
        assert row is not None
        stored = (row.timezone, row.recent_tips, row.consent_at, row.wake_time)
        logs = await uow.session.scalar(select(func.count()).select_from(HabitLog))
    assert stored == (None, [], None, None)
    assert logs == 0
    assert await reminders_of(harness, gus.id) == {}


async def test_help_lists_every_command(harness: Harness) -> None:
    hal = harness.sandbox.add_user(first_name="Hal")
    [reply] = await ask(harness, hal, "/help")
    commands = ["start", "checkin", "log", "today", "progress", "tip", "breathe"]
    commands += ["settings", "pause", "resume", "privacy", "export", "delete", "help"]
    for command in commands:
        assert f"/{command}" in reply.text
    private = dict(harness.sandbox.commands(scope_type="all_private_chats"))
    assert {"tip", "breathe", "settings", "pause", "resume", "privacy"} <= set(private)
    assert "settings" not in dict(harness.sandbox.commands(scope_type="all_group_chats"))
