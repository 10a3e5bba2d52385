"""Tests for the red-flag and pain-history rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from bot.domain.safety import (
    RED_FLAG_KEYS,
    RED_FLAG_SIGNS,
    RED_FLAG_URGENT_TEXT,
    SUGGEST_PROVIDER_TEXT,
    Flag,
    advice_for,
    pain_flags,
    red_flags,
    should_ask_red_flags,
)

TODAY = date(2026, 3, 20)


def daily(pains: Sequence[int | None], end: date = TODAY) -> list[tuple[date, int]]:
    """Lay out one check-in a day ending at `end`; None is a day without a check-in."""
    start = end - timedelta(days=len(pains) - 1)
    return [(start + timedelta(days=i), p) for i, p in enumerate(pains) if p is not None]


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([], []),
        (daily([8]), [Flag.HIGH_PAIN]),
        (daily([10]), [Flag.HIGH_PAIN]),
        (daily([7]), []),
        (daily([8, None]), []),  # high pain yesterday, no check-in today yet
        (daily([3, 4, 5]), [Flag.RISING_PAIN]),
        (daily([3, 5, 8]), [Flag.HIGH_PAIN, Flag.RISING_PAIN]),
        (daily([3, 5, 5]), []),  # not strictly increasing
        (daily([5, 4, 6]), []),
        (daily([0, 1, 2]), []),  # rising but low: not worth a provider
        (daily([2, 3, 4]), [Flag.RISING_PAIN]),
        (daily([3, None, 4, None, 5]), [Flag.RISING_PAIN]),  # gaps are fine within a week
        (daily([3, None, None, None, None, None, 4, 5]), []),  # first of three over a week ago
        (daily([4, 5]), []),
        (daily([4, 5, 6, None]), [Flag.RISING_PAIN]),  # last three by date, today not answered
        (daily([6] * 10), [Flag.PERSISTENT_PAIN]),
        (daily([6] * 9), []),  # fewer than 10 check-ins
        (daily([6] * 9 + [5]), []),  # one below 6
        (daily([7, 7, None, 6, 6, None, 7, 7, None, 6, 6, 6, 7, 6]), [Flag.PERSISTENT_PAIN]),
        (daily([2] * 10 + [6] * 14), [Flag.PERSISTENT_PAIN]),  # older than 14 days ignored
        (daily([6] * 13 + [8]), [Flag.HIGH_PAIN, Flag.PERSISTENT_PAIN]),
        (daily([6] * 11 + [7, 8, 9]), [Flag.HIGH_PAIN, Flag.RISING_PAIN, Flag.PERSISTENT_PAIN]),
    ],
)
def test_pain_flags(history: list[tuple[date, int]], expected: list[Flag]) -> None:
    assert pain_flags(history, TODAY) == expected


def test_pain_flags_any_order() -> None:
    history = daily([6] * 11 + [7, 8, 9])
    assert pain_flags(list(reversed(history)), TODAY) == pain_flags(history, TODAY)


def test_pain_flags_ignore_future_and_keep_highest_of_a_day() -> None:
    history = [(TODAY, 3), (TODAY, 9), (TODAY + timedelta(days=1), 10)]
    assert pain_flags(history, TODAY) == [Flag.HIGH_PAIN]
    assert pain_flags([(TODAY + timedelta(days=1), 10)], TODAY) == []


@pytest.mark.parametrize(
    ("pain", "asked", "expected"),
    [(6, False, False), (7, False, True), (10, False, True), (7, True, False), (0, False, False)],
)
def test_should_ask_red_flags(pain: int, asked: bool, expected: bool) -> None:
    assert should_ask_red_flags(pain, asked) is expected


def test_red_flag_signs_cover_the_known_signs() -> None:
    assert set(RED_FLAG_KEYS) == {
        "saddle",
        "bladder_bowel",
        "leg_weakness",
        "fever",
        "weight_loss",
        "blood_in_stool",
    }
    assert all(question.endswith("?") for _, question in RED_FLAG_SIGNS)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, []),
        (dict.fromkeys(RED_FLAG_KEYS, False), []),
        ({"saddle": True}, [Flag.RED_FLAG]),
        ({"fever": False, "blood_in_stool": True}, [Flag.RED_FLAG]),
        ({"unknown": True}, []),
    ],
)
def test_red_flags(answers: dict[str, bool], expected: list[Flag]) -> None:
    assert red_flags(answers) == expected


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ([], None),
        ([Flag.HIGH_PAIN], SUGGEST_PROVIDER_TEXT),
        ([Flag.RISING_PAIN], SUGGEST_PROVIDER_TEXT),
        ([Flag.PERSISTENT_PAIN], SUGGEST_PROVIDER_TEXT),
        ([Flag.RED_FLAG], RED_FLAG_URGENT_TEXT),
        ([Flag.HIGH_PAIN, Flag.RED_FLAG], RED_FLAG_URGENT_TEXT),
    ],
)
def test_advice_for(flags: list[Flag], expected: str | None) -> None:
    assert advice_for(flags) == expected


def test_advice_never_diagnoses() -> None:
    assert RED_FLAG_URGENT_TEXT.startswith("Please seek medical care promptly — today if you can")
    assert SUGGEST_PROVIDER_TEXT.startswith("It may be worth talking to a healthcare provider")
    for text in (RED_FLAG_URGENT_TEXT, SUGGEST_PROVIDER_TEXT):
        lowered = text.lower()
        assert not any(word in lowered for word in ("you have", "diagnos", "syndrome", "cancer"))
