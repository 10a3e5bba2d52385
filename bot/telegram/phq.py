"""The optional PHQ-4: the one-time offer after a check-in, and its four items.

One message holds a round: each answer edits it in place to the next item, then to the thanks
(and, at the cut-off, the kind line). The round lives in the database, so a press after a
restart goes on where it stopped; a button of another day's round is stale.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from enum import StrEnum
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler

from bot.domain.checkin import date_code, parse_date_code
from bot.domain.phq import ITEMS, SCORES, BadScore
from bot.services import phq as service
from bot.services.checkin import CheckInDone
from bot.services.local_day import NotReady
from bot.services.phq import PhqDone, PhqOffer, PhqQuestion, PhqResult
from bot.telegram import callbacks, keyboards, texts
from bot.telegram.context import Context, NudgeApp

AREA = "q"


class Action(StrEnum):
    """What a PHQ-4 button does; its data is "q:<action>[:<arg>...]"."""

    YES = "yes"  # "Yes" under the offer
    NO = "no"  # "No thanks" under the offer
    ANSWER = "a"  # an item's answer: day, item, score


SHAPES: dict[str, int] = {Action.YES: 0, Action.NO: 0, Action.ANSWER: 3}


def _button(label: str, action: Action, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=callbacks.encode(AREA, action, *args))


def render(result: PhqResult) -> tuple[str, InlineKeyboardMarkup | None]:
    """Turn a PHQ-4 result into the message that shows it."""
    match result:
        case PhqOffer():
            markup = InlineKeyboardMarkup(
                [
                    [
                        _button(texts.BUTTON_PHQ_YES, Action.YES),
                        _button(texts.BUTTON_PHQ_NO, Action.NO),
                    ]
                ]
            )
            return texts.PHQ_OFFER, markup
        case PhqQuestion(day=day, item=item, number=number):
            code = date_code(day)
            rows = [
                [_button(texts.phq_answer(score), Action.ANSWER, code, item.value, score)]
                for score in SCORES
            ]
            return texts.phq_question(item.value, number, len(ITEMS)), InlineKeyboardMarkup(rows)
        case PhqDone(scores=scores, line=line):
            return texts.phq_done(scores.suggest_care, line), None
    raise AssertionError(f"unexpected PHQ-4 result {result!r}")


async def after_checkin(result: object, person_id: int, context: Context) -> None:
    """After today's finished check-in: the one-time offer or today's round, if either is due."""
    if not (isinstance(result, CheckInDone) and result.finished_now and result.is_today):
        return
    try:
        asked = await service.after_checkin(context.uow(), person_id, context.now())
    except NotReady:
        return
    if asked is None:
        return
    text, markup = render(asked)
    await context.bot.send_message(person_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


PressHandler = Callable[[CallbackQuery, list[str], Context], Awaitable[None]]


def _press(handle: PressHandler) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Wrap one button's handler: refuse other people's buttons, answer stale or junk ones."""

    @functools.wraps(handle)
    async def on_press(update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        if not keyboards.owned(query):
            await query.answer(texts.NOT_YOURS)
            return
        try:
            _, args = callbacks.decode(query.data, AREA, SHAPES)
            await handle(query, args, context)
        except (callbacks.BadCallback, BadScore, service.StaleRound):
            await query.answer(texts.STALE_BUTTON)
        except service.NoConsent:
            await query.answer()
            await keyboards.edit(query, texts.PHQ_NO_CONSENT, None)
        except NotReady:
            await query.answer()
            await query.get_bot().send_message(query.from_user.id, texts.FINISH_START_FIRST)

    return on_press


async def _yes(query: CallbackQuery, args: list[str], context: Context) -> None:
    """Opt in: the first round starts right away (it is the day of a finished check-in)."""
    await service.choose(context.uow(), query.from_user.id, True, context.now())
    await query.answer()
    result = await service.after_checkin(context.uow(), query.from_user.id, context.now())
    if isinstance(result, PhqQuestion):
        await keyboards.edit(query, *render(result))
    else:
        await keyboards.edit(query, texts.PHQ_ON, None)


async def _no(query: CallbackQuery, args: list[str], context: Context) -> None:
    """Decline: nothing is asked, the setting stays off."""
    await service.choose(context.uow(), query.from_user.id, False, context.now())
    await query.answer()
    await keyboards.edit(query, texts.PHQ_OFF, None)


async def _answer(query: CallbackQuery, args: list[str], context: Context) -> None:
    """Store one item's answer and show the next item (or the thanks) in the same message."""
    try:
        day = parse_date_code(args[0])
    except ValueError:
        raise callbacks.BadCallback("bad date") from None
    result = await service.answer(
        context.uow(), query.from_user.id, day, args[1], args[2], context.now()
    )
    await query.answer()
    await keyboards.edit(query, *render(result))


async def _stale(query: CallbackQuery, args: list[str], context: Context) -> None:
    """A PHQ-4 button this version never made."""
    raise callbacks.BadCallback("unknown PHQ-4 action")


PRESSES: dict[Action, PressHandler] = {
    Action.YES: _yes,
    Action.NO: _no,
    Action.ANSWER: _answer,
}


def pattern(action: Action) -> str:
    """The callback-data pattern of one action and its number of arguments."""
    return rf"^{AREA}:{action.value}" + r"(?::[^:]+)" * SHAPES[action] + "$"


def register(app: NudgeApp) -> None:
    """Add one handler per PHQ-4 button action."""
    for action, handle in PRESSES.items():
        app.add_handler(CallbackQueryHandler(_press(handle), pattern=pattern(action)))
    app.add_handler(CallbackQueryHandler(_press(_stale), pattern=rf"^{AREA}:"))
