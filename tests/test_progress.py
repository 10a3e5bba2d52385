"""Tests for streaks, strength, adherence, insights, trends and the week summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from bot.domain.progress import (
    STRENGTH_MULTIPLIER,
    CheckinPoint,
    DayMark,
    adherence,
    habit_strength,
    pain_trend,
    week_summary,
)

TODAY = date(2026, 3, 20)
DONE = DayMark(done=1, target=1, excused=False)
MISS = DayMark(done=0, target=1, excused=False)
EXCUSED = DayMark(done=0, target=1, excused=True)
PARTIAL = DayMark(done=4, target=8, excused=False)


def series(pattern: str, end: date = TODAY) -> dict[date, DayMark]:
    """Build marks from a string ending at `end`: D done, M miss, E excused, P half, . no entry."""
    marks = {"D": DONE, "M": MISS, "E": EXCUSED, "P": PARTIAL}
    start = end - timedelta(days=len(pattern) - 1)
    return {start + timedelta(days=i): marks[c] for i, c in enumerate(pattern) if c in marks}


def test_strength_empty_is_zero() -> None:
    assert habit_strength({}, TODAY) == 0.0


def test_strength_follows_loop_formula() -> None:
    ten_days = series("D" * 10)
    assert habit_strength(ten_days, TODAY) == pytest.approx(100 * (1 - STRENGTH_MULTIPLIER**10))
    assert habit_strength(ten_days, TODAY) == pytest.approx(41.33, abs=0.01)


def test_strength_one_miss_dents_not_zeros() -> None:
    yesterday = TODAY - timedelta(days=1)
    before = habit_strength(series("D" * 40, end=TODAY - timedelta(days=2)), yesterday)
    after = habit_strength(series("D" * 40 + "M."), TODAY)  # missed yesterday, today open
    assert 80 < after < before < 100
    assert after == pytest.approx(before * STRENGTH_MULTIPLIER)


def test_strength_after_ten_days_then_a_miss() -> None:
    before = habit_strength(
        series("D" * 10, end=TODAY - timedelta(days=2)), TODAY - timedelta(days=1)
    )
    after = habit_strength(series("D" * 10 + "M."), TODAY)  # yesterday missed, today open
    assert 0 < after < before
    assert after == pytest.approx(before * STRENGTH_MULTIPLIER)


def test_strength_open_today_does_not_dent() -> None:
    assert habit_strength(series("DDDM"), TODAY) == habit_strength(series("DDD."), TODAY)


def test_strength_excused_and_open_today_leave_score_unchanged() -> None:
    two_days_ago = TODAY - timedelta(days=2)
    base = habit_strength(series("DDDDD", end=two_days_ago), two_days_ago)
    assert habit_strength(series("DDDDDE."), TODAY) == pytest.approx(base)


def test_strength_partial_day_counts_its_share() -> None:
    expected = 50 * (1 - STRENGTH_MULTIPLIER) * STRENGTH_MULTIPLIER
    assert habit_strength(series("P.M"), TODAY) == pytest.approx(expected)


def test_strength_explicit_start() -> None:
    days = series("DD.DD")
    assert habit_strength(days, TODAY, start=TODAY - timedelta(days=1)) == pytest.approx(
        100 * (1 - STRENGTH_MULTIPLIER**2)
    )
    assert habit_strength(days, TODAY) < 100 * (1 - STRENGTH_MULTIPLIER**4)


@pytest.mark.parametrize(
    ("pattern", "window", "since_offset", "expected"),
    [
        ("DDDDDDD", 7, None, 1.0),
        ("DDD.DDD", 7, None, 6 / 7),  # a gap is a miss
        ("DDDEDDD", 7, None, 1.0),  # excused left out
        ("DMDMDMD", 7, None, 4 / 7),
        ("DDDDDD.", 7, None, 1.0),  # today still open
        ("DDDDDDM", 7, None, 1.0),
        ("MMMMMMD", 7, None, 1 / 7),
        ("DD", 7, None, 1.0),  # data starts 2 days ago
        ("D..", 7, None, 0.5),
        ("...DD", 7, 1, 1.0),  # joined yesterday
        ("DDDDDDDDDMMM", 3, None, 0.0),
        ("E", 7, None, None),
        ("", 7, None, None),
        (".", 7, 0, None),  # joined today, nothing done yet
        ("DDD", 0, None, None),
    ],
)
def test_adherence(
    pattern: str, window: int, since_offset: int | None, expected: float | None
) -> None:
    since = None if since_offset is None else TODAY - timedelta(days=since_offset)
    result = adherence(series(pattern), TODAY, window, since=since)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


def test_adherence_explicit_since_counts_gaps_before_first_mark() -> None:
    assert adherence(series("D"), TODAY, 7, since=TODAY - timedelta(days=3)) == pytest.approx(
        1 / 4
    )


def points(pains: Sequence[int | None]) -> list[CheckinPoint]:
    """Lay out daily check-ins ending today."""
    start = TODAY - timedelta(days=len(pains) - 1)
    return [CheckinPoint(start + timedelta(days=i), p, None) for i, p in enumerate(pains)]


@pytest.mark.parametrize(
    ("pains", "expected"),
    [
        ([], "unknown"),
        ([5, 4, 3], "unknown"),
        ([5, None, None, 4, 3], "unknown"),
        ([6, 6, 4, 4], "down"),
        ([4, 4, 6, 6], "up"),
        ([5, 5, 5, 5], "steady"),
        ([5, 5, 5, 4], "down"),  # 5.0 vs 4.5: exactly the 0.5 step
        ([5, 5, 5, 5, 5, 4], "steady"),  # 5.0 vs 4.67
        ([7] * 7 + [5] * 7, "down"),
        ([1] * 10 + [7] * 7 + [5] * 7, "down"),  # only the last 14 known count
        ([5] * 7 + [5, 5, 5, 5, 5, 5, 9], "up"),  # 5.57 vs 5.0
        ([5] * 7 + [5, 5, 5, 5, 5, 5, 8], "steady"),  # 5.43 vs 5.0
        ([6, None, 6, None, 4, None, 4], "down"),
    ],
)
def test_pain_trend(pains: list[int | None], expected: str) -> None:
    assert pain_trend(points(pains)) == expected


def test_pain_trend_sorts_by_day() -> None:
    assert pain_trend(list(reversed(points([6, 6, 4, 4])))) == "down"


def test_week_summary() -> None:
    move = series("D" * 30)
    water = series("DDDMMDD")
    pains: list[int | None] = [*([6] * 20), 6, 5, None, 5, 4, 4, 3]
    future = CheckinPoint(TODAY + timedelta(days=1), 9, None)  # ignored
    checkins = [*points(pains), future]
    summary = week_summary(
        {"move": move, "water": water},
        checkins,
        TODAY,
        insight="",
    )
    assert summary.adherence == {"move": 1.0, "water": pytest.approx(5 / 7)}
    assert (summary.pain_start, summary.pain_end) == (6.0, 3.0)
    assert summary.trend == "down"
    assert summary.insight == ""


def test_week_summary_empty() -> None:
    summary = week_summary({}, [], TODAY, insight="")
    assert summary.adherence == {}
    assert summary.pain_start is None and summary.pain_end is None
    assert summary.trend == "unknown"
