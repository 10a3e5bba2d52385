"""Any update from a person the sender marked blocked means they are back: reactivate them."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import TypeHandler

from bot.services import presence
from bot.telegram.context import Context, NudgeApp

# Runs before every feature's handlers and lets them run too (it never stops the update).
GROUP = -1
_GONE = frozenset({ChatMember.BANNED, ChatMember.LEFT})


async def notice(update: Update, context: Context) -> None:
    """Reactivate the sender of an update if they had blocked the bot."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    member = update.my_chat_member
    if member is not None and member.new_chat_member.status in _GONE:
        # "I blocked the bot" is no sign of being back.
        return
    # A read, and a write only for someone who had blocked the bot: on SQLite even an UPDATE
    # that changes nothing takes the write lock, and this runs on every update.
    person = await context.person(user.id)
    if person is not None and not person.active:
        await presence.reactivate(context.uow(), user.id, context.now())
        context.forget_person()


def register(app: NudgeApp) -> None:
    """Add the presence check ahead of every other handler."""
    app.add_handler(TypeHandler(Update, notice), group=GROUP)
