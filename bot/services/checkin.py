"""The daily check-in: save each answer the moment it is given and say what comes next.

Every use case returns a typed result (`CheckInStep`, `RedFlagsAsked`, `Escalation`,
`CheckInDone`, `FollowUpAsked`, ...); the Telegram layer turns it into words and buttons. The
words a person was shown with a safety answer are stored with it, so the edge passes them in
(`SafetyWording`) and this module never imports the Telegram layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from bot.domain.checkin import (
    FOLLOW_UP,
    NONE_OF_THESE,
    NOTE_MAX,
    QUESTIONS,
    RF_DONE,
    SAME_PLACE,
    SKIP,
    Answers,
    BadAnswer,
    CheckInWait,
    FollowUpAnswer,
    Question,
    editable,
    next_question,
    parse_answer,
    parse_follow_up,
    parse_question,
    parse_sign,
    parse_signs,
    pending_of,
    read_typed,
    wait_of,
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
from bot.storage.checkins import CheckInRecord, EscalatedDay
from bot.storage.people import PersonRecord
from bot.storage.uow import UnitOfWork

GENTLE_FLAGS = frozenset({Flag.HIGH_PAIN, Flag.RISING_PAIN, Flag.PERSISTENT_PAIN})


class StaleDay(Exception):
    """A check-in button for a day that can no longer be changed (or a forged future day)."""


class NeedsConfirm(Exception):
    """An answer for an earlier day: the person must confirm before that day's row changes."""

    def __init__(self, day: date) -> None:
        super().__init__(day.isoformat())
        self.day = day


class AnswerExpired(Exception):
    """No check-in question is open for typed text (gone, or asked too long ago)."""


class NoteTooLong(Exception):
    """A note longer than the limit; nothing was stored."""


class NotAnAnswer(Exception):
    """Typed text that does not answer the open question; nothing was stored."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class EmptyPick(Exception):
    """ "Done" under the red-flag list with no sign ticked; nothing was stored."""


class SameUnknown(Exception):
    """ "Same place" with no earlier place to repeat; nothing was stored."""


class SafetyWording(Protocol):
    """The words a person reads with each safety question, stored with their answer."""

    def provider_suggestion(self) -> str:
        """The gentle suggestion to see a provider after a pain-history flag."""
        ...

    def sign_recorded(self, sign: str) -> str:
        """The red-flag question with one sign's words."""
        ...

    def no_signs_recorded(self) -> str:
        """The red-flag question with "None of these"."""
        ...

    def follow_up_recorded(
        self, escalated: EscalatedDay, today: date, answer: FollowUpAnswer
    ) -> str:
        """The follow-up question as it was shown, with the answer's label."""
        ...


# --- Results ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CheckInDay:
    """What every check-in result knows about the day it shows."""

    day: date
    is_today: bool
    answers: Answers
    # Pain-history flags raised that day (high, rising, persistent): the gentler suggestion.
    pain_flags: tuple[str, ...] = ()
    number: str | None = None  # the emergency number of the person's country, if known


@dataclass(frozen=True, kw_only=True)
class CheckInStep(CheckInDay):
    """A question to ask next (not the red-flag list)."""

    question: Question
    updating: bool = False  # walking through a finished check-in again
    pain_flags_now: bool = False  # the answer just given raised them: suggest a provider first


@dataclass(frozen=True, kw_only=True)
class RedFlagsAsked(CheckInDay):
    """The red-flag list to show, with the signs ticked so far."""

    ticked: tuple[str, ...] = ()
    updating: bool = False
    pain_flags_now: bool = False


@dataclass(frozen=True, kw_only=True)
class Escalation(CheckInDay):
    """A red-flag answer that asks for care: the check-in stops with the warning."""

    tier: Tier
    signs: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class CheckInDone(CheckInDay):
    """Nothing left to ask: the day's answers for the summary."""

    finished_now: bool = False  # this action answered the last question (or added a note)


@dataclass(frozen=True, kw_only=True)
class FollowUpAsked(CheckInDay):
    """ "Did you get it checked?" about an earlier escalation, before today's questions."""

    escalated: EscalatedDay


CheckInResult = CheckInStep | RedFlagsAsked | Escalation | CheckInDone | FollowUpAsked


@dataclass(frozen=True)
class FollowedUp:
    """An answer to "did you get it checked?" and where today's check-in stands after it."""

    answer: FollowUpAnswer
    escalated: EscalatedDay
    number: str | None
    next: CheckInResult | None  # today's check-in to go on with; None for today's escalation


@dataclass(frozen=True)
class TypedAnswer:
    """A typed answer that was saved: the question, the button data it stood for, what's next."""

    question: Question
    raw: str
    result: CheckInResult


@dataclass(frozen=True)
class NoteSaved:
    """A typed note stored whole, and where that day's check-in stands."""

    length: int
    result: CheckInResult


@dataclass(frozen=True)
class LateSign:
    """A sign pressed on an earlier (or answered) list: kept, that day left as it was."""

    day: date
    sign: str
    number: str | None


# --- Reading a day ------------------------------------------------------------------------------


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
    person: PersonRecord

    def view(self) -> dict[str, Any]:
        """The fields every result of this day shares."""
        return {
            "day": self.record.local_date,
            "is_today": self.record.local_date == self.today,
            "answers": self.answers,
            "pain_flags": self.pain_flags,
            "number": self.number,
        }


async def _load(
    uow: UnitOfWork,
    person_id: int,
    day: date | None,
    now: datetime,
    person: PersonRecord | None = None,
) -> _Day:
    """Read the day's row (today's when `day` is None), creating it if needed."""
    # `person`, read earlier in this unit of work, saves reading them again.
    person, zone = await ready_person(uow, person_id, person)
    today = today_of(zone, now)
    day = today if day is None else day
    record = await uow.checkins.ensure(person_id, day, now)
    answers = answers_of(
        record,
        previous_where=await uow.checkins.previous_where(person_id, day),
        ask_stool=person.ask_stool,
    )
    raised = tuple(
        f.kind for f in await uow.checkins.flags_of(record.id) if f.kind in GENTLE_FLAGS
    )
    return _Day(record, answers, today, emergency_number(zone.key), raised, person)


def _result(
    loaded: _Day,
    question: Question | None,
    *,
    finished_now: bool = False,
    updating: bool = False,
    pain_flags_now: bool = False,
) -> CheckInResult:
    """Say what the day shows next: a question, the red-flag list, or the summary."""
    if question is None:
        return CheckInDone(finished_now=finished_now, **loaded.view())
    if question is Question.RED_FLAGS:
        return RedFlagsAsked(
            ticked=loaded.answers.red_flags,
            updating=updating,
            pain_flags_now=pain_flags_now,
            **loaded.view(),
        )
    return CheckInStep(
        question=question, updating=updating, pain_flags_now=pain_flags_now, **loaded.view()
    )


async def _ask(
    uow: UnitOfWork, person_id: int, question: Question, day: date, now: datetime
) -> None:
    """Let the person's next typed message answer `question` of `day`."""
    await uow.people.set_pending(person_id, pending_of(CheckInWait(question, day, now)), now)


async def _wait_for(
    uow: UnitOfWork, person_id: int, question: Question | None, loaded: _Day, now: datetime
) -> None:
    """Let typed text answer today's open question; release it when nothing of today is open."""
    if question is not None and loaded.record.local_date == loaded.today:
        await _ask(uow, person_id, question, loaded.today, now)
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
) -> CheckInResult:
    """Work out the next question, complete the day if nothing is left, and commit."""
    record = loaded.record
    walk = after if was_complete and after in QUESTIONS else None
    question = next_question(loaded.answers, after=walk)
    finished_now = False
    if question is None and record.completed_at is None:
        await uow.checkins.complete(record.id, now)
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
    await _wait_for(uow, person_id, question, loaded, now)
    await uow.commit()
    return _result(
        loaded,
        question,
        finished_now=finished_now,
        updating=was_complete and question is not None,
        pain_flags_now=pain_flags_now,
    )


async def _pending_follow_up(uow: UnitOfWork, person_id: int, today: date) -> EscalatedDay | None:
    """Return the latest escalation of the last few days not yet followed up, if any."""
    since = today - timedelta(days=FOLLOW_UP_DAYS)
    open_ones = [
        e
        for e in await uow.checkins.escalations([person_id], since)
        if e.local_date < today and not e.followed_up
    ]
    return open_ones[-1] if open_ones else None


def _check_day(day: date, today: date) -> None:
    if not editable(day, today):
        raise StaleDay


# --- Use cases ----------------------------------------------------------------------------------


async def start(uow: UnitOfWork, person_id: int, now: datetime) -> CheckInResult:
    """Start or continue today's check-in: a pending follow-up first, then the next question."""
    async with uow:
        loaded = await _load(uow, person_id, None, now)
        pending = await _pending_follow_up(uow, person_id, loaded.today)
        if pending is not None:
            await _wait_for(uow, person_id, FOLLOW_UP, loaded, now)
            await uow.commit()
            return FollowUpAsked(escalated=pending, **loaded.view())
        if next_question(loaded.answers) is None and loaded.record.completed_at is not None:
            # Nothing left: show the summary; keep any note question from holding typed text.
            await uow.people.clear_pending(person_id, Feature.CHECKIN)
            await uow.commit()
            return CheckInDone(**loaded.view())
        return await _finish_step(uow, person_id, loaded, after=None, was_complete=False, now=now)


async def update_today(uow: UnitOfWork, person_id: int, day: date, now: datetime) -> CheckInResult:
    """Walk through a finished check-in of today again, from the first question."""
    async with uow:
        loaded = await _load(uow, person_id, None, now)
        if day != loaded.today:
            raise StaleDay
        complete = loaded.record.completed_at is not None
        question = Question.PAIN if complete else next_question(loaded.answers)
        await _wait_for(uow, person_id, question, loaded, now)
        await uow.commit()
        return _result(loaded, question, updating=complete)


async def _record_signs(
    uow: UnitOfWork,
    person_id: int,
    record: CheckInRecord,
    signs: tuple[str, ...],
    now: datetime,
    words: SafetyWording,
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
            wording=words.sign_recorded(sign),
        )
    if not signs:
        await uow.checkins.add_flag(
            person_id,
            record.id,
            Flag.NO_SIGNS,
            NONE_OF_THESE,
            now,
            wording=words.no_signs_recorded(),
        )
    await uow.checkins.answer_red_flags(record.id, signs, tier, record.skipped, now)
    return tier


async def _answer_red_flags(
    uow: UnitOfWork,
    person_id: int,
    record: CheckInRecord,
    value: int | str | None,
    now: datetime,
    words: SafetyWording,
) -> Tier | None:
    """Store an answer to the red-flag list; return the tier it asks for."""
    if record.red_flags_asked:
        if value != NONE_OF_THESE or record.red_flags:
            raise StaleDay  # the list was answered already; an old button changes nothing
        # The same "None of these" again (a press replayed after a crash): nothing changes,
        # and the check-in goes on to show where it stands.
        return None
    if value is None:
        skipped = [*record.skipped, "rf"] if "rf" not in record.skipped else record.skipped
        await uow.checkins.skip_red_flags(record.id, skipped, now)
        return None
    if value == NONE_OF_THESE:
        return await _record_signs(uow, person_id, record, (), now, words)
    if value == RF_DONE:
        if not record.red_flags:
            raise EmptyPick
        return await _record_signs(uow, person_id, record, record.red_flags, now, words)
    return await _record_signs(uow, person_id, record, parse_signs(str(value)), now, words)


async def _note_pain(
    uow: UnitOfWork,
    person_id: int,
    record: CheckInRecord,
    pain: int,
    now: datetime,
    words: SafetyWording,
) -> bool:
    """Raise the pain-history flags of the day's new score; tell whether any was raised."""
    history = [
        (c.local_date, c.pain)
        for c in await uow.checkins.between(
            person_id, record.local_date - timedelta(days=13), record.local_date
        )
        if c.pain is not None
    ]
    raised = False
    for flag in pain_flags(history, record.local_date):
        raised = True
        await uow.checkins.add_flag(
            person_id,
            record.id,
            flag,
            f"pain {pain}",
            now,
            wording=words.provider_suggestion(),
        )
    return raised


async def answer(
    uow: UnitOfWork,
    person_id: int,
    day: date | None,
    key: str,
    raw: str,
    now: datetime,
    *,
    words: SafetyWording,
    confirmed: bool = False,
) -> CheckInResult:
    """Save one answer to the day's row (today's if `day` is None). Raises BadAnswer.

    An earlier day needs `confirmed` (NeedsConfirm otherwise). A red-flag answer that asks for
    care stops the check-in: the result is an Escalation.
    """
    question = parse_question(key)
    value = parse_answer(question, raw)
    async with uow:
        loaded = await _load(uow, person_id, day, now)
        record, today = loaded.record, loaded.today
        _check_day(record.local_date, today)
        if record.local_date < today and not confirmed:
            raise NeedsConfirm(record.local_date)
        was_complete = record.completed_at is not None
        tier: Tier | None = None
        if question is Question.RED_FLAGS:
            tier = await _answer_red_flags(uow, person_id, record, value, now, words)
        else:
            if question is Question.WHERE and value == SAME_PLACE:
                if loaded.answers.previous_where is None:
                    raise SameUnknown
                value = loaded.answers.previous_where
            skipped = list(record.skipped)
            if value is not None:
                skipped = [k for k in skipped if k != question]
            elif loaded.answers.value(question) is None and question not in skipped:
                # A skip marks the gap; it keeps an earlier answer (when updating).
                skipped.append(question.value)
            await uow.checkins.answer(record.id, question, value, skipped, now)
        raised = False
        if question is Question.PAIN and isinstance(value, int):
            raised = await _note_pain(uow, person_id, record, value, now, words)
        loaded = await _load(uow, person_id, record.local_date, now, loaded.person)
        if tier is not None:
            # The check-in stops with the warning; "it's gone" can still be typed.
            await _ask(uow, person_id, FOLLOW_UP, today, now)
            await uow.commit()
            return Escalation(tier=tier, signs=loaded.answers.red_flags, **loaded.view())
        return await _finish_step(
            uow,
            person_id,
            loaded,
            after=question,
            was_complete=was_complete,
            now=now,
            pain_flags_now=raised,
        )


async def toggle_sign(
    uow: UnitOfWork, person_id: int, day: date, sign: str, now: datetime
) -> RedFlagsAsked:
    """Tick or untick a sign on today's red-flag list (nothing is decided until Done).

    Raises StaleDay for a list of another day or one already answered.
    """
    sign = parse_sign(sign)
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
        await uow.checkins.tick_signs(record.id, ordered, now)
        loaded = await _load(uow, person_id, None, now)
        await uow.commit()
        return RedFlagsAsked(ticked=loaded.answers.red_flags, **loaded.view())


async def late_sign(
    uow: UnitOfWork, person_id: int, day: date, sign: str, now: datetime, *, words: SafetyWording
) -> LateSign:
    """Record a sign pressed on an earlier day's (or answered) list.

    The old day stays as it was, but the press is kept with its words: it may be news.
    """
    sign = parse_sign(sign)
    async with uow:
        _, zone = await ready_person(uow, person_id)
        _check_day(day, today_of(zone, now))  # a forged or ancient list is just stale
        record = await uow.checkins.get(person_id, day)
        await uow.checkins.add_flag(
            person_id,
            None if record is None else record.id,
            Flag.LATE_SIGN,
            f"{sign} (list of {day.isoformat()})",
            now,
            per_detail=True,
            wording=words.sign_recorded(sign),
        )
        await uow.commit()
        return LateSign(day, sign, emergency_number(zone.key))


async def follow_up(
    uow: UnitOfWork, person_id: int, day: date, raw: str, now: datetime, *, words: SafetyWording
) -> FollowedUp:
    """Record the answer to "did you get it checked?" for the escalation of `day`.

    Every answer is kept (a second one too); an escalation of an earlier day then lets today's
    check-in go on. Raises StaleDay when that day had no escalation.
    """
    value = parse_follow_up(raw)
    async with uow:
        loaded = await _load(uow, person_id, None, now)
        found = [
            e for e in await uow.checkins.escalations([person_id], day) if e.local_date == day
        ]
        if not found or day > loaded.today:
            raise StaleDay
        escalated = found[0]
        await uow.checkins.add_flag(
            person_id,
            escalated.checkin_id,
            Flag.FOLLOW_UP,
            value.value,
            now,
            per_detail=True,
            wording=words.follow_up_recorded(escalated, loaded.today, value),
        )
        await uow.commit()
    then: CheckInResult | None = None
    if day < loaded.today:
        then = await start(uow, person_id, now)
    else:
        async with uow:
            await uow.people.clear_pending(person_id, Feature.CHECKIN)
            await uow.commit()
    return FollowedUp(value, escalated, loaded.number, then)


async def close(uow: UnitOfWork, person_id: int, day: date, now: datetime) -> CheckInDone:
    """Close the day's check-in: return its answers for the summary, stop catching text."""
    async with uow:
        loaded = await _load(uow, person_id, day, now)
        _check_day(day, loaded.today)
        await uow.people.clear_pending(person_id, Feature.CHECKIN)
        await uow.commit()
        return CheckInDone(**loaded.view())


async def ask_note(uow: UnitOfWork, person_id: int, day: date, now: datetime) -> CheckInDone:
    """Let the next typed message be the note of the day's check-in; return its summary."""
    async with uow:
        loaded = await _load(uow, person_id, day, now)
        _check_day(day, loaded.today)
        await _ask(uow, person_id, Question.NOTE, day, now)
        await uow.commit()
        return CheckInDone(**loaded.view())


async def _add_note(
    uow: UnitOfWork, person_id: int, wait: CheckInWait, text: str, now: datetime
) -> NoteSaved:
    """Store a typed note whole on the day it was asked for; never cut it."""
    async with uow:
        record = await uow.checkins.ensure(person_id, wait.day, now)
        skipped = [k for k in record.skipped if k != Question.NOTE]
        await uow.checkins.answer(record.id, Question.NOTE, text, skipped, now)
        loaded = await _load(uow, person_id, wait.day, now)
        await uow.people.clear_pending(person_id, Feature.CHECKIN)
        await uow.commit()
        return NoteSaved(len(text), _result(loaded, next_question(loaded.answers)))


async def _answer_follow_up(
    uow: UnitOfWork, person_id: int, raw: str, now: datetime, words: SafetyWording
) -> FollowedUp:
    """Answer "did you get it checked?" by typing: an earlier day's, or "it's gone" today."""
    if raw == SKIP:
        raise NotAnAnswer(FOLLOW_UP)
    async with uow:
        _, zone = await ready_person(uow, person_id)
        today = today_of(zone, now)
        pending = await _pending_follow_up(uow, person_id, today)
        todays = [
            e for e in await uow.checkins.escalations([person_id], today) if e.local_date == today
        ]
    target = pending or (todays[0] if todays else None)
    if target is None:
        raise AnswerExpired
    if pending is None and raw != FollowUpAnswer.GONE:
        # On the day itself only "it's gone" is news; the follow-up comes tomorrow.
        raise NotAnAnswer("fu_today")
    return await follow_up(uow, person_id, target.local_date, raw, now, words=words)


async def answer_text(
    uow: UnitOfWork,
    person_id: int,
    pending: PendingInput,
    text: str,
    now: datetime,
    *,
    words: SafetyWording,
) -> TypedAnswer | FollowedUp | NoteSaved:
    """Save typed text as the answer to the open check-in question (or as the day's note).

    A question is answered exactly as its button would. Raises AnswerExpired (and releases
    typed text) when no question is open any more, NotAnAnswer when the text does not fit the
    question and NoteTooLong for a note over the limit; none of them changes any answer.
    """
    async with uow:
        _, zone = await ready_person(uow, person_id)
        wait = wait_of(pending, zone)
        if (
            wait is None
            or not wait.is_open(now)
            or (wait.question is Question.NOTE and not editable(wait.day, today_of(zone, now)))
        ):
            await uow.people.clear_pending(person_id, Feature.CHECKIN)
            await uow.commit()
            raise AnswerExpired
    if wait.question is Question.NOTE:
        if len(text) > NOTE_MAX:
            raise NoteTooLong
        return await _add_note(uow, person_id, wait, text, now)
    try:
        raw = read_typed(wait.question, text)
    except BadAnswer:
        raise NotAnAnswer(wait.question) from None
    if wait.question is FOLLOW_UP:
        return await _answer_follow_up(uow, person_id, raw, now, words)
    # The question was today's when it was asked; after midnight it still answers that day.
    result = await answer(
        uow, person_id, wait.day, wait.question, raw, now, words=words, confirmed=True
    )
    return TypedAnswer(wait.question, raw, result)
