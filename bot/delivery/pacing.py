"""Who may be sent to now: per-chat queues, the overall budget, holds and 429 pauses.

Synchronous and clock-injected: it never sleeps and never touches asyncio, the database or
Telegram, so tests drive it with a fake clock. The sender asks it what to start, reports back
what happened, and sleeps for as long as `wait()` says.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.delivery.limits import FloodWatch, Pacer, SendLimits

T = TypeVar("T")

# How many rows of one chat to hold in memory; the rest wait in the table for their turn.
PER_CHAT_HELD = 5
# Forget per-chat send times older than now once this many chats are remembered.
FORGET_AFTER = 50_000


@dataclass
class PacingCounts:
    """What the pacing saw since it started (the only place these are counted)."""

    held: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    started: int = 0
    floods: int = 0
    global_floods: int = 0


class Pacing(Generic[T]):
    """Per-chat FIFO queues let out within the overall and per-chat limits, fairly by chat."""

    def __init__(
        self,
        limits: SendLimits,
        clock: Callable[[], float],
        *,
        max_in_flight: int,
        idle_seconds: float = 0.5,
        per_chat_held: int = PER_CHAT_HELD,
    ) -> None:
        self.limits = limits
        self.clock = clock
        self.max_in_flight = max_in_flight
        self.idle_seconds = idle_seconds
        self.per_chat_held = per_chat_held
        self.counts = PacingCounts()
        self._overall = Pacer(limits.per_second)
        self._floods = FloodWatch()
        self._queues: dict[int, deque[T]] = {}
        # A chat is in exactly one of: busy (a send out), scheduled (ready or timer), idle.
        self._busy: set[int] = set()
        self._scheduled: set[int] = set()
        self._ready: deque[int] = deque()
        self._timers: list[tuple[float, int]] = []
        self._chat_ready: dict[int, float] = {}

    def set_limits(self, limits: SendLimits) -> None:
        """Keep to new rates from now on."""
        self.limits = limits
        self._overall = Pacer(limits.per_second)

    # ---------------------------------------------------------------- what is held

    @property
    def held(self) -> int:
        """Rows waiting in memory (not in flight)."""
        return self.counts.held

    @property
    def in_flight(self) -> int:
        """Sends started and not yet reported done."""
        return self.counts.in_flight

    def full_chats(self) -> list[int]:
        """Chats holding as many rows as they may: a claim skips them."""
        return [chat for chat, queue in self._queues.items() if len(queue) >= self.per_chat_held]

    def queued(self, chat_id: int) -> list[T]:
        """The rows held for one chat, in sending order."""
        return list(self._queues.get(chat_id, ()))

    def add(self, chat_id: int, item: T, *, front: bool = False) -> None:
        """Hold a row for a chat: behind its others, or first (a row that has to go again)."""
        queue = self._queues.get(chat_id)
        if queue is None:
            queue = self._queues[chat_id] = deque()
        if front:
            queue.appendleft(item)
        else:
            queue.append(item)
        self.counts.held += 1
        self._schedule(chat_id, self.clock())

    def take_chat(self, chat_id: int) -> list[T]:
        """Remove and return every row held for a chat (it moved, or it is gone)."""
        queue = self._queues.pop(chat_id, None)
        if queue is None:
            return []
        self.counts.held -= len(queue)
        # The chat keeps its place in line: rows added again before it comes up use it, and
        # if none are, it is skipped then (one entry per scheduled chat, never two).
        return list(queue)

    def drop(self, unwanted: Callable[[T], bool]) -> list[T]:
        """Remove and return every held row `unwanted` picks, in any chat."""
        dropped: list[T] = []
        for chat_id, queue in list(self._queues.items()):
            keep: deque[T] = deque()
            for item in queue:
                (dropped if unwanted(item) else keep).append(item)
            if len(keep) == len(queue):
                continue
            if keep:
                self._queues[chat_id] = keep
            else:
                del self._queues[chat_id]
        self.counts.held -= len(dropped)
        return dropped

    def clear(self) -> None:
        """Forget every held row (they go back to the table); sends out still report `done`."""
        self._queues.clear()
        self._busy.clear()
        self._scheduled.clear()
        self._ready.clear()
        self._timers.clear()
        self.counts.held = 0

    # ---------------------------------------------------------------- who goes next

    def due(self) -> list[tuple[int, T]]:
        """Return the sends to start now, each counted in flight until `done` or `flood`."""
        now = self.clock()
        timers = self._timers
        while timers and timers[0][0] <= now:
            _, chat_id = heapq.heappop(timers)
            at = self._chat_ready.get(chat_id, 0.0)
            if at > now:  # paused again after it was put in line
                heapq.heappush(timers, (at, chat_id))
            else:
                self._ready.append(chat_id)
        started: list[tuple[int, T]] = []
        counts = self.counts
        while self._ready and counts.in_flight < self.max_in_flight:
            if self._overall.wait(now) > 0:
                break
            chat_id = self._ready.popleft()
            at = self._chat_ready.get(chat_id, 0.0)
            if at > now:  # held after it was put in line
                heapq.heappush(timers, (at, chat_id))
                continue
            self._scheduled.discard(chat_id)
            queue = self._queues.get(chat_id)
            if not queue:
                continue
            item = queue.popleft()
            if not queue:
                del self._queues[chat_id]
            counts.held -= 1
            counts.in_flight += 1
            counts.started += 1
            self._busy.add(chat_id)
            self._overall.take(now)
            self._chat_ready[chat_id] = max(
                self._chat_ready.get(chat_id, 0.0), now + self.limits.interval(chat_id)
            )
            started.append((chat_id, item))
        if counts.in_flight > counts.max_in_flight:
            counts.max_in_flight = counts.in_flight
        if len(self._chat_ready) > FORGET_AFTER:
            self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}
        return started

    def wait(self) -> float:
        """Return seconds until `due` may have something to start (the idle wait if nothing)."""
        now = self.clock()
        if self._ready and self.counts.in_flight < self.max_in_flight:
            return self._overall.wait(now)
        if self._timers:
            return max(0.0, self._timers[0][0] - now)
        return self.idle_seconds

    # ---------------------------------------------------------------- outcomes

    def done(self, chat_id: int) -> None:
        """A send to this chat finished (whatever the outcome): its next row may get in line."""
        self.counts.in_flight -= 1
        self._busy.discard(chat_id)
        self._schedule(chat_id, self.clock())

    def flood(self, chat_id: int, item: T, seconds: float) -> bool:
        """Telegram said 429 for this send: hold the chat `seconds`, then send `item` first.

        Return whether the whole bot is over its budget (other chats were refused just
        before), in which case nothing at all is sent for `seconds`. The send still reports
        `done` as every other does.
        """
        now = self.clock()
        self.counts.floods += 1
        everyone = self._floods.is_global(now, chat_id)
        if everyone:
            self.counts.global_floods += 1
            self._overall.pause(now, seconds)
        self._chat_ready[chat_id] = max(self._chat_ready.get(chat_id, 0.0), now + seconds)
        self.add(chat_id, item, front=True)
        return everyone

    def hold(self, chat_id: int, seconds: float) -> None:
        """Send nothing to this chat for `seconds` (its rows stay in order)."""
        now = self.clock()
        self._chat_ready[chat_id] = max(self._chat_ready.get(chat_id, 0.0), now + seconds)

    def ready_at(self, chat_id: int) -> float:
        """The clock reading from which this chat may be sent to again."""
        return self._chat_ready.get(chat_id, 0.0)

    def _schedule(self, chat_id: int, now: float) -> None:
        """Put a chat with rows in line for its next send, once."""
        if chat_id in self._busy or chat_id in self._scheduled or not self._queues.get(chat_id):
            return
        self._scheduled.add(chat_id)
        at = self._chat_ready.get(chat_id, 0.0)
        if at <= now:
            self._ready.append(chat_id)
        else:
            heapq.heappush(self._timers, (at, chat_id))


def add_all(pacing: Pacing[T], rows: Iterable[tuple[int, T]]) -> None:
    """Hold many rows, each behind the rows already held for its chat."""
    for chat_id, item in rows:
        pacing.add(chat_id, item)
