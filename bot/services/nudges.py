"""Nudges: what a nudge says and offers, and what its buttons do."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import content
from bot.domain.nudging import habit_info, less_often
from bot.domain.schedule import Rule, local_date
from bot.services.goals import goals_of
from bot.services.progress import habit_streak
from bot.services.schedules import reschedule, zone_of
from bot.storage.deliveries import DeliveryRecord
from bot.storage.due import RETIRED
from bot.storage.people import PersonRecord
from bot.storage.uow import UnitOfWork
from bot.telegram import texts

# The sender puts the delivery's id where "{id}" stands, so buttons point at their own row.
DONE = "n:done:{id}"
SNOOZE = "n:snz:{id}:{minutes}"
SKIP = "n:skip:{id}"
LESS = "n:less:{id}"
KEEP = "n:keep:{id}"
BREATHE = "b:start:{id}"
START_CHECKIN = "c:go"
# The check-in reminder asks the first question itself: a tap is today's pain (issue 14).
REMINDER_PAIN = "c:p:{n}"
SNOOZE_MINUTES = (15, 60)

Buttons = list[list[dict[str, str]]]


def label_of(habit: str) -> str:
    """Return a habit's label, e.g. "💧 Hydration"."""
    info = habit_info(habit)
    return info.label if info is not None else habit


def _button(text: str, data: str) -> dict[str, str]:
    return {"text": text, "data": data}


def nudge_buttons(habit: str) -> Buttons:
    """Return the keyboard of a habit's nudge (placeholders for the delivery id)."""
    snooze_60 = _button(texts.NUDGE_SNOOZE_60, SNOOZE.replace("{minutes}", "60"))
    skip = _button(texts.NUDGE_SKIP_TODAY, SKIP)
    if habit == "checkin":
        pain = [_button(str(n), REMINDER_PAIN.replace("{n}", str(n))) for n in range(11)]
        return [pain[:6], pain[6:], [snooze_60, skip]]
    rows: Buttons = []
    if habit == "breathe":
        rows.append([_button(texts.NUDGE_BREATHE, BREATHE)])
    rows.append([_button(texts.NUDGE_DONE, DONE)])
    rows.append(
        [_button(texts.NUDGE_SNOOZE_15, SNOOZE.replace("{minutes}", "15")), snooze_60, skip]
    )
    return rows


def nudge_payload(
    habit: str,
    recent: list[int],
    rng: random.Random,
    *,
    done: int = 0,
    goal: int | None = None,
    after_miss: bool = False,
) -> tuple[dict[str, Any], list[int]]:
    """Pick a nudge text not shown recently; return the payload and the new text history.

    One line says where the person stands today (behind, one to go, after a miss), so a
    nudge never contradicts their day.
    """
    choices = content.nudges(habit)
    index = content.choose(len(choices), recent, rng)
    text = texts.nudge(label_of(habit), choices[index])
    standing = texts.nudge_standing(done, goal, after_miss)
    if standing:
        text = f"{text}\n<i>{standing}</i>"
    if habit == "checkin":
        text = f"{text}\n\n{texts.CHECKIN_QUESTIONS['pain']}"
    payload = {
        "text": text,
        "parse_mode": "HTML",
        "buttons": nudge_buttons(habit),
    }
    return payload, content.remember(recent, index, len(choices))


def ask_payload(habit: str) -> dict[str, Any]:
    """Return the one-line notice that a habit's nudges thin out, with a way to keep them."""
    return {
        "text": texts.backing_off(label_of(habit)),
        "parse_mode": "HTML",
        "buttons": [[_button(texts.NUDGE_KEEP_RHYTHM, KEEP)]],
    }


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
    label: str = ""
    done_today: int = 0
    target: int = 0
    streak: int = 0
    until: str = ""
    rule: str = ""
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
        label=label_of(habit),
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
        payload = dict(answered.payload)
        payload["buttons"] = nudge_buttons(habit)
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
    until = again.astimezone(_zone(person))
    return Pressed(Outcome.OK, label=label_of(habit), until=f"{until:%H:%M}")


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
    return Pressed(Outcome.OK, label=label_of(habit))


async def answer_less(
    uow: UnitOfWork, person_id: int, delivery_id: int, *, less: bool, now: datetime
) -> Pressed:
    """Act on the answer to "nudge less often?": store a sparser rule and reschedule, or keep."""
    async with uow:
        answered = await _answer(uow, person_id, delivery_id, {"ask"}, "less" if less else "more")
        if isinstance(answered, Outcome):
            return Pressed(answered)
        label = label_of(answered.habit or "")
        if not less:
            await uow.due.keep_rhythm(person_id, answered.habit or "")
            await reschedule(uow, person_id, now)
            await uow.commit()
            return Pressed(Outcome.OK, label=label)
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
            return Pressed(Outcome.UNCHANGED, label=label)
        await uow.reminders.set_rule(
            person_id, reminder.habit, rule=sparser.to_dict(), enabled=reminder.enabled, now=now
        )
        await reschedule(uow, person_id, now)
        await uow.commit()
    return Pressed(Outcome.OK, label=label, rule=sparser.describe())
