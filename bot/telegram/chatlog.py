"""Tag the log lines made while an update is handled with its chat (the JSON lines' chat_id)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import SimpleUpdateProcessor

from bot.logs import current_chat

log = logging.getLogger(__name__)


class ChatTaggingProcessor(SimpleUpdateProcessor):
    """PTB's default one-at-a-time processing, with the update's chat set for logging."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle the update with its chat id in the logging context, then clear it."""
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
