"""The habit catalog and each habit's default place in a person's day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time
from enum import StrEnum

from bot.domain.schedule import Rule, Window

_DAY = 24 * 60
# A standard waking day (07:00–23:00) that the clock-time defaults were designed for.
_STANDARD_DAY = 16 * 60
WEEKDAYS_MON_FRI: frozenset[int] = frozenset(range(5))


class Habit(StrEnum):
    """A daily habit the bot nudges and logs."""

    WATER = "water"
    MOVE = "move"
    FOOD = "food"
    BREATHE = "breathe"
    CHECKIN = "checkin"


@dataclass(frozen=True)
class HabitInfo:
    """How a habit is named, counted and spaced."""

    habit: Habit
    name: str
    emoji: str
    verb: str
    once_a_day: bool
    daily_target: int
    recent_skip_minutes: int

    @property
    def label(self) -> str:
        """Return the emoji and name, e.g. "💧 Hydration"."""
        return f"{self.emoji} {self.name}"


CATALOG: dict[Habit, HabitInfo] = {
    Habit.WATER: HabitInfo(
        habit=Habit.WATER,
        name="Hydration",
        emoji="💧",
        verb="drink a glass of water",
        once_a_day=False,
        daily_target=6,
        recent_skip_minutes=45,
    ),
    Habit.MOVE: HabitInfo(
        habit=Habit.MOVE,
        name="Movement break",
        emoji="🚶",
        verb="get up, move and stretch for a few minutes",
        once_a_day=False,
        daily_target=5,
        recent_skip_minutes=60,
    ),
    Habit.FOOD: HabitInfo(
        habit=Habit.FOOD,
        name="Gut-friendly food",
        emoji="🥗",
        verb="eat something with fibre, a fermented food or an anti-inflammatory food",
        once_a_day=False,
        daily_target=2,
        recent_skip_minutes=120,
    ),
    Habit.BREATHE: HabitInfo(
        habit=Habit.BREATHE,
        name="Breathing",
        emoji="🌬️",
        verb="take a minute of slow, deep breaths",
        once_a_day=False,
        daily_target=1,
        recent_skip_minutes=120,
    ),
    Habit.CHECKIN: HabitInfo(
        habit=Habit.CHECKIN,
        name="Daily check-in",
        emoji="📝",
        verb="do your 1-minute check-in",
        once_a_day=True,
        daily_target=1,
        recent_skip_minutes=0,
    ),
}

NUDGED: tuple[Habit, ...] = (Habit.WATER, Habit.MOVE, Habit.FOOD, Habit.BREATHE, Habit.CHECKIN)

# Standard clock times and, for days that don't fit them, minutes after waking.
_MEAL_TIMES = (time(12, 30), time(18, 30))
_MEAL_AFTER_WAKE = (4 * 60 + 30, 10 * 60 + 30)
# One breathing break, mid-afternoon, when tension from sitting builds up.
_BREATHE_TIMES = (time(15, 30),)
_BREATHE_AFTER_WAKE = (8 * 60 + 30,)
# Four water nudges across the day, none in the first or last two hours awake.
_WATER_NUDGES = 4
_WATER_INSET = 120
# A movement break every 90 minutes of sitting (skipped if they moved in the last hour).
_MOVE_EVERY = 90


def _minute_of(t: time) -> int:
    return t.hour * 60 + t.minute


def _length(window: Window) -> int:
    """Return the window's length in minutes, as the schedule sees it."""
    return window.minutes()


def _since_start(window: Window, t: time) -> int:
    """Return minutes from the window's start to `t`, going forward around the clock."""
    return (_minute_of(t) - _minute_of(window.start)) % _DAY


def _at(window: Window, minutes: int) -> time:
    """Return the clock time `minutes` after the window's start."""
    total = (_minute_of(window.start) + minutes) % _DAY
    return time(total // 60, total % 60)


def _fits(window: Window, t: time, pad: int) -> bool:
    """Tell whether `t` is inside the window with `pad` minutes to spare on both sides."""
    m = _since_start(window, t)
    return pad <= m <= _length(window) - pad


def _within(inner: Window, outer: Window) -> bool:
    """Tell whether `inner` lies entirely inside `outer`."""
    start = _since_start(outer, inner.start)
    return start + _length(inner) <= _length(outer)


def _day_times(
    awake: Window, standard: Sequence[time], after_wake: Sequence[int], pad: int
) -> tuple[time, ...]:
    """Use the standard clock times if they all fit the awake day, else times after waking."""
    if all(_fits(awake, t, pad) for t in standard):
        return tuple(standard)
    length = _length(awake)
    lo, hi = pad, length - pad
    scale = 1.0 if max(after_wake) <= hi else length / _STANDARD_DAY
    # Scaled times are rounded to 5 minutes so they read like times a person would pick.
    placed = (5 * round(m * scale / 5) if scale != 1.0 else m for m in after_wake)
    return tuple(_at(awake, min(max(m, lo), hi)) for m in placed)


def _water_window(awake: Window) -> tuple[Window, int]:
    """Return where in the awake day the water nudges go and how far apart, four in all."""
    length = _length(awake)
    inset = _WATER_INSET if length - 2 * _WATER_INSET >= 4 * 60 else 0
    window = Window(_at(awake, inset), _at(awake, length - inset))
    every = 5 * round((length - 2 * inset) / (_WATER_NUDGES - 1) / 5)
    return window, max(every, 60)


def _checkin_time(awake: Window, checkin_at: time, pad: int) -> time:
    """Place the check-in in the evening of the awake day, never after sleep."""
    length = _length(awake)
    # The preferred time must fall in the second half of the day, so a night-shift worker
    # who wakes at 20:00 is not asked how their day went half an hour after getting up.
    if _fits(awake, checkin_at, pad) and _since_start(awake, checkin_at) >= length // 2:
        return checkin_at
    before_sleep = 60 if awake.crosses_midnight() else 30
    lo, hi = pad, length - pad
    return _at(awake, min(max(length - before_sleep, lo), hi))


def default_rule(
    habit: Habit,
    *,
    awake: Window,
    sitting: Window,
    checkin_at: time = time(20, 30),
    offset_minutes: int = 0,
) -> Rule:
    """Return the default schedule rule for a habit in the person's day."""
    pad = min(abs(offset_minutes), _length(awake) // 2)
    match habit:
        case Habit.WATER:
            window, every = _water_window(awake)
            return Rule(every_minutes=every, window=window, offset_minutes=offset_minutes)
        case Habit.MOVE:
            window = sitting if _within(sitting, awake) else awake
            return Rule(
                every_minutes=_MOVE_EVERY,
                window=window,
                weekdays=WEEKDAYS_MON_FRI,
                offset_minutes=offset_minutes,
            )
        case Habit.FOOD:
            times = _day_times(awake, _MEAL_TIMES, _MEAL_AFTER_WAKE, pad)
            return Rule(times=times, offset_minutes=offset_minutes)
        case Habit.BREATHE:
            times = _day_times(awake, _BREATHE_TIMES, _BREATHE_AFTER_WAKE, pad)
            return Rule(times=times, offset_minutes=offset_minutes)
        case Habit.CHECKIN:
            at = _checkin_time(awake, checkin_at, pad)
            return Rule(times=(at,), offset_minutes=offset_minutes)
    raise ValueError(f"unknown habit: {habit!r}")
