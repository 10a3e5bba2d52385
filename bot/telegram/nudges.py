"""Nudge buttons: Done, Snooze, Skip today, and the answer to "nudge less often?"."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.domain.progress import milestone
from bot.services import nudges
from bot.services.nudges import Outcome, Pressed
from bot.telegram import callbacks, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.quicklog import undo_keyboard

AREA = "n"
# Each button's action and how many arguments it carries (the delivery id, then minutes).
SHAPES = {"done": 1, "snz": 2, "skip": 1, "less": 1, "keep": 1}
_REFUSALS = {
    Outcome.STALE: texts.STALE_BUTTON,
    Outcome.NOT_YOURS: texts.NOT_YOURS,
    Outcome.ALREADY: texts.ALREADY_ANSWERED,
    Outcome.PASSED: texts.NUDGE_PASSED,
}


async def on_button(update: Update, context: Context) -> None:
    """Act on a nudge button pressed by the person it was sent to."""
    query = update.callback_query
    assert query is not None
    try:
        action, args = callbacks.decode(query.data, AREA, SHAPES)
        delivery_id = callbacks.int_arg(args)
        result = await _press(context, query.from_user.id, action, args, delivery_id)
    except callbacks.BadCallback:
        await query.answer(texts.STALE_BUTTON)
        return
    refusal = _REFUSALS.get(result.outcome)
    if refusal is not None:
        await query.answer(refusal)
        return
    await query.answer()
    # The message may be too old to edit or already show this text; the action still counted.
    # A Done press gets an Undo for exactly the entry it logged.
    markup = undo_keyboard(result.log_id) if action == "done" and result.log_id else None
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(
            _render(action, result), parse_mode=ParseMode.HTML, reply_markup=markup
        )


async def _press(
    context: Context, person_id: int, action: str, args: list[str], delivery_id: int
) -> Pressed:
    """Call the one service that handles this button."""
    uow, now = context.uow(), context.now()
    match action:
        case "done":
            person = await context.person(person_id)
            return await nudges.press_done(uow, person_id, delivery_id, now=now, person=person)
        case "snz":
            minutes = callbacks.int_arg(args, 1)
            return await nudges.snooze(uow, person_id, delivery_id, minutes, now=now)
        case "skip":
            return await nudges.skip_today(uow, person_id, delivery_id, now=now)
        case "less" | "keep":
            less = action == "less"
            return await nudges.answer_less(uow, person_id, delivery_id, less=less, now=now)
    raise callbacks.BadCallback(f"unknown nudge action {action!r}")


def _render(action: str, result: Pressed) -> str:
    """Return the acknowledgement that replaces the nudge."""
    match action:
        case "done":
            text = texts.done_ack(result.label, result.done_today, result.target, result.streak)
            reached = milestone(result.streak) if result.done_today == result.target else None
            return text + (f"\n{texts.MILESTONE_LINES[reached]}" if reached else "")
        case "snz":
            return texts.snoozed(result.label, result.until)
        case "skip":
            return texts.skipped_today(result.label)
        case "less" if result.outcome is Outcome.UNCHANGED:
            return texts.LESS_AT_MINIMUM
        case "less":
            return texts.less_applied(result.label, result.rule)
    return texts.LESS_KEPT


def register(app: NudgeApp) -> None:
    """Add the nudge button handler."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{AREA}:"))
