"""What a person's next typed message answers: one typed value, not a string protocol.

A feature that asks a question someone may answer by typing stores a PendingInput on the
person; the text router hands the next private text to that feature, which reads `step`
(and `day`, `habit`) as plain values. Nothing is parsed back out of a string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.domain.habits import Habit

# A step is a short lower-case word ("zone", "pain", "note"); the column holds 16 characters.
STEP_MAX = 16
_STEP = re.compile(rf"[a-z_]{{1,{STEP_MAX}}}")


class Feature(StrEnum):
    """A feature that can wait for typed text."""

    ONBOARDING = "onboarding"
    SETTINGS = "settings"
    CHECKIN = "checkin"


class BadPendingInput(ValueError):
    """A pending input that no feature could have asked (a bug, or a damaged row)."""


@dataclass(frozen=True)
class PendingInput:
    """The question a person's next typed message answers, and when it was asked."""

    feature: Feature
    step: str
    asked_at: datetime
    day: date | None = None  # the day the answer belongs to (a check-in note)
    habit: Habit | None = None  # the habit the question is about (a habit's times or days)

    def __post_init__(self) -> None:
        if not isinstance(self.feature, Feature):
            raise BadPendingInput(f"no such feature: {self.feature!r}")
        if not _STEP.fullmatch(self.step):
            raise BadPendingInput(f"bad step: {self.step[:20]!r}")
        if self.asked_at.tzinfo is None:
            raise BadPendingInput("asked_at must be aware")
        if self.habit is not None and not isinstance(self.habit, Habit):
            raise BadPendingInput(f"no such habit: {self.habit!r}")

    def is_for(self, feature: Feature) -> bool:
        """Tell whether this input was asked by `feature`."""
        return self.feature is feature
