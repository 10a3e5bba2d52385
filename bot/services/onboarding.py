"""Onboarding: consent, time zone, the person's day and habits, one stored step at a time.

The step is never kept in memory: it is derived from which columns of the person's row are
filled in, and `people.awaiting` only says which typed answer the router should hand us. A
restart in the middle therefore continues where the person was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from enum import StrEnum

from bot.domain.habits import NUDGED, Habit, default_rule
from bot.domain.hhmm import format_hhmm, parse_hhmm
from bot.domain.schedule import Rule, Window, spread_offset
from bot.services.people import Speaker
from bot.services.schedules import reschedule
from bot.storage.people import PersonRecord
from bot.storage.reminders import ReminderRecord
from bot.storage.uow import UnitOfWork

SUMMARY = "summary"
# The weekly summary: Sunday 19:00 in the person's zone (the check-in feature renders it).
SUMMARY_RULE = Rule(times=(time(19, 0),), weekdays=frozenset({6}))
# Each person's summary comes up to this much before or after 19:00, so a zone's crowd is
# spread over an hour instead of all falling due in one minute.
SUMMARY_SPREAD_MINUTES = 30
# A waking day shorter or longer than this is almost surely a typo (not a night shift).
MIN_DAY_MINUTES = 6 * 60
MAX_DAY_MINUTES = 20 * 60


class Step(StrEnum):
    """Where a person is in onboarding."""

    CONSENT = "consent"
    ZONE = "zone"
    WAKE = "wake"
    SLEEP = "sleep"
    SIT = "sit"
    HABITS = "habits"
    DONE = "done"


AWAITING_PREFIX = "onb:"


def step_of(person: PersonRecord) -> Step:
    """Derive the onboarding step from the filled-in columns."""
    if person.onboarded:
        return Step.DONE
    if not person.consented:
        return Step.CONSENT
    if person.timezone is None:
        return Step.ZONE
    if person.wake_time is None:
        return Step.WAKE
    if person.sleep_time is None:
        return Step.SLEEP
    if person.sit_start is None or person.sit_end is None:
        return Step.SIT
    return Step.HABITS


def awaiting_for(step: Step) -> str | None:
    """Return the `awaiting` value for a step (None once onboarding is done)."""
    return None if step is Step.DONE else AWAITING_PREFIX + step.value


@dataclass(frozen=True)
class Progress:
    """A person's onboarding state and the reminders made so far."""

    person: PersonRecord
    step: Step
    reminders: tuple[ReminderRecord, ...] = ()
    created: bool = False

    def enabled(self, habit: str) -> bool:
        """Tell whether a habit's reminder is on."""
        return any(r.habit == habit and r.enabled for r in self.reminders)

    def rule_of(self, habit: str) -> Rule | None:
        """Return a habit's stored rule, if any."""
        for r in self.reminders:
            if r.habit == habit:
                try:
                    return Rule.from_dict(r.rule)
                except ValueError:
                    return None
        return None


class WrongStep(Exception):
    """The answer or button belongs to another step (stale, repeated or forged)."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(progress.step.value)
        self.progress = progress


class BadDay(ValueError):
    """A waking day of implausible length; `minutes` is what the answer would give."""

    def __init__(self, minutes: int) -> None:
        super().__init__(f"{minutes} minutes awake")
        self.minutes = minutes


class NotInDay(ValueError):
    """Sitting hours that do not fit inside the waking day."""

    def __init__(self, awake: Window) -> None:
        super().__init__(awake.describe())
        self.awake = awake


# Deprecated: format_hhmm says which way it goes (callers: here and services/settings.py).
hhmm = format_hhmm


def check_day(awake: Window) -> None:
    """Refuse a waking day shorter than 6 or longer than 20 hours (a night shift is fine)."""
    minutes = awake.minutes()
    if not MIN_DAY_MINUTES <= minutes <= MAX_DAY_MINUTES:
        raise BadDay(minutes)


def within(inner: Window, outer: Window) -> bool:
    """Tell whether `inner` lies entirely inside `outer` (both may cross midnight)."""
    start = (
        inner.start.hour * 60 + inner.start.minute - outer.start.hour * 60 - outer.start.minute
    ) % (24 * 60)
    return start + inner.minutes() <= outer.minutes()


def windows_of(person: PersonRecord) -> tuple[Window, Window] | None:
    """Return the person's (awake, sitting) windows once both are known."""
    if not (person.wake_time and person.sleep_time and person.sit_start and person.sit_end):
        return None
    awake = Window(parse_hhmm(person.wake_time), parse_hhmm(person.sleep_time))
    sitting = Window(parse_hhmm(person.sit_start), parse_hhmm(person.sit_end))
    return awake, sitting


def default_rule_for(person_id: int, habit: Habit, awake: Window, sitting: Window) -> Rule:
    """Return a habit's default rule for this person, spread a little from the crowd."""
    return default_rule(
        habit, awake=awake, sitting=sitting, offset_minutes=spread_offset(person_id, habit.value)
    )


def summary_rule(person_id: int) -> Rule:
    """Return a person's weekly summary rule: Sunday evening, spread a little from the crowd."""
    offset = spread_offset(person_id, SUMMARY, SUMMARY_SPREAD_MINUTES)
    return replace(SUMMARY_RULE, offset_minutes=offset)


async def fresh(uow: UnitOfWork) -> None:
    """Write pending changes and forget cached rows (upserts bypass the identity map)."""
    await uow.session.flush()
    uow.session.expire_all()


async def _progress(uow: UnitOfWork, person_id: int, *, created: bool = False) -> Progress:
    await fresh(uow)
    person = await uow.people.get(person_id)
    assert person is not None
    reminders = tuple(await uow.reminders.for_person(person_id))
    return Progress(person, step_of(person), reminders, created)


async def _require(uow: UnitOfWork, person_id: int, step: Step) -> Progress:
    """Return the progress if the person is at `step`; raise WrongStep otherwise."""
    person = await uow.people.get(person_id)
    if person is None:
        # A button of a person deleted since: treat it like any stale button.
        raise WrongStep(Progress(_ghost(person_id), Step.CONSENT))
    progress = await _progress(uow, person_id)
    if progress.step is not step:
        raise WrongStep(progress)
    return progress


def _ghost(person_id: int) -> PersonRecord:
    """Stand in for a person who no longer exists."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return PersonRecord(
        person_id, "", None, None, None, None, None, None, None, None, None, False, epoch
    )


async def _advance(uow: UnitOfWork, person_id: int, now: datetime) -> Progress:
    """Point `awaiting` at the step the row now implies, commit, and return the progress."""
    await uow.session.flush()
    progress = await _progress(uow, person_id)
    row = await uow.people.row(person_id)
    assert row is not None
    wanted = awaiting_for(progress.step)
    if row.awaiting != wanted:
        row.awaiting = wanted
        row.updated_at = now
    await uow.session.flush()
    await uow.commit()
    return await _progress(uow, person_id)


async def begin(uow: UnitOfWork, speaker: Speaker, *, chat_id: int, now: datetime) -> Progress:
    """Record the person (bare row and chat only) and return where they are."""
    async with uow:
        _, created = await uow.people.seen(
            speaker.id,
            first_name=speaker.first_name,
            username=speaker.username,
            language_code=speaker.language_code,
            now=now,
        )
        await uow.people.note_chat(
            chat_id, type_="private", title=None, person_id=speaker.id, now=now
        )
        row = await uow.people.row(speaker.id)
        person = await uow.people.get(speaker.id)
        assert row is not None and person is not None
        step = step_of(person)
        # Settings waits for typing too; /start mid-settings keeps that, onboarding resets it.
        if step is not Step.DONE:
            row.awaiting = awaiting_for(step)
        await uow.session.flush()
        await uow.commit()
        return await _progress(uow, speaker.id, created=created)


async def current(uow: UnitOfWork, person_id: int) -> Progress | None:
    """Return a person's progress, or None if they never wrote to the bot."""
    async with uow:
        if await uow.people.get(person_id) is None:
            return None
        return await _progress(uow, person_id)


async def consent(uow: UnitOfWork, person_id: int, now: datetime) -> Progress:
    """Record consent to store check-ins and logs."""
    async with uow:
        await _require(uow, person_id, Step.CONSENT)
        row = await uow.people.row(person_id)
        assert row is not None
        row.consent_at = now
        return await _advance(uow, person_id, now)


async def set_zone(uow: UnitOfWork, person_id: int, zone: str, now: datetime) -> Progress:
    """Store the person's IANA time zone (already validated by the caller)."""
    async with uow:
        await _require(uow, person_id, Step.ZONE)
        row = await uow.people.row(person_id)
        assert row is not None
        row.timezone = zone
        return await _advance(uow, person_id, now)


async def set_wake(uow: UnitOfWork, person_id: int, wake: time, now: datetime) -> Progress:
    """Store when the person's day starts."""
    async with uow:
        await _require(uow, person_id, Step.WAKE)
        row = await uow.people.row(person_id)
        assert row is not None
        row.wake_time = hhmm(wake)
        return await _advance(uow, person_id, now)


async def set_sleep(uow: UnitOfWork, person_id: int, sleep: time, now: datetime) -> Progress:
    """Store when the person's day ends; raise BadDay for an implausible day."""
    async with uow:
        progress = await _require(uow, person_id, Step.SLEEP)
        assert progress.person.wake_time is not None
        wake = parse_hhmm(progress.person.wake_time)
        if wake == sleep:
            raise BadDay(0)
        check_day(Window(wake, sleep))
        row = await uow.people.row(person_id)
        assert row is not None
        row.sleep_time = hhmm(sleep)
        return await _advance(uow, person_id, now)


async def set_sitting(uow: UnitOfWork, person_id: int, sitting: Window, now: datetime) -> Progress:
    """Store the sitting hours and propose every habit with its default schedule."""
    async with uow:
        progress = await _require(uow, person_id, Step.SIT)
        person = progress.person
        assert person.wake_time is not None and person.sleep_time is not None
        awake = Window(parse_hhmm(person.wake_time), parse_hhmm(person.sleep_time))
        if not within(sitting, awake):
            raise NotInDay(awake)
        row = await uow.people.row(person_id)
        assert row is not None
        row.sit_start, row.sit_end = hhmm(sitting.start), hhmm(sitting.end)
        # The reminders exist from here on, parked (next_fire_at NULL) until onboarding ends,
        # so the habit toggles of the next step are stored like any other answer.
        for habit in NUDGED:
            rule = default_rule_for(person_id, habit, awake, sitting)
            await uow.reminders.set_rule(
                person_id, habit.value, rule=rule.to_dict(), enabled=True, now=now
            )
        return await _advance(uow, person_id, now)


async def set_habit(
    uow: UnitOfWork, person_id: int, habit: Habit, on: bool, now: datetime
) -> Progress:
    """Turn a proposed habit on or off (idempotent)."""
    async with uow:
        await _require(uow, person_id, Step.HABITS)
        await uow.reminders.set_enabled(person_id, habit.value, on, now)
        return await _advance(uow, person_id, now)


async def finish(uow: UnitOfWork, person_id: int, now: datetime) -> Progress:
    """Finish onboarding: add the weekly summary and schedule every reminder."""
    async with uow:
        await _require(uow, person_id, Step.HABITS)
        row = await uow.people.row(person_id)
        assert row is not None
        row.onboarded_at = now
        row.awaiting = None
        row.updated_at = now
        await uow.reminders.set_rule(
            person_id, SUMMARY, rule=summary_rule(person_id).to_dict(), enabled=True, now=now
        )
        await fresh(uow)
        await reschedule(uow, person_id, now)
        await uow.commit()
        return await _progress(uow, person_id)
