"""The daily check-in: /checkin, the "Start check-in" nudge button, answers and typed text."""

from __future__ import annotations

import logging
from datetime import date

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.domain.checkin import (
    CHOICES,
    FOLLOW_UP,
    FOLLOW_UP_ANSWERS,
    NONE_OF_THESE,
    NOTE_MAX,
    RF_DONE,
    SAME_PLACE,
    SKIP,
    BadAnswer,
    date_code,
    parse_date_code,
)
from bot.domain.pending import PendingInput
from bot.domain.quicklog import parse_log
from bot.domain.safety import RED_FLAG_KEYS
from bot.services import checkin as service
from bot.services.local_day import NotReady
from bot.telegram import callbacks, keyboards, quicklog, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.guards import private_only

log = logging.getLogger(__name__)

AREA = "c"
ANSWER = "a"  # an answer for the day on the button (asks first if that day is over)
CONFIRMED = "y"  # an answer the person confirmed for an earlier day
REMINDER_PAIN = "p"  # a pain button on the check-in reminder: today's pain
TOGGLE = "t"  # tick or untick a sign on the red-flag list
PLACES = "wl"  # "Somewhere else": show every place
FOLLOW = "f"  # an answer to "did you get it checked?" (carries the escalated day)
NOTE = "n"  # "Add a note" under the summary
CLOSE = "d"  # "Done" under the summary
MORE = "more"  # "Answer the other questions" under an escalation warning
# Each button's action and how many arguments it carries.
SHAPES = {
    **dict.fromkeys(("go", "no", MORE), 0),
    **dict.fromkeys(("up", REMINDER_PAIN, NOTE, CLOSE), 1),
    **dict.fromkeys((PLACES, TOGGLE, FOLLOW), 2),
    **dict.fromkeys((ANSWER, CONFIRMED), 3),
}


def _button(label: str, action: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=callbacks.encode(AREA, action, *args))


def _label(key: str, value: str) -> str:
    if key == "rf":
        if value == NONE_OF_THESE:
            return texts.BUTTON_NONE_OF_THESE
        return ", ".join(texts.RED_FLAG_BUTTONS.get(s, s) for s in value.split(":")[-1].split(","))
    return texts.CHOICE_LABELS.get(key, {}).get(value, value)


def question_keyboard(
    key: str,
    day: date,
    action: str,
    *,
    ticked: tuple[str, ...] = (),
    same: str | None = None,
) -> InlineKeyboardMarkup:
    """Build the buttons of one question; each carries the day it answers."""
    code = date_code(day)
    rows: list[list[InlineKeyboardButton]]
    if key == "rf":
        rows = [
            [
                _button(
                    ("☑️ " if sign in ticked else "") + texts.RED_FLAG_BUTTONS[sign],
                    TOGGLE,
                    code,
                    sign,
                )
            ]
            for sign in RED_FLAG_KEYS
        ]
        rows.append(
            [
                _button(texts.BUTTON_NONE_OF_THESE, action, code, key, NONE_OF_THESE),
                _button(texts.BUTTON_RF_DONE, action, code, key, RF_DONE),
            ]
        )
    elif key == "where" and same is not None:
        rows = [
            [_button(texts.button_same_place(same), action, code, key, SAME_PLACE)],
            [_button(texts.BUTTON_SOMEWHERE_ELSE, PLACES, code, action)],
        ]
    elif key == "stool":
        rows = [[_button(_label(key, str(v)), action, code, key, v)] for v in CHOICES[key]]
    else:
        buttons = [_button(_label(key, str(v)), action, code, key, v) for v in CHOICES[key]]
        # 0-10 on two rows of a phone screen; places and tummy as a grid; the rest on one row.
        width = {11: 6, 6: 2, 4: 2}.get(len(buttons), len(buttons))
        rows = [buttons[i : i + width] for i in range(0, len(buttons), width)]
    if key != "rf":
        rows.append([_button(texts.BUTTON_SKIP, action, code, key, SKIP)])
    return InlineKeyboardMarkup(rows)


def _summary(step: service.Step) -> str:
    a = step.answers
    summary = texts.checkin_summary(
        pain=a.pain,
        where=a.where,
        stress=a.stress,
        mood=a.mood,
        sleep=a.sleep,
        gut=a.gut,
        bloating=a.bloating,
        stool=a.stool,
        note=a.note,
    )
    return texts.checkin_closing(summary, _warning(step), bool(step.pain_flags))


def _warning(step: service.Step) -> str:
    a = step.answers
    return texts.escalation_warning(a.escalation, a.red_flags, step.number)


def _follow_up_keyboard(day: date) -> InlineKeyboardMarkup:
    code = date_code(day)
    labels = texts.CHOICE_LABELS[FOLLOW_UP]
    return InlineKeyboardMarkup(
        [[_button(labels[answer], FOLLOW, code, answer) for answer in FOLLOW_UP_ANSWERS]]
    )


def closing_keyboard(day: date) -> InlineKeyboardMarkup:
    """The buttons under a finished check-in's summary."""
    code = date_code(day)
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.BUTTON_ADD_NOTE, NOTE, code),
                _button(texts.BUTTON_CHECKIN_DONE, CLOSE, code),
            ]
        ]
    )


def render(step: service.Step) -> tuple[str, InlineKeyboardMarkup | None]:
    """Turn a check-in step into the message that shows it."""
    if step.question == FOLLOW_UP and step.follow_up is not None:
        escalation = step.follow_up
        text = texts.follow_up_question(escalation.local_date, step.day, escalation.signs)
        return text, _follow_up_keyboard(escalation.local_date)
    header = texts.checkin_header(step.day, step.is_today, step.updating)
    if step.escalated_now:
        markup = InlineKeyboardMarkup(
            [
                [_button(texts.BUTTON_REST_LATER, MORE)],
                [_button(texts.BUTTON_ITS_GONE, FOLLOW, date_code(step.day), "gone")],
            ]
        )
        return f"{header}{_warning(step)}\n\n{texts.CHECKIN_STOPPED}", markup
    if step.question is None:
        if step.finished_now or not step.is_today:
            text = texts.checkin_done(_summary(step), step.is_today, step.day)
            return text, closing_keyboard(step.day) if step.is_today else None
        update = InlineKeyboardMarkup(
            [[_button(texts.BUTTON_UPDATE_CHECKIN, "up", date_code(step.day))]]
        )
        return texts.checkin_already(_summary(step)), update
    text = texts.checkin_question(
        step.question, step.day, step.is_today, step.updating, step.answers.red_flags
    )
    if step.pain_flags_now:
        text = f"🩺 {texts.SUGGEST_PROVIDER_TEXT}\n\n{text}"
    action = ANSWER if step.is_today else CONFIRMED
    same = step.answers.previous_where if step.question == "where" else None
    return text, question_keyboard(
        step.question, step.day, action, ticked=step.answers.red_flags, same=same
    )


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
    except service.EmptyPick:
        await query.answer(texts.EMPTY_PICK, show_alert=True)
    except service.SameUnknown:
        await query.answer(texts.SAME_UNKNOWN)
    except NotReady:
        await query.answer()
        await query.get_bot().send_message(query.from_user.id, texts.FINISH_START_FIRST)


async def _dispatch(query: CallbackQuery, action: str, args: list[str], context: Context) -> None:
    person_id = query.from_user.id
    now = context.now()
    uow = context.uow()
    match action:
        case "go":
            # The reminder (or an old "Start check-in" message) becomes the check-in.
            step = await service.start(uow, person_id, now)
            await query.answer()
            await _edit(query, *render(step))
            return
        case "more":
            # The warning stays where it is; the other questions go on below it.
            step = await service.start(uow, person_id, now)
            await query.answer()
            assert isinstance(query.message, Message)
            await query.edit_message_reply_markup(None)
            await _show(query.message, step)
            return
        case "no":
            await query.answer()
            await _edit(query, texts.PAST_DAY_LEFT, None)
            return
        case "up":
            step = await service.update_today(uow, person_id, _day(args, 0), now)
            await query.answer()
            await _edit(query, *render(step))
            return
        case "p":
            raw = args[0] if len(args) == 1 else ""
            step = await service.answer(uow, person_id, None, "pain", raw, now)
            await query.answer()
            await _edit(query, *render(step))
            return
        case "wl":
            await _show_places(query, args)
            return
        case "t":
            await _toggle(query, args, context)
            return
        case "f":
            await _follow_up(query, args, context)
            return
        case "n":
            day = _day(args, 0)
            step = await service.summary(uow, person_id, day, now)
            await query.answer()
            await service.ask_note(context.uow(), person_id, day, now)
            prompt = texts.NOTE_PROMPT.format(day=texts.short_day(day))
            await _edit(query, f"{_closing(step)}\n\n{prompt}", _close_only(day))
            return
        case "d":
            day = _day(args, 0)
            step = await service.summary(uow, person_id, day, now)
            await query.answer()
            await _edit(query, _closing(step), None)
            return
    if action not in (ANSWER, CONFIRMED) or len(args) != 3:
        raise callbacks.BadCallback("unknown check-in action")
    day, key, raw = _day(args, 0), args[1], args[2]
    try:
        step = await service.answer(
            uow, person_id, day, key, raw, now, confirmed=action == CONFIRMED
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
    await _edit(query, *render(step))


def _closing(step: service.Step) -> str:
    """The finished check-in's summary, as it stays in the chat."""
    return texts.checkin_done(_summary(step), step.is_today, step.day)


def _close_only(day: date) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.BUTTON_CHECKIN_DONE, CLOSE, date_code(day))]])


async def _show_places(query: CallbackQuery, args: list[str]) -> None:
    """Swap "Same place / Somewhere else" for the list of every place."""
    day = _day(args, 0)
    action = args[1] if len(args) > 1 and args[1] in (ANSWER, CONFIRMED) else ANSWER
    await query.answer()
    assert isinstance(query.message, Message)
    text = query.message.text_html if query.message.text else ""
    await _edit(query, text, question_keyboard("where", day, action))


async def _toggle(query: CallbackQuery, args: list[str], context: Context) -> None:
    """Tick a sign on today's list, or answer a sign pressed on an older list."""
    day = _day(args, 0)
    sign = args[1] if len(args) == 2 else ""
    try:
        step = await service.toggle_sign(
            context.uow(), query.from_user.id, day, sign, context.now()
        )
    except service.StaleDay:
        number = await service.late_sign(
            context.uow(), query.from_user.id, day, sign, context.now()
        )
        await query.answer()
        await query.get_bot().send_message(
            query.from_user.id, texts.late_sign(day, sign, number), parse_mode=ParseMode.HTML
        )
        return
    await query.answer()
    await _edit(query, *render(step))


async def _follow_up(query: CallbackQuery, args: list[str], context: Context) -> None:
    """Record "did you get it checked?"; then go on with today's check-in in the same message."""
    day = _day(args, 0)
    answer = args[1] if len(args) == 2 else ""
    done = await service.follow_up(context.uow(), query.from_user.id, day, answer, context.now())
    await query.answer()
    e = done.escalation
    ack = texts.follow_up_ack(done.answer, e.tier, e.signs, done.number)
    if done.step is None:
        # "It's gone" on the day itself: the warning stays, with the answer under it.
        assert isinstance(query.message, Message)
        await query.edit_message_reply_markup(
            InlineKeyboardMarkup([[_button(texts.BUTTON_REST_LATER, MORE)]])
        )
        await query.message.reply_text(ack, parse_mode=ParseMode.HTML)
        return
    text, markup = render(done.step)
    await _edit(query, f"{ack}\n\n{text}", markup)


def _ack_key(key: str) -> str:
    return {"rf": "safety check", "gut": "tummy", "fu": "checked"}.get(key, key)


def _day(args: list[str], index: int) -> date:
    try:
        return parse_date_code(args[index])
    except (IndexError, ValueError):
        raise callbacks.BadCallback("bad date") from None


async def on_note(update: Update, context: Context, pending: PendingInput) -> None:
    """Store a typed note for the check-in that asked for it."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    text = message.text or ""
    try:
        step = await service.add_note(context.uow(), user.id, pending, text, context.now())
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
    markup: InlineKeyboardMarkup | None
    if step.question is None:
        reply, markup = _summary(step), _close_only(step.day)
    else:
        reply, markup = render(step)
    await message.reply_text(
        texts.note_saved(len(text)) + "\n\n" + reply,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
    )


async def on_typed(update: Update, context: Context, pending: PendingInput) -> None:
    """Route typed text to the note question or to the open question."""
    if pending.step == service.NOTE_STEP:
        await on_note(update, context, pending)
    else:
        await on_answer(update, context, pending)


async def on_answer(update: Update, context: Context, pending: PendingInput) -> None:
    """Answer the open check-in question with typed text, as its button would."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    text = message.text or ""
    try:
        typed = await service.answer_typed(context.uow(), user.id, pending, text, context.now())
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
    except service.SameUnknown:
        await message.reply_text(texts.SAME_UNKNOWN)
        return
    if typed.followed_up is not None:
        done = typed.followed_up
        e = done.escalation
        ack = texts.follow_up_ack(done.answer, e.tier, e.signs, done.number)
        if done.step is None:
            await message.reply_text(ack, parse_mode=ParseMode.HTML)
        else:
            text, markup = render(done.step)
            await message.reply_text(
                f"{ack}\n\n{text}", parse_mode=ParseMode.HTML, reply_markup=markup
            )
        return
    step = typed.step
    assert step is not None
    shown = _typed_shown(typed.key, typed.raw, step)
    ack = texts.checkin_ack(_ack_key(typed.key), shown)
    text, markup = render(step)
    await message.reply_text(f"{ack}\n\n{text}", parse_mode=ParseMode.HTML, reply_markup=markup)


def _typed_shown(key: str, raw: str, step: service.Step) -> str:
    """Say back what a typed answer was stored as."""
    if raw == SKIP:
        return texts.SKIPPED
    if key == "where" and raw == SAME_PLACE:
        return _label(key, step.answers.where or "")
    return _label(key, raw)


def register(app: NudgeApp) -> None:
    """Add the check-in command, its buttons and the typed answers and note."""
    app.add_handler(CommandHandler("checkin", start_checkin))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^c:"))
