"""One honest insight: does a habit go with lower pain, better mood or better sleep?

The rule, written down (the README repeats it):

- Look at the last INSIGHT_WINDOW_DAYS days. A day counts "with" a habit when its daily goal
  was met, "without" when it was not (skipped, paused and unscheduled days are left out). The
  measure is that day's check-in: pain (0-10, lower is better), mood (1-5, higher is better)
  or sleep (poorly/OK/well as 1/2/3, higher is better).
- Both groups need at least MIN_DAYS_EACH_SIDE days with that measure.
- The difference of the two averages must be at least MIN_DIFFERENCE for the measure (smaller
  gaps are noise on these scales), and at least HINT_T standard errors (Welch's t); from
  CLEAR_T standard errors (about 95% for samples this size) it is called "fairly clear",
  below that "an early hint".
- Of all habit x measure pairs that pass, the one with the largest t is told. None passing:
  one sentence on what is missing, or nothing when no habit has data yet.

It is always a pattern in the person's own check-ins, never proof of cause.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean, variance

INSIGHT_WINDOW_DAYS = 56
MIN_DAYS_EACH_SIDE = 7
MIN_DIFFERENCE = {"pain": 0.5, "mood": 0.3, "sleep": 0.3}
HINT_T = 1.0
CLEAR_T = 2.0
HIGHER_IS_BETTER = {"pain": False, "mood": True, "sleep": True}
MEASURE_WORDS = {"pain": "pain", "mood": "mood", "sleep": "sleep"}


@dataclass(frozen=True)
class Comparison:
    """A measure on days a habit's goal was met vs days it was not."""

    habit: str
    measure: str
    with_days: int
    without_days: int
    with_mean: float
    without_mean: float
    t: float

    @property
    def difference(self) -> float:
        """Return the average with the habit minus without it."""
        return self.with_mean - self.without_mean

    @property
    def better(self) -> bool:
        """Tell whether the habit days were the better ones."""
        return (self.difference > 0) == HIGHER_IS_BETTER[self.measure]


def welch_t(a: Sequence[float], b: Sequence[float]) -> float:
    """Return Welch's t for two samples (0 when both are constant and equal; large if apart)."""
    diff = fmean(a) - fmean(b)
    se2 = variance(a) / len(a) + variance(b) / len(b)
    if se2 == 0:
        return 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return diff / math.sqrt(se2)


def compare(
    habit: str,
    measure: str,
    values: Mapping[date, float],
    met: Mapping[date, bool],
) -> Comparison | None:
    """Compare a measure on goal-met days with other counted days; None without any data."""
    with_values = [v for d, v in values.items() if met.get(d) is True]
    without_values = [v for d, v in values.items() if met.get(d) is False]
    if not with_values or not without_values:
        return None
    t = (
        welch_t(with_values, without_values)
        if min(len(with_values), len(without_values)) > 1
        else 0.0
    )
    return Comparison(
        habit,
        measure,
        len(with_values),
        len(without_values),
        fmean(with_values),
        fmean(without_values),
        t,
    )


def passes(c: Comparison) -> bool:
    """Tell whether a comparison has the data and the size to be told."""
    return (
        min(c.with_days, c.without_days) >= MIN_DAYS_EACH_SIDE
        and abs(c.difference) >= MIN_DIFFERENCE[c.measure]
        and abs(c.t) >= HINT_T
    )


@dataclass(frozen=True)
class Finding:
    """What the weekly summary can say: one comparison, or what it is waiting for."""

    best: Comparison | None
    closest: Comparison | None  # the pair nearest to enough data, when none passes
    any_data: bool


def find(
    measures: Mapping[str, Mapping[date, float]],
    met_by_habit: Mapping[str, Mapping[date, bool]],
    today: date,
) -> Finding:
    """Try every habit x measure over the window; return the strongest that passes."""
    first = today - timedelta(days=INSIGHT_WINDOW_DAYS - 1)
    found: list[Comparison] = []
    for habit, met in sorted(met_by_habit.items()):
        recent = {d: m for d, m in met.items() if first <= d <= today}
        for measure, values in measures.items():
            c = compare(habit, measure, {d: v for d, v in values.items() if d >= first}, recent)
            if c is not None:
                found.append(c)
    passing = [c for c in found if passes(c)]
    if passing:
        return Finding(max(passing, key=lambda c: abs(c.t)), None, True)
    closest = max(
        found, key=lambda c: (min(c.with_days, c.without_days), c.with_days), default=None
    )
    return Finding(None, closest, bool(found))


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def say(finding: Finding, habit_words: Mapping[str, str]) -> str:
    """Say the finding in one or two plain sentences ("" when there is nothing to say)."""
    c = finding.best
    if c is None:
        w = finding.closest
        if w is None:
            return ""
        need = MIN_DAYS_EACH_SIDE
        if min(w.with_days, w.without_days) < need:
            habit = habit_words.get(w.habit, w.habit)
            return (
                f"Once I have {need} check-ins on days you met your {habit} goal and {need} on "
                "days you didn't, I can tell whether it goes with how you feel (so far "
                f"{w.with_days} and {w.without_days})."
            )
        return "So far, none of your habits goes with a clear difference in pain, mood or sleep."
    direction = "higher" if c.difference > 0 else "lower"
    certainty = (
        "A fairly clear pattern"
        if abs(c.t) >= CLEAR_T
        else "An early hint — it could still be chance"
    )
    return (
        f"On days you met your {habit_words.get(c.habit, c.habit)} goal, your "
        f"{MEASURE_WORDS[c.measure]} averaged {_fmt(abs(c.difference))} {direction} "
        f"({_fmt(c.with_mean)} vs {_fmt(c.without_mean)}; {c.with_days} days with, "
        f"{c.without_days} without). {certainty} in your own check-ins, not proof of cause."
    )
