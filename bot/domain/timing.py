"""Timed to the person: move a habit's nudge toward when they actually do it."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import time, timedelta

from bot.domain.schedule import Window

# Learn only from this many times the habit was done in the look-back, per nudge time.
MIN_DONE = 3
LOOK_BACK = timedelta(days=14)
# A nudge moves at most this far in one step, and one step a week at most.
MAX_STEP = 60
LEARN_EVERY = timedelta(days=7)
# Closer than this to the usual time is close enough: no move.
CLOSE_ENOUGH = 15
_DAY = 24 * 60


def _since(start: time, t: time) -> int:
    """Return minutes from `start` to `t`, going forward around the clock."""
    return (t.hour * 60 + t.minute - start.hour * 60 - start.minute) % _DAY


def _at(start: time, minutes: int) -> time:
    total = (start.hour * 60 + start.minute + minutes) % _DAY
    return time(total // 60, total % 60)


def learned_times(
    times: Sequence[time], done: Sequence[time], awake: Window
) -> tuple[time, ...] | None:
    """Return the nudge times moved toward when the habit was done, or None to keep them.

    Each time the habit was done counts for the nudge time nearest to it. A nudge time with
    at least MIN_DONE of them moves toward their median by at most MAX_STEP minutes, and only
    within the waking day; a night shift's times are measured from waking, so midnight is no
    edge.
    """
    if not 1 <= len(times) <= 2 or len(done) < MIN_DONE:
        return None
    length = awake.minutes()
    marks = [_since(awake.start, t) for t in times]
    acted = [_since(awake.start, d) for d in done if awake.contains(d)]
    moved = list(marks)
    for i, mark in enumerate(marks):
        mine = [a for a in acted if min(marks, key=lambda m: abs(m - a)) == mark]
        if len(mine) < MIN_DONE:
            continue
        usual = round(statistics.median(mine))
        gap = usual - mark
        if abs(gap) < CLOSE_ENOUGH:
            continue
        step = max(-MAX_STEP, min(MAX_STEP, gap))
        # Round to 5 minutes, so it reads like a time a person would pick.
        moved[i] = min(max(5 * round((mark + step) / 5), 0), length)
    if moved == marks or len(set(moved)) != len(moved):
        return None
    return tuple(_at(awake.start, m) for m in moved)
