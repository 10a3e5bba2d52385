"""The daily check-in end to end: every question, restarts, old buttons, notes and red flags."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.domain.safety import RED_FLAG_KEYS
from bot.storage.checkins import CheckInRecord
from bot.storage.models import CheckIn, HabitLog, Person, SafetyFlag
from bot.telegram import texts
from tests.factories import make_person
from tests.harness import Harness
from tests.talk import quick_typist, say, tap

TODAY = date(2026, 3, 27)  # the clock fixture's day in Berlin
SUGGEST_PROVIDER_TEXT = texts.SUGGEST_PROVIDER_TEXT


async def onboarded(harness: Harness, name: str = "Ana") -> Any:
    quick_typist(harness)
    user = harness.sandbox.add_user(first_name=name)
    assert harness.db is not None
    await make_person(harness.db, user.id, now=harness.clock.now(), first_name=name)
    return user


async def checkin_row(harness: Harness, person_id: int, day: date = TODAY) -> CheckInRecord:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        record = await uow.checkins.get(person_id, day)
    assert record is not None, f"no check-in row for {day}"
    return record


async def flags(harness: Harness, person_id: int) -> list[tuple[str, str | None]]:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        return [(f.kind, f.detail) for f in await uow.checkins.flags(person_id)]


async def press(harness: Harness, user: Any, data: str) -> Any:
    """Press a button with this callback data on the bot's latest message; return that message."""
    message = harness.sandbox.last_bot_message(user.id)
    assert message is not None
    await tap(harness, user, message, data=data)
    return harness.sandbox.last_bot_message(user.id)


async def press_and_read(harness: Harness, user: Any, data: str) -> tuple[Any, list[Any]]:
    """Press a button on the latest message; return that message as edited and the new ones."""
    message = harness.sandbox.last_bot_message(user.id)
    assert message is not None
    await tap(harness, user, message, data=data)
    everything = harness.sandbox.bot_messages(user.id)
    edited = next(m for m in everything if m.message_id == message.message_id)
    return edited, [m for m in everything if m.message_id > message.message_id]


def code(day: date = TODAY) -> str:
    return f"{day:%Y%m%d}"


async def test_full_checkin_saves_every_answer_and_logs_the_habit(harness: Harness) -> None:
    ana = await onboarded(harness)
    replies = await say(harness, ana, "/checkin")
    assert len(replies) == 1 and "Pain right now?" in (replies[0].text or "")
    assert [b.callback_data for b in replies[0].buttons[0]][:2] == [
        f"c:a:{code()}:pain:0",
        f"c:a:{code()}:pain:1",
    ]

    await press(harness, ana, f"c:a:{code()}:pain:4")
    assert (await checkin_row(harness, ana.id)).pain == 4  # saved the moment it is given
    last = await press(harness, ana, f"c:a:{code()}:where:lower_back")
    # A first back pain (a new place) gets the safety list even at 4.
    assert "safety check" in (last.text or "")
    await press(harness, ana, f"c:a:{code()}:rf:none")
    await press(harness, ana, f"c:a:{code()}:stress:6")
    await press(harness, ana, f"c:a:{code()}:mood:4")
    await press(harness, ana, f"c:a:{code()}:sleep:ok")
    last = await press(harness, ana, f"c:a:{code()}:gut:bloated")
    assert "check-in is saved" in (last.text or "")
    assert last.button_texts == [texts.BUTTON_ADD_NOTE, texts.BUTTON_CHECKIN_DONE]
    last = await press(harness, ana, f"c:n:{code()}")
    assert "Type your note" in (last.text or "")
    replies = await say(harness, ana, "Back felt better after the walk <b>")
    assert "Note saved" in (replies[-1].text or "")

    row = await checkin_row(harness, ana.id)
    assert (row.pain, row.pain_where, row.stress, row.mood) == (4, "lower_back", 6, 4)
    assert (row.sleep, row.gut, row.stool) == ("ok", "bloated", None)  # stool is off by default
    assert row.note == "Back felt better after the walk <b>"
    assert row.completed_at is not None and row.skipped == []
    assert row.red_flags_asked is True and row.escalation is None
    assert await flags(harness, ana.id) == [("no_signs", "none")]
    assert harness.db is not None
    async with harness.db.uow() as uow:
        person = await uow.people.get(ana.id)
        assert person is not None and person.pending is None
        assert (await uow.habit_logs.counts_on(ana.id, TODAY))["checkin"] == 1

    # Text after the note is a quick log again, not a second note.
    replies = await say(harness, ana, "drank 2 glasses")
    assert "logged" in (replies[0].text or "")
    assert (await checkin_row(harness, ana.id)).note == "Back felt better after the walk <b>"


async def test_every_question_can_be_skipped(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    for key in ("pain", "stress", "mood", "sleep", "gut"):
        await press(harness, ana, f"c:a:{code()}:{key}:skip")
    row = await checkin_row(harness, ana.id)
    assert row.completed_at is not None
    assert row.pain is None and row.note is None
    assert set(row.skipped) == {"pain", "stress", "mood", "sleep", "gut"}
    assert "check-in is saved" in (harness.sandbox.last_bot_message(ana.id).text or "")  # type: ignore[union-attr]


async def test_pain_zero_does_not_ask_where(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    last = await press(harness, ana, f"c:a:{code()}:pain:0")
    assert "Stress today?" in (last.text or "")


async def test_restart_in_the_middle_continues_where_the_person_was(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    await press(harness, ana, f"c:a:{code()}:pain:3")
    await press(harness, ana, f"c:a:{code()}:where:neck")
    question = harness.sandbox.last_bot_message(ana.id)
    assert question is not None and "Stress today?" in (question.text or "")

    await harness.restart()

    # The old message's buttons still work after the restart ...
    await tap(harness, ana, question, data=f"c:a:{code()}:stress:5")
    assert "How is your mood?" in (harness.sandbox.last_bot_message(ana.id).text or "")  # type: ignore[union-attr]
    await harness.restart()
    # ... and /checkin asks the first question today's row still lacks.
    replies = await say(harness, ana, "/checkin")
    assert "How is your mood?" in (replies[0].text or "")
    row = await checkin_row(harness, ana.id)
    assert (row.pain, row.pain_where, row.stress, row.mood) == (3, "neck", 5, None)


async def test_answering_again_the_same_day_updates_todays_row(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    for key, value in [("pain", 2), ("where", "other"), ("stress", 3), ("mood", 3)]:
        await press(harness, ana, f"c:a:{code()}:{key}:{value}")
    for key in ("sleep", "gut"):
        await press(harness, ana, f"c:a:{code()}:{key}:skip")
    first = await checkin_row(harness, ana.id)

    replies = await say(harness, ana, "/checkin")
    assert "You've checked in today" in (replies[0].text or "")
    assert texts.BUTTON_UPDATE_CHECKIN in replies[0].button_texts
    last = await press(harness, ana, f"c:up:{code()}")
    assert "Updating" in (last.text or "") and "Pain right now?" in (last.text or "")
    last = await press(harness, ana, f"c:a:{code()}:pain:5")
    assert "Where do you feel it" in (last.text or "")
    await press(harness, ana, f"c:a:{code()}:where:skip")  # keeps "other"
    last = await press(harness, ana, f"c:a:{code()}:stress:1")
    assert "mood" in (last.text or "")

    row = await checkin_row(harness, ana.id)
    assert row.id == first.id
    assert (row.pain, row.pain_where, row.stress, row.mood) == (5, "other", 1, 3)
    assert harness.db is not None
    async with harness.db.uow() as uow:
        count = await uow.session.scalar(
            select(func.count()).select_from(CheckIn).where(CheckIn.person_id == ana.id)
        )
        logs = await uow.session.scalar(
            select(func.count()).select_from(HabitLog).where(HabitLog.habit == "checkin")
        )
    assert count == 1 and logs == 1


async def test_yesterdays_button_asks_before_changing_yesterday(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    yesterday_question = harness.sandbox.last_bot_message(ana.id)
    assert yesterday_question is not None
    harness.clock.advance(timedelta(days=1))
    today = TODAY + timedelta(days=1)

    replies_before = len(harness.sandbox.bot_messages(ana.id))
    await tap(harness, ana, yesterday_question, data=f"c:a:{code()}:pain:6")
    prompt = harness.sandbox.last_bot_message(ana.id)
    assert prompt is not None and len(harness.sandbox.bot_messages(ana.id)) == replies_before + 1
    assert "not today's" in (prompt.text or "") and "Fri 27 Mar" in (prompt.text or "")
    assert (await checkin_row(harness, ana.id)).pain is None  # nothing written yet

    # "No" leaves yesterday alone.
    await tap(harness, ana, prompt, text=texts.BUTTON_LEAVE_IT)
    assert (await checkin_row(harness, ana.id)).pain is None

    await tap(harness, ana, yesterday_question, data=f"c:a:{code()}:pain:6")
    prompt = harness.sandbox.last_bot_message(ana.id)
    assert prompt is not None
    await tap(harness, ana, prompt, data=f"c:y:{code()}:pain:6")
    assert (await checkin_row(harness, ana.id)).pain == 6
    assert harness.db is not None
    async with harness.db.uow() as uow:
        assert await uow.checkins.get(ana.id, today) is None  # today untouched
    # The next question of yesterday is already confirmed: no second prompt.
    follow_up = harness.sandbox.last_bot_message(ana.id)
    assert follow_up is not None and "Where do you feel it" in (follow_up.text or "")
    assert "Fri 27 Mar" in (follow_up.text or "")
    await tap(harness, ana, follow_up, data=f"c:y:{code()}:where:neck")
    assert (await checkin_row(harness, ana.id)).pain_where == "neck"


FORGED = [
    f"c:a:{TODAY:%Y%m%d}:pain:11",  # out of range
    f"c:a:{TODAY:%Y%m%d}:pain:-1",
    f"c:a:{TODAY:%Y%m%d}:pain:seven",  # words where numbers go
    f"c:a:{TODAY:%Y%m%d}:mood:0",
    f"c:a:{TODAY:%Y%m%d}:sleep:great",
    f"c:a:{TODAY:%Y%m%d}:stool:8",
    f"c:a:{TODAY:%Y%m%d}:note:hello",  # notes are typed, not pressed
    f"c:a:{TODAY:%Y%m%d}:rf:cancer",
    f"c:a:{TODAY:%Y%m%d}:rf:pick:cancer",
    f"c:t:{TODAY:%Y%m%d}:cancer",  # no such sign
    f"c:f:{TODAY:%Y%m%d}:maybe",  # not a follow-up answer
    f"c:f:{TODAY:%Y%m%d}:yes",  # no escalation that day
    "c:p:11",  # the reminder's pain out of range
    f"c:a:{TODAY:%Y%m%d}:shoe:1",
    "c:a:20260231:pain:3",  # no such day
    "c:a:20260328:pain:3",  # tomorrow: forged
    "c:a:20260301:pain:3",  # too old to change
    "c:up:20260326",  # updating an earlier day
    "c:zz",
    "c:a:20260327:pain",
    "c:" + "x" * 62,  # oversized junk
]


async def test_forged_buttons_change_nothing(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    message = harness.sandbox.last_bot_message(ana.id)
    assert message is not None
    before = await checkin_row(harness, ana.id)
    for data in FORGED:
        query_id = await harness.sandbox.press_callback(ana, message.message_id, data)
        answer = await harness.sandbox.wait_for_callback_answer(query_id)
        assert answer.text == texts.STALE_BUTTON, data
    await harness.settle()
    assert await checkin_row(harness, ana.id) == before
    assert harness.sandbox.bot_messages(ana.id) == [message]


async def test_someone_elses_button_is_refused(harness: Harness) -> None:
    ana = await onboarded(harness)
    bo = await onboarded(harness, "Bo")
    await say(harness, ana, "/checkin")
    message = harness.sandbox.last_bot_message(ana.id)
    assert message is not None
    # Bo cannot reach Ana's private chat in Telegram; a forged query from Bo is still refused.
    harness.sandbox.chat(ana.id).member_ids.append(bo.id)
    query_id = await harness.sandbox.press_callback(
        bo, message.message_id, f"c:a:{code()}:pain:9", chat_id=ana.id
    )
    answer = await harness.sandbox.wait_for_callback_answer(query_id)
    assert answer.text == texts.NOT_YOURS
    assert (await checkin_row(harness, ana.id)).pain is None


async def test_a_4000_character_note_is_stored_whole(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    for key in ("pain", "stress", "mood", "sleep", "gut"):
        await press(harness, ana, f"c:a:{code()}:{key}:skip")
    await press(harness, ana, f"c:n:{code()}")
    note = ("Long day at the desk, lower back stiff by noon. 🙂 " * 80)[:4000]
    replies = await say(harness, ana, note)
    assert "Note saved (4000 characters)" in (replies[0].text or "")
    assert (await checkin_row(harness, ana.id)).note == note


async def test_an_old_unanswered_note_question_stops_catching_text(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    for key in ("pain", "stress", "mood", "sleep", "gut"):
        await press(harness, ana, f"c:a:{code()}:{key}:skip")
    await press(harness, ana, f"c:n:{code()}")
    harness.clock.advance(timedelta(hours=3))
    replies = await say(harness, ana, "drank a glass of water")
    assert "Hydration: 1 glass of water logged" in (replies[0].text or "")
    assert (await checkin_row(harness, ana.id)).note is None
    assert harness.db is not None
    async with harness.db.uow() as uow:
        person = await uow.people.get(ana.id)
    assert person is not None and person.pending is None


async def test_checkin_before_setup_and_in_a_group(harness: Harness) -> None:
    newbie = harness.sandbox.add_user(first_name="Cy")
    await say(harness, newbie, "/start")
    replies = await say(harness, newbie, "/checkin")
    assert replies[-1].text == texts.FINISH_START_FIRST
    ana = await onboarded(harness)
    group = harness.sandbox.add_group("Back pain club", members=[ana])
    await harness.sandbox.add_bot_to_group(group, by=ana)
    replies = await say(harness, ana, "/checkin", chat_id=group.id)
    assert replies[-1].text == texts.NOT_IN_GROUP
    assert harness.db is not None
    async with harness.db.uow() as uow:
        assert await uow.checkins.get(ana.id, TODAY) is None


async def test_start_checkin_button_from_the_nudge(harness: Harness) -> None:
    ana = await onboarded(harness)
    assert harness.app is not None
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    nudge = await harness.app.bot.send_message(
        ana.id,
        "📝 Time for your check-in",
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("📝 Start check-in", callback_data="c:go")]]
        ),
    )
    await harness.settle()
    message = harness.sandbox.last_bot_message(ana.id)
    assert message is not None and message.message_id == nudge.message_id
    await tap(harness, ana, message, data="c:go")
    # The old "Start check-in" message becomes the check-in: edited in place, nothing new.
    question = harness.sandbox.last_bot_message(ana.id)
    assert question is not None and question.message_id == nudge.message_id
    assert "Pain right now?" in (question.text or "")


# --- Safety -----------------------------------------------------------------------------------


async def seed_pain(harness: Harness, person_id: int, pains: dict[date, int]) -> None:
    """Put finished check-ins of earlier days straight into the database."""
    assert harness.db is not None
    now = harness.clock.now()
    async with harness.db.uow() as uow:
        for day, pain in pains.items():
            uow.session.add(
                CheckIn(
                    person_id=person_id,
                    local_date=day,
                    pain=pain,
                    skipped=[],
                    red_flags_asked=True,
                    started_at=now,
                    updated_at=now,
                    completed_at=now,
                )
            )
        await uow.commit()


async def test_high_pain_suggests_a_provider_and_asks_red_flags_once(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    answered, new = await press_and_read(harness, ana, f"c:a:{code()}:pain:8")
    # The gentler suggestion stands above the next question, in the same message.
    assert (answered.text or "").startswith(f"🩺 {SUGGEST_PROVIDER_TEXT}")
    assert "Where do you feel it" in (answered.text or "") and new == []
    assert await flags(harness, ana.id) == [("high_pain", "pain 8")]

    last = await press(harness, ana, f"c:a:{code()}:where:neck")
    # Neck pain does not get the low-back list, even at 8.
    assert "Stress today?" in (last.text or "")
    row = await checkin_row(harness, ana.id)
    assert row.red_flags_asked is False
    for key in ("stress", "mood", "sleep", "gut"):
        last = await press(harness, ana, f"c:a:{code()}:{key}:skip")
    # The closing summary repeats the suggestion.
    assert SUGGEST_PROVIDER_TEXT in (last.text or "")

    # Updating to a back pain of 9 the same day asks the list once, and records nothing twice.
    await say(harness, ana, "/checkin")
    await press(harness, ana, f"c:up:{code()}")
    await press(harness, ana, f"c:a:{code()}:pain:9")
    last = await press(harness, ana, f"c:a:{code()}:where:lower_back")
    assert "safety check" in (last.text or "")
    await press(harness, ana, f"c:a:{code()}:rf:none")
    await say(harness, ana, "/checkin")
    await press(harness, ana, f"c:up:{code()}")
    await press(harness, ana, f"c:a:{code()}:pain:9")
    last = await press(harness, ana, f"c:a:{code()}:where:lower_back")
    assert "Stress today?" in (last.text or "")
    assert await flags(harness, ana.id) == [("high_pain", "pain 8"), ("no_signs", "none")]


async def test_each_sign_alone_gets_its_tier(harness: Harness) -> None:
    for n, sign in enumerate(RED_FLAG_KEYS):
        person = await onboarded(harness, f"P{n}")
        await say(harness, person, "/checkin")
        await press(harness, person, f"c:a:{code()}:pain:7")  # 7: no provider advice, but ask
        question = await press(harness, person, f"c:a:{code()}:where:lower_back")
        assert question is not None and "safety check" in (question.text or "")
        assert len(question.buttons) == 8  # seven signs, then "None of these" and "Done"
        assert await flags(harness, person.id) == []

        await press(harness, person, f"c:t:{code()}:{sign}")
        answered, new = await press_and_read(harness, person, f"c:a:{code()}:rf:done")
        emergency = sign in ("bladder_bowel", "saddle", "both_legs")
        heading = "Go to an emergency department now" if emergency else "within a day or two"
        assert heading in (answered.text or "")
        assert texts.RED_FLAG_ABOUT[sign] in (answered.text or "")
        assert new == []  # the check-in stops with the warning
        kind = "emergency" if emergency else "see_doctor"
        assert await flags(harness, person.id) == [(kind, sign)]
        row = await checkin_row(harness, person.id)
        assert row.red_flags_asked is True and row.completed_at is None
        assert row.escalation == ("emergency" if emergency else "soon")


async def test_red_flag_question_can_be_skipped_by_typing(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    await press(harness, ana, f"c:a:{code()}:pain:7")
    await press(harness, ana, f"c:a:{code()}:where:lower_back")
    replies = await say(harness, ana, "skip")
    assert "Stress today?" in (replies[-1].text or "")
    row = await checkin_row(harness, ana.id)
    assert row.red_flags_asked and "rf" in row.skipped
    assert await flags(harness, ana.id) == []


async def test_rising_pain_suggests_a_provider(harness: Harness) -> None:
    ana = await onboarded(harness)
    await seed_pain(harness, ana.id, {TODAY - timedelta(days=2): 3, TODAY - timedelta(days=1): 4})
    await say(harness, ana, "/checkin")
    answered, _ = await press_and_read(harness, ana, f"c:a:{code()}:pain:5")
    assert SUGGEST_PROVIDER_TEXT in (answered.text or "")
    assert await flags(harness, ana.id) == [("rising_pain", "pain 5")]


async def test_two_weeks_at_six_or_more_suggests_a_provider(harness: Harness) -> None:
    ana = await onboarded(harness)
    await seed_pain(harness, ana.id, {TODAY - timedelta(days=d): 6 for d in range(1, 14)})
    await say(harness, ana, "/checkin")
    answered, _ = await press_and_read(harness, ana, f"c:a:{code()}:pain:6")
    assert SUGGEST_PROVIDER_TEXT in (answered.text or "")
    assert await flags(harness, ana.id) == [("persistent_pain", "pain 6")]


async def test_steady_low_pain_raises_no_flag(harness: Harness) -> None:
    ana = await onboarded(harness)
    await seed_pain(harness, ana.id, {TODAY - timedelta(days=d): 3 for d in range(1, 14)})
    await say(harness, ana, "/checkin")
    last = await press(harness, ana, f"c:a:{code()}:pain:3")
    assert "Where do you feel it" in (last.text or "")
    assert await flags(harness, ana.id) == []
    assert harness.db is not None
    async with harness.db.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(SafetyFlag)) == 0
        assert await uow.session.scalar(select(func.count()).select_from(Person)) == 1
