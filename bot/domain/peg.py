"""The weekly PEG-3 (Krebs et al. 2009): three 0-10 questions about the past week, and its score.

Pain on average, interference with enjoyment of life and with general activity; the score is
their mean. About a 1-point change is meaningful for one person, so a change of 1 or more over
four weeks is worth naming (plainly, never as a diagnosis).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PegItem(StrEnum):
    """One PEG question, by the key its buttons and typed-answer step use."""

    PAIN = "peg_p"  # average pain
    ENJOYMENT = "peg_e"  # interference with enjoyment of life
    ACTIVITY = "peg_g"  # interference with general activity


ITEMS: tuple[PegItem, ...] = tuple(PegItem)
SUNDAY = 6  # date.weekday(): the default day for the weekly questions
MEANINGFUL = 1.0  # a change this large (in points) is worth naming
TREND_WEEKS = 4


class BadPegAnswer(ValueError):
    """A PEG answer that is not a whole number from 0 to 10."""


def parse_item(key: str) -> PegItem:
    """Return the PEG item a button or pending step names; raise BadPegAnswer otherwise."""
    try:
        return PegItem(key)
    except ValueError:
        raise BadPegAnswer(f"no such PEG item: {key[:20]!r}") from None


def parse_value(raw: str) -> int:
    """Return a 0-10 answer from button data; raise BadPegAnswer otherwise."""
    if not raw.isdigit() or not 0 <= int(raw) <= 10:
        raise BadPegAnswer(f"not 0-10: {raw[:20]!r}")
    return int(raw)


def week_of(day: date) -> str:
    """The ISO week a day belongs to, e.g. "2026-W49" (one PEG per week)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def is_peg_day(day: date, weekday: int = SUNDAY) -> bool:
    """Tell whether the weekly questions are offered on this day."""
    return day.weekday() == weekday


def peg_weekday(summary_days: frozenset[int] | None) -> int:
    """The PEG day: the weekly summary's day when it has exactly one, else Sunday."""
    if summary_days is not None and len(summary_days) == 1:
        return next(iter(summary_days))
    return SUNDAY


def next_item(answers: dict[PegItem, int]) -> PegItem | None:
    """The first PEG question not yet answered this week, or None when all three are."""
    return next((item for item in ITEMS if item not in answers), None)


def score(pain: int, enjoyment: int, activity: int) -> float:
    """The PEG score: the mean of the three items, to one decimal."""
    return round((pain + enjoyment + activity) / 3, 1)


def score_of(answers: dict[PegItem, int]) -> float | None:
    """The week's score once all three are answered; None before."""
    if any(item not in answers for item in ITEMS):
        return None
    return score(answers[PegItem.PAIN], answers[PegItem.ENJOYMENT], answers[PegItem.ACTIVITY])


@dataclass(frozen=True)
class PegPoint:
    """One week's stored score."""

    week: str
    day: date  # the local day it was answered
    score: float


@dataclass(frozen=True)
class PegTrend:
    """How the weekly score moved: first and last of the window, and over how many weeks."""

    first: float
    last: float
    weeks: int

    @property
    def meaningful(self) -> bool:
        """A change of a point or more (the PEG's meaningful change for one person)."""
        return self.weeks > 1 and abs(self.last - self.first) >= MEANINGFUL - 1e-9


def trend(points: list[PegPoint], weeks: int = TREND_WEEKS) -> PegTrend | None:
    """The change over the last `weeks` scores (one score: no change yet); None with none."""
    recent = sorted(points, key=lambda p: p.week)[-weeks:]
    if not recent:
        return None
    return PegTrend(recent[0].score, recent[-1].score, len(recent))
