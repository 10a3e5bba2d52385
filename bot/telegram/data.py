"""/export and /delete: a person's own data, as files or gone for good."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.services import privacy_data as service
from bot.telegram import callbacks, keyboards, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.export_files import build_export
from bot.telegram.guards import own_press, private_message
from bot.telegram.keyboards import button, inline

AREA = "x"
# A delete confirmation only works for a while after it was asked for.
CONFIRM_FOR = timedelta(hours=1)
# The largest believable "asked at" timestamp in the confirmation's data (the year 36812).
ASKED_MAX = 2**40


async def export_data(update: Update, context: Context) -> None:
    """Send the person's data as one zip: a README, CSV files and the same data as JSON."""
    if (private := await private_message(update)) is None:
        return
    message, person_id = private
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
    if (private := await private_message(update)) is None:
        return
    message, person_id = private
    if not await service.has_data(context.uow(), person_id):
        await message.reply_text(texts.DELETE_NOTHING)
        return
    asked = int(context.now().timestamp())
    keyboard = inline(
        [[button(texts.BUTTON_DELETE, AREA, "del", asked)]],
        [[button(texts.BUTTON_KEEP_DATA, AREA, "keep")]],
    )
    await message.reply_text(texts.DELETE_ASK, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def keep_data(update: Update, context: Context) -> None:
    """Leave everything as it is."""
    if (query := await own_press(update)) is None:
        return
    await query.answer()
    await keyboards.edit(query, texts.DELETE_KEPT, parse_mode=None)


async def erase_data(update: Update, context: Context) -> None:
    """Erase everything, if the confirmation is fresh."""
    if (query := await own_press(update)) is None:
        return
    asked = callbacks.int_arg(callbacks.args_of(query.data), high=ASKED_MAX)
    age = context.now().timestamp() - asked
    if not 0 <= age <= CONFIRM_FOR.total_seconds():
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
    confirmed = callbacks.pattern(AREA, "del", 1, shape=callbacks.NUMBER)
    app.add_handler(CallbackQueryHandler(erase_data, pattern=confirmed))
    app.add_handler(CallbackQueryHandler(keep_data, pattern=callbacks.pattern(AREA, "keep")))
