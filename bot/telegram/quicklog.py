"""Quick logging: /log walk 20 min, or plain words such as "drank 2 glasses"; Undo."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.domain.habits import CATALOG
from bot.domain.quicklog import HOT_DRINKS, NotLogged, Refusal, unit_words
from bot.services import habit_logging as service
from bot.services.local_day import NotReady
from bot.telegram import callbacks, keyboards, log_texts, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.guards import own_press, private_message
from bot.telegram.keyboards import button, inline, rows

AREA = "l"


def hint_keyboard() -> InlineKeyboardMarkup:
    """Offer one button per habit that can be logged."""
    buttons = [button(CATALOG[h].label, AREA, "add", h.value) for h in service.LOGGABLE]
    return inline(rows(buttons, 2))


def undo_keyboard(log_id: int, *, hot_drink: bool = False) -> InlineKeyboardMarkup:
    """Offer Undo for exactly this entry (and, under a tea, a way to stop counting tea)."""
    undo = [[button(log_texts.BUTTON_UNDO, AREA, "undo", log_id)]]
    return inline(undo, [[button(log_texts.BUTTON_HOT_OFF, AREA, "hot", 0)]] if hot_drink else [])


def confirmation(logged: service.Logged) -> str:
    """Render a log confirmation."""
    large = None
    if logged.large and logged.amount is not None:
        large = (logged.amount, unit_words(logged.amount, logged.unit))
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


async def _refuse(message: Message, refusal: NotLogged) -> None:
    """Answer a message that logs nothing, with the one button that helps, if any."""
    markup: InlineKeyboardMarkup | None = None
    if refusal.reason in (Refusal.NOT_UNDERSTOOD, Refusal.QUESTION):
        markup = hint_keyboard()
    elif refusal.reason is Refusal.OTHER_DRINK and refusal.detail in HOT_DRINKS:
        markup = inline([[button(log_texts.BUTTON_HOT_ON, AREA, "hot", 1)]])
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


async def log_habit(update: Update, context: Context) -> None:
    """Log a habit named after /log."""
    if (private := await private_message(update)) is None:
        return
    message, person_id = private
    text = " ".join(context.args or [])
    if not text:
        await message.reply_text(
            texts.LOG_USAGE, parse_mode=ParseMode.HTML, reply_markup=hint_keyboard()
        )
        return
    await _log_text(message, person_id, text, context)


async def on_plain_text(update: Update, context: Context, awaiting: str) -> None:
    """Log a habit from a plain private message when nothing else is waiting for text."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    await _log_text(message, user.id, message.text or "", context)


async def log_hint(update: Update, context: Context) -> None:
    """Log the habit tapped on a hint (once per hint message)."""
    if (query := await own_press(update)) is None:
        return
    assert query.message is not None  # an owned press has its message
    message = query.message
    [habit] = callbacks.args_of(query.data)
    try:
        logged = await service.log_from_hint(
            context.uow(), query.from_user.id, habit, message.message_id, context.now()
        )
    except service.AlreadyLogged:
        await query.answer(texts.LOG_ALREADY)
        return
    except NotReady:
        await query.answer(texts.FINISH_START_FIRST[:190], show_alert=True)
        return
    await query.answer()
    await keyboards.edit(query, confirmation(logged), undo_keyboard(logged.log_id))


async def undo_log(update: Update, context: Context) -> None:
    """Remove the entry an Undo button belongs to, or say kindly why nothing changed."""
    if (query := await own_press(update)) is None:
        return
    log_id = callbacks.int_arg(callbacks.args_of(query.data))
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


async def count_hot_drinks(update: Update, context: Context) -> None:
    """Count tea and coffee toward water, or stop counting them."""
    if (query := await own_press(update)) is None:
        return
    on = callbacks.args_of(query.data) == ["1"]
    await service.set_hot_drinks(context.uow(), query.from_user.id, on)
    await query.answer()
    await keyboards.edit(query, log_texts.HOT_ON if on else log_texts.HOT_OFF)


def register(app: NudgeApp) -> None:
    """Add /log and the hint, Undo and tea buttons (plain words come through the text router)."""
    habits = "|".join(h.value for h in service.LOGGABLE)
    app.add_handler(CommandHandler("log", log_habit))
    for callback, action, shape in [
        (log_hint, "add", habits),
        (undo_log, "undo", callbacks.NUMBER),
        (count_hot_drinks, "hot", "0|1"),
    ]:
        route = callbacks.pattern(AREA, action, 1, shape=shape)
        app.add_handler(CallbackQueryHandler(callback, pattern=route))
