"""The daily check-in: save each answer the moment it is given and say what comes next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain.checkin import (
    COLUMNS,
    EDITABLE_DAYS,
    FOLLOW_UP,
    NONE_OF_THESE,
    NOTE_MAX,
    QUESTIONS,
    RF_DONE,
    SAME_PLACE,
    SKIP,
    Answers,
    BadAnswer,
    next_question,
    parse_answer,
    parse_signs,
    read_typed,
)
from bot.domain.emergency import emergency_number
from bot.domain.habits import Habit
from bot.domain.pending import Feature, PendingInput
from bot.domain.safety import (
    FOLLOW_UP_DAYS,
    RED_FLAG_KEYS,
    TIER_OF,
    Flag,
    Tier,
    pain_flags,
    tier_of,
)
from bot.services.local_day import ready_person, today_of
from bot.storage.checkins import CheckInRecord, Escalation
from bot.storage.uow import UnitOfWork
from bot.telegram import texts

# The pending-input step of the note question (every other step is a question's key).
NOTE_STEP = "note"
# A note question left unanswered this long stops catching typed text (it goes to quick-log).
NOTE_WAIT = timedelta(hours=2)
# An open question catches typed answers as long as a note does; its day is the local day of
# the minute it was asked.
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


class EmptyPick(Exception):
    """ "Done" under the red-flag list with no sign ticked; nothing was stored."""


class SameUnknown(Exception):
    """ "Same place" with no earlier place to repeat; nothing was stored."""


@dataclass(frozen=True)
class Step:
    """Where a person's check-in of one day stands after an action."""

    day: date
    is_today: bool
    question: str | None  # the next question to ask; None when there is nothing left
    answers: Answers
    complete: bool  # the day's check-in has been finished (now or earlier)
    finished_now: bool = False  # this action answered the last question
    updating: bool = False  # walking through a finished check-in again
    # Pain-history flags raised today (high, rising, persistent): the gentler suggestion.
    pain_flags: tuple[str, ...] = ()
    pain_flags_now: bool = False  # this answer raised them (show the suggestion above it)
    escalated_now: bool = False  # this answer asked for care: the check-in stops here
    number: str | None = None  # the emergency number of the person's country, if known
    follow_up: Escalation | None = None  # the escalation asked about when question is "fu"


@dataclass(frozen=True)
class FollowedUp:
    """An answer to "did you get it checked?" and where today's check-in stands after it."""

    answer: str
    escalation: Escalation
    number: str | None
    step: Step | None  # today's check-in to go on with; None for an escalation of today


def answers_of(
    record: CheckInRecord, *, previous_where: str | None = None, ask_stool: bool = False
) -> Answers:
    """Turn a stored check-in into the domain's answers."""
    return Answers(
        pain=record.pain,
        where=record.pain_where,
        stress=record.stress,
        mood=record.mood,
        sleep=record.sleep,
        gut=record.gut,
        stool=record.stool,
        note=record.note,
        bloating=record.bloating,
        skipped=frozenset(record.skipped),
        red_flags_asked=record.red_flags_asked,
        red_flags=record.red_flags,
        escalation=record.escalation,
        previous_where=previous_where,
        ask_stool=ask_stool,
    )


@dataclass(frozen=True)
class _Day:
    """A check-in row with what its questions depend on."""

    record: CheckInRecord
    answers: Answers
    today: date
    number: str | None
    pain_flags: tuple[str, ...]


async def _load(uow: UnitOfWork, person_id: int, day: date | None, now: datetime) -> _Day:
    """Read the day's row (today's when `day` is None), creating it if needed."""
    _, zone = await ready_person(uow, person_id)
    today = today_of(zone, now)
    day = today if day is None else day
    record = await uow.checkins.ensure(person_id, day, now)
    person = await uow.people.get(person_id)
    answers = answers_of(
        record,
        previous_where=await uow.checkins.previous_where(person_id, day),
        ask_stool=bool(person is not None and person.ask_stool),
    )
    gentle = {Flag.HIGH_PAIN.value, Flag.RISING_PAIN.value, Flag.PERSISTENT_PAIN.value}
    raised = tuple(f.kind for f in await uow.checkins.flags_of(record.id) if f.kind in gentle)
    return _Day(record, answers, today, emergency_number(zone.key), raised)


def note_awaiting(day: date, now: datetime) -> PendingInput:
    """Return the pending input of a note question (the day it is for, when it was asked)."""
    return PendingInput(Feature.CHECKIN, NOTE_STEP, asked_at=now, day=day)


@dataclass(frozen=True)
class Typed:
    """A typed answer that was saved: the question, the button data it stood for, what's next."""

    key: str
    raw: str
    step: Step | None
    followed_up: FollowedUp | None = None


def question_awaiting(key: str, now: datetime) -> PendingInput:
    """Return the pending input of an open question (its key, when it was asked)."""
    return PendingInput(Feature.CHECKIN, key, asked_at=now)


def _parse_question_awaiting(pending: PendingInput) -> tuple[str, datetime]:
    # The note has its own step; every other question can be answered by typing.
    if not pending.is_for(Feature.CHECKIN) or pending.step not in (*QUESTIONS, FOLLOW_UP):
        raise AnswerExpired
    return pending.step, pending.asked_at


def _awaiting_for(
    question: str | None, day: date, today: date, now: datetime
) -> PendingInput | None:
    """Say which typed text the step shown now catches: its note, or today's open question."""
    if question == "note":
        return note_awaiting(day, now)
    if question is not None and day == today:
        return question_awaiting(question, now)
    return None


def _parse_note_awaiting(pending: PendingInput) -> tuple[date, datetime]:
    if not pending.is_for(Feature.CHECKIN) or pending.step != NOTE_STEP or pending.day is None:
        raise NoteExpired
    return pending.day, pending.asked_at


async def _set_awaiting(uow: UnitOfWork, person_id: int, value: PendingInput | None) -> None:
    """Point typed text at a check-in question, or release it if the check-in had it."""
    if value is not None:
        await uow.people.set_pending(person_id, value, value.asked_at)
    else:
        await uow.people.clear_pending(person_id, Feature.CHECKIN)


async def _finish_step(
    uow: UnitOfWork,
    person_id: int,
    loaded: _Day,
    *,
    after: str | None,
    was_complete: bool,
    now: datetime,
    pain_flags_now: bool = False,
) -> Step:
    """Work out the next question, complete the day if nothing is left, and commit."""
    record, answers, today = loaded.record, loaded.answers, loaded.today
    walk = after if was_complete and after in QUESTIONS else None
    question = next_question(answers, after=walk)
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
        finished_now = True  # the last question of an update, or a note added
    await _set_awaiting(uow, person_id, _awaiting_for(question, record.local_date, today, now))
    await uow.commit()
    return Step(
        day=record.local_date,
        is_today=record.local_date == today,
        question=question,
        answers=answers,
        complete=was_complete or finished_now,
        finished_now=finished_now,
        updating=was_complete and question is not None,
        pain_flags=loaded.pain_flags,
        pain_flags_now=pain_flags_now,
        number=loaded.number,
    )


async def _pending_follow_up(uow: UnitOfWork, person_id: int, today: date) -> Escalation | None:
    """Return the latest escalation of the last few days not yet followed up, if any."""
    since = today - timedelta(days=FOLLOW_UP_DAYS)
    open_ones = [
        e
        for e in await uow.checkins.escalations([person_id], since)
        if e.local_date < today and not e.followed_up
    ]
    return open_ones[-1] if open_ones else None


async def start(uow: UnitOfWork, person_id: int, now: datetime) -> Step:
    """Start or continue today's check-in: a pending follow-up first, then the next question."""
    async with uow:
        loaded = await _load(uow, person_id, None, now)
        today = loaded.today
        pending = await _pending_follow_up(uow, person_id, today)
        if pending is not None:
            await _set_awaiting(uow, person_id, question_awaiting(FOLLOW_UP, now))
            await uow.commit()
            return Step(
                today,
                True,
                FOLLOW_UP,
                loaded.answers,
                complete=loaded.record.completed_at is not None,
                number=loaded.number,
                follow_up=pending,
            )
        if next_question(loaded.answers) is None and loaded.record.completed_at is not None:
            # Nothing left: show the summary; keep any note question from holding typed text.
            await _set_awaiting(uow, person_id, None)
            await uow.commit()
            return Step(
                today,
                True,
                None,
                loaded.answers,
                complete=True,
                pain_flags=loaded.pain_flags,
                number=loaded.number,
            )
        return await _finish_step(uow, person_id, loaded, after=None, was_complete=False, now=now)


async def update_today(uow: UnitOfWork, person_id: int, day: date, now: datetime) -> Step:
    """Walk through a finished check-in of today again, from the first question."""
    async with uow:
        loaded = await _load(uow, person_id, None, now)
        today = loaded.today
        if day != today:
            raise StaleDay
        complete = loaded.record.completed_at is not None
        question = "pain" if complete else next_question(loaded.answers)
        await _set_awaiting(uow, person_id, _awaiting_for(question, today, today, now))
        await uow.commit()
        return Step(
            today,
            True,
            question,
            loaded.answers,
            complete=complete,
            updating=complete,
            pain_flags=loaded.pain_flags,
            number=loaded.number,
        )


def _check_day(day: date, today: date) -> None:
    if day > today or day < today - timedelta(days=EDITABLE_DAYS):
        raise StaleDay


async def _record_signs(
    uow: UnitOfWork, person_id: int, record: CheckInRecord, signs: tuple[str, ...], now: datetime
) -> Tier | None:
    """Store the red-flag answer, each sign with the words shown; return the tier it asks for."""
    tier = tier_of(signs)
    for sign in signs:
        kind = Flag.EMERGENCY if TIER_OF[sign] is Tier.EMERGENCY else Flag.SEE_DOCTOR
        await uow.checkins.add_flag(
            person_id,
            record.id,
            kind,
            sign,
            now,
            per_detail=True,
            wording=texts.red_flag_recorded(sign),
        )
    if not signs:
        await uow.checkins.add_flag(
            person_id,
            record.id,
            Flag.NO_SIGNS,
            NONE_OF_THESE,
            now,
            wording=texts.no_signs_recorded(),
        )
    await uow.checkins.change(
        record.id,
        now,
        red_flags_asked=True,
        red_flags=list(signs),
        escalation=None if tier is None else tier.value,
    )
    return tier


async def answer(
    uow: UnitOfWork,
    person_id: int,
    day: date | None,
    key: str,
    raw: str,
    now: datetime,
    *,
    confirmed: bool = False,
) -> Step:
    """Save one answer to the day's row (today's if `day` is None). Raises BadAnswer.

    An earlier day needs `confirmed`. A red-flag answer that asks for care stops the check-in:
    the step comes back with `escalated_now` and no question.
    """
    value = parse_answer(key, raw)
    if key not in QUESTIONS:
        raise BadAnswer(f"not a check-in question: {key[:20]!r}")
    async with uow:
        loaded = await _load(uow, person_id, day, now)
        record, today = loaded.record, loaded.today
        _check_day(record.local_date, today)
        if record.local_date < today and not confirmed:
            raise NeedsConfirm(record.local_date)
        was_complete = record.completed_at is not None
        skipped = list(record.skipped)
        changes: dict[str, Any] = {}
        tier: Tier | None = None
        if key == "where" and value == SAME_PLACE:
            if loaded.answers.previous_where is None:
                raise SameUnknown
            value = loaded.answers.previous_where
        if key == "rf" and record.red_flags_asked:
            if value != NONE_OF_THESE or record.red_flags:
                raise StaleDay  # the list was answered already; an old button changes nothing
            # The same "None of these" again (a press replayed after a crash): nothing changes,
            # and the check-in goes on to show where it stands.
        elif key == "rf":
            if value is None:
                await uow.checkins.change(record.id, now, red_flags_asked=True)
                skipped = [*skipped, "rf"] if "rf" not in skipped else skipped
            elif value == NONE_OF_THESE:
                await _record_signs(uow, person_id, record, (), now)
            elif value == RF_DONE:
                if not record.red_flags:
                    raise EmptyPick
                tier = await _record_signs(uow, person_id, record, record.red_flags, now)
            else:
                tier = await _record_signs(uow, person_id, record, parse_signs(str(value)), now)
        elif value is None:
            # Skipping keeps an earlier answer (when updating); otherwise it marks the gap.
            if loaded.answers.value(key) is None and key not in skipped:
                skipped.append(key)
        else:
            changes[COLUMNS[key]] = value
            skipped = [k for k in skipped if k != key]
        changes["skipped"] = skipped
        await uow.checkins.change(record.id, now, **changes)
        raised = False
        if key == "pain" and isinstance(value, int):
            history = [
                (c.local_date, c.pain)
                for c in await uow.checkins.between(
                    person_id, record.local_date - timedelta(days=13), record.local_date
                )
                if c.pain is not None
            ]
            for flag in pain_flags(history, record.local_date):
                raised = True
                await uow.checkins.add_flag(
                    person_id,
                    record.id,
                    flag,
                    f"pain {value}",
                    now,
                    wording=texts.SUGGEST_PROVIDER_TEXT,
                )
        loaded = await _load(uow, person_id, record.local_date, now)
        if tier is not None:
            # The check-in stops with the warning; "it's gone" can still be typed.
            await _set_awaiting(uow, person_id, question_awaiting(FOLLOW_UP, now))
            await uow.commit()
            return Step(
                day=record.local_date,
                is_today=record.local_date == today,
                question=None,
                answers=loaded.answers,
                complete=was_complete,
                escalated_now=True,
                pain_flags=loaded.pain_flags,
                number=loaded.number,
            )
        return await _finish_step(
            uow,
            person_id,
            loaded,
            after=key,
            was_complete=was_complete,
            now=now,
            pain_flags_now=raised,
        )


async def toggle_sign(
    uow: UnitOfWork, person_id: int, day: date, sign: str, now: datetime
) -> Step:
    """Tick or untick a sign on today's red-flag list (nothing is decided until Done).

    Raises StaleDay for a list of another day or one already answered.
    """
    if sign not in RED_FLAG_KEYS:
        raise BadAnswer(f"not a sign: {sign[:20]!r}")
    async with uow:
        loaded = await _load(uow, person_id, None, now)
        record = loaded.record
        if day != loaded.today or record.red_flags_asked:
            raise StaleDay
        ticked = [s for s in record.red_flags if s != sign]
        if sign not in record.red_flags:
            ticked.append(sign)
        # Keep the list's order, whatever order the signs were tapped in.
        ordered = [s for s in RED_FLAG_KEYS if s in ticked]
        await uow.checkins.change(record.id, now, red_flags=ordered)
        loaded = await _load(uow, person_id, None, now)
        await uow.commit()
        return Step(
            loaded.today,
            True,
            "rf",
            loaded.answers,
            complete=record.completed_at is not None,
            number=loaded.number,
        )


async def late_sign(
    uow: UnitOfWork, person_id: int, day: date, sign: str, now: datetime
) -> str | None:
    """Record a sign pressed on an earlier day's (or answered) list; return today's number.

    The old day stays as it was, but the press is kept with its words: it may be news.
    """
    if sign not in RED_FLAG_KEYS:
        raise BadAnswer(f"not a sign: {sign[:20]!r}")
    async with uow:
        _, zone = await ready_person(uow, person_id)
        _check_day(day, today_of(zone, now))  # a forged or ancient list is just stale
        record = await uow.checkins.get(person_id, day)
        await uow.checkins.add_flag(
            person_id,
            None if record is None else record.id,
            "late_sign",
            f"{sign} (list of {day.isoformat()})",
            now,
            per_detail=True,
            wording=texts.red_flag_recorded(sign),
        )
        await uow.commit()
        return emergency_number(zone.key)


async def follow_up(
    uow: UnitOfWork, person_id: int, day: date, raw: str, now: datetime
) -> FollowedUp:
    """Record the answer to "did you get it checked?" for the escalation of `day`.

    Every answer is kept (a second one too); an escalation of an earlier day then lets today's
    check-in go on. Raises StaleDay when that day had no escalation.
    """
    value = parse_answer(FOLLOW_UP, raw)
    async with uow:
        loaded = await _load(uow, person_id, None, now)
        found = [
            e for e in await uow.checkins.escalations([person_id], day) if e.local_date == day
        ]
        if not found or day > loaded.today:
            raise StaleDay
        escalation = found[0]
        await uow.checkins.add_flag(
            person_id,
            escalation.checkin_id,
            Flag.FOLLOW_UP,
            str(value),
            now,
            per_detail=True,
            wording=texts.follow_up_recorded(escalation, loaded.today, str(value)),
        )
        await uow.commit()
    step = None
    if day < loaded.today:
        step = await start(uow, person_id, now)
    else:
        async with uow:
            await _set_awaiting(uow, person_id, None)
            await uow.commit()
    return FollowedUp(str(value), escalation, loaded.number, step)


async def ask_note(uow: UnitOfWork, person_id: int, day: date, now: datetime) -> None:
    """Let the next typed message be the note of the day's check-in."""
    async with uow:
        _, zone = await ready_person(uow, person_id)
        _check_day(day, today_of(zone, now))
        await _set_awaiting(uow, person_id, note_awaiting(day, now))
        await uow.commit()


async def summary(uow: UnitOfWork, person_id: int, day: date, now: datetime) -> Step:
    """Return the day's answers for the closing summary and stop catching typed text."""
    async with uow:
        loaded = await _load(uow, person_id, day, now)
        _check_day(day, loaded.today)
        await _set_awaiting(uow, person_id, None)
        await uow.commit()
        return Step(
            day,
            day == loaded.today,
            None,
            loaded.answers,
            complete=loaded.record.completed_at is not None,
            pain_flags=loaded.pain_flags,
            number=loaded.number,
        )


async def add_note(
    uow: UnitOfWork, person_id: int, asked_for: PendingInput, text: str, now: datetime
) -> Step:
    """Store a typed note whole on the day it was asked for; never cut it."""
    async with uow:
        _, zone = await ready_person(uow, person_id)
        today = today_of(zone, now)
        try:
            day, asked = _parse_note_awaiting(asked_for)
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
        skipped = [k for k in record.skipped if k != "note"]
        await uow.checkins.change(record.id, now, note=text, skipped=skipped)
        loaded = await _load(uow, person_id, day, now)
        await _set_awaiting(uow, person_id, None)
        await uow.commit()
        return Step(
            day,
            day == today,
            next_question(loaded.answers),
            loaded.answers,
            complete=loaded.record.completed_at is not None,
            pain_flags=loaded.pain_flags,
            number=loaded.number,
        )


async def answer_typed(
    uow: UnitOfWork, person_id: int, asked_for: PendingInput, text: str, now: datetime
) -> Typed:
    """Save typed text as the answer to the open question, exactly as its button would.

    Raises AnswerExpired (and releases typed text) when the question is gone or old, and
    NotAnAnswer when the text does not fit the question; neither changes any answer.
    """
    async with uow:
        _, zone = await ready_person(uow, person_id)
        try:
            key, asked = _parse_question_awaiting(asked_for)
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
    if key == FOLLOW_UP:
        if raw == SKIP:
            raise NotAnAnswer(key)
        async with uow:
            pending = await _pending_follow_up(uow, person_id, today_of(zone, now))
            today = [
                e
                for e in await uow.checkins.escalations([person_id], today_of(zone, now))
                if e.local_date == today_of(zone, now)
            ]
        target = pending or (today[0] if today else None)
        if target is None:
            raise AnswerExpired
        if pending is None and raw != "gone":
            # On the day itself only "it's gone" is news; the follow-up comes tomorrow.
            raise NotAnAnswer("fu_today")
        done = await follow_up(uow, person_id, target.local_date, raw, now)
        return Typed(key, raw, done.step, done)
    # The question was today's when it was asked; after midnight it still answers that day.
    step = await answer(uow, person_id, today_of(zone, asked), key, raw, now, confirmed=True)
    return Typed(key, raw, step)
