"""Plain text in a private chat: route it by what the person's row says we are waiting for.

Several features read typed answers (onboarding, settings, the check-in note) and plain-words
logging takes whatever is left. PTB runs only the first matching handler of a group, so one
handler looks up `people.awaiting` once and hands the message to the feature that asked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.telegram.context import Context, NudgeApp

# awaiting value -> handler. A key ending in ":" matches every value with that prefix.
TextHandler = Callable[[Update, Context, str], Awaitable[None]]
ROUTES: dict[str, TextHandler] = {}
# Called when nothing is awaited (plain-words logging); receives awaiting = "".
FALLBACK: list[TextHandler] = []


def route(awaiting: str, handler: TextHandler) -> None:
    """Send typed text to `handler` while a person's `awaiting` is this value (or prefix)."""
    ROUTES[awaiting] = handler


def fallback(handler: TextHandler) -> None:
    """Send typed text to `handler` when nothing is awaited."""
    FALLBACK[:] = [handler]


def _find(awaiting: str) -> TextHandler | None:
    if awaiting in ROUTES:
        return ROUTES[awaiting]
    for key, handler in ROUTES.items():
        if key.endswith(":") and awaiting.startswith(key):
            return handler
    return None


async def on_text(update: Update, context: Context) -> None:
    """Hand a private text message to whichever feature is waiting for it."""
    user = update.effective_user
    if user is None:
        return
    person = await context.person(user.id)
    awaiting = (person.awaiting if person is not None else None) or ""
    handler = _find(awaiting) if awaiting else None
    if handler is None and FALLBACK:
        handler = FALLBACK[0]
        awaiting = ""
    if handler is not None:
        await handler(update, context, awaiting)


def register(app: NudgeApp) -> None:
    """Add the router for private plain text (features add routes at import time)."""
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_text)
    )
