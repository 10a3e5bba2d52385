"""The weekly PEG-3: offer it after the check-in on the person's PEG day, store each answer.

Results are typed (`PegAsked`, `PegDone`); the Telegram layer words them. Typed answers reuse
the check-in's reading of numbers ("7", "7/10", "seven"); anything else changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.checkin import WAIT, BadAnswer, read_typed
from bot.domain.peg import (
    BadPegAnswer,
    PegItem,
    PegTrend,
    is_peg_day,
    next_item,
    parse_item,
    parse_value,
    peg_weekday,
    score_of,
    trend,
    week_of,
)
from bot.domain.pending import Feature, PendingInput
from bot.domain.schedule import Rule
from bot.services.local_day import ready_person, today_of
from bot.storage.uow import UnitOfWork

SUMMARY = "summary"  # the weekly summary's reminder: its day is the PEG day
PEG_STEPS = frozenset(item.value for item in PegItem)


class StaleWeek(Exception):
    """A PEG button (or typed answer) of a week that is over; nothing was stored."""


class PegExpired(Exception):
    """No PEG question is open for typed text any more."""


class NotAPegAnswer(Exception):
    """Typed text that is not a number from 0 to 10; nothing was stored."""


@dataclass(frozen=True)
class PegAsked:
    """The next PEG question of the week."""

    day: date
    item: PegItem
    first: bool  # the first of the three: say what these questions are


@dataclass(frozen=True)
class PegDone:
    """All three answered: the week's score."""

    day: date
    score: float


def is_peg_step(pending: PendingInput) -> bool:
    """Tell whether a pending input waits for a PEG answer."""
    return pending.is_for(Feature.CHECKIN) and pending.step in PEG_STEPS


async def _ask(uow: UnitOfWork, person_id: int, day: date, item: PegItem, now: datetime) -> None:
    pending = PendingInput(Feature.CHECKIN, item.value, now, day=day)
    await uow.people.set_pending(person_id, pending, now)


async def _weekday(uow: UnitOfWork, person_id: int) -> int:
    """The person's PEG day: their weekly summary's day (Sunday unless they moved it)."""
    summary = [r for r in await uow.reminders.for_person(person_id) if r.habit == SUMMARY]
    try:
        days = Rule.from_dict(summary[0].rule).weekdays if summary else None
    except ValueError:
        days = None
    return peg_weekday(days)


async def offer(uow: UnitOfWork, person_id: int, now: datetime) -> PegAsked | None:
    """On the PEG day, ask the week's next unanswered PEG question; None when not due.

    Not due on a day whose check-in raised a red-flag warning.
    """
    async with uow:
        _, zone = await ready_person(uow, person_id)
        today = today_of(zone, now)
        if not is_peg_day(today, await _weekday(uow, person_id)):
            return None
        checkin = await uow.checkins.get(person_id, today)
        if checkin is not None and checkin.escalation is not None:
            return None  # the day's message is the red-flag warning, not more questions
        answers = await uow.checkins.peg_answers(person_id, week_of(today))
        item = next_item(answers)
        if item is None:
            return None
        await _ask(uow, person_id, today, item, now)
        await uow.commit()
        return PegAsked(today, item, first=not answers)


async def answer(
    uow: UnitOfWork, person_id: int, day: date, key: str, raw: str, now: datetime
) -> PegAsked | PegDone:
    """Store one PEG answer for the week of `day` (again replaces). Raises BadPegAnswer."""
    item, value = parse_item(key), parse_value(raw)
    async with uow:
        _, zone = await ready_person(uow, person_id)
        today = today_of(zone, now)
        week = week_of(day)
        if day > today or week != week_of(today):
            raise StaleWeek
        answers = await uow.checkins.answer_peg(person_id, week, today, item, value, now)
        following = next_item(answers)
        mean = score_of(answers)
        if following is None and mean is not None:
            await uow.people.clear_pending(person_id, Feature.CHECKIN)
            await uow.commit()
            return PegDone(day, mean)
        assert following is not None
        await _ask(uow, person_id, day, following, now)
        await uow.commit()
        return PegAsked(day, following, first=False)


async def later(uow: UnitOfWork, person_id: int, now: datetime) -> None:
    """ "Not this week": stop waiting for typed PEG answers (what was answered stays)."""
    async with uow:
        await uow.people.clear_pending(person_id, Feature.CHECKIN)
        await uow.commit()


async def answer_text(
    uow: UnitOfWork, person_id: int, pending: PendingInput, text: str, now: datetime
) -> PegAsked | PegDone:
    """Answer the open PEG question with typed text ("7", "7/10", "seven").

    Raises NotAPegAnswer for anything else (nothing changes) and PegExpired when the question
    was asked too long ago.
    """
    if pending.day is None or not now - WAIT <= pending.asked_at <= now:
        raise PegExpired
    try:
        raw = read_typed("pain", text)
        value = parse_value(raw)
    except (BadAnswer, BadPegAnswer):
        raise NotAPegAnswer(pending.step) from None
    try:
        return await answer(uow, person_id, pending.day, pending.step, str(value), now)
    except StaleWeek:
        raise PegExpired from None


async def trend_of(uow: UnitOfWork, person_id: int) -> PegTrend | None:
    """How the weekly score moved over the last four scores (inside the caller's transaction)."""
    return trend(await uow.checkins.peg_scores(person_id))
