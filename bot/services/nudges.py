"""Nudges: which text a nudge says, and what its buttons do (the Telegram layer words them)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain import content
from bot.domain.intents import NudgeDue
from bot.domain.nudging import less_often
from bot.domain.schedule import Rule, local_date
from bot.services.goals import goals_of
from bot.services.progress import habit_streak
from bot.services.schedules import reschedule, zone_of
from bot.storage.deliveries import DeliveryRecord
from bot.storage.due import RETIRED
from bot.storage.people import PersonRecord
from bot.storage.uow import UnitOfWork

SNOOZE_MINUTES = (15, 60)


def choose_nudge(
    habit: str,
    recent: list[int],
    rng: random.Random,
    *,
    done: int = 0,
    goal: int | None = None,
    after_miss: bool = False,
) -> tuple[NudgeDue, list[int]]:
    """Pick a nudge text not shown recently; return the nudge and the new text history.

    It carries where the person stands today (behind, one to go, after a miss), so a nudge
    never contradicts their day.
    """
    count = len(content.nudges(habit))
    index = content.choose(count, recent, rng)
    due = NudgeDue(habit, index, done=done, goal=goal, after_miss=after_miss)
    return due, content.remember(recent, index, count)


class Outcome(StrEnum):
    """How a button press went."""

    OK = "ok"
    STALE = "stale"  # no such delivery, or not the kind of message this button belongs to
    NOT_YOURS = "not_yours"
    ALREADY = "already"  # the message was answered before
    PASSED = "passed"  # a newer nudge or the day's end took this one's buttons off
    UNCHANGED = "unchanged"  # "less often" when it cannot get any sparser


@dataclass(frozen=True)
class Pressed:
    """The result of a nudge button, for the handler to render."""

    outcome: Outcome
    habit: str = ""
    done_today: int = 0
    target: int = 0
    streak: int = 0
    until: datetime | None = None  # a snooze's next nudge, in the person's local time
    rule: Rule | None = None  # the sparser schedule "less often" stored
    log_id: int = 0  # the entry a Done press logged, for its Undo button


async def _answer(
    uow: UnitOfWork, person_id: int, delivery_id: int, kinds: set[str], response: str
) -> DeliveryRecord | Outcome:
    """Record the person's answer to their own delivery; the first answer wins."""
    delivery = await uow.deliveries.get(delivery_id)
    if delivery is None or delivery.kind not in kinds or delivery.habit is None:
        return Outcome.STALE
    if delivery.person_id != person_id:
        return Outcome.NOT_YOURS
    if delivery.response == RETIRED:
        return Outcome.PASSED
    if not await uow.deliveries.respond(delivery_id, response):
        return Outcome.ALREADY
    await uow.due.reset_ignored(person_id, delivery.habit)
    return delivery


def _zone(person: PersonRecord | None) -> ZoneInfo:
    return zone_of(person) if person is not None else ZoneInfo("UTC")


async def _today(uow: UnitOfWork, person_id: int, now: datetime) -> date:
    return local_date(now, _zone(await uow.people.get(person_id)))


async def press_done(
    uow: UnitOfWork,
    person_id: int,
    delivery_id: int,
    *,
    now: datetime,
    person: PersonRecord | None = None,
) -> Pressed:
    """Log the habit a nudge asked for, once per nudge; return today's count and the streak.

    `person`, if the caller read them already in this update, saves reading them again.
    """
    async with uow:
        answered = await _answer(uow, person_id, delivery_id, {"nudge"}, "done")
        if isinstance(answered, Outcome):
            return Pressed(answered)
        habit = answered.habit or ""
        if person is not None and person.id == person_id:
            today = local_date(now, _zone(person))
        else:
            today = await _today(uow, person_id, now)
        log_id = await uow.habit_logs.add(
            person_id, habit, at=now, local_date=today, source="nudge", delivery_id=delivery_id
        )
        done_today = (await uow.habit_logs.counts_on(person_id, today)).get(habit, 0)
        target = (await goals_of(uow, person_id)).get(habit, 1)
        await uow.commit()
    return Pressed(
        Outcome.OK,
        habit=habit,
        done_today=done_today,
        target=target,
        # The same streak /progress shows: goal-met days, excused days and freezes included.
        streak=await habit_streak(uow, person_id, habit, now),
        log_id=log_id or 0,
    )


async def snooze(
    uow: UnitOfWork, person_id: int, delivery_id: int, minutes: int, *, now: datetime
) -> Pressed:
    """Queue the same nudge again in `minutes` (a row, so it survives a restart)."""
    if minutes not in SNOOZE_MINUTES:
        return Pressed(Outcome.STALE)
    async with uow:
        answered = await _answer(uow, person_id, delivery_id, {"nudge"}, "snoozed")
        if isinstance(answered, Outcome):
            return Pressed(answered)
        habit = answered.habit or ""
        # The same intent again (an old rendered row too: its buttons name their own row).
        payload = dict(answered.payload)
        again = now + timedelta(minutes=minutes)
        await uow.deliveries.add(
            chat_id=answered.chat_id,
            person_id=person_id,
            kind="nudge",
            payload=payload,
            due_at=again,
            send_after=again,
            habit=habit,
            now=now,
        )
        person = await uow.people.get(person_id)
        await uow.commit()
    return Pressed(Outcome.OK, habit=habit, until=again.astimezone(_zone(person)))


async def skip_today(
    uow: UnitOfWork, person_id: int, delivery_id: int, *, now: datetime
) -> Pressed:
    """Skip a habit for the rest of the person's local day (no streak lost, no more nudges)."""
    async with uow:
        answered = await _answer(uow, person_id, delivery_id, {"nudge"}, "skipped")
        if isinstance(answered, Outcome):
            return Pressed(answered)
        habit = answered.habit or ""
        today = await _today(uow, person_id, now)
        await uow.habit_logs.skip_day(person_id, habit, today, now)
        # A nudge of this habit may already be queued for the next seconds: decide again.
        await reschedule(uow, person_id, now)
        await uow.commit()
    return Pressed(Outcome.OK, habit=habit)


async def answer_less(
    uow: UnitOfWork, person_id: int, delivery_id: int, *, less: bool, now: datetime
) -> Pressed:
    """Act on the answer to "nudge less often?": store a sparser rule and reschedule, or keep."""
    async with uow:
        answered = await _answer(uow, person_id, delivery_id, {"ask"}, "less" if less else "more")
        if isinstance(answered, Outcome):
            return Pressed(answered)
        habit = answered.habit or ""
        if not less:
            await uow.due.keep_rhythm(person_id, habit)
            await reschedule(uow, person_id, now)
            await uow.commit()
            return Pressed(Outcome.OK, habit=habit)
        reminder = (
            await uow.reminders.get_owned(answered.reminder_id, person_id)
            if answered.reminder_id is not None
            else None
        )
        if reminder is None:
            return Pressed(Outcome.STALE)
        try:
            sparser = less_often(Rule.from_dict(reminder.rule))
        except ValueError:
            sparser = None
        if sparser is None:
            await uow.commit()
            return Pressed(Outcome.UNCHANGED, habit=habit)
        await uow.reminders.set_rule(
            person_id, reminder.habit, rule=sparser.to_dict(), enabled=reminder.enabled, now=now
        )
        await reschedule(uow, person_id, now)
        await uow.commit()
    return Pressed(Outcome.OK, habit=habit, rule=sparser)
