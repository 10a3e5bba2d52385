"""Quick logging end to end: /log and plain words log the right habit, or nothing at all."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from bot.storage.models import HabitLog
from bot.telegram import log_texts, texts
from tests.factories import make_person
from tests.harness import Harness
from tests.talk import quick_typist, say, tap

TODAY = date(2026, 3, 27)


async def onboarded(harness: Harness, name: str = "Ana") -> Any:
    quick_typist(harness)
    user = harness.sandbox.add_user(first_name=name)
    assert harness.db is not None
    await make_person(harness.db, user.id, now=harness.clock.now(), first_name=name)
    return user


async def rows_of(harness: Harness, person_id: int) -> list[Any]:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        rows = await uow.session.execute(
            select(
                HabitLog.habit, HabitLog.amount, HabitLog.unit, HabitLog.local_date, HabitLog.said
            )
            .where(HabitLog.person_id == person_id)
            .order_by(HabitLog.id)
        )
        return list(rows)


async def logs(harness: Harness, person_id: int) -> list[tuple[str, int | None, str | None]]:
    return [(r.habit, r.amount, r.unit) for r in await rows_of(harness, person_id)]


async def test_plain_words_and_log_command_log_the_matching_habit(harness: Harness) -> None:
    ana = await onboarded(harness)
    cases: list[tuple[str, list[tuple[str, int | None, str | None]], str]] = [
        ("drank 2 glasses", [("water", 1, "glass")] * 2, "2/6 today"),
        ("/log water", [("water", None, None)], "3/6 today"),
        ("/log walk 20 min", [("move", 20, "min")], "1/5 today"),
        ("had kefir", [("food", None, None)], "1/2 today"),
        ("did 10 min yoga", [("move", 10, "min")], "2/5 today"),
        ("Stretched", [("move", None, None)], "3/5 today"),
        ("box breathing 💨", [("breathe", None, None)], "1/1 today"),
    ]
    expected: list[tuple[str, int | None, str | None]] = []
    for text, new_logs, count in cases:
        replies = await say(harness, ana, text)
        expected += new_logs
        assert len(replies) == 1, text
        assert "logged" in (replies[0].text or "") and count in (replies[0].text or ""), text
        assert await logs(harness, ana.id) == expected, text
    assert harness.db is not None
    async with harness.db.uow() as uow:
        rows = await uow.habit_logs.for_day(ana.id, TODAY)
    assert {r.source for r in rows} == {"text"}
    assert rows[0].label == "2 glasses of water"


async def test_phrases_that_must_not_log_get_a_hint(harness: Harness) -> None:
    ana = await onboarded(harness)
    for text, hint_buttons in [
        ("I didn't drink any water today", 0),
        ("no water today", 0),
        ("should I walk more?", 4),
        ("will go for a walk later", 0),
        ("my back hurts when I walk", 4),
        ("hello", 4),
        ("🙂", 4),
        ("x" * 4096, 0),
        ("/log asdf", 4),
        ("/log no yoga today", 0),
        ("drank 3 glasses of wine", 0),
        ("had kefir 3 weeks ago", 0),
        ("drank 500 glasses of water", 0),
    ]:
        replies = await say(harness, ana, text)
        assert len(replies) == 1, text
        assert replies[0].text is not None and "logged nothing" in replies[0].text, text
        assert len(replies[0].button_texts) == hint_buttons, text
    assert await logs(harness, ana.id) == []

    replies = await say(harness, ana, "/log")
    assert "What did you do?" in (replies[0].text or "")
    assert await logs(harness, ana.id) == []


async def test_hint_buttons_log_once_per_message(harness: Harness) -> None:
    ana = await onboarded(harness)
    hint = (await say(harness, ana, "hmm"))[0]
    answer = await tap(harness, ana, hint, text="🚶 Movement break")
    assert answer.text is None
    edited = harness.sandbox.bot_messages(ana.id)[-1]
    assert "logged" in (edited.text or "") and edited.button_texts == [log_texts.BUTTON_UNDO]
    assert await logs(harness, ana.id) == [("move", None, None)]

    # A double press (the same data again on the same message) logs nothing more.
    query_id = await harness.sandbox.press_callback(ana, hint.message_id, "l:add:move")
    answer = await harness.sandbox.wait_for_callback_answer(query_id)
    assert answer.text == texts.LOG_ALREADY
    for forged in ("l:add:checkin", "l:add:beer", "l:zap:water", "l:add"):
        query_id = await harness.sandbox.press_callback(ana, hint.message_id, forged)
        answer = await harness.sandbox.wait_for_callback_answer(query_id)
        assert answer.text == texts.STALE_BUTTON, forged
    await harness.settle()
    assert await logs(harness, ana.id) == [("move", None, None)]


async def test_log_in_a_group_or_before_setup(harness: Harness) -> None:
    ana = await onboarded(harness)
    group = harness.sandbox.add_group("Desk crew", members=[ana])
    await harness.sandbox.add_bot_to_group(group, by=ana)
    await harness.settle()
    replies = await say(harness, ana, "/log water", chat_id=group.id)
    assert replies[-1].text == texts.NOT_IN_GROUP
    stranger = harness.sandbox.add_user(first_name="Cy")
    replies = await say(harness, stranger, "drank a glass of water")
    assert replies[-1].text == texts.FINISH_START_FIRST
    assert await logs(harness, ana.id) == []
    assert await logs(harness, stranger.id) == []


async def said(harness: Harness, person_id: int) -> list[tuple[str, date, str | None]]:
    return [(r.habit, r.local_date, r.said) for r in await rows_of(harness, person_id)]


async def test_undo_removes_exactly_that_entry_once(harness: Harness) -> None:
    ana = await onboarded(harness)
    [first] = await say(harness, ana, "drank 2 glasses")
    [second] = await say(harness, ana, "walked 20 min")
    assert first.button_texts == [log_texts.BUTTON_UNDO]
    assert len(await logs(harness, ana.id)) == 3

    answer = await tap(harness, ana, first, text=log_texts.BUTTON_UNDO)
    assert answer.text is None
    edited = [m for m in harness.sandbox.bot_messages(ana.id) if m.message_id == first.message_id]
    assert "Undone: 2 glasses of water" in (edited[0].text or "")
    assert "0/6 today" in (edited[0].text or "") and edited[0].buttons == []
    assert await logs(harness, ana.id) == [("move", 20, "min")]

    # Pressed again (the same data on the same message): a kind word, nothing changes.
    first_data = first.buttons[0][0].callback_data
    undo_data = second.buttons[0][0].callback_data
    query_id = await harness.sandbox.press_callback(ana, first.message_id, first_data)
    answer = await harness.sandbox.wait_for_callback_answer(query_id)
    assert answer.text == log_texts.UNDO_GONE
    assert await logs(harness, ana.id) == [("move", 20, "min")]

    # Someone else pressing Ana's Undo changes nothing.
    ben = await onboarded(harness, "Ben")
    query_id = await harness.sandbox.press_callback(
        ben, second.message_id, undo_data, chat_id=ana.id
    )
    answer = await harness.sandbox.wait_for_callback_answer(query_id)
    assert answer.text == texts.NOT_YOURS
    # ... nor does forging Ana's entry id in Ben's own chat.
    [bens] = await say(harness, ben, "had kefir")
    query_id = await harness.sandbox.press_callback(ben, bens.message_id, undo_data)
    answer = await harness.sandbox.wait_for_callback_answer(query_id)
    assert answer.text == texts.NOT_YOURS
    assert await logs(harness, ana.id) == [("move", 20, "min")]

    # After a day the entry stays.
    harness.clock.advance(timedelta(hours=24, minutes=1))
    answer = await tap(harness, ana, second, text=log_texts.BUTTON_UNDO)
    assert answer.text == log_texts.UNDO_TOO_LATE
    assert await logs(harness, ana.id) == [("move", 20, "min")]


async def test_past_days_are_logged_on_that_day_and_named(harness: Harness) -> None:
    ana = await onboarded(harness)  # Friday 27 March 2026
    [reply] = await say(harness, ana, "had kefir yesterday")
    assert "for yesterday (Thu 26 Mar)" in (reply.text or "") and "1/2 that day" in (
        reply.text or ""
    )
    [reply] = await say(harness, ana, "walked on Monday")
    assert "walk logged for Mon 23 Mar. 1/5 that day." in (reply.text or "")
    [reply] = await say(harness, ana, "had kefir last Friday")
    assert "for Fri 20 Mar" in (reply.text or "")
    [reply] = await say(harness, ana, "drank 20 glasses of water")
    assert "20 glasses? I logged 20 — tap Undo if that was a typo" in (reply.text or "")
    assert await said(harness, ana.id) == [
        ("food", date(2026, 3, 26), "had kefir yesterday"),
        ("move", date(2026, 3, 23), "walked on Monday"),
        ("food", date(2026, 3, 20), "had kefir last Friday"),
        *[("water", TODAY, "drank 20 glasses of water")] * 20,
    ]


async def test_tea_counts_as_water_only_after_opting_in(harness: Harness) -> None:
    ana = await onboarded(harness)
    [reply] = await say(harness, ana, "2 cups of tea")
    assert "logged nothing" in (reply.text or "")
    assert reply.button_texts == [log_texts.BUTTON_HOT_ON]
    assert await logs(harness, ana.id) == []
    await tap(harness, ana, reply, text=log_texts.BUTTON_HOT_ON)
    [reply] = await say(harness, ana, "2 cups of tea")
    assert "2 cups of tea logged" in (reply.text or "")
    assert reply.button_texts == [log_texts.BUTTON_UNDO, log_texts.BUTTON_HOT_OFF]
    assert await logs(harness, ana.id) == [("water", 1, "glass")] * 2
    await tap(harness, ana, reply, text=log_texts.BUTTON_HOT_OFF)
    [reply] = await say(harness, ana, "coffee")
    assert "logged nothing" in (reply.text or "")
    assert len(await logs(harness, ana.id)) == 2
