"""Handle updates of different chats at once, and each chat's updates strictly in order."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.logs import current_chat

log = logging.getLogger(__name__)

# Handlers running at once; the rest wait for a slot (per chat, in arrival order).
IN_FLIGHT = 32
# PTB's own bound counts updates that wait for their chat's turn too, so it must be far larger:
# one busy chat with many queued updates must not take the slots other chats need.
WAITING = 100_000

ChatKey = tuple[str, int]


def chat_key(update: object) -> ChatKey:
    """Return what orders an update: its chat, else its sender, else the update alone."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
        return ("update", update.update_id)
    return ("object", id(update))


async def _tagged(update: object, coroutine: Awaitable[Any]) -> None:
    """Handle an update with its chat in the logging context (the JSON lines' chat_id)."""
    chat = update.effective_chat if isinstance(update, Update) else None
    token = current_chat.set(chat.id if chat is not None else None)
    started = time.perf_counter()
    try:
        await coroutine
    finally:
        if isinstance(update, Update):
            log.debug(
                "update %s handled in %.0f ms",
                update.update_id,
                (time.perf_counter() - started) * 1000,
            )
        current_chat.reset(token)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """A PTB update processor: chats run concurrently, one chat's updates one after another."""

    def __init__(
        self,
        max_in_flight: int = IN_FLIGHT,
        *,
        after: Callable[[object], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(max(WAITING, max_in_flight))
        self.max_in_flight = max_in_flight
        self._after = after
        self._slots = asyncio.Semaphore(max_in_flight)
        # The turn of the last update queued per chat: the next one waits for it.
        self._tails: dict[ChatKey, asyncio.Event] = {}
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for this chat's previous update, then for a slot, then handle it."""
        # Everything up to the first await runs in the order PTB created the tasks, which is
        # the order the updates arrived in: that is what orders each chat.
        key = chat_key(update)
        previous = self._tails.get(key)
        turn = asyncio.Event()
        self._tails[key] = turn
        self._pending += 1
        self._idle.clear()
        started = False
        try:
            if previous is not None:
                await previous.wait()
            async with self._slots:
                started = True
                await _tagged(update, coroutine)
            if self._after is not None:
                await self._after(update)
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting: never ran
            turn.set()
            if self._tails.get(key) is turn:
                del self._tails[key]
            self._pending -= 1
            if self._pending == 0:
                self._idle.set()

    @property
    def pending(self) -> int:
        """Updates taken but not finished (waiting for their turn or running)."""
        return self._pending

    async def wait_idle(self) -> None:
        """Wait until no update is waiting or running."""
        await self._idle.wait()

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB waits for the running updates before it shuts us down."""
