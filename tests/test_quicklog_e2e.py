"""Quick logging end to end: /log and plain words log the right habit, or nothing at all."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from bot.storage.models import HabitLog
from bot.telegram import texts
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


async def logs(harness: Harness, person_id: int) -> list[tuple[str, int | None, str | None]]:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        rows = await uow.session.scalars(
            select(HabitLog).where(HabitLog.person_id == person_id).order_by(HabitLog.id)
        )
        return [(r.habit, r.amount, r.unit) for r in rows]


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
    for text in [
        "I didn't drink any water today",
        "should I walk more?",
        "will go for a walk later",
        "my back hurts when I walk",
        "hello",
        "🙂",
        "x" * 5000,
        "/log asdf",
        "/log no yoga today",
    ]:
        replies = await say(harness, ana, text)
        assert len(replies) == 1, text
        assert replies[0].text is not None and "logged nothing" in replies[0].text, text
        assert len(replies[0].button_texts) == 4
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
    assert "logged" in (edited.text or "") and edited.buttons == []
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
