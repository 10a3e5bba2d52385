"""/export and /delete: a person's own data, as files or gone for good."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.services import privacy_data as service
from bot.telegram import callbacks, keyboards, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.export_files import build_export

AREA = "x"
# A delete confirmation only works for a while after it was asked for.
CONFIRM_FOR = timedelta(hours=1)
# The largest believable "asked at" timestamp in the confirmation's data (the year 36812).
ASKED_MAX = 2**40


def _private(update: Update) -> tuple[Message, int, bool]:
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    assert message is not None and chat is not None and user is not None
    return message, user.id, chat.type == "private"


async def export_data(update: Update, context: Context) -> None:
    """Send the person's data as one zip: a README, CSV files and the same data as JSON."""
    message, person_id, private = _private(update)
    if not private:
        await message.reply_text(texts.NOT_IN_GROUP)
        return
    tables = await service.export(context.uow(), person_id)
    if tables is None:
        await message.reply_text(texts.EXPORT_NOTHING)
        return
    # Packing a year of data is CPU work in Python (which yields the GIL every few ms) and
    # zlib (which releases it): a thread keeps the event loop free.
    bundle = await asyncio.to_thread(build_export, tables, context.now())
    await message.reply_document(
        InputFile(bundle.zip_bytes, filename=bundle.zip_name), caption=texts.EXPORT_CAPTION_ZIP
    )


async def ask_delete(update: Update, context: Context) -> None:
    """Ask for confirmation before erasing everything."""
    message, person_id, private = _private(update)
    if not private:
        await message.reply_text(texts.NOT_IN_GROUP)
        return
    if not await service.has_data(context.uow(), person_id):
        await message.reply_text(texts.DELETE_NOTHING)
        return
    asked = int(context.now().timestamp())
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_DELETE, callback_data=callbacks.encode(AREA, "del", asked)
                )
            ],
            [
                InlineKeyboardButton(
                    texts.BUTTON_KEEP_DATA, callback_data=callbacks.encode(AREA, "keep")
                )
            ],
        ]
    )
    await message.reply_text(texts.DELETE_ASK, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def on_button(update: Update, context: Context) -> None:
    """Erase everything after the confirmation, or leave it."""
    query = update.callback_query
    assert query is not None
    if query.message is None or query.message.chat.id != query.from_user.id:
        await query.answer(texts.NOT_YOURS)
        return
    try:
        action, args = callbacks.decode(query.data, AREA, {"del": 1, "keep": 0})
        if action == "keep":
            await query.answer()
            await keyboards.edit(query, texts.DELETE_KEPT, parse_mode=None)
            return
        if action != "del":
            raise callbacks.BadCallback("unknown data action")
        asked = callbacks.int_arg(args, high=ASKED_MAX)
        age = context.now().timestamp() - asked
        if not 0 <= age <= CONFIRM_FOR.total_seconds():
            raise callbacks.BadCallback("confirmation too old")
    except callbacks.BadCallback:
        await query.answer(texts.STALE_BUTTON)
        return
    removed = await service.erase(context.uow(), query.from_user.id)
    await query.answer()
    done = texts.DELETE_DONE if removed else texts.DELETE_NOTHING
    await keyboards.edit(query, done, parse_mode=None)


def register(app: NudgeApp) -> None:
    """Add /export, /delete and the delete confirmation."""
    app.add_handler(CommandHandler("export", export_data))
    app.add_handler(CommandHandler("delete", ask_delete))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^x:"))
