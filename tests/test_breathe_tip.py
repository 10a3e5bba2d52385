"""/tip without repeats, and /breathe paced by editing one message, logged once."""

from __future__ import annotations

import asyncio
import itertools
import time as wall
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import content
from bot.sandbox.limits import FloodLimits
from bot.sandbox.models import SandboxEvent
from bot.sandbox.server import PATIENCE
from bot.storage.models import HabitLog, Person
from bot.telegram import breathe, log_texts, texts
from tests.factories import make_person
from tests.harness import TOKEN, Harness
from tests.talk import ask


@pytest.fixture(autouse=True)
def fast(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    harness.sandbox.limits = FloodLimits(enabled=False)
    # A one-minute exercise in about 0.7 s: the pacing is real time, scaled.
    monkeypatch.setattr(breathe, "PHASE_SECONDS_SCALE", 0.01)


async def breathe_logs(harness: Harness, person_id: int) -> list[tuple[str, str]]:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        rows = await uow.session.execute(
            select(HabitLog.habit, HabitLog.source).where(HabitLog.person_id == person_id)
        )
        return [(h, s) for h, s in rows.tuples()]


def edits_of(harness: Harness, chat_id: int) -> tuple[list[tuple[float, int, str]], Any]:
    """Record (when, message id, text) of every edit in a chat."""
    seen: list[tuple[float, int, str]] = []

    def on_event(event: SandboxEvent) -> None:
        if event.kind == "edit" and event.chat_id == chat_id and event.message is not None:
            seen.append((wall.monotonic(), event.message.message_id, event.message.text or ""))

    return seen, harness.sandbox.subscribe(on_event)


async def finished(harness: Harness, chat_id: int, message_id: int) -> None:
    def done() -> bool:
        return any(
            m.message_id == message_id and "✓" in (m.text or "")
            for m in harness.sandbox.bot_messages(chat_id)
        )

    await harness.sandbox.wait_until(done)
    await harness.settle()


async def test_tip_never_repeats_soon(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    await make_person(harness.runtime.db, ana.id, now=harness.clock.now())
    assert harness.db is not None

    shown = []
    for _ in range(24):
        [reply] = await ask(harness, ana, "/tip")
        shown.append(reply.text)
    assert all(text.startswith("💡") for text in shown)
    assert len(set(shown)) == len(shown)  # no repeats within the history window
    async with harness.db.uow() as uow:
        row = await uow.session.get(Person, ana.id)
        assert row is not None
        recent = list(row.recent_tips)
    assert len(recent) == 24 <= content.history_size(len(content.all_tips()))
    bodies = {t for _, t in content.all_tips()}
    assert all(text.split("\n", 1)[1] in bodies for text in shown)

    group = harness.sandbox.add_group("Desk club", members=[ana])
    await harness.sandbox.add_bot_to_group(group.id, ana)
    await harness.settle()
    [reply] = await ask(harness, ana, "/tip", chat_id=group.id)
    assert reply.text.startswith("💡")


async def test_breathe_edits_one_message_and_logs_once(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    await make_person(harness.runtime.db, ana.id, now=harness.clock.now())
    [chooser] = await ask(harness, ana, "/breathe")
    assert chooser.button_texts == [texts.BOX_BUTTON, texts.RELAX_BUTTON]

    seen, stop = edits_of(harness, ana.id)
    query = await harness.sandbox.press_button(ana, chooser.message_id, text=texts.BOX_BUTTON)
    again = await harness.sandbox.press_callback(ana, chooser.message_id, "b:box")  # double tap
    await finished(harness, ana.id, chooser.message_id)
    stop()

    assert harness.sandbox.callback_answer(query) is not None
    answer = harness.sandbox.callback_answer(again)
    assert answer is not None and answer.text == texts.BREATHE_BUSY
    pattern = breathe.EXERCISES["box"]
    assert {mid for _, mid, _ in seen} == {chooser.message_id}  # one message, only edited
    assert len(seen) == pattern.steps + 1  # one edit per phase, then the closing edit
    texts_seen = [text for _, _, text in seen]
    assert texts_seen[0].count(texts.BREATHE_IN) == 1 and "round 1/4" in texts_seen[0]
    assert texts.BREATHE_OUT in texts_seen[2] and "round 4/4" in texts_seen[-2]
    assert "▰" * breathe.BAR_CELLS not in "".join(texts_seen[:-1])
    assert texts.BREATHE_LOGGED in texts_seen[-1]
    # Never faster than each phase's (scaled) length: one edit per phase, not per second.
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(seen)]
    assert min(gaps) >= 4 * breathe.PHASE_SECONDS_SCALE * 0.9
    assert await breathe_logs(harness, ana.id) == [("breathe", "breathe")]

    # The finished message offers only Undo, like every log; a stale press starts nothing.
    [done] = [
        m for m in harness.sandbox.bot_messages(ana.id) if m.message_id == chooser.message_id
    ]
    assert done.button_texts == [log_texts.BUTTON_UNDO]
    answer_id = await harness.sandbox.press_callback(ana, chooser.message_id, "b:box")
    await harness.settle()
    answer = harness.sandbox.callback_answer(answer_id)
    assert answer is not None and answer.text == texts.BREATHE_GONE
    answer_id = await harness.sandbox.press_callback(ana, chooser.message_id, "b:nope")
    await harness.settle()
    answer = harness.sandbox.callback_answer(answer_id)
    assert answer is not None and answer.text == texts.STALE_BUTTON
    assert len(await breathe_logs(harness, ana.id)) == 1


async def test_breathing_nudge_button_starts_an_exercise(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    await make_person(harness.runtime.db, ana.id, now=harness.clock.now())
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Breathe with me", callback_data="b:start")]]
    )
    async with Bot(TOKEN, base_url=harness.sandbox.base_url) as bot:
        nudge = await bot.send_message(ana.id, "Time for a breather", reply_markup=markup)
    await harness.sandbox.press_button(ana, nudge.message_id, data="b:start")
    exercise = await harness.sandbox.wait_for_bot_message(
        ana.id, after_message_id=nudge.message_id
    )
    await finished(harness, ana.id, exercise[0].message_id)
    assert await breathe_logs(harness, ana.id) == [("breathe", "breathe")]
    # The nudge itself is left alone (its buttons belong to the nudge feature).
    [kept] = [m for m in harness.sandbox.bot_messages(ana.id) if m.message_id == nudge.message_id]
    assert not kept.edited


async def test_restart_mid_exercise_drops_it_without_logging(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(breathe, "PHASE_SECONDS_SCALE", 0.1)  # 7.6 s for 4-7-8: restart first
    ana = harness.sandbox.add_user(first_name="Ana")
    await make_person(harness.runtime.db, ana.id, now=harness.clock.now())
    [chooser] = await ask(harness, ana, "/breathe")
    seen, stop = edits_of(harness, ana.id)
    await harness.sandbox.press_button(ana, chooser.message_id, text=texts.RELAX_BUTTON)
    await harness.sandbox.wait_until(lambda: len(seen) >= 2)
    # What is left of the exercise now lasts hours: a shutdown that waited for it would hang.
    monkeypatch.setattr(breathe, "PHASE_SECONDS_SCALE", 1000.0)
    async with asyncio.timeout(PATIENCE):
        await harness.restart()
    count = len(seen)
    await harness.settle()
    stop()
    assert len(seen) == count
    assert await breathe_logs(harness, ana.id) == []
    # Before consent nothing is logged, but the exercise still runs.
    bo = harness.sandbox.add_user(first_name="Bo")
    await ask(harness, bo, "/start")
    monkeypatch.setattr(breathe, "PHASE_SECONDS_SCALE", 0.01)
    [chooser] = await ask(harness, bo, "/breathe")
    await harness.sandbox.press_button(bo, chooser.message_id, text=texts.BOX_BUTTON)
    await finished(harness, bo.id, chooser.message_id)
    assert texts.BREATHE_NOT_LOGGED in (harness.sandbox.last_bot_message(bo.id).text or "")
    assert await breathe_logs(harness, bo.id) == []


async def test_breathing_from_a_nudge_closes_it_and_logs_once(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    await make_person(harness.runtime.db, ana.id, now=harness.clock.now(), habits=("breathe",))
    harness.clock.set(datetime(2026, 3, 27, 14, 30, tzinfo=UTC))  # 15:30 in Berlin
    await harness.tick()
    [nudge] = harness.sandbox.bot_messages(ana.id)
    assert texts.NUDGE_BREATHE in nudge.button_texts
    [[start], [done], *_] = nudge.buttons
    assert start.callback_data is not None and start.callback_data.startswith("b:start:")

    await harness.sandbox.press_button(ana, nudge.message_id, text=texts.NUDGE_BREATHE)
    [exercise] = await harness.sandbox.wait_for_bot_message(
        ana.id, after_message_id=nudge.message_id
    )
    await finished(harness, ana.id, exercise.message_id)
    assert await breathe_logs(harness, ana.id) == [("breathe", "breathe")]
    # The nudge lost its buttons; its Done (pressed anyway) logs nothing more.
    [closed] = [
        m for m in harness.sandbox.bot_messages(ana.id) if m.message_id == nudge.message_id
    ]
    assert closed.buttons == []
    query_id = await harness.sandbox.press_callback(ana, nudge.message_id, str(done.callback_data))
    answer = await harness.sandbox.wait_for_callback_answer(query_id)
    assert answer.text == texts.ALREADY_ANSWERED
    await harness.settle()
    assert await breathe_logs(harness, ana.id) == [("breathe", "breathe")]
