"""Whether a due reminder becomes a nudge, and how to nudge less often: plain rules."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.habits import CATALOG, Habit, HabitInfo
from bot.domain.schedule import ALL_DAYS, Rule

# After this many nudges of one habit in a row went unanswered, ask once whether to nudge less.
IGNORED_BEFORE_ASKING = 3
# "Less often" for a once-a-day time keeps these weekdays (Mon, Wed, Fri, Sun).
EVERY_OTHER_DAY: frozenset[int] = frozenset({0, 2, 4, 6})


class Verdict(StrEnum):
    """What the tick does with one due occurrence of a reminder."""

    SEND = "send"  # queue the nudge
    ASK = "ask"  # queue the "nudge less often?" question instead of the nudge
    MISSED = "missed"  # too late (the bot was down): record it, send nothing
    RECENT = "recent"  # the habit was just done
    DONE_TODAY = "done"  # a once-a-day habit already done today
    SKIPPED_TODAY = "skipped"  # the person pressed "Skip today"
    ESCALATED = "escalated"  # the person was told to seek care today: no habit nudges
    PAUSED = "paused"  # inside a pause
    QUIET = "quiet"  # inside quiet hours (the waking day changed since it was scheduled)
    PARK = "park"  # the person left or the reminder is off: stop scheduling it


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
    if o.ignored_in_row >= IGNORED_BEFORE_ASKING and not o.asked_less:
        return Verdict.ASK
    return Verdict.SEND


def ignored_after(
    ignored_in_row: int, prev_kind: str | None, prev_status: str | None, prev_response: str | None
) -> int:
    """Update the ignored-in-a-row count from the reminder's previous delivery.

    A nudge counts as ignored when it was sent and nobody answered it by the time the next
    occurrence comes round; rows that were never sent (missed, skipped) leave the count alone.
    """
    if prev_kind is None:
        return ignored_in_row
    if prev_response is not None:
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
