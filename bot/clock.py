"""The only place that reads the wall clock; tests and the demo pass their own."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time in UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to an absolute time (never backwards)."""
        when = when.astimezone(UTC)
        if when < self._now:
            raise ValueError("time does not go backwards")
        self._now = when

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` and return the new time."""
        self.set(self._now + delta)
        return self._now


class ScaledClock:
    """A clock that runs `speed` times faster than real time from a starting point (the demo)."""

    def __init__(self, speed: float, start: datetime | None = None) -> None:
        self._speed = speed
        self._origin = (start or datetime.now(UTC)).astimezone(UTC)
        self._t0 = time.monotonic()

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        return self._origin + timedelta(seconds=(time.monotonic() - self._t0) * self._speed)
