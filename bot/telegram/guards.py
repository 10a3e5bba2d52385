"""Checks many handlers share before they do anything."""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot.telegram import keyboards, texts


async def private_only(update: Update) -> bool:
    """Return whether the update comes from a private chat; answer politely if not."""
    chat, message = update.effective_chat, update.effective_message
    if chat is not None and chat.type == "private":
        return True
    if message is not None:
        await message.reply_text(texts.NOT_IN_GROUP)
    return False


async def own_press(update: Update) -> CallbackQuery | None:
    """Return the pressed button's query if the presser owns it; answer politely if not."""
    query = update.callback_query
    assert query is not None
    if keyboards.owned(query):
        return query
    await query.answer(texts.NOT_YOURS)
    return None
