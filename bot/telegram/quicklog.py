"""Quick logging: /log walk 20 min, or plain words such as "drank 2 glasses"."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.domain.habits import CATALOG
from bot.domain.quicklog import parse_log
from bot.services import habit_logging as service
from bot.services.local_day import NotReady
from bot.telegram import callbacks, keyboards, text_router, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.guards import private_only

AREA = "l"


def hint_keyboard() -> InlineKeyboardMarkup:
    """Offer one button per habit that can be logged."""
    buttons = [
        InlineKeyboardButton(
            CATALOG[h].label, callback_data=callbacks.encode(AREA, "add", h.value)
        )
        for h in service.LOGGABLE
    ]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


async def _log_text(message: Message, person_id: int, text: str, context: Context) -> None:
    """Log the habit a text names, or answer with a hint and log nothing."""
    entry = parse_log(text)
    person = await context.person(person_id)
    if entry is None and (person is None or person.timezone is None):
        # Someone new (or just deleted) says hello: point them at /start, not at logging.
        await message.reply_text(texts.FINISH_START_FIRST)
        return
    if entry is None:
        await message.reply_text(
            texts.LOG_HINT, parse_mode=ParseMode.HTML, reply_markup=hint_keyboard()
        )
        return
    try:
        logged = await service.log_entry(
            context.uow(), person_id, entry, context.now(), person=person
        )
    except NotReady:
        await message.reply_text(texts.FINISH_START_FIRST)
        return
    await message.reply_text(
        texts.logged(logged.label, logged.what, logged.done, logged.target),
        parse_mode=ParseMode.HTML,
    )


async def log_command(update: Update, context: Context) -> None:
    """Log a habit named after /log."""
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    assert message is not None and chat is not None and user is not None
    if not await private_only(update):
        return
    text = " ".join(context.args or [])
    if not text:
        await message.reply_text(
            texts.LOG_USAGE, parse_mode=ParseMode.HTML, reply_markup=hint_keyboard()
        )
        return
    await _log_text(message, user.id, text, context)


async def on_plain_text(update: Update, context: Context, awaiting: str) -> None:
    """Log a habit from a plain private message when nothing else is waiting for text."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    await _log_text(message, user.id, message.text or "", context)


async def on_button(update: Update, context: Context) -> None:
    """Log the habit tapped on a hint, once per hint message."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is None or message.chat.id != query.from_user.id:
        await query.answer(texts.NOT_YOURS)
        return
    try:
        action, args = callbacks.decode(query.data, AREA, {"add": 1})
        if action != "add" or len(args) != 1:
            raise callbacks.BadCallback("unknown quick-log action")
        logged = await service.log_from_hint(
            context.uow(), query.from_user.id, args[0], message.message_id, context.now()
        )
    except (callbacks.BadCallback, ValueError):
        await query.answer(texts.STALE_BUTTON)
        return
    except service.AlreadyLogged:
        await query.answer(texts.LOG_ALREADY)
        return
    except NotReady:
        await query.answer(texts.FINISH_START_FIRST[:190], show_alert=True)
        return
    await query.answer()
    done = texts.logged(logged.label, logged.what, logged.done, logged.target)
    await keyboards.edit(query, done)


def register(app: NudgeApp) -> None:
    """Add /log, the hint buttons and plain-words logging."""
    app.add_handler(CommandHandler("log", log_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^l:"))
    text_router.fallback(on_plain_text)
