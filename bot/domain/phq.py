"""The PHQ-4 (Kroenke et al. 2009): four two-week items, two pair sums, one cut-off.

It screens and never diagnoses: a pair's sum of 3 or more only brings a kind line that
talking to a doctor or a mental-health service can help. Its recall is two weeks, so it is
asked every 14 days at most (daily use would be invalid).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Item(StrEnum):
    """The four items, in the order they are asked."""

    INTEREST = "interest"  # PHQ-2: little interest or pleasure in doing things
    DOWN = "down"  # PHQ-2: feeling down, depressed or hopeless
    NERVOUS = "nervous"  # GAD-2: feeling nervous, anxious or on edge
    WORRY = "worry"  # GAD-2: not being able to stop or control worrying


ITEMS: tuple[Item, ...] = tuple(Item)
# 0 not at all, 1 several days, 2 more than half the days, 3 nearly every day.
SCORES: tuple[int, ...] = (0, 1, 2, 3)
CUTOFF = 3  # a pair's sum of 3+ is the published cut-off for further assessment
INTERVAL = timedelta(days=14)  # the items ask about the last two weeks
OFFER_AFTER_DAYS = 14  # completed check-in days before the PHQ-4 is offered (once)


class BadScore(ValueError):
    """An answer that is not 0-3, or an item out of turn."""


def parse_score(raw: str | int) -> int:
    """Read one answer as 0-3; raise BadScore otherwise."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise BadScore(str(raw)[:20]) from None
    if value not in SCORES:
        raise BadScore(str(value))
    return value


@dataclass(frozen=True)
class Scores:
    """The two pair sums of a finished PHQ-4."""

    phq2: int
    gad2: int

    @property
    def suggest_care(self) -> bool:
        """Either pair at the cut-off or above: say that talking to someone can help."""
        return self.phq2 >= CUTOFF or self.gad2 >= CUTOFF


def next_item(answers: Sequence[int | None]) -> Item | None:
    """The first unanswered item, or None when all four are answered."""
    for item, value in zip(ITEMS, answers, strict=True):
        if value is None:
            return item
    return None


def scores_of(answers: Sequence[int | None]) -> Scores:
    """Sum the pairs of four answered items."""
    values = [parse_score(v) if v is not None else None for v in answers]
    if len(values) != len(ITEMS) or None in values:
        raise BadScore("not all four items are answered")
    a, b, c, d = (int(v or 0) for v in values)
    return Scores(phq2=a + b, gad2=c + d)


def due(last_started: date | None, today: date) -> bool:
    """Tell whether a new PHQ-4 is due: never asked, or the last one 14+ days ago."""
    return last_started is None or today - last_started >= INTERVAL


def offer_due(completed_days: int, offered: bool, on: bool) -> bool:
    """Tell whether to offer the PHQ-4 now: once, after two weeks of check-ins."""
    return not on and not offered and completed_days >= OFFER_AFTER_DAYS
