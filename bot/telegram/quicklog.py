"""Quick logging: /log walk 20 min, or plain words such as "drank 2 glasses"; Undo."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.domain.habits import CATALOG
from bot.domain.quicklog import HOT_DRINKS, NotLogged, Refusal
from bot.services import habit_logging as service
from bot.services.local_day import NotReady
from bot.telegram import callbacks, keyboards, log_texts, texts
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


def undo_keyboard(log_id: int, *, hot_drink: bool = False) -> InlineKeyboardMarkup:
    """Offer Undo for exactly this entry (and, under a tea, a way to stop counting tea)."""
    rows = [[InlineKeyboardButton(log_texts.BUTTON_UNDO, callback_data=undo_data(log_id))]]
    if hot_drink:
        rows.append(
            [
                InlineKeyboardButton(
                    log_texts.BUTTON_HOT_OFF, callback_data=callbacks.encode(AREA, "hot", 0)
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


def undo_data(log_id: int) -> str:
    """Return the Undo button's data for one entry."""
    return callbacks.encode(AREA, "undo", log_id)


def confirmation(logged: service.Logged) -> str:
    """Render a log confirmation."""
    large = None
    if logged.large and logged.amount is not None:
        large = (logged.amount, _unit_words(logged.amount, logged.unit))
    text = log_texts.logged(
        logged.label,
        logged.what,
        logged.done,
        logged.target,
        day=logged.day,
        today=logged.today,
        large=large,
    )
    if logged.milestone is not None:
        text += "\n" + texts.MILESTONE_LINES[logged.milestone]
    return text


def _unit_words(amount: int, unit: str | None) -> str:
    if unit == "min":
        return "minutes"
    if unit == "ml":
        return "ml"
    plural = {"glass": "glasses", "cup": "cups"}.get(unit or "", unit or "")
    return plural if amount != 1 else (unit or "")


async def _refuse(message: Message, refusal: NotLogged) -> None:
    """Answer a message that logs nothing, with the one button that helps, if any."""
    markup: InlineKeyboardMarkup | None = None
    if refusal.reason in (Refusal.NOT_UNDERSTOOD, Refusal.QUESTION):
        markup = hint_keyboard()
    elif refusal.reason is Refusal.OTHER_DRINK and refusal.detail in HOT_DRINKS:
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        log_texts.BUTTON_HOT_ON, callback_data=callbacks.encode(AREA, "hot", 1)
                    )
                ]
            ]
        )
    await message.reply_text(
        log_texts.not_logged(refusal), parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def _log_text(message: Message, person_id: int, text: str, context: Context) -> None:
    """Log the habit a text names, or say why nothing was logged."""
    person = await context.person(person_id)
    entry = await service.read_message(context.uow(), person_id, text, person)
    if isinstance(entry, NotLogged) and (person is None or person.timezone is None):
        # Someone new (or just deleted) says hello: point them at /start, not at logging.
        await message.reply_text(texts.FINISH_START_FIRST)
        return
    if isinstance(entry, NotLogged):
        await _refuse(message, entry)
        return
    try:
        logged = await service.log_entry(
            context.uow(), person_id, entry, context.now(), said=text, person=person
        )
    except NotReady:
        await message.reply_text(texts.FINISH_START_FIRST)
        return
    hot = any(drink in logged.what for drink in HOT_DRINKS)
    await message.reply_text(
        confirmation(logged),
        parse_mode=ParseMode.HTML,
        reply_markup=undo_keyboard(logged.log_id, hot_drink=hot),
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
    """Log the habit tapped on a hint (once per hint message), undo a log, or set tea."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is None or message.chat.id != query.from_user.id:
        await query.answer(texts.NOT_YOURS)
        return
    try:
        action, args = callbacks.decode(query.data, AREA, {"add": 1, "undo": 1, "hot": 1})
        if action == "undo":
            await _undo(update, context, callbacks.int_arg(args))
            return
        if action == "hot" and args in (["0"], ["1"]):
            await service.set_hot_drinks(context.uow(), query.from_user.id, args == ["1"])
            await query.answer()
            await keyboards.edit(query, log_texts.HOT_ON if args == ["1"] else log_texts.HOT_OFF)
            return
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
    await keyboards.edit(query, confirmation(logged), undo_keyboard(logged.log_id))


async def _undo(update: Update, context: Context, log_id: int) -> None:
    """Remove the entry an Undo button belongs to, or say kindly why nothing changed."""
    query = update.callback_query
    assert query is not None
    result = await service.undo(context.uow(), query.from_user.id, log_id, context.now())
    match result.outcome:
        case service.UndoOutcome.NOT_YOURS:
            await query.answer(texts.NOT_YOURS)
        case service.UndoOutcome.GONE:
            await query.answer(log_texts.UNDO_GONE, show_alert=True)
        case service.UndoOutcome.TOO_LATE:
            await query.answer(log_texts.UNDO_TOO_LATE, show_alert=True)
        case service.UndoOutcome.UNDONE:
            await query.answer()
            await keyboards.edit(
                query,
                log_texts.undone(
                    result.label, result.what, result.done, result.target, result.day, result.today
                ),
            )


def register(app: NudgeApp) -> None:
    """Add /log, the hint, Undo and tea buttons (plain words come through the text router)."""
    app.add_handler(CommandHandler("log", log_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^l:"))
