"""The insight rule: enough days on both sides, a real gap, and an honest word on certainty."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.insights import (
    CLEAR_T,
    INSIGHT_WINDOW_DAYS,
    MIN_DAYS_EACH_SIDE,
    find,
    say,
    welch_t,
)

TODAY = date(2026, 3, 29)
WORDS = {"move": "movement", "water": "water"}


def days_of(with_values: list[float], without_values: list[float]) -> tuple[dict, dict]:
    """Lay out days ending yesterday: first the goal-met ones, then the others."""
    values: dict[date, float] = {}
    met: dict[date, bool] = {}
    day = TODAY - timedelta(days=len(with_values) + len(without_values))
    for value, did in [(v, True) for v in with_values] + [(v, False) for v in without_values]:
        values[day], met[day] = value, did
        day += timedelta(days=1)
    return values, met


@pytest.mark.parametrize(
    ("with_pain", "without_pain", "expected"),
    [
        # Clear: 9 vs 8 days, 2.0 points lower, little spread.
        (
            [3, 3, 2, 3, 3, 2, 3, 3, 2],
            [5, 5, 4, 5, 5, 4, 5, 5],
            "On days you met your movement goal, your pain averaged 2.1 lower (2.7 vs 4.8; "
            "9 days with, 8 without). A fairly clear pattern in your own check-ins, not proof "
            "of cause.",
        ),
        # Same gap with a wide spread: only a hint.
        (
            [0, 6, 1, 5, 0, 6, 2],
            [2, 8, 3, 7, 2, 8, 4],
            "An early hint — it could still be chance",
        ),
        # Six days on one side: waits, and says for what.
        (
            [2] * 6,
            [5] * 9,
            "Once I have 7 check-ins on days you met your movement goal and 7 on days you "
            "didn't, I can tell whether it goes with how you feel (so far 6 and 9).",
        ),
        # Enough days, a gap too small to mean anything.
        ([4, 4, 4, 4, 4, 4, 5], [4] * 8, "none of your habits goes with a clear difference"),
        # Higher pain on habit days is said as plainly.
        ([6, 6, 7, 6, 6, 7, 6], [4, 4, 3, 4, 4, 3, 4], "your pain averaged 2.6 higher"),
    ],
)
def test_pain_insight(with_pain: list[float], without_pain: list[float], expected: str) -> None:
    values, met = days_of(with_pain, without_pain)
    text = say(find({"pain": values}, {"move": met}, TODAY), WORDS)
    assert expected in text


def test_nothing_to_say_without_any_data() -> None:
    assert say(find({"pain": {}}, {}, TODAY), WORDS) == ""
    values, met = days_of([3, 4], [])  # never a day without: no comparison at all
    assert say(find({"pain": values}, {"move": met}, TODAY), WORDS) == ""


def test_the_strongest_pair_wins_across_habits_and_measures() -> None:
    pain, move = days_of([3, 3, 2, 3, 3, 2, 3, 3], [4, 3, 4, 3, 4, 3, 4, 3])  # small, noisy
    mood, _ = days_of([5, 5, 4, 5, 5, 4, 5, 5], [2, 2, 3, 2, 2, 3, 2, 2])  # large, clean
    text = say(find({"pain": pain, "mood": mood}, {"move": move, "water": move}, TODAY), WORDS)
    assert "your mood averaged 2.5 higher" in text and "fairly clear" in text


def test_only_the_window_counts() -> None:
    values, met = days_of([2] * 7, [6] * 7)
    old = {d - timedelta(days=INSIGHT_WINDOW_DAYS): v for d, v in values.items()}
    old_met = {d - timedelta(days=INSIGHT_WINDOW_DAYS): m for d, m in met.items()}
    assert say(find({"pain": old}, {"move": old_met}, TODAY), WORDS) == ""


def test_welch_t() -> None:
    assert welch_t([1, 2, 3], [1, 2, 3]) == 0
    assert welch_t([2, 2], [4, 4]) == float("-inf")
    assert abs(welch_t([3, 3, 2, 3, 3, 2, 3, 3, 2], [5, 5, 4, 5, 5, 4, 5, 5])) > CLEAR_T
    assert MIN_DAYS_EACH_SIDE == 7
