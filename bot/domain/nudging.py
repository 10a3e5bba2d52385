"""Whether a due reminder becomes a nudge, and how to nudge less often: plain rules."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.domain.habits import CATALOG, Habit, HabitInfo
from bot.domain.schedule import ALL_DAYS, Rule, Window

# After this many nudges of one habit in a row went unanswered, its nudges thin out one level.
IGNORED_BEFORE_BACKING_OFF = 3
# Each level doubles the spacing; four levels leave about one nudge a day, never none.
MAX_BACKOFF = 4
# "Less often" for a once-a-day time keeps these weekdays (Mon, Wed, Fri, Sun).
EVERY_OTHER_DAY: frozenset[int] = frozenset({0, 2, 4, 6})
# Bot-initiated messages a person gets per day at each setting; a snooze they asked for and
# the replies to their own actions never count.
BUDGETS: dict[str, int] = {"light": 4, "normal": 7, "more": 12}
DEFAULT_BUDGET = "normal"
# Someone who answered nothing for this long gets at most QUIET_BUDGET messages a day.
QUIET_AFTER = timedelta(days=3)
QUIET_BUDGET = 3
# Two bot-initiated messages are never closer than this (a requested snooze excepted).
MIN_GAP = timedelta(minutes=45)


class Verdict(StrEnum):
    """What the tick does with one due occurrence of a reminder."""

    SEND = "send"  # queue the nudge
    ASK = "ask"  # tell the person, once, that nudges thin out (instead of the nudge)
    MISSED = "missed"  # too late (the bot was down): record it, send nothing
    RECENT = "recent"  # the habit was just done
    DONE_TODAY = "done"  # a once-a-day habit already done today
    SKIPPED_TODAY = "skipped"  # the person pressed "Skip today"
    ESCALATED = "escalated"  # the person was told to seek care today: no habit nudges
    PAUSED = "paused"  # inside a pause
    QUIET = "quiet"  # inside quiet hours (the waking day changed since it was scheduled)
    PARK = "park"  # the person left or the reminder is off: stop scheduling it
    GOAL_MET = "goal"  # today's goal for the habit is already met
    BUDGET = "budget"  # the day's message budget (so far) is used up
    GAP = "gap"  # another message went out less than the minimum gap ago
    BACKED_OFF = "backed_off"  # nudges of this habit went unanswered, so they are spaced out


SENDS: frozenset[Verdict] = frozenset({Verdict.SEND, Verdict.ASK})


@dataclass(frozen=True)
class Occurrence:
    """What the tick knows about one due occurrence when it decides."""

    habit: str
    due: datetime
    now: datetime
    grace: timedelta
    active: bool = True
    enabled: bool = True
    paused_until: datetime | None = None
    awake: bool = True
    last_done_at: datetime | None = None
    done_today: bool = False
    skipped_today: bool = False
    escalated_today: bool = False  # a red-flag answer asked for care this local day
    ignored_in_row: int = 0
    asked_less: bool = False
    done_count: int = 0
    goal: int | None = None
    day: DayBudget | None = None
    backoff: int = 0
    # The rule's own spacing between nudges, and this habit's last nudge of the day.
    spacing: timedelta | None = None
    last_nudged_at: datetime | None = None


@dataclass(frozen=True)
class DayBudget:
    """What a person's day has used of its messages when an occurrence comes due."""

    limit: int
    used: int = 0
    last_at: datetime | None = None
    gap: timedelta = MIN_GAP
    # The share of the waking day gone by at the due time, 0..1: the budget is spread by it.
    elapsed: float = 1.0
    # The check-in is still to come today, so one message of the budget is kept for it.
    checkin_ahead: bool = False
    # This habit's nudges today, and how many habits share the day's messages.
    habit_used: int = 0
    habits: int = 1

    def allowed_now(self) -> int:
        """Return how many habit nudges the day may have used by now, spread over the day."""
        for_habits = max(self.limit - (1 if self.checkin_ahead else 0), 0)
        # One ahead of an even spread, so a nudge due a little early still fits.
        return min(for_habits, math.ceil(for_habits * self.elapsed) + 1)

    def habit_share(self) -> int:
        """Return how many of the day's messages one habit may take (none crowds out the rest)."""
        for_habits = max(self.limit - (1 if self.checkin_ahead else 0), 0)
        return max(1, math.ceil(for_habits / max(self.habits, 1)))

    def too_close(self, at: datetime) -> bool:
        """Tell whether a message at `at` would come within the minimum gap of the last one."""
        return self.last_at is not None and abs(at - self.last_at) < self.gap


def budget_of(setting: str | None, *, quiet: bool = False) -> int:
    """Return the daily budget of a setting name (unknown or unset: the default).

    A person who has not answered anything for a few days (`quiet`) gets fewer messages, so
    the bot fades into the background instead of piling up; any answer restores the budget.
    """
    budget = BUDGETS.get(setting or DEFAULT_BUDGET, BUDGETS[DEFAULT_BUDGET])
    return min(budget, QUIET_BUDGET) if quiet else budget


def gone_quiet(onboarded_at: datetime | None, last_engaged: datetime | None, at: datetime) -> bool:
    """Tell whether a person has answered nothing for QUIET_AFTER (new people are not quiet)."""
    if onboarded_at is None or at - onboarded_at < QUIET_AFTER:
        return False
    return last_engaged is None or at - last_engaged >= QUIET_AFTER


def day_of(local: datetime, awake: Window | None) -> date:
    """Return which day a local time belongs to: a night shift keeps one day past midnight."""
    if awake is None or not awake.crosses_midnight():
        return local.date()
    if local.time() <= awake.end:
        return local.date() - timedelta(days=1)
    return local.date()


def elapsed_share(local: time, awake: Window | None) -> float:
    """Return how much of the waking day has gone by at a local time, 0..1."""
    if awake is None or awake.minutes() == 0:
        return 1.0
    minute = local.hour * 60 + local.minute
    start = awake.start.hour * 60 + awake.start.minute
    return min(max(((minute - start) % (24 * 60)) / awake.minutes(), 0.0), 1.0)


def habit_info(habit: str) -> HabitInfo | None:
    """Return the catalog entry of a nudged habit, or None (e.g. the weekly summary)."""
    try:
        return CATALOG[Habit(habit)]
    except ValueError:
        return None


def decide(o: Occurrence) -> Verdict:
    """Decide what to do with a due occurrence; the first rule that applies wins."""
    if not o.active or not o.enabled:
        return Verdict.PARK
    if o.now - o.due > o.grace:
        return Verdict.MISSED
    if o.paused_until is not None and o.paused_until > o.due:
        return Verdict.PAUSED
    if not o.awake:
        return Verdict.QUIET
    info = habit_info(o.habit)
    if info is None:
        return Verdict.SEND
    if o.escalated_today:
        return Verdict.ESCALATED
    if o.skipped_today:
        return Verdict.SKIPPED_TODAY
    if info.once_a_day and o.done_today:
        return Verdict.DONE_TODAY
    recent = timedelta(minutes=info.recent_skip_minutes)
    if o.last_done_at is not None and recent and o.due - o.last_done_at < recent:
        return Verdict.RECENT
    if o.goal is not None and o.done_count >= o.goal:
        return Verdict.GOAL_MET
    if o.day is not None and info.habit is not Habit.CHECKIN:
        if o.day.used >= o.day.allowed_now() or o.day.habit_used >= o.day.habit_share():
            return Verdict.BUDGET
        if o.day.too_close(o.due):
            return Verdict.GAP
    if o.backoff > 0 and not o.asked_less:
        return Verdict.ASK
    thinned = o.spacing * 2**o.backoff if o.backoff > 0 and o.spacing is not None else None
    if thinned is not None and o.last_nudged_at is not None and o.due - o.last_nudged_at < thinned:
        return Verdict.BACKED_OFF
    return Verdict.SEND


def backed_off(level: int, ignored_in_row: int, steady: bool) -> tuple[int, int]:
    """Return the back-off level and ignored count after an occurrence comes round."""
    if steady or ignored_in_row < IGNORED_BEFORE_BACKING_OFF:
        return level, ignored_in_row
    return min(level + 1, MAX_BACKOFF), 0


def spacing_of(rule: Rule) -> timedelta | None:
    """Return the rule's usual time between two nudges on one day (None: once a day)."""
    if rule.every_minutes is not None:
        return timedelta(minutes=rule.every_minutes)
    minutes = sorted(t.hour * 60 + t.minute for t in rule.times)
    gaps = [b - a for a, b in itertools.pairwise(minutes) if b > a]
    return timedelta(minutes=min(gaps)) if gaps else None


def ignored_after(
    ignored_in_row: int, prev_kind: str | None, prev_status: str | None, prev_response: str | None
) -> int:
    """Update the ignored-in-a-row count from the reminder's previous delivery.

    A nudge counts as ignored when it was sent and nobody answered it by the time the next
    occurrence comes round; rows that were never sent (missed, skipped) leave the count alone.
    """
    if prev_kind is None:
        return ignored_in_row
    if prev_response is not None and prev_response != "retired":
        return 0
    if prev_kind == "nudge" and prev_status == "sent":
        return ignored_in_row + 1
    return ignored_in_row


def less_often(rule: Rule) -> Rule | None:
    """Return a rule that nudges less often, or None when it is already as sparse as it gets.

    An interval doubles (up to the window's length); of several fixed times the last is
    dropped; a single daily time moves to every other day.
    """
    if rule.every_minutes is not None and rule.window is not None:
        longest = max(rule.window.minutes(), 1)
        if rule.every_minutes >= longest:
            return None
        return replace(rule, every_minutes=min(rule.every_minutes * 2, longest, 24 * 60))
    if len(rule.times) > 1:
        return replace(rule, times=rule.times[:-1])
    if rule.times and rule.weekdays == ALL_DAYS:
        return replace(rule, weekdays=EVERY_OTHER_DAY)
    return None
