"""Token-bucket flood limits shaped like Telegram's."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FloodLimits:
    """Send budgets: overall, per private chat, per group, and for paid broadcasts."""

    global_per_second: float = 30.0
    global_burst: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 20
    paid_per_second: float = 1000.0
    paid_burst: int = 1000
    enabled: bool = True


class ManualTime:
    """A monotonic clock that moves only when told: flood tests that do not race the machine."""

    def __init__(self, start: float = 0.0) -> None:
        """Stand still at ``start`` seconds."""
        self.value = start

    def __call__(self) -> float:
        """Return the current reading."""
        return self.value

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.value += seconds


class TokenBucket:
    """A bucket refilled at ``rate`` tokens per second up to ``capacity``."""

    def __init__(self, rate: float, capacity: int, now: float) -> None:
        """Start full."""
        self.rate = rate
        self.capacity = float(max(capacity, 1))
        self.tokens = self.capacity
        self.stamp = now

    def _refill(self, now: float) -> None:
        """Add tokens for the time passed since the last look."""
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def wait_time(self, now: float) -> float:
        """Return seconds until one token is available (0 if one is available now)."""
        self._refill(now)
        if self.tokens >= 1.0:
            return 0.0
        if self.rate <= 0:
            return math.inf
        return (1.0 - self.tokens) / self.rate

    def take(self) -> None:
        """Consume one token (call only after ``wait_time`` returned 0)."""
        self.tokens -= 1.0


class FloodController:
    """Apply the overall and per-chat buckets to sends."""

    def __init__(self, limits: FloodLimits, clock: Callable[[], float] = time.monotonic) -> None:
        """Create full buckets for ``limits``, refilled as ``clock`` (seconds) moves."""
        self.limits = limits
        self.clock = clock
        now = clock()
        self._global = TokenBucket(limits.global_per_second, limits.global_burst, now)
        self._paid = TokenBucket(limits.paid_per_second, limits.paid_burst, now)
        self._chats: dict[int, TokenBucket] = {}

    def _chat_bucket(self, chat_id: int, is_group: bool, now: float) -> TokenBucket:
        """Return (creating if needed) the bucket of one chat."""
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if is_group:
                rate = self.limits.group_per_minute / 60.0
                bucket = TokenBucket(rate, self.limits.group_burst, now)
            else:
                bucket = TokenBucket(
                    self.limits.private_per_second, self.limits.private_burst, now
                )
            self._chats[chat_id] = bucket
        return bucket

    def acquire(self, chat_id: int, is_group: bool, paid: bool = False) -> int:
        """Take a send slot; return 0 on success or the ``retry_after`` seconds on refusal."""
        if not self.limits.enabled:
            return 0
        now = self.clock()
        overall = self._paid if paid else self._global
        chat = self._chat_bucket(chat_id, is_group, now)
        wait = max(overall.wait_time(now), chat.wait_time(now))
        if wait > 0:
            if math.isinf(wait):
                return 3600
            return max(1, math.ceil(wait))
        overall.take()
        chat.take()
        return 0
