"""Test parsing of typed times, windows, durations and weekdays."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.hhmm import format_hhmm, parse_hhmm
from bot.domain.schedule import Window
from bot.domain.timeparse import (
    TimeParseError,
    parse_duration,
    parse_time,
    parse_weekdays,
    parse_window,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", time(7)),
        ("07", time(7)),
        ("0", time(0)),
        ("23", time(23)),
        ("7:30", time(7, 30)),
        ("07:30", time(7, 30)),
        ("7.30", time(7, 30)),
        ("19.30", time(19, 30)),
        ("1930", time(19, 30)),
        ("0730", time(7, 30)),
        ("730", time(7, 30)),
        ("19h30", time(19, 30)),
        ("7am", time(7)),
        ("7 am", time(7)),
        ("7AM", time(7)),
        ("7 a.m.", time(7)),
        ("7:30pm", time(19, 30)),
        ("7.30 PM", time(19, 30)),
        ("12am", time(0)),
        ("12:15am", time(0, 15)),
        ("12pm", time(12)),
        ("12:45 pm", time(12, 45)),
        ("noon", time(12)),
        ("Midnight", time(0)),
        ("  7:30  ", time(7, 30)),
        ("23:59", time(23, 59)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "25:99",
        "24:00",
        "13pm",
        "0am",
        "",
        "   ",
        "🙂",
        "7:3",
        "7:300",
        "-1",
        "7:60",
        "half past seven",
        "١٢:٣٠",  # Arabic-Indic digits
        "x" * 500,
        "7:30:15",
    ],
)
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_time(text)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert len(message) < 100
    assert "x" * 21 not in message  # never echoes more than 20 characters


def test_parse_time_message_is_friendly() -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_time("25:99")
    assert str(caught.value) == "I couldn't read “25:99” as a time. Try 07:30 or 7:30pm."


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 23), st.integers(0, 59))
def test_parse_time_round_trips_24h_and_12h(hour: int, minute: int) -> None:
    assert parse_time(f"{hour:02d}:{minute:02d}") == time(hour, minute)
    twelve = f"{(hour % 12) or 12}:{minute:02d}{'pm' if hour >= 12 else 'am'}"
    assert parse_time(twelve) == time(hour, minute)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_parse_time_never_crashes(text: str) -> None:
    try:
        parse_time(text)
    except TimeParseError as error:
        assert len(str(error)) < 100


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("9-17", time(9), time(17)),
        ("09:00-17:30", time(9), time(17, 30)),
        ("9am to 5pm", time(9), time(17)),
        ("9 am - 5 pm", time(9), time(17)),
        ("22:00–06:00", time(22), time(6)),
        ("22:00 — 06:00", time(22), time(6)),
        ("11pm until 7am", time(23), time(7)),
        ("from 9 till 17", time(9), time(17)),
        ("between 8 and 20", time(8), time(20)),
        ("7.30-9.30", time(7, 30), time(9, 30)),
        ("noon to midnight", time(12), time(0)),
    ],
)
def test_parse_window(text: str, start: time, end: time) -> None:
    window = parse_window(text)
    assert window == Window(start, end)


def test_parse_window_across_midnight() -> None:
    window = parse_window("22:00–06:00")
    assert window.crosses_midnight()
    assert window.minutes() == 480
    assert window.contains(time(23)) and window.contains(time(5))
    assert not window.contains(time(12))


@pytest.mark.parametrize(
    "text", ["9-9", "09:00 to 9am", "9", "", "9-10-11", "a-b", "25-26", "9 - ", "🙂-🙂", "9" * 200]
)
def test_parse_window_rejects(text: str) -> None:
    with pytest.raises(TimeParseError):
        parse_window(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3d", timedelta(days=3)),
        ("2 days", timedelta(days=2)),
        ("1 day", timedelta(days=1)),
        ("12h", timedelta(hours=12)),
        ("12 hours", timedelta(hours=12)),
        ("90m", timedelta(minutes=90)),
        ("45 min", timedelta(minutes=45)),
        ("1w", timedelta(weeks=1)),
        ("2 weeks", timedelta(weeks=2)),
        ("a week", timedelta(weeks=1)),
        ("90 days", timedelta(days=90)),
        (" 3D ", timedelta(days=3)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["0d", "0 minutes", "91d", "13w", "-3d", "3", "d", "3 fortnights", "", "9" * 50 + "d"]
)
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(TimeParseError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("Mon – Fri", {0, 1, 2, 3, 4}),
        ("monday to friday", {0, 1, 2, 3, 4}),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("weekends", {5, 6}),
        ("weekend", {5, 6}),
        ("every day", set(range(7))),
        ("daily", set(range(7))),
        ("mon,wed,fri", {0, 2, 4}),
        ("Mon, Wed, Fri", {0, 2, 4}),
        ("mondays and fridays", {0, 4}),
        ("tu th", {1, 3}),
        ("tues thurs", {1, 3}),
        ("fri-mon", {4, 5, 6, 0}),
        ("sun", {6}),
        ("on weekdays", {0, 1, 2, 3, 4}),
    ],
)
def test_parse_weekdays(text: str, expected: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(expected)


@pytest.mark.parametrize("text", ["", "funday", "t", "s", "mon-tue-wed", "mon-xyz", "🙂"])
def test_parse_weekdays_rejects(text: str) -> None:
    with pytest.raises(TimeParseError):
        parse_weekdays(text)


@pytest.mark.parametrize(("stored", "value"), [("07:00", time(7)), ("23:59", time(23, 59))])
def test_stored_clock_times_read_back_what_was_written(stored: str, value: time) -> None:
    assert parse_hhmm(stored) == value
    assert format_hhmm(value) == stored


@pytest.mark.parametrize("stored", ["7:00", "24:00", "07:60", "0700", "07:00:00", "٠٧:٠٠", None])
def test_stored_clock_times_refuse_anything_else(stored: object) -> None:
    with pytest.raises(ValueError):
        parse_hhmm(stored)
