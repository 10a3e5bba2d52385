"""Tests for the quick-log keyword grammar."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.quicklog import MAX_LENGTH, QuickLog, parse_log

HABITS = {"water", "move", "food", "breathe", "checkin"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("water", QuickLog("water", None, None, "water")),
        ("Water", QuickLog("water", None, None, "water")),
        ("walk 20 min", QuickLog("move", 20, "min", "20 min walk")),
        ("drank 2 glasses", QuickLog("water", 2, "glass", "2 glasses of water")),
        ("2 glasses of water", QuickLog("water", 2, "glass", "2 glasses of water")),
        ("two glasses of water", QuickLog("water", 2, "glass", "2 glasses of water")),
        ("had a glass of water", QuickLog("water", 1, "glass", "1 glass of water")),
        ("drank water", QuickLog("water", None, None, "water")),
        ("drank 500ml", QuickLog("water", 500, "ml", "500 ml of water")),
        ("1.5 l of water", QuickLog("water", 1500, "ml", "1500 ml of water")),
        ("three cups", QuickLog("water", 3, "cup", "3 cups of water")),
        ("💧", QuickLog("water", None, None, "water")),
        ("🥤", QuickLog("water", None, None, "water")),
        ("had kefir", QuickLog("food", None, None, "kefir")),
        ("drank kefir", QuickLog("food", None, None, "kefir")),
        ("ate yogurt", QuickLog("food", None, None, "yogurt")),
        ("ate yoghurt", QuickLog("food", None, None, "yogurt")),
        ("sauerkraut with lunch", QuickLog("food", None, None, "sauerkraut")),
        ("salmon for dinner", QuickLog("food", None, None, "salmon")),
        ("handful of nuts", QuickLog("food", None, None, "nuts")),
        ("some fatty fish", QuickLog("food", None, None, "fatty fish")),
        ("spinach salad", QuickLog("food", None, None, "spinach")),
        ("lentils and leafy greens", QuickLog("food", None, None, "lentils")),
        ("did 10 min yoga", QuickLog("move", 10, "min", "10 min yoga")),
        ("did ten minutes of yoga", QuickLog("move", 10, "min", "10 min yoga")),
        ("stretched", QuickLog("move", None, None, "stretch")),
        ("went for a walk", QuickLog("move", None, None, "walk")),
        ("walked 15 minutes", QuickLog("move", 15, "min", "15 min walk")),
        ("walked 1 h", QuickLog("move", 60, "min", "60 min walk")),
        ("20min walk", QuickLog("move", 20, "min", "20 min walk")),
        ("stood up and moved", QuickLog("move", None, None, "movement break")),
        ("🚶", QuickLog("move", None, None, "walk")),
        ("3 planks", QuickLog("move", None, None, "plank")),
        ("breathing", QuickLog("breathe", None, None, "breathing")),
        ("did box breathing", QuickLog("breathe", None, None, "box breathing")),
        ("meditated 5 min", QuickLog("breathe", 5, "min", "5 min meditation")),
        ("did a breathing exercise", QuickLog("breathe", None, None, "breathing")),
    ],
)
def test_logs(text: str, expected: QuickLog) -> None:
    assert parse_log(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I didn't drink water today",
        "I didnt drink water today",
        "I didn’t drink water today",
        "no walk",
        "not yet",
        "want to walk later",
        "should drink more water?",
        "hello",
        "what is kefir",
        "water?",
        "I hate yoga",
        "skip",
        "skipped water",
        "",
        "   ",
        "x" * 5000,
        "water " * 40,
        "don't",
        "tomorrow I'll stretch",
        "walking hurts",
        "never walked",
        "haven't stretched",
        "won't drink water",
        "can't walk",
        "I will walk",
        "going to do yoga",
        "plan to meditate",
        "why is water good",
        "how much water",
        "is yoga good",
        "can I walk",
        "I'm going for a walk",
        "stretch later",
        "walk tonight",
        "drank 0 glasses",  # zero or less of a habit is not doing it
        "0 ml of water",
        "walked 0 min",
        "-3 glasses",
        "water -2 cups",
        "0.2 glasses of water",
    ],
)
def test_does_not_log(text: str) -> None:
    assert parse_log(text) is None


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("walked 99999 min", None, None),  # absurd amount: logged without it
        ("water 5 min", None, None),  # a unit that does not fit the habit is ignored
        ("walked 2 glasses", None, None),
        ("meditated 1,5 h", 90, "min"),
        ("drank 7-8 glasses", 8, "glass"),
        ("water, 2 glasses", 2, "glass"),
    ],
)
def test_amount_edges(text: str, amount: int | None, unit: str | None) -> None:
    log = parse_log(text)
    assert log is not None
    assert (log.amount, log.unit) == (amount, unit)


def test_exactly_max_length_still_parses() -> None:
    text = "water".ljust(MAX_LENGTH, ".")
    assert parse_log(text) is not None
    assert parse_log(text + ".") is None


@given(st.text(max_size=300))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    log = parse_log(text)
    assert log is None or (log.habit in HABITS and log.label)


@given(st.text(alphabet="0123456789.,- lminhcupsglaswter", max_size=80))
def test_never_raises_on_number_soup(text: str) -> None:
    log = parse_log(text)
    assert log is None or log.amount is None or log.amount > 0
