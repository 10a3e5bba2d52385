"""/breathe: a guided breathing exercise paced by editing one message, one edit per phase.

The pacing is an animation, not a schedule, so it runs as a background task that sleeps in
real time. A restart in the middle drops the animation (it is not resumed and not logged);
only an exercise that reaches its end logs the habit, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import cast

from telegram import CallbackQuery, MaybeInaccessibleMessage, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.runtime import Runtime
from bot.services import breathing
from bot.telegram import callbacks, keyboards, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.guards import own_press, private_message
from bot.telegram.keyboards import button, inline
from bot.telegram.quicklog import undo_keyboard

log = logging.getLogger(__name__)

AREA = "b"
# Tests set this to about 0.01 so a one-minute exercise takes a fraction of a second.
PHASE_SECONDS_SCALE: float = 1.0
BAR_CELLS = 12
# Long phases sleep in slices so a shutdown does not wait for a whole phase.
_SLICE_SECONDS = 0.5
# Messages (chat id, message id) with an exercise running, so a double tap starts one only.
_RUNNING_KEY = "breathe_running"


@dataclass(frozen=True)
class Exercise:
    """A breathing exercise: named phases of whole seconds, repeated."""

    title: str
    phases: tuple[tuple[str, int], ...]
    rounds: int

    @property
    def steps(self) -> int:
        return self.rounds * len(self.phases)


EXERCISES: dict[str, Exercise] = {
    "box": Exercise(
        texts.BOX_TITLE,
        (
            (texts.BREATHE_IN, 4),
            (texts.BREATHE_HOLD, 4),
            (texts.BREATHE_OUT, 4),
            (texts.BREATHE_HOLD, 4),
        ),
        rounds=4,
    ),
    "478": Exercise(
        texts.RELAX_TITLE,
        ((texts.BREATHE_IN, 4), (texts.BREATHE_HOLD, 7), (texts.BREATHE_OUT, 8)),
        rounds=4,
    ),
}
BUTTONS = {"box": texts.BOX_BUTTON, "478": texts.RELAX_BUTTON}


def bar(done: int, total: int) -> str:
    """Return a progress bar for `done` of `total` steps."""
    filled = round(BAR_CELLS * done / total) if total else BAR_CELLS
    return "▰" * filled + "▱" * (BAR_CELLS - filled)


def phase_text(exercise: Exercise, step: int) -> str:
    """Render step `step` (0-based) of an exercise."""
    round_no, index = divmod(step, len(exercise.phases))
    name, seconds = exercise.phases[index]
    return texts.breathe_phase(
        exercise.title, round_no + 1, exercise.rounds, name, seconds, bar(step, exercise.steps)
    )


def _running(app: NudgeApp) -> set[tuple[int, int]]:
    running: set[tuple[int, int]] = app.bot_data.setdefault(_RUNNING_KEY, set())
    return running


async def offer_exercises(update: Update, context: Context) -> None:
    """Offer the breathing exercises."""
    if (private := await private_message(update)) is None:
        return
    message, _ = private
    markup = inline([[button(BUTTONS[key], AREA, key)] for key in EXERCISES])
    await message.reply_text(texts.BREATHE_CHOOSE, parse_mode=ParseMode.HTML, reply_markup=markup)


async def start_chosen(update: Update, context: Context) -> None:
    """Run the exercise chosen on the list, on the list's own message."""
    if (query := await own_press(update)) is None:
        return
    assert query.message is not None  # an owned press has its message
    message = query.message
    action, _ = callbacks.decode(query.data, AREA)
    await _run(update, context, query, message, EXERCISES[action], delivery_id=None)


async def start_from_nudge(update: Update, context: Context) -> None:
    """Run box breathing in a new message, answering the breathing nudge pressed."""
    if (query := await own_press(update)) is None:
        return
    assert query.message is not None  # an owned press has its message
    message = query.message
    # A nudge's button carries its delivery ("b:start:<id>"); older ones carry none.
    args = callbacks.args_of(query.data)
    delivery_id = callbacks.int_arg(args) if args else None
    await _run(update, context, query, message, EXERCISES["box"], delivery_id, from_nudge=True)


async def _run(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: MaybeInaccessibleMessage,
    exercise: Exercise,
    delivery_id: int | None,
    *,
    from_nudge: bool = False,
) -> None:
    """Show the first phase (once per pressed message) and pace the rest in the background."""
    if not _still_offered(message, query.data or ""):
        await query.answer(texts.BREATHE_GONE)
        return
    source = (message.chat.id, message.message_id)
    app = cast(NudgeApp, context.application)
    running = _running(app)
    if source in running:
        await query.answer(texts.BREATHE_BUSY)
        return
    running.add(source)
    try:
        await query.answer()
        if from_nudge:
            if delivery_id is not None:
                # The nudge is answered by the exercise: its buttons go, so it is logged once.
                with contextlib.suppress(TelegramError):
                    await query.edit_message_reply_markup(None)
            sent = await context.bot.send_message(
                source[0], phase_text(exercise, 0), parse_mode=ParseMode.HTML
            )
            target = sent.message_id
        else:
            await keyboards.edit(query, phase_text(exercise, 0), None)
            target = source[1]
    except BaseException:
        running.discard(source)
        raise
    app.create_task(
        pace(app, query.from_user.id, source[0], target, exercise, source, delivery_id),
        update=update,
        name=f"breathe-{source[0]}-{target}",
    )


def _still_offered(message: object, data: str) -> bool:
    """Tell whether the pressed message still shows this button (else it is stale)."""
    markup = getattr(message, "reply_markup", None)
    if markup is None:
        return False
    return any(b.callback_data == data for row in markup.inline_keyboard for b in row)


async def _sleep(app: NudgeApp, seconds: float) -> bool:
    """Sleep in real time; return False as soon as the application is stopping."""
    left = seconds
    while left > 0:
        if not app.running:
            return False
        step = min(left, _SLICE_SECONDS)
        await asyncio.sleep(step)
        left -= step
    return app.running


async def pace(
    app: NudgeApp,
    person_id: int,
    chat_id: int,
    message_id: int,
    exercise: Exercise,
    source: tuple[int, int],
    delivery_id: int | None = None,
) -> None:
    """Walk the message through every phase, then log the habit once."""
    runtime: Runtime = app.bot_data["runtime"]
    try:
        for step in range(exercise.steps):
            if step > 0:
                await app.bot.edit_message_text(
                    phase_text(exercise, step),
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                )
            seconds = exercise.phases[step % len(exercise.phases)][1]
            if not await _sleep(app, seconds * PHASE_SECONDS_SCALE):
                log.info("breathing exercise in chat %s dropped by shutdown", chat_id)
                return
        log_id = await breathing.log_exercise(
            runtime.db.uow(), person_id, runtime.clock.now(), delivery_id=delivery_id
        )
        await app.bot.edit_message_text(
            texts.breathe_done(exercise.title, log_id is not None),
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            # Like every log, the session can be undone (a mistaken tap, a session cut short).
            reply_markup=undo_keyboard(log_id) if log_id else None,
        )
    except TelegramError as exc:
        # The person deleted the message or blocked the bot: the exercise just ends.
        log.info("breathing exercise in chat %s stopped: %s", chat_id, exc)
    finally:
        _running(app).discard(source)


def register(app: NudgeApp) -> None:
    """Add /breathe and its buttons."""
    app.add_handler(CommandHandler("breathe", offer_exercises))
    for key in EXERCISES:
        app.add_handler(CallbackQueryHandler(start_chosen, pattern=callbacks.pattern(AREA, key)))
    app.add_handler(
        CallbackQueryHandler(
            start_from_nudge, pattern=callbacks.pattern(AREA, "start", optional=callbacks.NUMBER)
        )
    )
