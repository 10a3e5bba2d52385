"""Tests for the red-flag and pain-history rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from bot.domain.emergency import emergency_number
from bot.domain.safety import (
    RED_FLAG_KEYS,
    RED_FLAG_SIGNS,
    Flag,
    Tier,
    pain_flags,
    should_ask_red_flags,
    tier_of,
)
from bot.telegram import texts

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
    ("pain", "where", "previous", "asked", "expected"),
    [
        (6, "lower_back", "lower_back", False, False),  # same place, below 7
        (7, "lower_back", "lower_back", False, True),
        (10, "other", None, False, True),
        (9, "unknown", None, False, True),  # "where" skipped: the list is still asked
        (7, "lower_back", None, True, False),  # never twice a day
        (0, "lower_back", None, False, False),
        (9, "neck", None, False, False),  # the list is about the low back
        (3, "lower_back", None, False, True),  # a first back pain
        (3, "leg", "lower_back", False, True),  # moved to the leg
        (3, "upper_back", "upper_back", False, False),
        (3, "other", "lower_back", False, False),
        (8, None, None, False, False),  # "where" not answered yet
    ],
)
def test_should_ask_red_flags(
    pain: int, where: str | None, previous: str | None, asked: bool, expected: bool
) -> None:
    assert should_ask_red_flags(pain, where, previous, asked) is expected


def test_red_flag_signs_have_two_tiers_and_words() -> None:
    assert {k for k, t in RED_FLAG_SIGNS if t is Tier.EMERGENCY} == {
        "bladder_bowel",
        "saddle",
        "both_legs",
    }
    assert {k for k, t in RED_FLAG_SIGNS if t is Tier.SOON} == {
        "fever",
        "injury",
        "weight_cancer",
        "night_pain",
    }
    for key in RED_FLAG_KEYS:
        assert texts.RED_FLAG_WORDING[key] and texts.RED_FLAG_BUTTONS[key]
        assert texts.RED_FLAG_ABOUT[key]


@pytest.mark.parametrize(
    ("signs", "expected"),
    [
        ((), None),
        (("fever",), Tier.SOON),
        (("night_pain", "injury"), Tier.SOON),
        (("fever", "saddle"), Tier.EMERGENCY),
        (("both_legs",), Tier.EMERGENCY),
        (("unknown",), None),
    ],
)
def test_tier_of(signs: tuple[str, ...], expected: Tier | None) -> None:
    assert tier_of(signs) == expected


@pytest.mark.parametrize(
    ("zone", "number"),
    [
        ("Europe/Berlin", "112"),
        ("America/New_York", "911"),
        ("Europe/London", "999"),
        ("Australia/Sydney", "000"),
        ("Pacific/Auckland", "111"),
        ("America/Toronto", "911"),
        ("Asia/Kolkata", "112"),
        ("UTC", None),
        ("Mars/Olympus", None),
        (None, None),
    ],
)
def test_emergency_number_from_the_zone(zone: str | None, number: str | None) -> None:
    assert emergency_number(zone) == number


def test_wording_never_diagnoses_or_promises() -> None:
    assert texts.SUGGEST_PROVIDER_TEXT.startswith(
        "It may be worth talking to a healthcare provider"
    )
    urgent = texts.emergency_advice(("bladder_bowel",), "112")
    assert urgent.startswith("⚠️ <b>Go to an emergency department now or call 112.</b>")
    soon = texts.see_doctor_advice(("fever",), None)
    assert "within a day or two" in soon and "call your local emergency number" in soon
    for text in (texts.SUGGEST_PROVIDER_TEXT, urgent, soon):
        lowered = text.lower()
        assert not any(
            word in lowered for word in ("you have", "diagnos", "syndrome", "nothing serious")
        )


def test_docs_safety_quotes_the_wording_shown() -> None:
    """docs/safety.md is what a clinician reviews: it must match what people read."""
    from pathlib import Path

    lines = (Path(__file__).parents[1] / "docs" / "safety.md").read_text().splitlines()
    doc = " ".join(" ".join(line.removeprefix("> ") for line in lines).split())
    plain = [
        texts.SUGGEST_PROVIDER_TEXT,
        texts.CHECKIN_STOPPED,
        *texts.RED_FLAG_WORDING.values(),
        texts.follow_up_ack("yes", "emergency", (), None),
        texts.follow_up_ack("gone", "soon", (), None),
    ]
    for text in plain:
        assert text.replace("“", '"').replace("”", '"') in doc.replace("“", '"'), text
