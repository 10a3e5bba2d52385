"""The daily check-in: /checkin, the "Start check-in" nudge button, answers and typed text."""

from __future__ import annotations

import logging
from datetime import date

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.domain.checkin import (
    CHOICES,
    NONE_OF_THESE,
    NOTE_MAX,
    SKIP,
    BadAnswer,
    date_code,
    parse_date_code,
)
from bot.domain.quicklog import parse_log
from bot.domain.safety import RED_FLAG_SIGNS
from bot.services import checkin as service
from bot.services.local_day import NotReady
from bot.telegram import callbacks, keyboards, quicklog, text_router, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.guards import private_only

log = logging.getLogger(__name__)

AREA = "c"
ANSWER = "a"  # an answer for the day on the button (asks first if that day is over)
CONFIRMED = "y"  # an answer the person confirmed for an earlier day
# Each button's action and how many arguments it carries.
SHAPES = {"go": 0, "no": 0, "up": 1, ANSWER: 3, CONFIRMED: 3}
SIGN_QUESTIONS = [question for _, question in RED_FLAG_SIGNS]


def _button(label: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=callbacks.encode(AREA, action, *args))


def _label(key: str, value: str) -> str:
    if key == "rf":
        return texts.RED_FLAG_BUTTONS.get(value, value)
    return texts.CHOICE_LABELS.get(key, {}).get(value, value)


def question_keyboard(key: str, day: date, action: str) -> InlineKeyboardMarkup:
    """Build the buttons of one question; each carries the day it answers."""
    code = date_code(day)
    rows: list[list[InlineKeyboardButton]]
    if key == "rf":
        rows = [
            [_button(texts.RED_FLAG_BUTTONS[sign], action, code, key, sign)]
            for sign, _ in RED_FLAG_SIGNS
        ]
        rows.append([_button(texts.BUTTON_NONE_OF_THESE, action, code, key, NONE_OF_THESE)])
    elif key == "note":
        rows = []
    else:
        buttons = [_button(_label(key, str(v)), action, code, key, v) for v in CHOICES[key]]
        # 0-10 on two rows of a phone screen; four places as a 2x2 grid; the rest on one row.
        width = {11: 6, 4: 2}.get(len(buttons), len(buttons))
        rows = [buttons[i : i + width] for i in range(0, len(buttons), width)]
    skip = texts.BUTTON_SKIP_NOTE if key == "note" else texts.BUTTON_SKIP
    rows.append([_button(skip, action, code, key, SKIP)])
    return InlineKeyboardMarkup(rows)


def _summary(step: service.Step) -> str:
    a = step.answers
    return texts.checkin_summary(
        pain=a.pain,
        where=a.where,
        stress=a.stress,
        mood=a.mood,
        sleep=a.sleep,
        bloating=a.bloating,
        stool=a.stool,
        note=a.note,
    )


def render(step: service.Step) -> tuple[str, InlineKeyboardMarkup | None]:
    """Turn a check-in step into the message that shows it."""
    if step.question is None:
        if step.finished_now or not step.is_today:
            return texts.checkin_done(_summary(step), step.is_today, step.day), None
        update = InlineKeyboardMarkup(
            [[_button(texts.BUTTON_UPDATE_CHECKIN, "up", date_code(step.day))]]
        )
        return texts.checkin_already(_summary(step)), update
    text = texts.checkin_question(
        step.question, step.day, step.is_today, step.updating, SIGN_QUESTIONS
    )
    action = ANSWER if step.is_today else CONFIRMED
    return text, question_keyboard(step.question, step.day, action)


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit the pressed message; a repeated press that changes nothing is fine."""
    await keyboards.edit(query, text, markup)


async def _show(message: Message, step: service.Step) -> None:
    text, markup = render(step)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def start_checkin(update: Update, context: Context) -> None:
    """Ask today's next check-in question (or show today's answers)."""
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    assert message is not None and chat is not None and user is not None
    if not await private_only(update):
        return
    try:
        step = await service.start(context.uow(), user.id, context.now())
    except NotReady:
        await message.reply_text(texts.FINISH_START_FIRST)
        return
    await _show(message, step)


def _owned(query: CallbackQuery) -> bool:
    """Check-in buttons live in the person's private chat, whose id is theirs."""
    message = query.message
    return message is not None and message.chat.id == query.from_user.id


async def on_button(update: Update, context: Context) -> None:
    """Handle every check-in button: start, answers, updates and earlier-day confirmations."""
    query = update.callback_query
    assert query is not None
    if not _owned(query):
        await query.answer(texts.NOT_YOURS)
        return
    try:
        action, args = callbacks.decode(query.data, AREA, SHAPES)
        await _dispatch(query, action, args, context)
    except (callbacks.BadCallback, BadAnswer, service.StaleDay):
        await query.answer(texts.STALE_BUTTON)
    except NotReady:
        await query.answer()
        await query.get_bot().send_message(query.from_user.id, texts.FINISH_START_FIRST)


async def _dispatch(query: CallbackQuery, action: str, args: list[str], context: Context) -> None:
    person_id = query.from_user.id
    now = context.now()
    if action == "go":
        step = await service.start(context.uow(), person_id, now)
        await query.answer()
        assert isinstance(query.message, Message)
        await _show(query.message, step)
        return
    if action == "no":
        await query.answer()
        await _edit(query, texts.PAST_DAY_LEFT, None)
        return
    if action == "up":
        day = _day(args, 0)
        step = await service.update_today(context.uow(), person_id, day, now)
        await query.answer()
        text, markup = render(step)
        await _edit(query, text, markup)
        return
    if action not in (ANSWER, CONFIRMED) or len(args) != 3:
        raise callbacks.BadCallback("unknown check-in action")
    day, key, raw = _day(args, 0), args[1], args[2]
    try:
        step = await service.answer(
            context.uow(), person_id, day, key, raw, now, confirmed=action == CONFIRMED
        )
    except service.NeedsConfirm as ask:
        await query.answer()
        assert isinstance(query.message, Message)
        confirm = InlineKeyboardMarkup(
            [
                [_button(texts.button_update_day(ask.day), CONFIRMED, *args)],
                [_button(texts.BUTTON_LEAVE_IT, "no")],
            ]
        )
        await query.message.reply_text(
            texts.confirm_past_day(ask.day), parse_mode=ParseMode.HTML, reply_markup=confirm
        )
        return
    await query.answer()
    text, markup = render(step)
    if step.advice is None:
        await _edit(query, text, markup)
        return
    # Advice must not vanish in the next edit: it replaces the answered question for good,
    # and the check-in goes on in a new message below it.
    ack = texts.checkin_ack(_ack_key(key), _label(key, raw))
    await _edit(query, texts.with_advice(ack, step.advice, urgent=key == "rf"), None)
    await query.get_bot().send_message(
        person_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


def _ack_key(key: str) -> str:
    return "safety check" if key == "rf" else key


def _day(args: list[str], index: int) -> date:
    try:
        return parse_date_code(args[index])
    except (IndexError, ValueError):
        raise callbacks.BadCallback("bad date") from None


async def on_note(update: Update, context: Context, awaiting: str) -> None:
    """Store a typed note for the check-in that asked for it."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    text = message.text or ""
    try:
        step = await service.add_note(context.uow(), user.id, awaiting, text, context.now())
    except NotReady:
        await message.reply_text(texts.FINISH_START_FIRST)
        return
    except service.NoteTooLong:
        await message.reply_text(texts.note_too_long(len(text), NOTE_MAX))
        return
    except service.NoteExpired:
        # The note question is long gone: the text is most likely a quick log.
        await quicklog.on_plain_text(update, context, "")
        return
    reply, markup = render(step)
    await message.reply_text(
        texts.note_saved(len(text)) + "\n\n" + reply,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
    )


async def on_typed(update: Update, context: Context, awaiting: str) -> None:
    """Route typed text to the open question or to the note question."""
    if awaiting.startswith(service.QUESTION_AWAIT):
        await on_answer(update, context, awaiting)
    else:
        await on_note(update, context, awaiting)


async def on_answer(update: Update, context: Context, awaiting: str) -> None:
    """Answer the open check-in question with typed text, as its button would."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    text = message.text or ""
    try:
        typed = await service.answer_typed(context.uow(), user.id, awaiting, text, context.now())
    except NotReady:
        await message.reply_text(texts.FINISH_START_FIRST)
        return
    except (service.AnswerExpired, service.StaleDay):
        # The question is long gone: the text is most likely a quick log.
        await quicklog.on_plain_text(update, context, "")
        return
    except service.NotAnAnswer as miss:
        # "drank 2 glasses" mid-check-in is a log, not a wrong answer.
        if parse_log(text) is not None:
            await quicklog.on_plain_text(update, context, "")
        else:
            await message.reply_text(texts.typed_answer_hint(miss.key), parse_mode=ParseMode.HTML)
        return
    shown = texts.SKIPPED if typed.raw == SKIP else _label(typed.key, typed.raw)
    ack = texts.checkin_ack(_ack_key(typed.key), shown)
    step = typed.step
    text, markup = render(step)
    if step.advice is not None:
        # As with buttons, advice stands in its own message and the check-in goes on below.
        advice = texts.with_advice(ack, step.advice, urgent=typed.key == "rf")
        await message.reply_text(advice, parse_mode=ParseMode.HTML)
        await message.get_bot().send_message(
            user.id, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )
        return
    await message.reply_text(f"{ack}\n\n{text}", parse_mode=ParseMode.HTML, reply_markup=markup)


def register(app: NudgeApp) -> None:
    """Add the check-in command, its buttons and the typed answers and note."""
    app.add_handler(CommandHandler("checkin", start_checkin))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^c:"))
    text_router.route(service.AWAIT_PREFIX, on_typed)
