"""Plain text in a private chat: hand it to the feature whose question it answers.

Several features read typed answers (onboarding, settings, the check-in) and plain-words
logging takes whatever is left. PTB runs only the first matching handler of a group, so one
handler reads the person's pending input once and hands the message to the feature that
asked. bot/app.py builds the router from each feature's answer handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.domain.pending import Feature, PendingInput
from bot.telegram.context import Context, NudgeApp

# Takes the text of a person who was asked something, with what they were asked.
TypedAnswer = Callable[[Update, Context, PendingInput], Awaitable[None]]
# Takes the text of a person who was asked nothing.
PlainText = Callable[[Update, Context], Awaitable[None]]


@dataclass(frozen=True)
class TextRouter:
    """Every feature's typed-answer handler, and what takes text nobody asked for."""

    answers: Mapping[Feature, TypedAnswer]
    plain: PlainText

    def __post_init__(self) -> None:
        missing = set(Feature) - set(self.answers)
        if missing:
            raise ValueError(f"no typed-answer handler for {sorted(missing)}")

    async def on_text(self, update: Update, context: Context) -> None:
        """Hand a private text message to whichever feature is waiting for it."""
        user = update.effective_user
        if user is None:
            return
        person = await context.person(user.id)
        pending = person.pending if person is not None else None
        if pending is None:
            await self.plain(update, context)
        else:
            await self.answers[pending.feature](update, context, pending)

    def register(self, app: NudgeApp) -> None:
        """Add the handler for private plain text."""
        app.add_handler(
            MessageHandler(
                filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, self.on_text
            )
        )
