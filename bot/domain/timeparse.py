"""Parse the times, windows, durations and weekdays people type into chat."""

from __future__ import annotations

import re
import unicodedata
from datetime import time, timedelta

from bot.domain.schedule import ALL_DAYS, Window

MAX_DURATION = timedelta(days=90)
_MAX_INPUT = 60
_ECHO_CHARS = 20


class TimeParseError(ValueError):
    """Input that is not a time, window, duration or weekday list; the message is for people."""


def _echo(text: str) -> str:
    """Return input safe to quote back: no control characters, at most 20 characters."""
    cleaned = "".join(
        " " if unicodedata.category(c).startswith("C") else c for c in text.strip()
    ).strip()
    return cleaned if len(cleaned) <= _ECHO_CHARS else cleaned[: _ECHO_CHARS - 1] + "…"


def _normalize(text: str) -> str:
    return " ".join(text.strip().casefold().split())


_CLOCK = re.compile(
    r"(?P<h>[0-9]{1,2})(?:\s*[:.h]\s*(?P<m>[0-9]{2}))?\s*(?P<ampm>[ap]\.?\s*m\.?|[ap])?",
    re.ASCII,
)
_COMPACT = re.compile(
    r"(?P<h>[0-9]{1,2})(?P<m>[0-9]{2})\s*(?P<ampm>[ap]\.?\s*m\.?|[ap])?", re.ASCII
)
_WORDS = {"noon": time(12), "midday": time(12), "midnight": time(0)}


def _time_or_none(text: str) -> time | None:
    s = _normalize(text)
    if not s or len(s) > _MAX_INPUT:
        return None
    if s in _WORDS:
        return _WORDS[s]
    match = _CLOCK.fullmatch(s) or _COMPACT.fullmatch(s)
    if match is None:
        return None
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = match["ampm"]
    if ampm is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_time(text: str) -> time:
    """Parse "7", "07:30", "7.30", "1930", "7:30pm", "12am", "noon" and the like."""
    if not text.strip():
        raise TimeParseError("Please send a time, like 07:30 or 7:30pm.")
    parsed = _time_or_none(text)
    if parsed is None:
        raise TimeParseError(f"I couldn't read “{_echo(text)}” as a time. Try 07:30 or 7:30pm.")
    return parsed


_RANGE_SPLIT = re.compile(r"\s*(?:[-–—~]|\.\.)\s*|\s+(?:to|until|till|til)\s+")


def parse_window(text: str) -> Window:
    """Parse "9-17", "09:00-17:30", "9am to 5pm" or "22:00–06:00" (may cross midnight)."""
    hint = "Try 09:00-17:00 or 9am to 5pm."
    s = _normalize(text)
    if not s:
        raise TimeParseError(f"Please send a time range. {hint}")
    s = re.sub(r"^(?:from|between)\s+", "", s)
    s = re.sub(r"\s+and\s+", " to ", s)
    parts = _RANGE_SPLIT.split(s) if len(s) <= _MAX_INPUT else []
    if len(parts) != 2:
        raise TimeParseError(f"I couldn't read “{_echo(text)}” as a time range. {hint}")
    start, end = _time_or_none(parts[0]), _time_or_none(parts[1])
    if start is None or end is None:
        raise TimeParseError(f"I couldn't read “{_echo(text)}” as a time range. {hint}")
    if start == end:
        raise TimeParseError(f"The range starts and ends at {start:%H:%M}. {hint}")
    return Window(start, end)


_UNITS: dict[str, timedelta] = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), timedelta(minutes=1)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), timedelta(hours=1)),
    **dict.fromkeys(("d", "day", "days"), timedelta(days=1)),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), timedelta(weeks=1)),
}
_DURATION = re.compile(r"(?P<n>[0-9]{1,6}|an?|one)\s*(?P<unit>[a-z]+)", re.ASCII)


def parse_duration(text: str) -> timedelta:
    """Parse "3d", "2 days", "12h", "90m", "1w" or "2 weeks" into a positive span up to 90 days."""
    hint = "Try 3d, 12h or 2 weeks."
    s = _normalize(text)
    if not s:
        raise TimeParseError(f"Please send a length of time. {hint}")
    match = _DURATION.fullmatch(s) if len(s) <= _MAX_INPUT else None
    if match is None or match["unit"] not in _UNITS:
        raise TimeParseError(f"I couldn't read “{_echo(text)}” as a length of time. {hint}")
    count = int(match["n"]) if match["n"].isdigit() else 1
    span = count * _UNITS[match["unit"]]
    if span <= timedelta(0):
        raise TimeParseError(f"That's no time at all. {hint}")
    if span > MAX_DURATION:
        raise TimeParseError("That's longer than 90 days. Please pick a shorter time.")
    return span


_DAY_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_ALIASES = {"weds": 2, "thur": 3, "thurs": 3, "tues": 1}
_DAY_SETS = {
    "weekdays": frozenset(range(5)),
    "workdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
    "weekend": frozenset({5, 6}),
    "every day": ALL_DAYS,
    "everyday": ALL_DAYS,
    "daily": ALL_DAYS,
    "all": ALL_DAYS,
    "all days": ALL_DAYS,
}


def _day(token: str) -> int | None:
    if token in _DAY_ALIASES:
        return _DAY_ALIASES[token]
    for candidate in (token, token.removesuffix("s")):
        if len(candidate) >= 2:
            for index, name in enumerate(_DAY_FULL):
                if name.startswith(candidate):
                    return index
    return None


def parse_weekdays(text: str) -> frozenset[int]:
    """Parse "mon-fri", "weekdays", "weekends", "every day" or "mon,wed,fri" (0 = Monday)."""
    hint = "Try mon-fri, weekends, every day or mon,wed,fri."
    s = _normalize(text).removeprefix("on ").removeprefix("every ").strip()
    s = "every day" if s == "day" else s
    if s in _DAY_SETS:
        return _DAY_SETS[s]
    if not s or len(s) > _MAX_INPUT * 2:
        raise TimeParseError(f"Please send some days. {hint}")
    s = re.sub(r"\s*(?:[-–—]|\bto\b|\bthrough\b|\bthru\b)\s*", "-", s)
    days: set[int] = set()
    for token in re.split(r"[\s,;/&+]+|\band\b", s):
        if not token:
            continue
        if token in _DAY_SETS:
            days |= _DAY_SETS[token]
            continue
        ends = token.split("-")
        found = [_day(end) for end in ends]
        if len(ends) > 2 or any(d is None for d in found):
            raise TimeParseError(f"I couldn't read “{_echo(text)}” as days. {hint}")
        first, last = found[0], found[-1]
        assert first is not None and last is not None
        # A range may wrap over the weekend: fri-mon is Fri, Sat, Sun, Mon.
        span = (last - first) % 7
        days.update((first + i) % 7 for i in range(span + 1))
    if not days:
        raise TimeParseError(f"Please send some days. {hint}")
    return frozenset(days)
