"""Nudge buttons: Done, Snooze, Skip today, and the answer to "nudge less often?"."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.domain.progress import milestone
from bot.services import nudges
from bot.services.nudges import Outcome, Pressed
from bot.telegram import callbacks, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.quicklog import undo_keyboard
from bot.telegram.renderers import NUDGE as AREA
from bot.telegram.renderers import label_of

_REFUSALS = {
    Outcome.STALE: texts.STALE_BUTTON,
    Outcome.NOT_YOURS: texts.NOT_YOURS,
    Outcome.ALREADY: texts.ALREADY_ANSWERED,
    Outcome.PASSED: texts.NUDGE_PASSED,
}


def _args(query: CallbackQuery, action: str, count: int) -> list[str]:
    """Return a button's arguments (the delivery id first); BadCallback on anything else."""
    _, args = callbacks.decode(query.data, AREA, {action: count})
    callbacks.int_arg(args)
    return args


async def _reply(query: CallbackQuery, result: Pressed, text: Callable[[Pressed], str]) -> None:
    """Refuse politely, or replace the nudge with its acknowledgement."""
    refusal = _REFUSALS.get(result.outcome)
    if refusal is not None:
        await query.answer(refusal)
        return
    await query.answer()
    # The message may be too old to edit or already show this text; the action still counted.
    # A Done press gets an Undo for exactly the entry it logged.
    markup = undo_keyboard(result.log_id) if result.log_id else None
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(text(result), parse_mode=ParseMode.HTML, reply_markup=markup)


async def _done(context: Context, person_id: int, args: list[str]) -> Pressed:
    person = await context.person(person_id)
    return await nudges.press_done(
        context.uow(), person_id, int(args[0]), now=context.now(), person=person
    )


async def _snooze(context: Context, person_id: int, args: list[str]) -> Pressed:
    minutes = callbacks.int_arg(args, 1)
    return await nudges.snooze(context.uow(), person_id, int(args[0]), minutes, now=context.now())


async def _skip(context: Context, person_id: int, args: list[str]) -> Pressed:
    return await nudges.skip_today(context.uow(), person_id, int(args[0]), now=context.now())


async def _less(context: Context, person_id: int, args: list[str]) -> Pressed:
    return await nudges.answer_less(
        context.uow(), person_id, int(args[0]), less=True, now=context.now()
    )


async def _keep(context: Context, person_id: int, args: list[str]) -> Pressed:
    return await nudges.answer_less(
        context.uow(), person_id, int(args[0]), less=False, now=context.now()
    )


def done_text(result: Pressed) -> str:
    """Acknowledge a Done press: today's count, the streak, a milestone when reached."""
    label = label_of(result.habit)
    text = texts.done_ack(label, result.done_today, result.target, result.streak)
    reached = milestone(result.streak) if result.done_today == result.target else None
    return text + (f"\n{texts.MILESTONE_LINES[reached]}" if reached else "")


def snoozed_text(result: Pressed) -> str:
    """Confirm a snooze with the local time of the next nudge."""
    until = f"{result.until:%H:%M}" if result.until is not None else ""
    return texts.snoozed(label_of(result.habit), until)


def skipped_text(result: Pressed) -> str:
    """Confirm a habit is skipped for the rest of the day."""
    return texts.skipped_today(label_of(result.habit))


def less_text(result: Pressed) -> str:
    """Confirm the sparser schedule, or say it cannot get any sparser."""
    if result.outcome is Outcome.UNCHANGED or result.rule is None:
        return texts.LESS_AT_MINIMUM
    return texts.less_applied(label_of(result.habit), result.rule.describe())


def kept_text(_result: Pressed) -> str:
    """Confirm the rhythm stays as it was."""
    return texts.LESS_KEPT


def _handler(
    action: str,
    count: int,
    press: Callable[[Context, int, list[str]], Awaitable[Pressed]],
    text: Callable[[Pressed], str],
) -> CallbackQueryHandler[Context, None]:
    """One handler per button: its pattern, its service, its acknowledgement."""

    async def on_press(update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        try:
            result = await press(context, query.from_user.id, _args(query, action, count))
        except callbacks.BadCallback:
            await query.answer(texts.STALE_BUTTON)
            return
        await _reply(query, result, text)

    return CallbackQueryHandler(on_press, pattern=rf"^{AREA}:{action}:")


async def on_stale(update: Update, _context: Context) -> None:
    """Answer a nudge button this version does not know."""
    query = update.callback_query
    assert query is not None
    await query.answer(texts.STALE_BUTTON)


def register(app: NudgeApp) -> None:
    """Add one handler per nudge button, and one for buttons of the area it does not know."""
    app.add_handler(_handler("done", 1, _done, done_text))
    app.add_handler(_handler("snz", 2, _snooze, snoozed_text))
    app.add_handler(_handler("skip", 1, _skip, skipped_text))
    app.add_handler(_handler("less", 1, _less, less_text))
    app.add_handler(_handler("keep", 1, _keep, kept_text))
    app.add_handler(CallbackQueryHandler(on_stale, pattern=rf"^{AREA}:"))
