"""Daily goals per habit, read the same way for /today, nudges, logs and progress."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.goals import MAX_GOAL, MIN_GOAL, goal_from_rule
from bot.domain.habits import CATALOG, Habit
from bot.domain.schedule import Rule
from bot.storage.reminders import ReminderRecord
from bot.storage.uow import UnitOfWork


class BadGoal(ValueError):
    """A goal that is not a whole number in range."""


def goals_for(reminders: Iterable[ReminderRecord]) -> dict[str, int]:
    """Return each habit's daily goal from the person's reminders (catalog default otherwise)."""
    goals = {h.value: info.daily_target for h, info in CATALOG.items()}
    for reminder in reminders:
        try:
            habit = Habit(reminder.habit)
            rule: Rule | None = Rule.from_dict(reminder.rule)
        except ValueError:
            continue
        goals[reminder.habit] = goal_from_rule(habit, rule, reminder.goal)
    return goals


async def goals_of(uow: UnitOfWork, person_id: int) -> dict[str, int]:
    """Read a person's goals inside an open unit of work."""
    return goals_for(await uow.reminders.for_person(person_id))


async def set_goal(uow: UnitOfWork, person_id: int, habit: str, goal: int | None) -> int:
    """Set a person's own daily goal (None: follow the schedule again); return the goal now."""
    if goal is not None and not MIN_GOAL <= goal <= MAX_GOAL:
        raise BadGoal(goal)
    async with uow:
        if not await uow.reminders.set_goal(person_id, habit, goal):
            raise BadGoal(habit)
        goals = await goals_of(uow, person_id)
        await uow.commit()
    return goals[habit]
