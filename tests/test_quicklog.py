"""Tests for the quick-log keyword grammar."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.quicklog import (
    MAX_LENGTH,
    NotLogged,
    QuickLog,
    Refusal,
    log_day,
    parse_log,
    read_log,
    unit_words,
)

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


R = Refusal
FRIDAY = date(2026, 3, 27)


# (text, habit or refusal, the local day it lands on when today is Friday 27 March 2026)
GRAMMAR: list[tuple[str, str | Refusal, date | None]] = [
    # plain logs, today
    ("drank a glass of water", "water", FRIDAY),
    ("2 glasses of water", "water", FRIDAY),
    ("water", "water", FRIDAY),
    ("walked 20 min", "move", FRIDAY),
    ("had kefir", "food", FRIDAY),
    ("did box breathing", "breathe", FRIDAY),
    ("stretched this morning", "move", FRIDAY),
    ("walked 2 hours ago", "move", FRIDAY),
    ("drank water an hour ago", "water", FRIDAY),
    ("ate salmon for lunch", "food", FRIDAY),
    ("kombucha", "food", FRIDAY),
    ("drank kefir", "food", FRIDAY),
    ("water and coffee", "water", FRIDAY),  # water named: the coffee does not matter
    ("had a beer and went for a walk", "move", FRIDAY),
    # other drinks are not water
    ("drank 3 glasses of wine", R.OTHER_DRINK, None),
    ("a glass of wine", R.OTHER_DRINK, None),
    ("had a beer", R.OTHER_DRINK, None),
    ("2 beers", R.OTHER_DRINK, None),
    ("drank coffee", R.OTHER_DRINK, None),
    ("coffee", R.OTHER_DRINK, None),
    ("2 cups of tea", R.OTHER_DRINK, None),
    ("a latte", R.OTHER_DRINK, None),
    ("drank a soda", R.OTHER_DRINK, None),
    ("glass of orange juice", R.OTHER_DRINK, None),
    ("drank a cola", R.OTHER_DRINK, None),
    ("had a smoothie", R.OTHER_DRINK, None),
    ("drank milk", R.OTHER_DRINK, None),
    ("cup of hot chocolate", R.OTHER_DRINK, None),
    ("an energy drink", R.OTHER_DRINK, None),
    ("drank 2 glasses of wine yesterday", R.OTHER_DRINK, None),
    # negations
    ("I did not drink water", R.NOT_DONE, None),
    ("I didn't drink any water today", R.NOT_DONE, None),
    ("no water today", R.NOT_DONE, None),
    ("skipped my walk", R.NOT_DONE, None),
    ("never stretched", R.NOT_DONE, None),
    ("haven't had kefir", R.NOT_DONE, None),
    ("drank 0 glasses", R.NOT_DONE, None),
    ("no walk yesterday", R.NOT_DONE, None),
    # intentions
    ("will walk later", R.NOT_YET, None),
    ("going to do yoga", R.NOT_YET, None),
    ("I'll drink water soon", R.NOT_YET, None),
    ("want to meditate tonight", R.NOT_YET, None),
    ("walk tomorrow", R.NOT_YET, None),
    # questions
    ("should I walk?", R.QUESTION, None),
    ("how much water", R.QUESTION, None),
    ("is kefir good", R.QUESTION, None),
    ("water?", R.QUESTION, None),
    # past days
    ("had kefir yesterday", "food", date(2026, 3, 26)),
    ("walked last night", "move", date(2026, 3, 26)),
    ("yesterday evening I stretched", "move", date(2026, 3, 26)),
    ("drank 2 glasses yesterday", "water", date(2026, 3, 26)),
    ("did yoga the day before yesterday", "move", date(2026, 3, 25)),
    ("meditated 3 days ago", "breathe", date(2026, 3, 24)),
    ("walked two days ago", "move", date(2026, 3, 25)),
    ("had sauerkraut a week ago", "food", date(2026, 3, 20)),
    ("walked on Monday", "move", date(2026, 3, 23)),
    ("had kefir last Monday", "food", date(2026, 3, 23)),
    ("on Wednesday I did breathing", "breathe", date(2026, 3, 25)),
    ("walked on Friday", "move", FRIDAY),  # today is Friday
    ("walked last Friday", "move", date(2026, 3, 20)),
    ("yoga sunday", "move", date(2026, 3, 22)),
    # too far back
    ("had kefir 3 weeks ago", R.TOO_FAR_BACK, None),
    ("walked 10 days ago", R.TOO_FAR_BACK, None),
    ("drank water last month", R.TOO_FAR_BACK, None),
    ("did yoga last week", R.TOO_FAR_BACK, None),
    # amounts beyond belief
    ("drank 500 glasses of water", R.TOO_MUCH, None),
    ("walked 1000 min", R.TOO_MUCH, None),
    ("drank 10 litres of water", R.TOO_MUCH, None),
    # not a habit at all
    ("hello", R.NOT_UNDERSTOOD, None),
    ("🙂", R.NOT_UNDERSTOOD, None),
    ("I hate yoga", R.NOT_UNDERSTOOD, None),
    ("x" * 4096, R.TOO_LONG, None),
]


def test_grammar_table_is_big_enough() -> None:
    assert len(GRAMMAR) >= 60


@pytest.mark.parametrize(("text", "expected", "day"), GRAMMAR)
def test_grammar(text: str, expected: str | Refusal, day: date | None) -> None:
    result = read_log(text)
    if isinstance(expected, Refusal):
        assert isinstance(result, NotLogged) and result.reason is expected, result
        assert parse_log(text) is None
    else:
        assert isinstance(result, QuickLog) and result.habit == expected, result
        assert log_day(result, FRIDAY) == day


@pytest.mark.parametrize(
    ("text", "label"),
    [("2 cups of tea", "2 cups of tea"), ("coffee", "coffee"), ("a latte", "latte")],
)
def test_hot_drinks_count_as_water_only_when_chosen(text: str, label: str) -> None:
    assert isinstance(read_log(text), NotLogged)
    entry = read_log(text, hot_drinks_count=True)
    assert isinstance(entry, QuickLog) and (entry.habit, entry.label) == ("water", label)
    wine = read_log("glass of wine", hot_drinks_count=True)
    assert isinstance(wine, NotLogged) and wine.detail == "wine"


@pytest.mark.parametrize(
    ("text", "large"),
    [
        ("drank 12 glasses", False),
        ("drank 13 glasses", True),
        ("drank 20 glasses of water", True),
        ("drank 30 glasses", True),
        ("walked 3 h", False),
        ("walked 4 h", True),
    ],
)
def test_large_amounts_are_logged_and_flagged(text: str, large: bool) -> None:
    entry = read_log(text)
    assert isinstance(entry, QuickLog) and entry.large is large


def test_the_refusal_names_the_drink_and_the_amount() -> None:
    assert read_log("3 glasses of wine") == NotLogged(R.OTHER_DRINK, "water", "wine")
    assert read_log("drank 500 glasses of water") == NotLogged(R.TOO_MUCH, "water", "500 glasses")


@given(st.text(max_size=300))
def test_read_log_never_raises(text: str) -> None:
    result = read_log(text)
    if isinstance(result, QuickLog):
        assert 0 <= (FRIDAY - log_day(result, FRIDAY)).days <= 7


@pytest.mark.parametrize(
    ("amount", "unit", "words"),
    [
        (1, "glass", "glass"),
        (2, "glass", "glasses"),
        (None, "cup", "cups"),
        (1, "min", "minutes"),
        (500, "ml", "ml"),
        (3, None, ""),
    ],
)
def test_units_are_named(amount: int | None, unit: str | None, words: str) -> None:
    assert unit_words(amount, unit) == words
