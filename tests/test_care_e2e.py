"""Issue 14 end to end: the six-tap check-in, red flags asked right, escalation and follow-up."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedule import local_date
from bot.storage.models import CheckIn
from bot.telegram import texts
from tests.factories import make_person
from tests.harness import Harness
from tests.talk import last, quick_typist, say
from tests.test_checkin_e2e import checkin_row, flags

SAME = texts.button_same_place("lower_back")


async def person(
    harness: Harness, *, zone: str = "Europe/Berlin", habits: tuple[str, ...] = (), **kw: Any
) -> Any:
    """An onboarded person (no reminders unless asked for)."""
    quick_typist(harness)
    user = harness.sandbox.add_user(first_name="Ana")
    assert harness.db is not None
    await make_person(harness.db, user.id, now=harness.clock.now(), zone=zone, habits=habits)
    return user


def today_of(harness: Harness, zone: str = "Europe/Berlin") -> date:
    return local_date(harness.clock.now(), ZoneInfo(zone))


async def seed_place(harness: Harness, person_id: int, day: date, where: str) -> None:
    """A finished check-in of an earlier day, so its place is remembered."""
    assert harness.db is not None
    now = harness.clock.now()
    async with harness.db.uow() as uow:
        uow.session.add(
            CheckIn(
                person_id=person_id,
                local_date=day,
                pain=3,
                pain_where=where,
                skipped=[],
                red_flags_asked=True,
                started_at=now,
                updated_at=now,
                completed_at=now,
            )
        )
        await uow.commit()


class Taps:
    """Press buttons by their label on one message, counting the taps."""

    def __init__(self, harness: Harness, user: Any) -> None:
        self.harness, self.user, self.count = harness, user, 0

    async def __call__(self, label: str, message: Any = None) -> Any:
        target = message if message is not None else last(self.harness, self.user)
        assert label in target.button_texts, (label, target.button_texts, target.text)
        query = await self.harness.sandbox.press_button(self.user, target.message_id, text=label)
        await self.harness.sandbox.wait_for_callback_answer(query, timeout=10)
        await self.harness.settle()
        self.count += 1
        return self.current(target)

    def current(self, message: Any) -> Any:
        [now] = [
            m
            for m in self.harness.sandbox.bot_messages(self.user.id)
            if m.message_id == message.message_id
        ]
        return now


async def six_taps(tap: Taps, first: Any) -> Any:
    """Answer pain, same place, stress, mood, sleep and tummy on one message."""
    message = await tap("4", first)
    assert SAME in message.button_texts and texts.BUTTON_SOMEWHERE_ELSE in message.button_texts
    message = await tap(SAME, message)
    assert "Stress today?" in (message.text or "")
    message = await tap("3", message)
    message = await tap("🙂", message)
    message = await tap("😊 Well", message)
    assert "How was your tummy today?" in (message.text or "")
    return await tap("Comfortable", message)


async def test_six_taps_from_checkin_with_the_place_remembered(harness: Harness) -> None:
    ana = await person(harness)
    today = today_of(harness)
    await seed_place(harness, ana.id, today - timedelta(days=1), "lower_back")
    [question] = await say(harness, ana, "/checkin")
    tap = Taps(harness, ana)
    summary = await six_taps(tap, question)
    assert tap.count == 6
    assert "check-in is saved" in (summary.text or "")
    assert "Pain: 4/10 (lower back)" in (summary.text or "")
    assert summary.button_texts == [texts.BUTTON_ADD_NOTE, texts.BUTTON_CHECKIN_DONE]
    # One message, edited in place, from the first question to the summary.
    assert harness.sandbox.bot_messages(ana.id) == [summary]
    row = await checkin_row(harness, ana.id, today)
    assert (row.pain, row.pain_where, row.stress, row.mood, row.sleep, row.gut) == (
        4,
        "lower_back",
        3,
        4,
        "good",
        "comfortable",
    )
    assert row.completed_at is not None and row.red_flags_asked is False
    closed = await tap(texts.BUTTON_CHECKIN_DONE, summary)
    assert closed.buttons == [] and closed.text == summary.text


async def test_six_taps_from_the_reminder_which_becomes_the_checkin(harness: Harness) -> None:
    ana = await person(harness, habits=("checkin",))
    await seed_place(harness, ana.id, today_of(harness) - timedelta(days=1), "lower_back")
    assert harness.db is not None
    async with harness.db.uow() as uow:
        [reminder] = [r for r in await uow.reminders.for_person(ana.id) if r.habit == "checkin"]
    assert reminder.next_fire_at is not None
    harness.clock.set(reminder.next_fire_at)
    await harness.tick()
    [nudge] = harness.sandbox.bot_messages(ana.id)
    assert "Pain right now?" in (nudge.text or "")
    assert texts.NUDGE_SNOOZE_60 in nudge.button_texts

    tap = Taps(harness, ana)
    summary = await six_taps(tap, nudge)
    assert tap.count == 6
    assert summary.message_id == nudge.message_id
    assert harness.sandbox.bot_messages(ana.id) == [summary]  # no new message at all
    # The reminder's own buttons (snooze, skip) are gone; only Add a note and Done remain.
    assert summary.button_texts == [texts.BUTTON_ADD_NOTE, texts.BUTTON_CHECKIN_DONE]
    assert (await checkin_row(harness, ana.id, today_of(harness))).completed_at is not None
    closed = await tap(texts.BUTTON_CHECKIN_DONE, summary)
    assert closed.buttons == []


async def test_somewhere_else_opens_the_list_and_a_new_back_place_asks_red_flags(
    harness: Harness,
) -> None:
    ana = await person(harness)
    await seed_place(harness, ana.id, today_of(harness) - timedelta(days=1), "neck")
    [question] = await say(harness, ana, "/checkin")
    tap = Taps(harness, ana)
    message = await tap("3", question)
    assert texts.button_same_place("neck") in message.button_texts
    message = await tap(texts.BUTTON_SOMEWHERE_ELSE, message)
    assert texts.CHOICE_LABELS["where"]["leg"] in message.button_texts
    message = await tap(texts.CHOICE_LABELS["where"]["leg"], message)
    # Pain 3, but in a new place in the back or legs: the safety list comes next.
    assert "safety check" in (message.text or "")


async def reach_red_flags(harness: Harness, user: Any, pain: str = "8") -> tuple[Taps, Any]:
    [question] = await say(harness, user, "/checkin")
    tap = Taps(harness, user)
    message = await tap(pain, question)
    message = await tap(texts.CHOICE_LABELS["where"]["lower_back"], message)
    assert "safety check" in (message.text or "")
    return tap, message


async def test_red_flags_are_multi_select_and_recorded_with_their_words(
    harness: Harness,
) -> None:
    ana = await person(harness)
    tap, message = await reach_red_flags(harness, ana)
    fever, injury = texts.RED_FLAG_BUTTONS["fever"], texts.RED_FLAG_BUTTONS["injury"]
    message = await tap(fever, message)
    message = await tap(injury, message)
    assert f"☑️ {fever}" in message.button_texts and f"☑️ {injury}" in message.button_texts
    assert "☑️ 4." in (message.text or "") and "☑️ 5." in (message.text or "")
    message = await tap(f"☑️ {injury}", message)  # changed their mind
    assert injury in message.button_texts
    assert (await flags(harness, ana.id)) == [("high_pain", "pain 8")]  # nothing decided yet

    message = await tap(texts.BUTTON_RF_DONE, message)
    assert "Please see a doctor within a day or two." in (message.text or "")
    assert "a fever or feeling very unwell" in (message.text or "")
    assert "call 112" in (message.text or "")
    assert message.button_texts == [texts.BUTTON_REST_LATER, texts.BUTTON_ITS_GONE]
    assert harness.db is not None
    async with harness.db.uow() as uow:
        recorded = [(f.kind, f.detail, f.wording) for f in await uow.checkins.flags(ana.id)]
    assert recorded[1] == ("see_doctor", "fever", texts.red_flag_recorded("fever"))
    assert texts.RED_FLAG_WORDING["fever"] in (recorded[1][2] or "")
    row = await checkin_row(harness, ana.id, today_of(harness))
    assert row.red_flags == ("fever",) and row.escalation == "soon"


async def test_done_with_nothing_ticked_changes_nothing(harness: Harness) -> None:
    ana = await person(harness)
    _, message = await reach_red_flags(harness, ana)
    query = await harness.sandbox.press_button(ana, message.message_id, text=texts.BUTTON_RF_DONE)
    answer = await harness.sandbox.wait_for_callback_answer(query, timeout=10)
    assert answer.text == texts.EMPTY_PICK
    assert (await checkin_row(harness, ana.id, today_of(harness))).red_flags_asked is False


ZONES = [
    ("Europe/Berlin", "call 112"),
    ("America/New_York", "call 911"),
    ("Europe/London", "call 999"),
    ("Australia/Sydney", "call 000"),
    ("Etc/GMT-3", "call your local emergency number"),
]


@pytest.mark.parametrize(("zone", "call"), ZONES)
async def test_each_tier_names_the_local_emergency_number(
    harness: Harness, zone: str, call: str
) -> None:
    ana = await person(harness, zone=zone)
    tap, message = await reach_red_flags(harness, ana)
    message = await tap(texts.RED_FLAG_BUTTONS["saddle"], message)
    message = await tap(texts.RED_FLAG_BUTTONS["night_pain"], message)
    message = await tap(texts.BUTTON_RF_DONE, message)
    text = message.text or ""
    # The emergency tier wins over the other one ticked with it.
    assert f"Go to an emergency department now or {call}." in text
    assert "numbness around your genitals, buttocks or inner thighs" in text
    assert "pain that is worse at night" in text
    assert texts.CHECKIN_STOPPED in text

    bo = harness.sandbox.add_user(first_name="Bo")
    assert harness.db is not None
    await make_person(harness.db, bo.id, now=harness.clock.now(), zone=zone, habits=())
    tap, message = await reach_red_flags(harness, bo)
    message = await tap(texts.RED_FLAG_BUTTONS["weight_cancer"], message)
    message = await tap(texts.BUTTON_RF_DONE, message)
    assert "Please see a doctor within a day or two." in (message.text or "")
    assert f"go to an emergency department or {call} straight away" in (message.text or "")


async def escalate(harness: Harness, user: Any) -> Any:
    tap, message = await reach_red_flags(harness, user)
    message = await tap(texts.RED_FLAG_BUTTONS["bladder_bowel"], message)
    return await tap(texts.BUTTON_RF_DONE, message)


async def test_after_an_escalation_no_habit_nudges_that_day_and_a_follow_up_next_day(
    harness: Harness,
) -> None:
    habits = ("water", "move", "food", "breathe", "checkin")
    ana = await person(harness, habits=habits)
    harness.clock.set(datetime.fromisoformat("2026-03-27T07:30:00+00:00"))  # 08:30 Berlin
    await escalate(harness, ana)
    sent_before = len(harness.sandbox.bot_messages(ana.id))
    # Tick through the rest of the day: nothing reaches the person.
    start = harness.clock.now()
    for step in range(1, 15 * 12):  # every 5 minutes until 23:30 Berlin
        harness.clock.set(start + timedelta(minutes=5 * step))
        await harness.tick()
    assert len(harness.sandbox.bot_messages(ana.id)) == sent_before
    assert harness.db is not None
    async with harness.db.uow() as uow:
        skipped = [d for d in await uow.deliveries.for_person(ana.id) if d.status == "skipped"]
    assert skipped and all(d.payload == {"reason": "escalated"} for d in skipped)
    assert {d.habit for d in skipped} == set(habits)

    # The next day at check-in time the reminder asks how it went.
    async with harness.db.uow() as uow:
        [reminder] = [r for r in await uow.reminders.for_person(ana.id) if r.habit == "checkin"]
    assert reminder.next_fire_at is not None
    harness.clock.set(reminder.next_fire_at)
    await harness.tick()
    follow = [
        m
        for m in harness.sandbox.bot_messages(ana.id)
        if "Did you get it checked?" in (m.text or "")
    ]
    assert len(follow) == 1
    assert (
        follow[0].text
        == "Yesterday you told me about trouble with your bladder or bowels. Did you get it "
        "checked?"
    )
    assert follow[0].button_texts == ["Yes", "Not yet", "It's gone"]
    tap = Taps(harness, ana)
    message = await tap("Not yet", follow[0])
    assert "Please don't wait with this" in (message.text or "") and "call 112" in (
        message.text or ""
    )
    assert "Pain right now?" in (message.text or "")  # today's check-in goes on below
    async with harness.db.uow() as uow:
        recorded = [(f.kind, f.detail, f.wording) for f in await uow.checkins.flags(ana.id)]
    assert recorded[-1][:2] == ("follow_up", "not_yet")
    assert recorded[-1][2] == f"{follow[0].text} — Not yet"
    # Answered: /checkin does not ask again.
    [question] = await say(harness, ana, "/checkin")
    assert "Pain right now?" in (question.text or "")


async def test_its_gone_a_minute_later_is_recorded_and_the_warning_stays(
    harness: Harness,
) -> None:
    ana = await person(harness)
    warning = await escalate(harness, ana)
    harness.clock.advance(timedelta(minutes=1))
    # On the day itself only "it's gone" is an answer; anything else gets a short hint.
    replies = await say(harness, ana, "not yet")
    assert (replies[0].text or "").startswith("If it has passed, type it's gone.")
    replies = await say(harness, ana, "it's gone")
    assert "should be checked by a doctor today" in (replies[0].text or "")
    assert "call 112" in (replies[0].text or "")
    assert await flags(harness, ana.id) == [
        ("high_pain", "pain 8"),
        ("emergency", "bladder_bowel"),
        ("follow_up", "gone"),
    ]
    # The rest of the check-in, later, from the button; its summary repeats the warning.
    tap = Taps(harness, ana)
    await tap(texts.BUTTON_REST_LATER, warning)
    message = last(harness, ana)
    assert "Stress today?" in (message.text or "")
    for label in ("3", "🙂", "😊 Well", "Comfortable"):
        message = await tap(label, message)
    assert "check-in is saved" in (message.text or "")
    assert "Go to an emergency department now or call 112." in (message.text or "")
    # Having said "it's gone", there is no follow-up tomorrow, and the day's row is intact.
    harness.clock.advance(timedelta(days=1))
    [question] = await say(harness, ana, "/checkin")
    assert "Pain right now?" in (question.text or "")


async def test_red_flags_typed_by_number_and_a_button_of_yesterday(harness: Harness) -> None:
    ana = await person(harness)
    [question] = await say(harness, ana, "/checkin")
    await say(harness, ana, "seven")
    await say(harness, ana, "lower back")
    yesterdays_list = last(harness, ana)
    replies = await say(harness, ana, "yes")
    assert "type their numbers" in (replies[0].text or "")
    replies = await say(harness, ana, "4 and 6")
    assert "Please see a doctor within a day or two." in (replies[0].text or "")
    assert await flags(harness, ana.id) == [
        ("see_doctor", "fever"),
        ("see_doctor", "weight_cancer"),
    ]

    # The next day, a sign pressed on yesterday's list: yesterday stays, the advice is given.
    harness.clock.advance(timedelta(days=1))
    before = await checkin_row(harness, ana.id, today_of(harness) - timedelta(days=1))
    query = await harness.sandbox.press_button(
        ana, yesterdays_list.message_id, text=texts.RED_FLAG_BUTTONS["both_legs"]
    )
    await harness.sandbox.wait_for_callback_answer(query, timeout=10)
    await harness.settle()
    reply = last(harness, ana)
    assert "That list is from Fri 27 Mar" in (reply.text or "")
    # A forged list of a far-off day is only a stale button.
    forged = await harness.sandbox.press_callback(
        ana, yesterdays_list.message_id, "c:t:20300101:saddle"
    )
    assert (await harness.sandbox.wait_for_callback_answer(forged)).text == texts.STALE_BUTTON
    await harness.settle()
    assert "Go to an emergency department now or call 112." in (reply.text or "")
    assert await checkin_row(harness, ana.id, before.local_date) == before
    assert (await flags(harness, ana.id))[-1] == ("late_sign", "both_legs (list of 2026-03-27)")
    # /checkin today asks the follow-up first, answered by typing.
    [question] = await say(harness, ana, "/checkin")
    assert "Yesterday you told me about a fever or feeling very unwell and weight loss" in (
        question.text or ""
    )
    replies = await say(harness, ana, "yes")
    assert "glad you got it checked" in (replies[0].text or "")
    assert "Pain right now?" in (replies[0].text or "")


async def test_typed_answers_at_every_step(harness: Harness) -> None:
    ana = await person(harness)
    await seed_place(harness, ana.id, today_of(harness) - timedelta(days=1), "lower_back")
    await say(harness, ana, "/checkin")
    for typed, expected in [
        ("7/10", "Where do you feel it most?"),
        ("same", "safety check"),  # 7+: the list, in the remembered place
        ("none", "Stress today?"),
        ("skip", "How is your mood?"),
        ("🙂", "How did you sleep"),
        ("ok", "How was your tummy today?"),
        ("upset", "check-in is saved"),
    ]:
        replies = await say(harness, ana, typed)
        assert expected in (replies[-1].text or ""), typed
    row = await checkin_row(harness, ana.id, today_of(harness))
    assert (row.pain, row.pain_where, row.stress, row.mood, row.sleep, row.gut) == (
        7,
        "lower_back",
        None,
        4,
        "ok",
        "upset",
    )
    assert row.skipped == ["stress"]


async def test_the_stool_question_only_when_turned_on(harness: Harness) -> None:
    ana = await person(harness)
    assert harness.db is not None
    async with harness.db.uow() as uow:
        row = await uow.people.row(ana.id)
        assert row is not None
        row.ask_stool = True
        await uow.commit()
    [question] = await say(harness, ana, "/checkin")
    tap = Taps(harness, ana)
    message = await tap("0", question)
    for label in ("3", "🙂", "😊 Well", "Comfortable"):
        message = await tap(label, message)
    assert "Which is closest to your poo today?" in (message.text or "")
    assert message.button_texts[:7] == [texts.CHOICE_LABELS["stool"][str(n)] for n in range(1, 8)]
    message = await tap("Smooth and soft", message)
    assert "Stool: smooth and soft" in (message.text or "")
    assert (await checkin_row(harness, ana.id, today_of(harness))).stool == 4


async def test_the_stool_question_is_turned_on_in_settings(harness: Harness) -> None:
    ana = await person(harness, habits=("checkin",))
    [menu] = await say(harness, ana, "/settings")
    tap = Taps(harness, ana)
    screen = await tap("📝 Daily check-in", menu)
    assert "Stool question: off" in (screen.text or "")
    screen = await tap(texts.stool_toggle(False), screen)
    assert "Stool question: on" in (screen.text or "")
    assert harness.db is not None
    async with harness.db.uow() as uow:
        row = await uow.people.row(ana.id)
        assert row is not None and row.ask_stool is True
    screen = await tap(texts.stool_toggle(True), screen)
    assert "Stool question: off" in (screen.text or "")


async def test_the_weekly_summary_mentions_the_escalation(harness: Harness) -> None:
    from bot.services.summary import report
    from bot.telegram.renderers import weekly_text

    ana = await person(harness)
    await escalate(harness, ana)
    assert harness.db is not None
    async with harness.db.uow() as uow:
        text = weekly_text(await report(uow, ana.id, harness.clock.now() + timedelta(days=2)))
    assert (
        "🩺 On Fri 27 Mar you told me about trouble with your bladder or bowels. If you haven't "
        "yet, please get it checked by a doctor."
    ) in text
