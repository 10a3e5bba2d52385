"""A habit's daily goal: the person's own number, else what their schedule asks for."""

from __future__ import annotations

from bot.domain.habits import CATALOG, Habit
from bot.domain.schedule import Rule

MIN_GOAL = 1
MAX_GOAL = 20


def goal_from_rule(habit: Habit, rule: Rule | None, own: int | None = None) -> int:
    """Return the daily goal: the person's own number, else one per fixed nudge time."""
    # An interval schedule ("every 50 min from 9 to 17") nudges more often than anyone should
    # be held to, so it asks for the catalog's target, or fewer if the window holds fewer nudges.
    if own is not None:
        return min(max(own, MIN_GOAL), MAX_GOAL)
    default = CATALOG[habit].daily_target
    if rule is None:
        return default
    if rule.times:
        return min(len(rule.times), MAX_GOAL)
    # Water is counted in glasses, not nudges: four nudges a day still ask for six glasses.
    if habit is Habit.WATER:
        return default
    if rule.every_minutes and rule.window is not None:
        slots = rule.window.minutes() // rule.every_minutes + 1
        return max(MIN_GOAL, min(default, slots))
    return default
