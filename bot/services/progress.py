"""What a person did today, and how their habits and pain have gone over the last weeks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.habits import CATALOG, NUDGED, Habit
from bot.domain.peg import PegPoint, PegTrend
from bot.domain.progress import (
    CheckinPoint,
    DayMark,
    adherence,
    habit_strength,
    pain_trend,
    person_streaks,
    strength_word,
)
from bot.domain.schedule import ALL_DAYS, Rule, local_date, local_day_bounds
from bot.services.goals import goals_for
from bot.services.local_day import ready_person, today_of
from bot.services.peg import trend_of as peg_trend
from bot.storage.checkins import CheckInRecord
from bot.storage.people import PersonRecord
from bot.storage.reminders import ReminderRecord
from bot.storage.uow import UnitOfWork

# Streaks and strength look this far back. The chart spans the days with data, at least
# CHART_MIN_DAYS (one dot alone says nothing) and at most CHART_DAYS, unless asked for more
# (/progress 90), up to HISTORY_DAYS.
HISTORY_DAYS = 120
CHART_MIN_DAYS = 7
CHART_DAYS = 30
CHARTED: tuple[Habit, ...] = (Habit.WATER, Habit.MOVE, Habit.FOOD, Habit.BREATHE)


@dataclass(frozen=True)
class HabitToday:
    """One habit's day so far."""

    habit: str
    label: str
    done: int
    target: int
    enabled: bool
    next_at: datetime | None  # local time of the next nudge, if any


@dataclass(frozen=True)
class TodayView:
    """The person's day: per habit what was done, and what comes next."""

    day: date
    habits: list[HabitToday]
    upcoming: HabitToday | None
    paused_until: datetime | None  # local time


@dataclass(frozen=True)
class HabitProgress:
    """Streaks, strength and adherence of one habit."""

    habit: str
    label: str
    streak: int  # goal-met days in a row
    best: int
    strength: float
    week: float | None
    month: float | None
    goal: int = 1
    flexible: int = 0  # days in a row with at least half the goal
    strength_word: str = "building"


class Cell(StrEnum):
    """How a habit's day went, for the chart's habit x day grid."""

    MET = "met"  # the day's goal reached
    SOME = "some"  # something logged, short of the goal
    NONE = "none"  # nothing logged
    EXCUSED = "excused"  # skipped, paused or not scheduled
    BEFORE = "before"  # before the person started


@dataclass(frozen=True)
class HabitRow:
    """One habit's row in the grid."""

    name: str
    goal: int
    cells: list[Cell]


@dataclass(frozen=True)
class ChartData:
    """What the progress chart draws, one value per day (None: no check-in that day)."""

    days: list[date]
    pain: list[int | None]
    mood: list[int | None]
    habits: list[HabitRow]
    # The weekly PEG-3 score on the day it was given (None on every other day).
    peg: list[float | None] = field(default_factory=list)


@dataclass(frozen=True)
class ProgressView:
    """Everything /progress shows."""

    habits: list[HabitProgress]
    trend: str
    chart: ChartData | None
    freezes_left: int = 0
    # Freezes spent in the last week: (habit label, local day), oldest first.
    freezes_spent: tuple[tuple[str, date], ...] = ()
    peg: PegTrend | None = None  # the weekly PEG-3 score and how it moved


@dataclass(frozen=True)
class History:
    """A person's habit marks and check-ins over a window of local days."""

    today: date
    since: date  # the first day that counts (joining, or the window's start)
    marks: dict[str, dict[date, DayMark]]
    counts: dict[str, dict[date, int]]
    checkins: list[CheckInRecord]
    goals: dict[str, int]


def _weekdays(reminder: ReminderRecord | None) -> frozenset[int]:
    if reminder is None:
        return ALL_DAYS
    try:
        return Rule.from_dict(reminder.rule).weekdays
    except ValueError:
        return ALL_DAYS


def _tracked(
    reminders: dict[str, ReminderRecord], counts: dict[str, dict[date, int]]
) -> list[str]:
    """Return the habits worth showing: switched on, or logged in the window."""
    return [
        h.value
        for h in NUDGED
        if (h.value in reminders and reminders[h.value].enabled) or counts.get(h.value)
    ]


async def load_history(
    uow: UnitOfWork,
    person: PersonRecord,
    zone: ZoneInfo,
    now: datetime,
    days: int,
) -> History:
    """Read a person's logs, skips and check-ins of the last `days` local days as day marks."""
    # A day counts from when the person joined (or their first data, if earlier). Days the person
    # skipped, days their schedule leaves out (e.g. weekends for movement breaks) and days with a
    # pause in them are excused: they neither break a streak nor dent the strength.
    today = today_of(zone, now)
    window_start = today - timedelta(days=days - 1)
    counts = await uow.habit_logs.daily_counts(person.id, window_start)
    skipped = await uow.habit_logs.skipped_days(person.id, window_start)
    checkins = await uow.checkins.between(person.id, window_start, today)
    # A finished check-in is the check-in habit done, even if no log row says so.
    checkin_days = counts.setdefault(Habit.CHECKIN.value, {})
    for c in checkins:
        if c.completed_at is not None:
            checkin_days[c.local_date] = max(checkin_days.get(c.local_date, 0), 1)
    if not checkin_days:
        del counts[Habit.CHECKIN.value]
    reminders = {r.habit: r for r in await uow.reminders.for_person(person.id)}
    joined = local_date(person.onboarded_at or person.created_at, zone)
    first_data = min(
        [d for per_day in counts.values() for d in per_day] + [c.local_date for c in checkins],
        default=joined,
    )
    since = max(min(joined, first_data), window_start)
    paused = await _paused_days(uow, person, zone, window_start, today, now)
    goals = goals_for(reminders.values())
    marks: dict[str, dict[date, DayMark]] = {}
    for habit in _tracked(reminders, counts):
        target = goals[habit]
        weekdays = _weekdays(reminders.get(habit))
        per_day: dict[date, DayMark] = {}
        day = since
        while day <= today:
            done = counts.get(habit, {}).get(day, 0)
            # A day with a pause in it is excused, unless the habit was done anyway.
            excused = (
                day in skipped.get(habit, set())
                or day.weekday() not in weekdays
                or (day in paused and done < target)
            )
            per_day[day] = DayMark(done, target, excused)
            day += timedelta(days=1)
        marks[habit] = per_day
    return History(today, since, marks, counts, checkins, goals)


async def _paused_days(
    uow: UnitOfWork, person: PersonRecord, zone: ZoneInfo, first: date, last: date, now: datetime
) -> set[date]:
    """Return the local days in [first, last] on which the person was paused at some point."""
    start, _ = local_day_bounds(first, zone)
    _, end = local_day_bounds(last, zone)
    spans = await uow.pauses.overlapping(person.id, start, min(end, now))
    if person.paused_until is not None and person.paused_until > now:
        spans.append((now, person.paused_until))
    days: set[date] = set()
    for began, ended in spans:
        day = max(local_date(began, zone), first)
        # A pause that ends exactly at midnight does not reach into the next day.
        until = min(local_date(min(ended, now) - timedelta(microseconds=1), zone), last)
        while day <= until:
            days.add(day)
            day += timedelta(days=1)
    return days


async def today_view(
    uow: UnitOfWork, person_id: int, now: datetime, *, person: PersonRecord | None = None
) -> TodayView:
    """Return what a person did today per habit and when each is nudged next (local time)."""
    async with uow:
        person, zone = await ready_person(uow, person_id, person)
        day = today_of(zone, now)
        counts = await uow.habit_logs.counts_on(person_id, day)
        reminders = {r.habit: r for r in await uow.reminders.for_person(person_id)}
    goals = goals_for(reminders.values())
    habits: list[HabitToday] = []
    for h in NUDGED:
        reminder = reminders.get(h.value)
        enabled = reminder is not None and reminder.enabled
        if not enabled and not counts.get(h.value):
            continue
        next_at = reminder.next_fire_at if reminder is not None and enabled else None
        habits.append(
            HabitToday(
                h.value,
                CATALOG[h].label,
                counts.get(h.value, 0),
                goals[h.value],
                enabled,
                next_at.astimezone(zone) if next_at is not None else None,
            )
        )
    upcoming = min(
        (h for h in habits if h.next_at is not None),
        key=lambda h: h.next_at or now,
        default=None,
    )
    paused = person.paused_until if person.paused_until and person.paused_until > now else None
    return TodayView(day, habits, upcoming, paused.astimezone(zone) if paused else None)


def chart_span(history: History, asked: int | None) -> int:
    """Return how many days the chart shows: the days with data, within the bounds."""
    if asked is not None:
        return min(max(asked, CHART_MIN_DAYS), HISTORY_DAYS)
    first = min(
        [d for per_day in history.counts.values() for d in per_day if per_day[d]]
        + [c.local_date for c in history.checkins],
        default=history.today,
    )
    return min(max((history.today - first).days + 1, CHART_MIN_DAYS), CHART_DAYS)


def _cell(mark: DayMark | None) -> Cell:
    if mark is None:
        return Cell.BEFORE
    if mark.is_done:
        return Cell.MET
    if mark.done > 0:
        return Cell.SOME
    return Cell.EXCUSED if mark.excused else Cell.NONE


def _chart(history: History, span: int, pegs: Sequence[PegPoint] = ()) -> ChartData | None:
    """Lay out the chart's days; None when there is nothing to draw."""
    first = history.today - timedelta(days=span - 1)
    days = [first + timedelta(days=i) for i in range(span)]
    by_day = {c.local_date: c for c in history.checkins}
    pain = [by_day[d].pain if d in by_day else None for d in days]
    mood = [by_day[d].mood if d in by_day else None for d in days]
    peg_on = {p.day: p.score for p in pegs}
    peg = [peg_on.get(d) for d in days]
    habits = [
        HabitRow(
            CATALOG[h].name,
            history.goals[h.value],
            [_cell(history.marks[h.value].get(d)) for d in days],
        )
        for h in CHARTED
        if h.value in history.marks
    ]
    has_data = any(v is not None for v in pain + mood) or any(
        history.counts.get(h.value) for h in CHARTED
    )
    return ChartData(days, pain, mood, habits, peg) if has_data else None


async def progress_view(
    uow: UnitOfWork, person_id: int, now: datetime, *, days: int | None = None
) -> ProgressView:
    """Return streaks, strength and adherence per habit, the pain trend and the chart's data."""
    # `days` asks for a chart of that many days (e.g. 90); by default it fits the data.
    async with uow:
        person, zone = await ready_person(uow, person_id)
        history = await load_history(uow, person, zone, now, HISTORY_DAYS)
        peg = await peg_trend(uow, person_id)
        pegs = await uow.checkins.peg_scores(person_id)
    streaks = person_streaks(history.marks, history.today)
    habits = []
    for habit, marks in history.marks.items():
        state = streaks.habits[habit]
        strength = habit_strength(marks, history.today, start=history.since)
        habits.append(
            HabitProgress(
                habit=habit,
                label=CATALOG[Habit(habit)].label,
                streak=state.current,
                best=state.best,
                strength=strength,
                week=adherence(marks, history.today, 7, since=history.since),
                month=adherence(marks, history.today, 30, since=history.since),
                goal=history.goals[habit],
                flexible=state.flexible,
                strength_word=strength_word(strength),
            )
        )
    week_ago = history.today - timedelta(days=7)
    spent = tuple((CATALOG[Habit(h)].label, day) for h, day in streaks.spent if day > week_ago)
    points = [CheckinPoint(c.local_date, c.pain, c.stress) for c in history.checkins]
    chart = _chart(history, chart_span(history, days), pegs)
    return ProgressView(habits, pain_trend(points), chart, streaks.freezes_left, spent, peg)


async def habit_streak(uow: UnitOfWork, person_id: int, habit: str, now: datetime) -> int:
    """Return one habit's goal-met streak as /progress counts it (freezes included)."""
    async with uow:
        person, zone = await ready_person(uow, person_id)
        history = await load_history(uow, person, zone, now, HISTORY_DAYS)
    state = person_streaks(history.marks, history.today).habits.get(habit)
    return state.current if state is not None else 0
