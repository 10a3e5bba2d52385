"""Pick the language of every text an update's handlers render, before any of them runs."""

from __future__ import annotations

from telegram import Update
from telegram.ext import TypeHandler

from bot import i18n
from bot.telegram.context import Context, NudgeApp

# Ahead of presence (-1) and every feature: the apology for an early error is localized too.
GROUP = -2


async def choose(update: Update, context: Context) -> None:
    """Render this update's texts in the sender's Telegram language (English if none fits).

    The locale lives in a context variable: PTB handles each update in its own task, so it
    holds for this update's handlers and its error handler and never leaks to another chat.
    """
    user = update.effective_user
    i18n.set_locale(user.language_code if user is not None else None)


def register(app: NudgeApp) -> None:
    """Add the locale choice ahead of every other handler."""
    app.add_handler(TypeHandler(Update, choose), group=GROUP)
