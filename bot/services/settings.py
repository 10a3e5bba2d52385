"""Changing what onboarding set up: zone, day, sitting hours, habits, pauses.

Every change writes the person's row or rules, then recomputes their reminders' next fire
times in the same transaction, so the stored schedule is never out of step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any

from bot.domain.day import check_day, check_sitting, check_spacing, check_times, within
from bot.domain.habits import Habit
from bot.domain.nudging import BUDGETS, DEFAULT_BUDGET
from bot.domain.pending import Feature, PendingInput
from bot.domain.schedule import ALL_DAYS, Rule, Window
from bot.services.onboarding import awake_of, default_rule_for, windows_of
from bot.services.schedules import INDEFINITE, reschedule
from bot.storage.people import PersonRecord
from bot.storage.reminders import ReminderRecord
from bot.storage.uow import UnitOfWork

# "Until /resume" is stored as a far-away date; schedules treat > 366 days as indefinite.
FOREVER = timedelta(days=3650)
INTERVAL_HABITS = frozenset({Habit.WATER, Habit.MOVE})


class SettingsQuestion(StrEnum):
    """A settings question answered by typing (its PendingInput step)."""

    ZONE = "zone"
    DAY = "day"
    SIT = "sit"
    TIMES = "times"  # of one habit
    DAYS = "days"  # of one habit


@dataclass(frozen=True)
class SettingsOverview:
    """A person's settings as the menu shows them."""

    person: PersonRecord
    reminders: dict[str, ReminderRecord]

    def rule_of(self, habit: str) -> Rule | None:
        """Return a habit's rule, or None if it has none (or it is unreadable)."""
        reminder = self.reminders.get(habit)
        if reminder is None:
            return None
        try:
            return Rule.from_dict(reminder.rule)
        except ValueError:
            return None

    def enabled(self, habit: str) -> bool:
        """Tell whether a habit's reminder is on."""
        reminder = self.reminders.get(habit)
        return reminder is not None and reminder.enabled

    def paused(self, now: datetime) -> bool:
        """Tell whether nudges are paused at `now`."""
        until = self.person.paused_until
        return until is not None and until > now

    def paused_indefinitely(self, now: datetime) -> bool:
        """Tell whether the pause lasts until /resume."""
        until = self.person.paused_until
        return until is not None and until - now > INDEFINITE


class NotOnboarded(Exception):
    """Settings need a finished onboarding."""


class Unchanged(Exception):
    """The setting already has that value (a stale or repeated button)."""


async def _overview(uow: UnitOfWork, person_id: int) -> SettingsOverview:
    person = await uow.people.get(person_id)
    if person is None or not person.onboarded:
        raise NotOnboarded
    reminders = {r.habit: r for r in await uow.reminders.for_person(person_id)}
    return SettingsOverview(person, reminders)


async def _save(uow: UnitOfWork, person_id: int, now: datetime) -> SettingsOverview:
    """Stop waiting for typed text, reschedule, commit, and return the new overview."""
    await uow.people.set_pending(person_id, None, now)
    await reschedule(uow, person_id, now)
    saved = await _overview(uow, person_id)
    await uow.commit()
    return saved


async def overview(uow: UnitOfWork, person_id: int, now: datetime) -> SettingsOverview:
    """Open the menu: forget any half-asked settings question and return the settings."""
    async with uow:
        await _overview(uow, person_id)
        await uow.people.clear_pending(person_id, Feature.SETTINGS)
        shown = await _overview(uow, person_id)
        await uow.commit()
        return shown


async def ask(
    uow: UnitOfWork,
    person_id: int,
    question: SettingsQuestion,
    now: datetime,
    habit: Habit | None = None,
) -> SettingsOverview:
    """Remember that the next typed message answers `question` (about `habit`, if any)."""
    pending = PendingInput(Feature.SETTINGS, question.value, asked_at=now, habit=habit)
    async with uow:
        await _overview(uow, person_id)
        await uow.people.set_pending(person_id, pending, now)
        asked = await _overview(uow, person_id)
        await uow.commit()
        return asked


async def set_zone(uow: UnitOfWork, person_id: int, zone: str, now: datetime) -> SettingsOverview:
    """Move the person to another time zone (rules keep their local times)."""
    async with uow:
        current = await _overview(uow, person_id)
        if current.person.timezone == zone:
            raise Unchanged
        await uow.people.set_zone(person_id, zone, now)
        return await _save(uow, person_id, now)


def refit(
    rule: dict[str, Any],
    habit: Habit,
    person_id: int,
    old: tuple[Window, Window],
    new: tuple[Window, Window],
) -> dict[str, Any]:
    """Move a rule to a new day: defaults follow the day, interval windows follow their hours."""
    if rule == default_rule_for(person_id, habit, *old).to_dict():
        return dict(default_rule_for(person_id, habit, *new).to_dict())
    try:
        parsed = Rule.from_dict(rule)
    except ValueError:
        return dict(default_rule_for(person_id, habit, *new).to_dict())
    awake, sitting = new
    if parsed.every_minutes is None:
        if all(awake.contains(t) for t in parsed.times):
            return rule
        # A time in the new quiet hours would never fire while the menu still showed it:
        # take the new day's defaults, on the person's chosen weekdays.
        fitted = default_rule_for(person_id, habit, awake, sitting)
        return dict(
            Rule(
                times=fitted.times, weekdays=parsed.weekdays, offset_minutes=fitted.offset_minutes
            ).to_dict()
        )
    window = sitting if habit is Habit.MOVE and within(sitting, awake) else awake
    moved = Rule(
        every_minutes=parsed.every_minutes,
        window=window,
        weekdays=parsed.weekdays,
        offset_minutes=parsed.offset_minutes,
    )
    return dict(moved.to_dict())


async def _move_day(
    uow: UnitOfWork, current: SettingsOverview, awake: Window, sitting: Window, now: datetime
) -> SettingsOverview:
    person = current.person
    old = windows_of(person)
    assert old is not None
    if old == (awake, sitting):
        raise Unchanged
    await uow.people.set_day(person.id, awake, sitting, now)
    for habit in Habit:
        reminder = current.reminders.get(habit.value)
        if reminder is None:
            continue
        rule = refit(reminder.rule, habit, person.id, old, (awake, sitting))
        if rule != reminder.rule:
            await uow.reminders.set_rule(
                person.id, habit.value, rule=rule, enabled=reminder.enabled, now=now
            )
    return await _save(uow, person.id, now)


async def set_day(
    uow: UnitOfWork, person_id: int, awake: Window, now: datetime
) -> SettingsOverview:
    """Change the waking day (quiet hours outside it); keeps sitting hours if they still fit."""
    check_day(awake)
    async with uow:
        current = await _overview(uow, person_id)
        windows = windows_of(current.person)
        assert windows is not None
        sitting = windows[1] if within(windows[1], awake) else awake
        return await _move_day(uow, current, awake, sitting, now)


async def set_sitting(
    uow: UnitOfWork, person_id: int, sitting: Window, now: datetime
) -> SettingsOverview:
    """Change the sitting hours, where movement breaks go."""
    async with uow:
        current = await _overview(uow, person_id)
        awake = awake_of(current.person)
        check_sitting(sitting, awake)
        return await _move_day(uow, current, awake, sitting, now)


async def set_enabled(
    uow: UnitOfWork, person_id: int, habit: Habit, on: bool, now: datetime
) -> SettingsOverview:
    """Turn a habit's nudges on or off."""
    async with uow:
        current = await _overview(uow, person_id)
        reminder = current.reminders.get(habit.value)
        if reminder is not None and reminder.enabled == on:
            raise Unchanged
        if reminder is None:
            await _put_rule(uow, current, habit, None, now, enabled=on)
        else:
            await uow.reminders.set_enabled(person_id, habit.value, on, now)
        return await _save(uow, person_id, now)


async def _put_rule(
    uow: UnitOfWork,
    current: SettingsOverview,
    habit: Habit,
    rule: Rule | None,
    now: datetime,
    *,
    enabled: bool | None = None,
) -> None:
    windows = windows_of(current.person)
    assert windows is not None
    if rule is None:
        rule = default_rule_for(current.person.id, habit, *windows)
    on = current.enabled(habit.value) if enabled is None else enabled
    await uow.reminders.set_rule(
        current.person.id, habit.value, rule=rule.to_dict(), enabled=on, now=now
    )


async def set_times(
    uow: UnitOfWork, person_id: int, habit: Habit, times: tuple[time, ...], now: datetime
) -> SettingsOverview:
    """Give a clock-time habit new times of day (kept on its weekdays); turns it on."""
    if habit in INTERVAL_HABITS:
        raise ValueError("an interval habit has no clock times")
    async with uow:
        current = await _overview(uow, person_id)
        check_times(times, awake_of(current.person))
        old = current.rule_of(habit.value)
        rule = Rule(times=times, weekdays=old.weekdays if old else ALL_DAYS)
        if old is not None and old.times == rule.times and current.enabled(habit.value):
            raise Unchanged
        await _put_rule(uow, current, habit, rule, now, enabled=True)
        return await _save(uow, person_id, now)


async def set_interval(
    uow: UnitOfWork, person_id: int, habit: Habit, minutes: int, now: datetime
) -> SettingsOverview:
    """Give an interval habit a new spacing inside its window; turns it on."""
    if habit not in INTERVAL_HABITS:
        raise ValueError("a clock-time habit has no spacing")
    check_spacing(minutes)
    async with uow:
        current = await _overview(uow, person_id)
        old = current.rule_of(habit.value)
        if old is None or old.window is None:
            windows = windows_of(current.person)
            assert windows is not None
            old = default_rule_for(person_id, habit, *windows)
        if old.every_minutes == minutes and current.enabled(habit.value):
            raise Unchanged
        rule = Rule(
            every_minutes=minutes,
            window=old.window,
            weekdays=old.weekdays,
            offset_minutes=old.offset_minutes,
        )
        await _put_rule(uow, current, habit, rule, now, enabled=True)
        return await _save(uow, person_id, now)


async def set_weekdays(
    uow: UnitOfWork, person_id: int, habit: Habit, days: frozenset[int], now: datetime
) -> SettingsOverview:
    """Choose on which weekdays a habit is nudged."""
    if not days or not days <= ALL_DAYS:
        raise ValueError("no days")
    async with uow:
        current = await _overview(uow, person_id)
        old = current.rule_of(habit.value)
        if old is None:
            windows = windows_of(current.person)
            assert windows is not None
            old = default_rule_for(person_id, habit, *windows)
        if old.weekdays == days:
            raise Unchanged
        rule = Rule(
            times=old.times,
            every_minutes=old.every_minutes,
            window=old.window,
            weekdays=days,
            offset_minutes=old.offset_minutes,
        )
        await _put_rule(uow, current, habit, rule, now)
        return await _save(uow, person_id, now)


async def reset_habit(
    uow: UnitOfWork, person_id: int, habit: Habit, now: datetime
) -> SettingsOverview:
    """Put a habit back on its default schedule."""
    async with uow:
        current = await _overview(uow, person_id)
        windows = windows_of(current.person)
        assert windows is not None
        default = default_rule_for(person_id, habit, *windows).to_dict()
        reminder = current.reminders.get(habit.value)
        if reminder is not None and reminder.rule == default:
            raise Unchanged
        await uow.reminders.set_rule(
            person_id,
            habit.value,
            rule=dict(default),
            enabled=reminder.enabled if reminder else True,
            now=now,
        )
        return await _save(uow, person_id, now)


async def pause(
    uow: UnitOfWork, person_id: int, span: timedelta | None, now: datetime
) -> SettingsOverview:
    """Pause every nudge for `span`, or until /resume when span is None."""
    async with uow:
        await _overview(uow, person_id)
        until = now + (FOREVER if span is None else span)
        await uow.people.set_paused_until(person_id, until, now)
        await uow.pauses.start(person_id, now, until)
        return await _save(uow, person_id, now)


async def pin_time(
    uow: UnitOfWork, person_id: int, habit: Habit, now: datetime
) -> SettingsOverview:
    """Put back the times the person had before the bot moved them, and keep them."""
    async with uow:
        await _overview(uow, person_id)
        if not await uow.reminders.pin_own(person_id, habit.value, now):
            raise Unchanged
        return await _save(uow, person_id, now)


async def set_budget(
    uow: UnitOfWork, person_id: int, budget: str, now: datetime
) -> SettingsOverview:
    """Choose how many messages a day the bot may start (Light, Normal or More)."""
    if budget not in BUDGETS:
        raise ValueError(f"no such budget: {budget!r}")
    async with uow:
        current = await _overview(uow, person_id)
        if (current.person.nudge_budget or DEFAULT_BUDGET) == budget:
            raise Unchanged
        await uow.people.set_budget(person_id, budget, now)
        return await _save(uow, person_id, now)


async def set_ask_stool(
    uow: UnitOfWork, person_id: int, on: bool, now: datetime
) -> SettingsOverview:
    """Turn the check-in's optional stool question on or off."""
    async with uow:
        current = await _overview(uow, person_id)
        if current.person.ask_stool == on:
            raise Unchanged
        await uow.people.set_ask_stool(person_id, on, now)
        return await _save(uow, person_id, now)


async def resume(uow: UnitOfWork, person_id: int, now: datetime) -> SettingsOverview:
    """End a pause now."""
    async with uow:
        current = await _overview(uow, person_id)
        if not current.paused(now):
            raise Unchanged
        await uow.people.set_paused_until(person_id, None, now)
        await uow.pauses.end(person_id, now)
        return await _save(uow, person_id, now)
