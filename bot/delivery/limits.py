"""Pacing for bulk sends: an overall rate, one rate per chat, and pauses after a 429."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from bot.config import Settings

# Telegram: about 1 message/s per private chat (short bursts tolerated), 20/min per group.
PRIVATE_INTERVAL = 1.0
GROUP_INTERVAL = 3.0
# Two different chats refused within this window means the whole bot is over its budget.
GLOBAL_FLOOD_WINDOW = 1.0


@dataclass(frozen=True)
class SendLimits:
    """How fast the sender may go."""

    per_second: float = 30.0
    private_interval: float = PRIVATE_INTERVAL
    group_interval: float = GROUP_INTERVAL
    paid: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> SendLimits:
        """Read the rates an operator configured."""
        if settings.paid_broadcast:
            return cls(per_second=settings.paid_rate_per_second, paid=True)
        return cls(per_second=settings.send_rate_per_second)

    def interval(self, chat_id: int) -> float:
        """Return the gap to keep between two sends to one chat (groups have negative ids)."""
        return self.group_interval if chat_id < 0 else self.private_interval


class Pacer:
    """Space sends at `rate` per second, tolerating a burst of `burst` seconds' worth (GCRA).

    A global 429 means the real budget is below ours (other senders, Telegram's own view):
    halve the rate, then win it back by a quarter per calm second.
    """

    def __init__(self, rate: float, burst: float = 0.1) -> None:
        self.ceiling = rate
        self.rate = rate
        self.burst = burst
        self._tat = 0.0
        self._paused_until = 0.0
        self._calm_since = 0.0

    @property
    def interval(self) -> float:
        return 1.0 / self.rate

    def wait(self, now: float) -> float:
        """Return seconds until the next send may start (0: now)."""
        tolerance = max(0.0, self.burst - self.interval)
        return max(0.0, self._paused_until - now, self._tat - tolerance - now)

    def take(self, now: float) -> None:
        """Account for one send starting now."""
        if self.rate < self.ceiling and now - self._calm_since >= 1.0:
            self.rate = min(self.ceiling, self.rate * 1.25)
            self._calm_since = now
        self._tat = max(self._tat, now) + self.interval

    def pause(self, now: float, seconds: float) -> None:
        """Send nothing for `seconds` (Telegram said so), then go slower for a while."""
        if now >= self._paused_until:
            # Refusals of sends that started before this pause are the same episode.
            self.rate = max(1.0, self.rate / 2)
        self._paused_until = max(self._paused_until, now + seconds)
        self._tat = max(self._tat, self._paused_until)
        self._calm_since = self._paused_until


class FloodWatch:
    """Tell a 429 about one chat from one about the whole bot."""

    def __init__(self, window: float = GLOBAL_FLOOD_WINDOW) -> None:
        self.window = window
        self._recent: deque[tuple[float, int]] = deque()

    def is_global(self, now: float, chat_id: int) -> bool:
        """Record a 429 for a chat; return whether other chats were refused just before."""
        while self._recent and self._recent[0][0] < now - self.window:
            self._recent.popleft()
        others = any(cid != chat_id for _, cid in self._recent)
        self._recent.append((now, chat_id))
        return others
