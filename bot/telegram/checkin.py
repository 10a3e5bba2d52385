"""The daily check-in: /checkin, the "Start check-in" nudge button, answers and typed text."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import date
from enum import StrEnum
from typing import Any

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
    FollowUpAnswer,
    Question,
    date_code,
    parse_date_code,
)
from bot.domain.peg import BadPegAnswer
from bot.domain.pending import PendingInput
from bot.domain.quicklog import parse_log
from bot.domain.safety import RED_FLAG_KEYS
from bot.services import checkin as service
from bot.services import peg as peg_service
from bot.services.checkin import (
    CheckInDay,
    CheckInDone,
    CheckInResult,
    CheckInStep,
    Escalation,
    FollowedUp,
    FollowUpAsked,
    NoteSaved,
    RedFlagsAsked,
    TypedAnswer,
)
from bot.services.local_day import NotReady
from bot.services.peg import PegAsked, PegDone
from bot.storage.checkins import EscalatedDay
from bot.telegram import callbacks, keyboards, phq, quicklog, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.guards import private_only

log = logging.getLogger(__name__)

AREA = "c"


class Action(StrEnum):
    """What a check-in button does; its data is "c:<action>[:<arg>...]"."""

    START = "go"  # "Start check-in" on the reminder (or an old message): it becomes the check-in
    LEAVE = "no"  # "Leave it" under "update an earlier day?"
    UPDATE = "up"  # "Update today's check-in" under a finished one
    ANSWER = "a"  # an answer for the day on the button (asks first if that day is over)
    CONFIRMED = "y"  # an answer the person confirmed for an earlier day
    REMINDER_PAIN = "p"  # a pain button on the check-in reminder: today's pain
    TOGGLE = "t"  # tick or untick a sign on the red-flag list
    PLACES = "wl"  # "Somewhere else": show every place
    FOLLOW = "f"  # an answer to "did you get it checked?" (carries the escalated day)
    NOTE = "n"  # "Add a note" under the summary
    CLOSE = "d"  # "Done" under the summary
    MORE = "more"  # "Answer the other questions" under an escalation warning
    PEG = "g"  # an answer to a weekly PEG question (carries the day it was asked)
    PEG_LATER = "gl"  # "Not this week" under a PEG question


# How many arguments each action's button carries.
SHAPES: dict[str, int] = {
    **dict.fromkeys((Action.START, Action.LEAVE, Action.MORE), 0),
    **dict.fromkeys(
        (Action.UPDATE, Action.REMINDER_PAIN, Action.NOTE, Action.CLOSE, Action.PEG_LATER), 1
    ),
    **dict.fromkeys((Action.PLACES, Action.TOGGLE, Action.FOLLOW), 2),
    **dict.fromkeys((Action.ANSWER, Action.CONFIRMED, Action.PEG), 3),
}


def _button(label: str, action: Action, *args: object) -> InlineKeyboardButton:
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
    action: Action,
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
                    Action.TOGGLE,
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
            [_button(texts.BUTTON_SOMEWHERE_ELSE, Action.PLACES, code, action)],
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


class TextsWording:
    """The safety words of the text catalog, as stored with each answer."""

    def provider_suggestion(self) -> str:
        """The gentle suggestion to see a provider."""
        return texts.SUGGEST_PROVIDER_TEXT

    def sign_recorded(self, sign: str) -> str:
        """The red-flag question with one sign's words."""
        return texts.red_flag_recorded(sign)

    def no_signs_recorded(self) -> str:
        """The red-flag question with "None of these"."""
        return texts.no_signs_recorded()

    def follow_up_recorded(
        self, escalated: EscalatedDay, today: date, answer: FollowUpAnswer
    ) -> str:
        """The follow-up question as shown, with the answer's label."""
        return texts.follow_up_recorded(escalated, today, answer)


WORDING = TextsWording()


def _summary(day: CheckInDay) -> str:
    a = day.answers
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
    return texts.checkin_closing(summary, _warning(day), bool(day.pain_flags))


def _warning(day: CheckInDay) -> str:
    a = day.answers
    return texts.escalation_warning(a.escalation, a.red_flags, day.number)


def follow_up_keyboard(day: date) -> InlineKeyboardMarkup:
    """The answers to "did you get it checked?" about the escalation of `day`."""
    code = date_code(day)
    labels = texts.CHOICE_LABELS[FOLLOW_UP]
    return InlineKeyboardMarkup(
        [[_button(labels[answer], Action.FOLLOW, code, answer) for answer in FOLLOW_UP_ANSWERS]]
    )


def reminder_pain_rows() -> list[list[InlineKeyboardButton]]:
    """Today's pain 0-10 on two rows, as the check-in reminder asks it (a tap answers it)."""
    pain = [_button(str(n), Action.REMINDER_PAIN, n) for n in CHOICES["pain"]]
    return [pain[:6], pain[6:]]


def closing_keyboard(day: date) -> InlineKeyboardMarkup:
    """The buttons under a finished check-in's summary."""
    code = date_code(day)
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.BUTTON_ADD_NOTE, Action.NOTE, code),
                _button(texts.BUTTON_CHECKIN_DONE, Action.CLOSE, code),
            ]
        ]
    )


def render(result: CheckInResult) -> tuple[str, InlineKeyboardMarkup | None]:
    """Turn a check-in result into the message that shows it."""
    match result:
        case FollowUpAsked(escalated=escalated):
            text = texts.follow_up_question(escalated.local_date, result.day, escalated.signs)
            return text, follow_up_keyboard(escalated.local_date)
        case Escalation():
            header = texts.checkin_header(result.day, result.is_today, False)
            warning = texts.escalation_warning(result.tier, result.signs, result.number)
            markup = InlineKeyboardMarkup(
                [
                    [_button(texts.BUTTON_REST_LATER, Action.MORE)],
                    [
                        _button(
                            texts.BUTTON_ITS_GONE,
                            Action.FOLLOW,
                            date_code(result.day),
                            FollowUpAnswer.GONE,
                        )
                    ],
                ]
            )
            return f"{header}{warning}\n\n{texts.CHECKIN_STOPPED}", markup
        case CheckInDone():
            if result.finished_now or not result.is_today:
                text = _closing(result)
                return text, closing_keyboard(result.day) if result.is_today else None
            update = InlineKeyboardMarkup(
                [[_button(texts.BUTTON_UPDATE_CHECKIN, Action.UPDATE, date_code(result.day))]]
            )
            return texts.checkin_already(_summary(result)), update
        case CheckInStep() | RedFlagsAsked():
            return _render_question(result)


def _render_question(result: CheckInStep | RedFlagsAsked) -> tuple[str, InlineKeyboardMarkup]:
    """Show one question (or the red-flag list) with its buttons."""
    question = result.question if isinstance(result, CheckInStep) else Question.RED_FLAGS
    ticked = result.ticked if isinstance(result, RedFlagsAsked) else result.answers.red_flags
    header = texts.checkin_question(question, result.day, result.is_today, result.updating, ticked)
    text = f"🩺 {texts.SUGGEST_PROVIDER_TEXT}\n\n{header}" if result.pain_flags_now else header
    action = Action.ANSWER if result.is_today else Action.CONFIRMED
    same = result.answers.previous_where if question is Question.WHERE else None
    return text, question_keyboard(question, result.day, action, ticked=ticked, same=same)


def _closing(day: CheckInDay) -> str:
    """The finished check-in's summary, as it stays in the chat."""
    return texts.checkin_done(_summary(day), day.is_today, day.day)


def _close_only(day: date) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(texts.BUTTON_CHECKIN_DONE, Action.CLOSE, date_code(day))]]
    )


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Edit the pressed message; a repeated press that changes nothing is fine."""
    await keyboards.edit(query, text, markup)


async def _show(message: Message, result: CheckInResult) -> None:
    text, markup = render(result)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


def _message(query: CallbackQuery) -> Message:
    """The pressed message (check-in buttons are never inline-mode buttons)."""
    assert isinstance(query.message, Message)
    return query.message


async def start_checkin(update: Update, context: Context) -> None:
    """Ask today's next check-in question (or show today's answers)."""
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    assert message is not None and chat is not None and user is not None
    if not await private_only(update):
        return
    try:
        result = await service.start(context.uow(), user.id, context.now())
    except NotReady:
        await message.reply_text(texts.FINISH_START_FIRST)
        return
    await _show(message, result)


# --- Buttons: one handler per action ------------------------------------------------------------

PressHandler = Callable[[CallbackQuery, list[str], Context], Awaitable[None]]


def _owned(query: CallbackQuery) -> bool:
    """Check-in buttons live in the person's private chat, whose id is theirs."""
    message = query.message
    return message is not None and message.chat.id == query.from_user.id


def _press(handle: PressHandler) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Wrap one button's handler: refuse other people's buttons, answer stale or junk ones."""

    @functools.wraps(handle)
    async def on_press(update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        if not _owned(query):
            await query.answer(texts.NOT_YOURS)
            return
        try:
            _, args = callbacks.decode(query.data, AREA, SHAPES)
            await handle(query, args, context)
        except (
            callbacks.BadCallback,
            BadAnswer,
            BadPegAnswer,
            service.StaleDay,
            peg_service.StaleWeek,
        ):
            await query.answer(texts.STALE_BUTTON)
        except service.EmptyPick:
            await query.answer(texts.EMPTY_PICK, show_alert=True)
        except service.SameUnknown:
            await query.answer(texts.SAME_UNKNOWN)
        except NotReady:
            await query.answer()
            await query.get_bot().send_message(query.from_user.id, texts.FINISH_START_FIRST)

    return on_press


def _day(args: list[str], index: int) -> date:
    try:
        return parse_date_code(args[index])
    except (IndexError, ValueError):
        raise callbacks.BadCallback("bad date") from None


async def _start(query: CallbackQuery, args: list[str], context: Context) -> None:
    """The reminder (or an old "Start check-in" message) becomes the check-in."""
    result = await service.start(context.uow(), query.from_user.id, context.now())
    await query.answer()
    await _edit(query, *render(result))


async def _more(query: CallbackQuery, args: list[str], context: Context) -> None:
    """The warning stays where it is; the other questions go on below it."""
    result = await service.start(context.uow(), query.from_user.id, context.now())
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _show(_message(query), result)


async def _leave(query: CallbackQuery, args: list[str], context: Context) -> None:
    """Leave an earlier day as it was."""
    await query.answer()
    await _edit(query, texts.PAST_DAY_LEFT, None)


async def _update(query: CallbackQuery, args: list[str], context: Context) -> None:
    """Walk through today's finished check-in again."""
    result = await service.update_today(
        context.uow(), query.from_user.id, _day(args, 0), context.now()
    )
    await query.answer()
    await _edit(query, *render(result))


async def _reminder_pain(query: CallbackQuery, args: list[str], context: Context) -> None:
    """A pain button on the check-in reminder answers today's pain."""
    result = await service.answer(
        context.uow(), query.from_user.id, None, "pain", args[0], context.now(), words=WORDING
    )
    await query.answer()
    text, markup, _ = await _then_peg(context, query.from_user.id, result)
    await _edit(query, text, markup)


async def _answer(query: CallbackQuery, args: list[str], context: Context) -> None:
    """An answer for the day on the button; an earlier day asks first."""
    day, key, raw = _day(args, 0), args[1], args[2]
    try:
        result = await service.answer(
            context.uow(), query.from_user.id, day, key, raw, context.now(), words=WORDING
        )
    except service.NeedsConfirm as ask:
        await query.answer()
        confirm = InlineKeyboardMarkup(
            [
                [_button(texts.button_update_day(ask.day), Action.CONFIRMED, *args)],
                [_button(texts.BUTTON_LEAVE_IT, Action.LEAVE)],
            ]
        )
        await _message(query).reply_text(
            texts.confirm_past_day(ask.day), parse_mode=ParseMode.HTML, reply_markup=confirm
        )
        return
    await query.answer()
    text, markup, peg_asked = await _then_peg(context, query.from_user.id, result)
    await _edit(query, text, markup)
    if not peg_asked:
        # One questionnaire a day: on the PEG day the PHQ-4 waits for the next check-in.
        await phq.after_checkin(result, query.from_user.id, context)


async def _confirmed(query: CallbackQuery, args: list[str], context: Context) -> None:
    """An answer the person confirmed for an earlier day."""
    day, key, raw = _day(args, 0), args[1], args[2]
    result = await service.answer(
        context.uow(),
        query.from_user.id,
        day,
        key,
        raw,
        context.now(),
        words=WORDING,
        confirmed=True,
    )
    await query.answer()
    await _edit(query, *render(result))


async def _show_places(query: CallbackQuery, args: list[str], context: Context) -> None:
    """Swap "Same place / Somewhere else" for the list of every place."""
    day = _day(args, 0)
    action = Action(args[1]) if args[1] in (Action.ANSWER, Action.CONFIRMED) else Action.ANSWER
    await query.answer()
    message = _message(query)
    text = message.text_html if message.text else ""
    await _edit(query, text, question_keyboard("where", day, action))


async def _toggle(query: CallbackQuery, args: list[str], context: Context) -> None:
    """Tick a sign on today's list, or answer a sign pressed on an older list."""
    day, sign = _day(args, 0), args[1]
    try:
        result = await service.toggle_sign(
            context.uow(), query.from_user.id, day, sign, context.now()
        )
    except service.StaleDay:
        late = await service.late_sign(
            context.uow(), query.from_user.id, day, sign, context.now(), words=WORDING
        )
        await query.answer()
        await query.get_bot().send_message(
            query.from_user.id,
            texts.late_sign(late.day, late.sign, late.number),
            parse_mode=ParseMode.HTML,
        )
        return
    await query.answer()
    await _edit(query, *render(result))


def _follow_up_ack(done: FollowedUp) -> str:
    e = done.escalated
    return texts.follow_up_ack(done.answer, e.tier, e.signs, done.number)


async def _follow_up(query: CallbackQuery, args: list[str], context: Context) -> None:
    """Record "did you get it checked?"; then go on with today's check-in in the same message."""
    done = await service.follow_up(
        context.uow(), query.from_user.id, _day(args, 0), args[1], context.now(), words=WORDING
    )
    await query.answer()
    ack = _follow_up_ack(done)
    if done.next is None:
        # "It's gone" on the day itself: the warning stays, with the answer under it.
        await query.edit_message_reply_markup(
            InlineKeyboardMarkup([[_button(texts.BUTTON_REST_LATER, Action.MORE)]])
        )
        await _message(query).reply_text(ack, parse_mode=ParseMode.HTML)
        return
    text, markup = render(done.next)
    await _edit(query, f"{ack}\n\n{text}", markup)


async def _note(query: CallbackQuery, args: list[str], context: Context) -> None:
    """ "Add a note" under the summary: the next typed message is the note."""
    day = _day(args, 0)
    result = await service.ask_note(context.uow(), query.from_user.id, day, context.now())
    await query.answer()
    prompt = texts.NOTE_PROMPT.format(day=texts.short_day(day))
    await _edit(query, f"{_closing(result)}\n\n{prompt}", _close_only(day))


async def _close(query: CallbackQuery, args: list[str], context: Context) -> None:
    """ "Done" under the summary: the summary stays, its buttons go."""
    result = await service.close(context.uow(), query.from_user.id, _day(args, 0), context.now())
    await query.answer()
    await _edit(query, _closing(result), None)


# --- The weekly PEG-3 ---------------------------------------------------------------------------


def peg_keyboard(asked: PegAsked) -> InlineKeyboardMarkup:
    """0-10 on two rows, each button carrying the day it was asked; "Not this week" below."""
    code = date_code(asked.day)
    buttons = [_button(str(n), Action.PEG, code, asked.item.value, n) for n in range(11)]
    return InlineKeyboardMarkup(
        [buttons[:6], buttons[6:], [_button(texts.BUTTON_PEG_LATER, Action.PEG_LATER, code)]]
    )


def render_peg(asked: PegAsked) -> tuple[str, InlineKeyboardMarkup]:
    """One PEG question with its buttons."""
    return texts.peg_question(asked.item.value, asked.first), peg_keyboard(asked)


async def _then_peg(
    context: Context, person_id: int, result: CheckInResult
) -> tuple[str, InlineKeyboardMarkup | None, bool]:
    """Show a result; a check-in just finished on the PEG day goes on to the week's questions."""
    if isinstance(result, CheckInDone) and result.finished_now and result.is_today:
        asked = await peg_service.offer(context.uow(), person_id, context.now())
        if asked is not None:
            return (*render_peg(asked), True)
    return (*render(result), False)


async def _peg_next(
    context: Context, person_id: int, done: PegAsked | PegDone
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The next PEG question, or the score followed by the check-in's closing summary."""
    if isinstance(done, PegAsked):
        return render_peg(done)
    closed = await service.close(context.uow(), person_id, done.day, context.now())
    return f"{texts.peg_done(done.score)}\n\n{_closing(closed)}", closing_keyboard(done.day)


async def _peg(query: CallbackQuery, args: list[str], context: Context) -> None:
    """A 0-10 answer to a PEG question of this week."""
    done = await peg_service.answer(
        context.uow(), query.from_user.id, _day(args, 0), args[1], args[2], context.now()
    )
    await query.answer()
    await _edit(query, *await _peg_next(context, query.from_user.id, done))


async def _peg_later(query: CallbackQuery, args: list[str], context: Context) -> None:
    """ "Not this week": the check-in's summary instead."""
    day = _day(args, 0)
    await peg_service.later(context.uow(), query.from_user.id, context.now())
    closed = await service.close(context.uow(), query.from_user.id, day, context.now())
    await query.answer()
    await _edit(query, f"{texts.PEG_LATER}\n\n{_closing(closed)}", closing_keyboard(day))


async def _stale(query: CallbackQuery, args: list[str], context: Context) -> None:
    """A check-in button this version never made (forged, or from an older version)."""
    raise callbacks.BadCallback("unknown check-in action")


# Each action's handler; its pattern allows exactly the arguments SHAPES gives it.
PRESSES: dict[Action, PressHandler] = {
    Action.START: _start,
    Action.MORE: _more,
    Action.LEAVE: _leave,
    Action.UPDATE: _update,
    Action.REMINDER_PAIN: _reminder_pain,
    Action.ANSWER: _answer,
    Action.CONFIRMED: _confirmed,
    Action.PLACES: _show_places,
    Action.TOGGLE: _toggle,
    Action.FOLLOW: _follow_up,
    Action.NOTE: _note,
    Action.CLOSE: _close,
    Action.PEG: _peg,
    Action.PEG_LATER: _peg_later,
}


def pattern(action: Action) -> str:
    """The callback-data pattern of one action and its number of arguments."""
    return rf"^{AREA}:{action.value}" + r"(?::[^:]+)" * SHAPES[action] + "$"


# --- Typed answers and the note -----------------------------------------------------------------


def _ack_key(key: str) -> str:
    return {"rf": "safety check", "gut": "tummy", "fu": "checked"}.get(key, key)


def _typed_shown(typed: TypedAnswer) -> str:
    """Say back what a typed answer was stored as."""
    if typed.raw == SKIP:
        return texts.SKIPPED
    if typed.question == "where" and typed.raw == SAME_PLACE:
        return _label(typed.question, typed.result.answers.where or "")
    return _label(typed.question, typed.raw)


async def on_typed(update: Update, context: Context, pending: PendingInput) -> None:
    """Answer the open check-in question (or store the note) with typed text.

    The router's one entry point for text the check-in waits for (its PendingInput);
    everything else about it is decided by services.checkin.answer_text.
    """
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    text = message.text or ""
    if peg_service.is_peg_step(pending):
        await _on_typed_peg(update, context, pending)
        return
    try:
        done = await service.answer_text(
            context.uow(), user.id, pending, text, context.now(), words=WORDING
        )
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
    except service.NoteTooLong:
        await message.reply_text(texts.note_too_long(len(text), NOTE_MAX))
        return
    peg_asked = False
    if isinstance(done, TypedAnswer):
        ack = texts.checkin_ack(_ack_key(done.question), _typed_shown(done))
        reply, markup, peg_asked = await _then_peg(context, user.id, done.result)
        reply = f"{ack}\n\n{reply}"
    else:
        reply, markup = _typed_reply(done)
    await message.reply_text(reply, parse_mode=ParseMode.HTML, reply_markup=markup)
    if isinstance(done, TypedAnswer) and not peg_asked:
        await phq.after_checkin(done.result, user.id, context)


async def _on_typed_peg(update: Update, context: Context, pending: PendingInput) -> None:
    """A typed answer to the open PEG question: a number from 0 to 10, or a kind hint."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    try:
        done = await peg_service.answer_text(
            context.uow(), user.id, pending, message.text or "", context.now()
        )
    except NotReady:
        await message.reply_text(texts.FINISH_START_FIRST)
        return
    except peg_service.PegExpired:
        await quicklog.on_plain_text(update, context, "")
        return
    except peg_service.NotAPegAnswer:
        if parse_log(message.text or "") is not None:
            await quicklog.on_plain_text(update, context, "")
        else:
            await message.reply_text(texts.PEG_NUMBER_PLEASE)
        return
    reply, markup = await _peg_next(context, user.id, done)
    await message.reply_text(reply, parse_mode=ParseMode.HTML, reply_markup=markup)


def _typed_reply(
    done: TypedAnswer | FollowedUp | NoteSaved,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Acknowledge typed text and show what comes next."""
    match done:
        case FollowedUp(next=None):
            return _follow_up_ack(done), None
        case FollowedUp(next=then) if then is not None:
            text, markup = render(then)
            return f"{_follow_up_ack(done)}\n\n{text}", markup
        case NoteSaved(result=CheckInDone() as finished):
            reply, markup = _summary(finished), _close_only(finished.day)
            return f"{texts.note_saved(done.length)}\n\n{reply}", markup
        case NoteSaved(result=result):
            reply, markup = render(result)
            return f"{texts.note_saved(done.length)}\n\n{reply}", markup
        case TypedAnswer(result=result):
            ack = texts.checkin_ack(_ack_key(done.question), _typed_shown(done))
            text, markup = render(result)
            return f"{ack}\n\n{text}", markup
    raise AssertionError(f"unexpected typed result {done!r}")


def register(app: NudgeApp) -> None:
    """Add the check-in command, one handler per button action, and the typed answers."""
    app.add_handler(CommandHandler("checkin", start_checkin))
    for action, handle in PRESSES.items():
        app.add_handler(CallbackQueryHandler(_press(handle), pattern=pattern(action)))
    # Any other check-in button (forged, or of an older version) gets a short, kind refusal.
    app.add_handler(CallbackQueryHandler(_press(_stale), pattern=rf"^{AREA}:"))
