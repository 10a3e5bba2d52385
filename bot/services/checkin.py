"""The daily check-in: save each answer the moment it is given and say what comes next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.domain.checkin import (
    COLUMNS,
    EDITABLE_DAYS,
    NOTE_MAX,
    QUESTIONS,
    SKIP,
    Answers,
    BadAnswer,
    date_code,
    next_question,
    parse_answer,
    parse_date_code,
    read_typed,
)
from bot.domain.habits import Habit
from bot.domain.safety import RED_FLAG_KEYS, Flag, advice_for, pain_flags
from bot.services.local_day import ready_person, today_of
from bot.storage.checkins import CheckInRecord
from bot.storage.uow import UnitOfWork

AWAIT_PREFIX = "checkin:"
NOTE_AWAIT = "checkin:note"
# A note question left unanswered this long stops catching typed text (it goes to quick-log).
NOTE_WAIT = timedelta(hours=2)
# An open question catches typed answers as long as a note does. The value stays within
# people.awaiting's 32 characters, so the day is read from the minute it was asked.
QUESTION_AWAIT = "checkin:q:"
QUESTION_WAIT = NOTE_WAIT


class StaleDay(Exception):
    """A check-in button for a day that can no longer be changed (or a forged future day)."""


class NeedsConfirm(Exception):
    """An answer for an earlier day: the person must confirm before that day's row changes."""

    def __init__(self, day: date) -> None:
        super().__init__(day.isoformat())
        self.day = day


class NoteExpired(Exception):
    """The note question was asked too long ago; the text is not a note."""


class NoteTooLong(Exception):
    """A note longer than the limit; nothing was stored."""


class AnswerExpired(Exception):
    """The typed-answer question is gone or was asked too long ago; the text is not an answer."""


class NotAnAnswer(Exception):
    """Typed text that does not answer the open question; nothing was stored."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Step:
    """Where a person's check-in of one day stands after an action."""

    day: date
    is_today: bool
    question: str | None  # the next question to ask; None when there is nothing left
    answers: Answers
    complete: bool  # the day's check-in has been finished (now or earlier)
    finished_now: bool = False  # this action answered the last question
    advice: str | None = None  # safety advice to show before the next question
    updating: bool = False  # walking through a finished check-in again


def answers_of(record: CheckInRecord) -> Answers:
    """Turn a stored check-in into the domain's answers."""
    return Answers(
        pain=record.pain,
        where=record.pain_where,
        stress=record.stress,
        mood=record.mood,
        sleep=record.sleep,
        bloating=record.bloating,
        stool=record.stool,
        note=record.note,
        skipped=frozenset(record.skipped),
        red_flags_asked=record.red_flags_asked,
    )


def note_awaiting(day: date, now: datetime) -> str:
    """Return the `people.awaiting` value for a note question (day and minute it was asked)."""
    return f"{NOTE_AWAIT}:{date_code(day)}:{int(now.timestamp() // 60)}"


@dataclass(frozen=True)
class Typed:
    """A typed answer that was saved: the question, the button data it stood for, what's next."""

    key: str
    raw: str
    step: Step


def question_awaiting(key: str, now: datetime) -> str:
    """Return the `people.awaiting` value for an open question (key and minute it was asked)."""
    return f"{QUESTION_AWAIT}{key}:{int(now.timestamp() // 60)}"


def _parse_question_awaiting(awaiting: str) -> tuple[str, datetime]:
    key, _, minute = awaiting.removeprefix(QUESTION_AWAIT).partition(":")
    # The note has its own awaiting value; every other question can be answered by typing.
    if not awaiting.startswith(QUESTION_AWAIT) or key not in QUESTIONS or key == "note":
        raise AnswerExpired
    if not (minute.isascii() and minute.isdigit()):
        raise AnswerExpired
    return key, datetime.fromtimestamp(int(minute) * 60, tz=UTC)


def _awaiting_for(question: str | None, day: date, today: date, now: datetime) -> str | None:
    """Say which typed text the step shown now catches: its note, or today's open question."""
    if question == "note":
        return note_awaiting(day, now)
    if question is not None and day == today:
        return question_awaiting(question, now)
    return None


def _parse_note_awaiting(awaiting: str) -> tuple[date, datetime]:
    parts = awaiting.split(":")
    if len(parts) != 4 or ":".join(parts[:2]) != NOTE_AWAIT or not parts[3].isdigit():
        raise NoteExpired
    try:
        day = parse_date_code(parts[2])
    except ValueError:
        raise NoteExpired from None
    asked = datetime.fromtimestamp(int(parts[3]) * 60, tz=UTC)
    return day, asked


async def _set_awaiting(uow: UnitOfWork, person_id: int, value: str | None) -> None:
    """Point typed text at the note question, or release it if the check-in had it."""
    row = await uow.people.row(person_id)
    if row is None:
        return
    if value is not None:
        row.awaiting = value
    elif row.awaiting is not None and row.awaiting.startswith(AWAIT_PREFIX):
        row.awaiting = None


async def _finish_step(
    uow: UnitOfWork,
    person_id: int,
    record: CheckInRecord,
    *,
    today: date,
    after: str | None,
    was_complete: bool,
    advice: str | None,
    now: datetime,
) -> Step:
    """Work out the next question, complete the day if nothing is left, and commit."""
    answers = answers_of(record)
    question = next_question(answers, after=after if was_complete and after else None)
    finished_now = False
    if question is None and record.completed_at is None:
        await uow.checkins.change(record.id, now, completed_at=now)
        done = await uow.habit_logs.counts_on(person_id, record.local_date)
        if not done.get(Habit.CHECKIN.value):
            await uow.habit_logs.add(
                person_id,
                Habit.CHECKIN.value,
                at=now,
                local_date=record.local_date,
                source="checkin",
            )
        finished_now = True
    elif question is None and after is not None:
        finished_now = True  # the last question of an update
    await _set_awaiting(uow, person_id, _awaiting_for(question, record.local_date, today, now))
    await uow.commit()
    return Step(
        day=record.local_date,
        is_today=record.local_date == today,
        question=question,
        answers=answers,
        complete=was_complete or finished_now,
        finished_now=finished_now,
        advice=advice,
        updating=was_complete and question is not None,
    )


async def start(uow: UnitOfWork, person_id: int, now: datetime) -> Step:
    """Start or continue today's check-in: return the first question today's row lacks."""
    async with uow:
        _, zone = await ready_person(uow, person_id)
        today = today_of(zone, now)
        record = await uow.checkins.ensure(person_id, today, now)
        answers = answers_of(record)
        question = next_question(answers)
        if question is None and record.completed_at is not None:
            # Nothing left: show the summary; keep any note question from holding typed text.
            await _set_awaiting(uow, person_id, None)
            await uow.commit()
            return Step(today, True, None, answers, complete=True)
        return await _finish_step(
            uow,
            person_id,
            record,
            today=today,
            after=None,
            was_complete=False,
            advice=None,
            now=now,
        )


async def update_today(uow: UnitOfWork, person_id: int, day: date, now: datetime) -> Step:
    """Walk through a finished check-in of today again, from the first question."""
    async with uow:
        _, zone = await ready_person(uow, person_id)
        today = today_of(zone, now)
        if day != today:
            raise StaleDay
        record = await uow.checkins.ensure(person_id, today, now)
        answers = answers_of(record)
        complete = record.completed_at is not None
        question = "pain" if complete else next_question(answers)
        await _set_awaiting(uow, person_id, _awaiting_for(question, today, today, now))
        await uow.commit()
        return Step(today, True, question, answers, complete=complete, updating=complete)


def _check_day(day: date, today: date) -> None:
    if day > today or day < today - timedelta(days=EDITABLE_DAYS):
        raise StaleDay


async def answer(
    uow: UnitOfWork,
    person_id: int,
    day: date,
    key: str,
    raw: str,
    now: datetime,
    *,
    confirmed: bool = False,
) -> Step:
    """Save one answer to the day's row; an earlier day needs `confirmed`. Raises BadAnswer."""
    value = parse_answer(key, raw)
    if key == "note" and raw != SKIP:
        raise BadAnswer("a note is typed, not pressed")
    async with uow:
        _, zone = await ready_person(uow, person_id)
        today = today_of(zone, now)
        _check_day(day, today)
        if day < today and not confirmed:
            raise NeedsConfirm(day)
        record = await uow.checkins.ensure(person_id, day, now)
        was_complete = record.completed_at is not None
        skipped = list(record.skipped)
        changes: dict[str, Any] = {}
        advice: str | None = None
        if key == "rf":
            changes["red_flags_asked"] = True
            if value is None and "rf" not in skipped:
                skipped.append("rf")
            if isinstance(value, str) and value in RED_FLAG_KEYS:
                await uow.checkins.add_flag(
                    person_id, record.id, Flag.RED_FLAG, value, now, per_detail=True
                )
                advice = advice_for([Flag.RED_FLAG])
        elif value is None:
            # Skipping keeps an earlier answer (when updating); otherwise it marks the gap.
            if answers_of(record).value(key) is None and key not in skipped:
                skipped.append(key)
        else:
            changes[COLUMNS[key]] = value
            skipped = [k for k in skipped if k != key]
        changes["skipped"] = skipped
        await uow.checkins.change(record.id, now, **changes)
        if key == "pain" and isinstance(value, int):
            history = [
                (c.local_date, c.pain)
                for c in await uow.checkins.between(person_id, day - timedelta(days=13), day)
                if c.pain is not None
            ]
            flags = pain_flags(history, day)
            for flag in flags:
                await uow.checkins.add_flag(person_id, record.id, flag, f"pain {value}", now)
            advice = advice_for(flags)
        record = await uow.checkins.ensure(person_id, day, now)
        return await _finish_step(
            uow,
            person_id,
            record,
            today=today,
            after=key,
            was_complete=was_complete,
            advice=advice,
            now=now,
        )


async def add_note(
    uow: UnitOfWork, person_id: int, awaiting: str, text: str, now: datetime
) -> Step:
    """Store a typed note whole on the day it was asked for; never cut it."""
    async with uow:
        _, zone = await ready_person(uow, person_id)
        today = today_of(zone, now)
        try:
            day, asked = _parse_note_awaiting(awaiting)
            _check_day(day, today)
        except (NoteExpired, StaleDay):
            asked = None
            day = today
        if asked is None or now - asked > NOTE_WAIT:
            await _set_awaiting(uow, person_id, None)
            await uow.commit()
            raise NoteExpired
        if len(text) > NOTE_MAX:
            raise NoteTooLong
        record = await uow.checkins.ensure(person_id, day, now)
        was_complete = record.completed_at is not None
        skipped = [k for k in record.skipped if k != "note"]
        await uow.checkins.change(record.id, now, note=text, skipped=skipped)
        record = await uow.checkins.ensure(person_id, day, now)
        return await _finish_step(
            uow,
            person_id,
            record,
            today=today,
            after="note",
            was_complete=was_complete,
            advice=None,
            now=now,
        )


async def answer_typed(
    uow: UnitOfWork, person_id: int, awaiting: str, text: str, now: datetime
) -> Typed:
    """Save typed text as the answer to the open question, exactly as its button would.

    Raises AnswerExpired (and releases typed text) when the question is gone or old, and
    NotAnAnswer when the text does not fit the question; neither changes any answer.
    """
    async with uow:
        _, zone = await ready_person(uow, person_id)
        try:
            key, asked = _parse_question_awaiting(awaiting)
        except AnswerExpired:
            asked = None
        if asked is None or not timedelta(0) <= now - asked <= QUESTION_WAIT:
            await _set_awaiting(uow, person_id, None)
            await uow.commit()
            raise AnswerExpired
    try:
        raw = read_typed(key, text)
    except BadAnswer:
        raise NotAnAnswer(key) from None
    # The question was today's when it was asked; after midnight it still answers that day.
    step = await answer(uow, person_id, today_of(zone, asked), key, raw, now, confirmed=True)
    return Typed(key, raw, step)
