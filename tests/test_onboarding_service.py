"""Onboarding's services without Telegram: each answer moves one stored step; bad ones nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.domain.day import BadDay, NotInDay
from bot.domain.habits import NUDGED, Habit
from bot.domain.pending import Feature, PendingInput
from bot.domain.schedule import Window
from bot.services import onboarding
from bot.services.onboarding import SUMMARY, OnboardingState, OnboardingStep, WrongStep
from bot.services.people import Speaker
from bot.storage.uow import Database

NOW = datetime(2026, 3, 27, 7, 0, tzinfo=UTC)
ANA = Speaker(id=42, first_name="Ana")


async def begin(db: Database) -> OnboardingState:
    return await onboarding.begin(db.uow(), ANA, chat_id=ANA.id, now=NOW)


async def to_step(db: Database, step: OnboardingStep) -> OnboardingState:
    """Answer every step before `step` with ordinary answers."""
    state = await begin(db)
    answers = {
        OnboardingStep.CONSENT: lambda: onboarding.consent(db.uow(), ANA.id, NOW),
        OnboardingStep.ZONE: lambda: onboarding.set_zone(db.uow(), ANA.id, "Europe/Berlin", NOW),
        OnboardingStep.WAKE: lambda: onboarding.set_wake(db.uow(), ANA.id, time(7), NOW),
        OnboardingStep.SLEEP: lambda: onboarding.set_sleep(db.uow(), ANA.id, time(23), NOW),
        OnboardingStep.SIT: lambda: onboarding.set_sitting(
            db.uow(), ANA.id, Window(time(9), time(17)), NOW
        ),
        OnboardingStep.HABITS: lambda: onboarding.finish(db.uow(), ANA.id, NOW),
    }
    while state.step is not step:
        state = await answers[state.step]()
    return state


async def test_each_answer_moves_one_step_and_asks_the_next_question(db: Database) -> None:
    state = await begin(db)
    assert state.created and state.step is OnboardingStep.CONSENT
    assert state.person.pending == PendingInput(Feature.ONBOARDING, "consent", asked_at=NOW)
    seen = [state.step]
    for step in list(OnboardingStep)[1:]:
        state = await to_step(db, step)
        seen.append(state.step)
        if step is not OnboardingStep.DONE:
            assert state.person.pending is not None
            assert (state.person.pending.feature, state.person.pending.step) == (
                Feature.ONBOARDING,
                step.value,
            )
    assert seen == list(OnboardingStep)
    assert state.person.pending is None and state.person.onboarded
    assert {r.habit for r in state.reminders} == {h.value for h in NUDGED} | {SUMMARY}
    assert all(r.next_fire_at is not None for r in state.reminders if r.enabled)


async def test_a_restart_mid_setup_continues_where_the_person_was(db: Database) -> None:
    await to_step(db, OnboardingStep.SLEEP)
    again = await begin(db)
    assert not again.created and again.step is OnboardingStep.SLEEP
    assert again.person.wake_time == "07:00"


async def test_sitting_hours_propose_every_habit_parked_until_done(db: Database) -> None:
    state = await to_step(db, OnboardingStep.HABITS)
    assert {r.habit for r in state.reminders} == {h.value for h in NUDGED}
    assert all(r.next_fire_at is None for r in state.reminders)
    state = await onboarding.set_habit(db.uow(), ANA.id, Habit.WATER, False, NOW)
    assert not state.enabled(Habit.WATER.value) and state.enabled(Habit.MOVE.value)
    state = await onboarding.set_habit(db.uow(), ANA.id, Habit.WATER, False, NOW)  # idempotent
    assert not state.enabled(Habit.WATER.value)


@pytest.mark.parametrize(
    ("wake", "sleep", "minutes"),
    [(time(7), time(7), 0), (time(7), time(9), 120), (time(7), time(5), 22 * 60)],
)
async def test_an_implausible_day_is_refused_and_changes_nothing(
    db: Database, wake: time, sleep: time, minutes: int
) -> None:
    await to_step(db, OnboardingStep.WAKE)
    await onboarding.set_wake(db.uow(), ANA.id, wake, NOW)
    with pytest.raises(BadDay) as refused:
        await onboarding.set_sleep(db.uow(), ANA.id, sleep, NOW)
    assert refused.value.minutes == minutes
    state = await onboarding.current(db.uow(), ANA.id)
    assert state is not None and state.step is OnboardingStep.SLEEP
    assert state.person.sleep_time is None


async def test_sitting_hours_outside_the_day_are_refused(db: Database) -> None:
    await to_step(db, OnboardingStep.SIT)
    with pytest.raises(NotInDay):
        await onboarding.set_sitting(db.uow(), ANA.id, Window(time(5), time(12)), NOW)
    state = await onboarding.current(db.uow(), ANA.id)
    assert state is not None and state.step is OnboardingStep.SIT and not state.reminders


async def test_an_answer_for_another_step_is_refused_with_the_current_state(
    db: Database,
) -> None:
    await to_step(db, OnboardingStep.WAKE)
    with pytest.raises(WrongStep) as wrong:
        await onboarding.set_zone(db.uow(), ANA.id, "Asia/Tokyo", NOW)
    assert wrong.value.state.step is OnboardingStep.WAKE
    assert wrong.value.state.person.timezone == "Europe/Berlin"
    with pytest.raises(WrongStep) as gone:
        await onboarding.consent(db.uow(), 999, NOW)  # nobody by that id
    assert gone.value.state.step is OnboardingStep.CONSENT


async def test_start_after_setup_keeps_a_settings_question(db: Database) -> None:
    await to_step(db, OnboardingStep.DONE)
    asked = PendingInput(Feature.SETTINGS, "zone", asked_at=NOW)
    async with db.uow() as uow:
        await uow.people.set_pending(ANA.id, asked, NOW)
        await uow.commit()
    state = await begin(db)
    assert state.step is OnboardingStep.DONE and state.person.pending == asked
