"""Onboarding: consent, time zone, the person's day and habits, one stored step at a time.

The step is never kept in memory: it is derived from which columns of the person's row are
filled in, and the person's pending input only says which typed answer the router should hand
us. A restart in the middle therefore continues where the person was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from enum import StrEnum

from bot.domain.day import check_day, check_sitting, parse_hhmm
from bot.domain.habits import NUDGED, Habit, default_rule
from bot.domain.pending import Feature, PendingInput
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


class OnboardingStep(StrEnum):
    """Where a person is in onboarding."""

    CONSENT = "consent"
    ZONE = "zone"
    WAKE = "wake"
    SLEEP = "sleep"
    SIT = "sit"
    HABITS = "habits"
    DONE = "done"


def step_of(person: PersonRecord) -> OnboardingStep:
    """Derive the onboarding step from the filled-in columns."""
    if person.onboarded:
        return OnboardingStep.DONE
    if not person.consented:
        return OnboardingStep.CONSENT
    if person.timezone is None:
        return OnboardingStep.ZONE
    if person.wake_time is None:
        return OnboardingStep.WAKE
    if person.sleep_time is None:
        return OnboardingStep.SLEEP
    if person.sit_start is None or person.sit_end is None:
        return OnboardingStep.SIT
    return OnboardingStep.HABITS


def pending_for(step: OnboardingStep, now: datetime) -> PendingInput | None:
    """Return the typed input a step waits for (None once onboarding is done)."""
    if step is OnboardingStep.DONE:
        return None
    return PendingInput(Feature.ONBOARDING, step.value, asked_at=now)


def asks(pending: PendingInput | None, step: OnboardingStep) -> bool:
    """Tell whether a pending input is onboarding's question for `step`."""
    return (
        pending is not None and pending.is_for(Feature.ONBOARDING) and pending.step == step.value
    )


@dataclass(frozen=True)
class OnboardingState:
    """A person's onboarding step and the reminders made so far."""

    person: PersonRecord
    step: OnboardingStep
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

    def __init__(self, state: OnboardingState) -> None:
        super().__init__(state.step.value)
        self.state = state


def windows_of(person: PersonRecord) -> tuple[Window, Window] | None:
    """Return the person's (awake, sitting) windows once both are known."""
    if not (person.wake_time and person.sleep_time and person.sit_start and person.sit_end):
        return None
    awake = Window(parse_hhmm(person.wake_time), parse_hhmm(person.sleep_time))
    sitting = Window(parse_hhmm(person.sit_start), parse_hhmm(person.sit_end))
    return awake, sitting


def awake_of(person: PersonRecord) -> Window:
    """Return the person's waking day (known from the sleep step on)."""
    assert person.wake_time is not None and person.sleep_time is not None
    return Window(parse_hhmm(person.wake_time), parse_hhmm(person.sleep_time))


def default_rule_for(person_id: int, habit: Habit, awake: Window, sitting: Window) -> Rule:
    """Return a habit's default rule for this person, spread a little from the crowd."""
    return default_rule(
        habit, awake=awake, sitting=sitting, offset_minutes=spread_offset(person_id, habit.value)
    )


def summary_rule(person_id: int) -> Rule:
    """Return a person's weekly summary rule: Sunday evening, spread a little from the crowd."""
    offset = spread_offset(person_id, SUMMARY, SUMMARY_SPREAD_MINUTES)
    return replace(SUMMARY_RULE, offset_minutes=offset)


async def _state(
    uow: UnitOfWork, person: PersonRecord, *, created: bool = False
) -> OnboardingState:
    reminders = tuple(await uow.reminders.for_person(person.id))
    return OnboardingState(person, step_of(person), reminders, created)


async def _require(uow: UnitOfWork, person_id: int, step: OnboardingStep) -> OnboardingState:
    """Return the state if the person is at `step`; raise WrongStep otherwise."""
    person = await uow.people.get(person_id)
    if person is None:
        # A button of a person deleted since: treat it like any stale button.
        raise WrongStep(OnboardingState(_ghost(person_id), OnboardingStep.CONSENT))
    state = await _state(uow, person)
    if state.step is not step:
        raise WrongStep(state)
    return state


def _ghost(person_id: int) -> PersonRecord:
    """Stand in for a person who no longer exists."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return PersonRecord(
        person_id, "", None, None, None, None, None, None, None, None, False, epoch
    )


async def _advance(uow: UnitOfWork, person: PersonRecord | None, now: datetime) -> OnboardingState:
    """Ask the question of the step the row now implies, commit, and return the state."""
    assert person is not None
    step = step_of(person)
    if not asks(person.pending, step):
        person = await uow.people.set_pending(person.id, pending_for(step, now), now)
        assert person is not None
    state = await _state(uow, person)
    await uow.commit()
    return state


async def begin(
    uow: UnitOfWork, speaker: Speaker, *, chat_id: int, now: datetime
) -> OnboardingState:
    """Record the person (bare row and chat only) and return where they are."""
    async with uow:
        person, created = await uow.people.seen(
            speaker.id,
            first_name=speaker.first_name,
            username=speaker.username,
            language_code=speaker.language_code,
            now=now,
        )
        await uow.people.note_chat(
            chat_id, type_="private", title=None, person_id=speaker.id, now=now
        )
        step = step_of(person)
        # Settings waits for typing too; /start mid-settings keeps that, onboarding resets it.
        if step is not OnboardingStep.DONE:
            changed = await uow.people.set_pending(speaker.id, pending_for(step, now), now)
            assert changed is not None
            person = changed
        state = await _state(uow, person, created=created)
        await uow.commit()
        return state


async def current(uow: UnitOfWork, person_id: int) -> OnboardingState | None:
    """Return a person's onboarding state, or None if they never wrote to the bot."""
    async with uow:
        person = await uow.people.get(person_id)
        return None if person is None else await _state(uow, person)


async def consent(uow: UnitOfWork, person_id: int, now: datetime) -> OnboardingState:
    """Record consent to store check-ins and logs."""
    async with uow:
        await _require(uow, person_id, OnboardingStep.CONSENT)
        return await _advance(uow, await uow.people.record_consent(person_id, now), now)


async def set_zone(uow: UnitOfWork, person_id: int, zone: str, now: datetime) -> OnboardingState:
    """Store the person's IANA time zone (already validated by the caller)."""
    async with uow:
        await _require(uow, person_id, OnboardingStep.ZONE)
        return await _advance(uow, await uow.people.set_zone(person_id, zone, now), now)


async def set_wake(uow: UnitOfWork, person_id: int, wake: time, now: datetime) -> OnboardingState:
    """Store when the person's day starts."""
    async with uow:
        await _require(uow, person_id, OnboardingStep.WAKE)
        return await _advance(uow, await uow.people.set_wake(person_id, wake, now), now)


async def set_sleep(
    uow: UnitOfWork, person_id: int, sleep: time, now: datetime
) -> OnboardingState:
    """Store when the person's day ends; raise BadDay for an implausible day."""
    async with uow:
        state = await _require(uow, person_id, OnboardingStep.SLEEP)
        assert state.person.wake_time is not None
        check_day(Window(parse_hhmm(state.person.wake_time), sleep))
        return await _advance(uow, await uow.people.set_sleep(person_id, sleep, now), now)


async def set_sitting(
    uow: UnitOfWork, person_id: int, sitting: Window, now: datetime
) -> OnboardingState:
    """Store the sitting hours and propose every habit with its default schedule."""
    async with uow:
        state = await _require(uow, person_id, OnboardingStep.SIT)
        awake = awake_of(state.person)
        check_sitting(sitting, awake)
        person = await uow.people.set_sitting(person_id, sitting, now)
        # The reminders exist from here on, parked (next_fire_at NULL) until onboarding ends,
        # so the habit toggles of the next step are stored like any other answer.
        for habit in NUDGED:
            rule = default_rule_for(person_id, habit, awake, sitting)
            await uow.reminders.set_rule(
                person_id, habit.value, rule=rule.to_dict(), enabled=True, now=now
            )
        return await _advance(uow, person, now)


async def set_habit(
    uow: UnitOfWork, person_id: int, habit: Habit, on: bool, now: datetime
) -> OnboardingState:
    """Turn a proposed habit on or off (idempotent)."""
    async with uow:
        state = await _require(uow, person_id, OnboardingStep.HABITS)
        await uow.reminders.set_enabled(person_id, habit.value, on, now)
        return await _advance(uow, state.person, now)


async def finish(uow: UnitOfWork, person_id: int, now: datetime) -> OnboardingState:
    """Finish onboarding: add the weekly summary and schedule every reminder."""
    async with uow:
        await _require(uow, person_id, OnboardingStep.HABITS)
        person = await uow.people.finish_onboarding(person_id, now)
        assert person is not None
        await uow.reminders.set_rule(
            person_id, SUMMARY, rule=summary_rule(person_id).to_dict(), enabled=True, now=now
        )
        await reschedule(uow, person_id, now)
        state = await _state(uow, person)
        await uow.commit()
        return state
