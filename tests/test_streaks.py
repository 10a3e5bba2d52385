"""Goal-met and flexible streaks, streak freezes, strength words, milestones and goals."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.goals import goal_from_rule
from bot.domain.habits import Habit
from bot.domain.progress import (
    MAX_FREEZES,
    DayMark,
    milestone,
    person_streaks,
    strength_word,
)
from bot.domain.schedule import Rule, Window

TODAY = date(2026, 3, 20)
MARKS = {
    "D": DayMark(2, 2),  # goal met
    "H": DayMark(1, 2),  # half the goal: keeps the flexible streak
    "M": DayMark(0, 2),  # missed
    "E": DayMark(0, 2, excused=True),  # skipped, paused or not scheduled
}


def series(pattern: str, end: date = TODAY) -> dict[date, DayMark]:
    """Build marks from a string ending at `end` (see MARKS; "." is no entry)."""
    start = end - timedelta(days=len(pattern) - 1)
    return {start + timedelta(days=i): MARKS[c] for i, c in enumerate(pattern) if c in MARKS}


@pytest.mark.parametrize(
    ("pattern", "current", "flexible", "best", "freezes_spent"),
    [
        ("", 0, 0, 0, 0),
        ("DDD", 3, 3, 3, 0),
        ("DDH", 2, 3, 2, 0),  # today at half: still open for the goal, flexible counts it
        ("DDHD", 1, 4, 2, 0),  # a half day ends the goal-met run, not the flexible one
        ("DDMD", 1, 1, 2, 0),  # no freeze banked yet: a miss breaks both
        ("DDEDD", 4, 4, 4, 0),  # excused days bridge
        ("DDDDDDDMD", 8, 8, 8, 1),  # 7 active days earned a freeze; the miss spent it
        ("DDDDDDDMMD", 1, 1, 7, 1),  # one freeze, two misses: broken
        ("DDDDDDDDDDDDDDMMD", 15, 15, 15, 2),  # two banked, two misses: saved
        ("MMMMMMMDDD", 3, 3, 3, 0),
        ("DD.", 2, 2, 2, 0),  # today not logged yet: count to yesterday
        ("DDM", 2, 2, 2, 0),  # today marked but not reached yet: still open
        ("DD..", 0, 0, 2, 0),  # yesterday missing breaks
        ("DEEED", 2, 2, 2, 0),
        ("DDE", 2, 2, 2, 0),  # today excused
        ("DDE.", 2, 2, 2, 0),  # yesterday excused, today open
        ("DD.DD", 2, 2, 2, 0),
        ("E", 0, 0, 0, 0),
    ],
)
def test_person_streaks(
    pattern: str, current: int, flexible: int, best: int, freezes_spent: int
) -> None:
    result = person_streaks({"water": series(pattern)}, TODAY)
    state = result.habits["water"]
    assert (state.current, state.flexible, state.best) == (current, flexible, best)
    assert len(result.spent) == freezes_spent


def test_freezes_are_shared_by_the_person_and_capped() -> None:
    long = series("D" * 40)
    result = person_streaks({"water": long}, TODAY)
    assert result.freezes_left == MAX_FREEZES
    # Two habits miss on the same day: one freeze each, from the same bank.
    both = {"water": series("D" * 20 + "MD"), "move": series("D" * 20 + "MD")}
    result = person_streaks(both, TODAY)
    # 20 active days banked two; both spent on the miss; the 21st active day earned one more.
    assert len(result.spent) == 2 and result.freezes_left == 1
    assert result.habits["water"].current == 21 and result.habits["move"].current == 21
    assert result.habits["water"].frozen == (TODAY - timedelta(days=1),)


@given(st.dictionaries(st.sampled_from(["water", "move"]), st.text("DHME.", max_size=60)))
def test_a_freeze_never_lengthens_a_streak_past_days_really_done(
    patterns: dict[str, str],
) -> None:
    marks = {habit: series(p) for habit, p in patterns.items()}
    result = person_streaks(marks, TODAY)
    assert 0 <= result.freezes_left <= MAX_FREEZES
    for habit, state in result.habits.items():
        days = marks[habit]
        assert state.current <= state.best
        assert state.flexible <= sum(1 for m in days.values() if m.is_done or m.is_half)
        # Walking back over the current run, every day is a goal-met day (counted), an
        # excused day or a frozen day, and exactly `current` of them were really done.
        day, met = TODAY, 0
        while met < state.current:
            mark = days.get(day)
            if mark is not None and mark.is_done:
                met += 1
            elif day != TODAY:
                assert (mark is not None and mark.excused) or day in state.frozen, day
            day -= timedelta(days=1)
        assert met == state.current
        assert len(state.frozen) <= len([s for s in result.spent if s[0] == habit])


@given(st.text("DHME.", max_size=60))
def test_freezes_only_ever_help(pattern: str) -> None:
    """Each frozen day stands where the run would otherwise have broken."""
    result = person_streaks({"water": series(pattern)}, TODAY)
    state = result.habits["water"]
    for day in state.frozen:
        assert not series(pattern).get(day, MARKS["M"]).is_half


@pytest.mark.parametrize(
    ("score", "word"),
    [(0.0, "building"), (34.9, "building"), (35.0, "steady"), (69.9, "steady"), (70.0, "strong")],
)
def test_strength_in_words(score: float, word: str) -> None:
    assert strength_word(score) == word


@pytest.mark.parametrize(("days", "reached"), [(2, None), (3, 3), (7, 7), (8, None), (100, 100)])
def test_milestones(days: int, reached: int | None) -> None:
    assert milestone(days) == reached


AWAKE = Window(time(7), time(23))


@pytest.mark.parametrize(
    ("habit", "rule", "own", "goal"),
    [
        (Habit.MOVE, Rule(times=(time(12),)), None, 1),  # a walk once a day: goal 1
        (Habit.WATER, Rule(times=(time(9), time(13), time(17))), None, 3),
        (Habit.WATER, Rule(every_minutes=120, window=AWAKE), None, 6),  # catalog target
        # Four water nudges still ask for six glasses: glasses, not nudges, are counted.
        (Habit.WATER, Rule(every_minutes=240, window=Window(time(9), time(21))), None, 6),
        (Habit.MOVE, Rule(every_minutes=240, window=Window(time(9), time(17))), None, 3),
        (Habit.FOOD, None, None, 2),
        (Habit.WATER, Rule(times=(time(9),)), 8, 8),  # the person's own number wins
        (Habit.WATER, None, 500, 20),
    ],
)
def test_goal_follows_the_schedule(
    habit: Habit, rule: Rule | None, own: int | None, goal: int
) -> None:
    assert goal_from_rule(habit, rule, own) == goal
