"""A person's day: the rules a waking day, sitting hours, times and spacing must follow."""

from __future__ import annotations

from datetime import time

from bot.domain.schedule import Window

# A waking day shorter or longer than this is almost surely a typo (not a night shift).
MIN_DAY_MINUTES = 6 * 60
MAX_DAY_MINUTES = 20 * 60
MIN_INTERVAL = 15
MAX_INTERVAL = 6 * 60
MAX_TIMES = 6


class BadDay(ValueError):
    """A waking day of implausible length; `minutes` is what the answer would give."""

    def __init__(self, minutes: int) -> None:
        super().__init__(f"{minutes} minutes awake")
        self.minutes = minutes


class NotInDay(ValueError):
    """Sitting hours that do not fit inside the waking day."""

    def __init__(self, awake: Window) -> None:
        super().__init__(awake.describe())
        self.awake = awake


class OutsideDay(ValueError):
    """Times that fall outside the person's waking day (they would never fire)."""

    def __init__(self, awake: Window) -> None:
        super().__init__(awake.describe())
        self.awake = awake


class BadSpacing(ValueError):
    """An interval outside what a nudge can sensibly be spaced by."""


def parse_hhmm(value: str) -> time:
    """Read a stored "HH:MM"."""
    return time.fromisoformat(value)


def check_day(awake: Window) -> None:
    """Refuse a waking day shorter than 6 or longer than 20 hours (a night shift is fine)."""
    minutes = awake.minutes()
    if not MIN_DAY_MINUTES <= minutes <= MAX_DAY_MINUTES:
        raise BadDay(minutes)


def within(inner: Window, outer: Window) -> bool:
    """Tell whether `inner` lies entirely inside `outer` (both may cross midnight)."""
    start = (
        inner.start.hour * 60 + inner.start.minute - outer.start.hour * 60 - outer.start.minute
    ) % (24 * 60)
    return start + inner.minutes() <= outer.minutes()


def check_sitting(sitting: Window, awake: Window) -> None:
    """Refuse sitting hours that do not fit inside the waking day."""
    if not within(sitting, awake):
        raise NotInDay(awake)


def check_times(times: tuple[time, ...], awake: Window) -> None:
    """Refuse times that would never fire: none, too many, or outside the waking day."""
    if not 1 <= len(set(times)) <= MAX_TIMES:
        raise ValueError("one to six times a day")
    if not all(awake.contains(t) for t in times):
        raise OutsideDay(awake)


def check_spacing(minutes: int) -> None:
    """Refuse a spacing shorter than 15 minutes or longer than 6 hours."""
    if not MIN_INTERVAL <= minutes <= MAX_INTERVAL:
        raise BadSpacing(minutes)
