"""Streaks, habit strength, adherence, pain trends and habit/pain patterns over plain values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean

ONE_DAY = timedelta(days=1)
# Loop Habit Tracker's multiplier for a once-a-day habit: a score halves in 13 days of misses.
STRENGTH_MULTIPLIER = 0.5 ** (1 / 13.0)
# A gap in pain scores (0-10) smaller than this is treated as noise, not a pattern or a trend.
MEANINGFUL_PAIN_DIFFERENCE = 0.5
TREND_WINDOW = 7
TREND_MIN_POINTS = 4
WEEK = 7


@dataclass(frozen=True)
class DayMark:
    """What happened to one habit on one local day."""

    done: int
    target: int
    excused: bool = False

    @property
    def is_done(self) -> bool:
        """Tell whether the day's target was reached."""
        return self.done >= max(self.target, 1)

    @property
    def is_half(self) -> bool:
        """Tell whether at least half the goal was reached (enough for a flexible streak)."""
        return self.done > 0 and 2 * self.done >= max(self.target, 1)

    @property
    def completion(self) -> float:
        """Return the share of the target reached, capped at 1."""
        return min(max(self.done, 0) / max(self.target, 1), 1.0)


@dataclass(frozen=True)
class CheckinPoint:
    """One day's check-in values that progress looks at."""

    day: date
    pain: int | None
    stress: int | None = None


@dataclass(frozen=True)
class WeekSummary:
    """The last seven days at a glance."""

    adherence: dict[str, float | None]
    pain_start: float | None
    pain_end: float | None
    trend: str
    insight: str  # one honest sentence or two, or "" (see bot.domain.insights)


def _is_open_today(mark: DayMark | None, day: date, today: date) -> bool:
    """Tell whether `day` is today and still unfinished (it may yet be done)."""
    return day == today and (mark is None or not mark.is_done)


# Streak freezes: one earned per 7 active days (days with any habit logged), at most 2 banked.
FREEZE_EVERY_ACTIVE_DAYS = 7
MAX_FREEZES = 2
MILESTONES = (3, 7, 14, 30, 100)
# Strength in words: below BUILDING_BELOW "building", below STRONG_FROM "steady", else "strong".
STEADY_FROM = 35.0
STRONG_FROM = 70.0


@dataclass(frozen=True)
class StreakState:
    """One habit's streaks: goal-met days, and days with at least half the goal."""

    current: int  # goal-met days in the current run (excused and frozen days bridge it)
    flexible: int  # days with at least half the goal in the current flexible run
    best: int
    frozen: tuple[date, ...] = ()  # days of the current run a freeze saved


@dataclass(frozen=True)
class Streaks:
    """A person's streaks across habits, and their freezes."""

    habits: dict[str, StreakState]
    freezes_left: int
    spent: tuple[tuple[str, date], ...]  # (habit, day) a freeze was spent on, oldest first


def person_streaks(marks_by_habit: Mapping[str, Mapping[date, DayMark]], today: date) -> Streaks:
    """Walk every day once: count streaks, earn freezes, and spend them on missed days."""
    # A person earns one freeze per FREEZE_EVERY_ACTIVE_DAYS days with anything logged (at most
    # MAX_FREEZES banked). A day with at least half the goal keeps the flexible streak going
    # (the goal-met one starts over); a day with less, while a streak is live, spends a freeze
    # if one is banked: both runs go on but the day does not count, so a streak never exceeds
    # the days really done. An excused day (skipped, paused, not scheduled) and an unfinished today
    # neither count nor break.
    habits = sorted(marks_by_habit)
    first = min((d for m in marks_by_habit.values() for d in m), default=today)
    run = dict.fromkeys(habits, 0)
    flex = dict.fromkeys(habits, 0)
    best = dict.fromkeys(habits, 0)
    frozen: dict[str, list[date]] = {h: [] for h in habits}
    spent: list[tuple[str, date]] = []
    bank = active = 0
    day = first
    while day <= today:
        for habit in habits:
            mark = marks_by_habit[habit].get(day)
            if (mark is not None and mark.excused) or _is_open_today(mark, day, today):
                if day == today and mark is not None and mark.is_half and not mark.excused:
                    flex[habit] += 1  # half today already counts; the goal may come yet
                continue
            if mark is not None and mark.is_done:
                run[habit] += 1
                flex[habit] += 1
                best[habit] = max(best[habit], run[habit])
                continue
            if mark is not None and mark.is_half:
                # Some effort: the flexible streak goes on, the goal-met one starts over.
                run[habit] = 0
                flex[habit] += 1
                continue
            if (run[habit] or flex[habit]) and bank:
                bank -= 1
                spent.append((habit, day))
                frozen[habit].append(day)
                continue
            run[habit] = flex[habit] = 0
            frozen[habit] = []
        if any((m := marks_by_habit[h].get(day)) is not None and m.done > 0 for h in habits):
            active += 1
            if active % FREEZE_EVERY_ACTIVE_DAYS == 0:
                bank = min(bank + 1, MAX_FREEZES)
        day += ONE_DAY
    states = {
        h: StreakState(run[h], flex[h], best[h], tuple(frozen[h] if run[h] or flex[h] else ()))
        for h in habits
    }
    return Streaks(states, bank, tuple(spent))


def strength_word(strength: float) -> str:
    """Say a 0-100 strength score in plain words."""
    if strength >= STRONG_FROM:
        return "strong"
    if strength >= STEADY_FROM:
        return "steady"
    return "building"


def milestone(streak_days: int) -> int | None:
    """Return the milestone a streak has just reached, if any."""
    return streak_days if streak_days in MILESTONES else None


def habit_strength(
    days: Mapping[date, DayMark], today: date, *, start: date | None = None
) -> float:
    """Return a 0-100 Loop-style strength score that rises with done days and dents on misses."""
    # Runs from `start` (default: the first day with a mark) to today. Excused days and an
    # unfinished today leave the score unchanged; a partly done day counts its share.
    first = start if start is not None else min(days, default=None)
    if first is None:
        return 0.0
    score = 0.0
    day = first
    while day <= today:
        mark = days.get(day)
        if not ((mark is not None and mark.excused) or _is_open_today(mark, day, today)):
            checkmark = mark.completion if mark is not None else 0.0
            score = score * STRENGTH_MULTIPLIER + checkmark * (1 - STRENGTH_MULTIPLIER)
        day += ONE_DAY
    return score * 100


def adherence(
    days: Mapping[date, DayMark], today: date, window: int, *, since: date | None = None
) -> float | None:
    """Return the 0-1 share of countable days in the last `window` days that were done."""
    # Only days on or after `since` (default: the first day with a mark) count; excused days
    # and an unfinished today are left out. None when no day is countable.
    first = since if since is not None else min(days, default=None)
    if first is None or window <= 0:
        return None
    day = max(today - timedelta(days=window - 1), first)
    countable = done = 0
    while day <= today:
        mark = days.get(day)
        if not ((mark is not None and mark.excused) or _is_open_today(mark, day, today)):
            countable += 1
            done += int(mark is not None and mark.is_done)
        day += ONE_DAY
    return done / countable if countable else None


def pain_trend(points: Sequence[CheckinPoint]) -> str:
    """Return "down", "up", "steady" or "unknown" from the last known pain scores."""
    # Compares the mean of the last 7 known scores with the 7 before (or two equal halves when
    # there are fewer than 14); fewer than 4 known scores is "unknown".
    known = [p.pain for p in sorted(points, key=lambda p: p.day) if p.pain is not None]
    if len(known) < TREND_MIN_POINTS:
        return "unknown"
    half = min(TREND_WINDOW, len(known) // 2)
    change = fmean(known[-half:]) - fmean(known[-2 * half : -half])
    if change <= -MEANINGFUL_PAIN_DIFFERENCE:
        return "down"
    if change >= MEANINGFUL_PAIN_DIFFERENCE:
        return "up"
    return "steady"


def week_summary(
    marks_by_habit: Mapping[str, Mapping[date, DayMark]],
    checkins: Sequence[CheckinPoint],
    today: date,
    *,
    insight: str,
    since: date | None = None,
) -> WeekSummary:
    """Summarise the seven days ending today: adherence, first/last pain, trend, the insight."""
    # Check-ins after today are ignored. `since` is the day the person joined (default: each
    # habit's first mark).
    week_start = today - timedelta(days=WEEK - 1)
    past = sorted((p for p in checkins if p.day <= today), key=lambda p: p.day)
    week_pain = [p.pain for p in past if p.day >= week_start and p.pain is not None]
    return WeekSummary(
        adherence={
            habit: adherence(marks, today, WEEK, since=since)
            for habit, marks in marks_by_habit.items()
        },
        pain_start=float(week_pain[0]) if week_pain else None,
        pain_end=float(week_pain[-1]) if week_pain else None,
        trend=pain_trend(past),
        insight=insight,
    )
