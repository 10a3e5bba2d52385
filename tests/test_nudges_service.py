"""Nudge buttons as use cases, without Telegram: typed results, the outbox as intents."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from bot.domain.intents import LessOften, NudgeDue, decode, encode
from bot.domain.schedule import Rule, Window
from bot.services import nudges
from bot.services.nudges import Outcome
from bot.storage.uow import Database
from tests.factories import make_person

NOW = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


async def _queue(db: Database, person_id: int, kind: str = "nudge", habit: str = "water") -> int:
    """Queue a delivery as the tick would, marked sent."""
    async with db.uow() as uow:
        reminder = next(r for r in await uow.reminders.for_person(person_id) if r.habit == habit)
        message = NudgeDue(habit, 0) if kind == "nudge" else LessOften(habit)
        delivery_id = await uow.deliveries.add(
            chat_id=person_id,
            person_id=person_id,
            kind=kind,
            habit=habit,
            reminder_id=reminder.id,
            payload=encode(message),
            due_at=NOW,
            status="sent",
            now=NOW,
        )
        await uow.commit()
    assert delivery_id is not None
    return delivery_id


def test_choosing_a_nudge_names_a_text_and_where_the_day_stands() -> None:
    due, recent = nudges.choose_nudge(
        "water", [], random.Random(1), done=5, goal=6, after_miss=False
    )
    assert (due.habit, due.done, due.goal) == ("water", 5, 6)
    assert recent == [due.text]
    # The outbox keeps the choice, not words.
    assert decode(encode(due)).params == {
        "habit": "water",
        "text": due.text,
        "done": 5,
        "goal": 6,
        "after_miss": False,
    }


async def test_done_logs_once_and_says_how_the_day_stands(db: Database) -> None:
    await make_person(db, 1, now=NOW, habits=("water",))
    delivery_id = await _queue(db, 1)
    pressed = await nudges.press_done(db.uow(), 1, delivery_id, now=NOW)
    assert (pressed.outcome, pressed.habit, pressed.done_today) == (Outcome.OK, "water", 1)
    assert pressed.target >= 1 and pressed.log_id > 0
    again = await nudges.press_done(db.uow(), 1, delivery_id, now=NOW)
    assert again.outcome is Outcome.ALREADY
    async with db.uow() as uow:
        assert (await uow.habit_logs.counts_on(1, NOW.date())).get("water") == 1


async def test_someone_elses_or_a_missing_nudge_changes_nothing(db: Database) -> None:
    await make_person(db, 1, now=NOW, habits=("water",))
    await make_person(db, 2, now=NOW, habits=("water",))
    delivery_id = await _queue(db, 1)
    assert (
        await nudges.press_done(db.uow(), 2, delivery_id, now=NOW)
    ).outcome is Outcome.NOT_YOURS
    assert (await nudges.skip_today(db.uow(), 1, 999, now=NOW)).outcome is Outcome.STALE
    assert (await nudges.snooze(db.uow(), 1, delivery_id, 7, now=NOW)).outcome is Outcome.STALE


async def test_snooze_queues_the_same_intent_again(db: Database) -> None:
    await make_person(db, 1, now=NOW, habits=("water",))
    delivery_id = await _queue(db, 1)
    pressed = await nudges.snooze(db.uow(), 1, delivery_id, 15, now=NOW)
    assert pressed.outcome is Outcome.OK and pressed.until is not None
    # The local time of the next nudge, for the Telegram layer to word.
    assert (pressed.until.hour, pressed.until.minute) == (10, 15)
    async with db.uow() as uow:
        rows = await uow.deliveries.for_person(1)
    first, again = rows
    assert again.payload == first.payload == encode(NudgeDue("water", 0))
    assert again.send_after == NOW + timedelta(minutes=15)


async def test_less_often_stores_a_sparser_rule(db: Database) -> None:
    every_hour = Rule(every_minutes=60, window=Window(time(8), time(20))).to_dict()
    await make_person(db, 1, now=NOW, habits=("water",), rules={"water": every_hour})
    delivery_id = await _queue(db, 1, kind="ask")
    pressed = await nudges.answer_less(db.uow(), 1, delivery_id, less=True, now=NOW)
    assert pressed.outcome is Outcome.OK and pressed.rule is not None
    assert pressed.rule.every_minutes is not None and pressed.rule.every_minutes > 60
