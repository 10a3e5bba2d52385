"""/start: a few taps (or typed answers) from hello to scheduled habits; resumable any time.

Button answers edit the setup message in place; typed answers get the next question as a
reply. Either way the step comes from the stored row, so stale or repeated buttons are
recognised and change nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from datetime import time
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.domain.day import BadDay, NotInDay, within
from bot.domain.habits import CATALOG, NUDGED, Habit
from bot.domain.pending import PendingInput
from bot.domain.schedule import Window
from bot.domain.timeparse import TimeParseError, parse_time, parse_window
from bot.domain.zones import UnknownZone, resolve_zone
from bot.services import onboarding
from bot.services.onboarding import OnboardingState, OnboardingStep
from bot.telegram import callbacks, keyboards, location, texts
from bot.telegram.basics import speaker
from bot.telegram.context import Context, NudgeApp
from bot.telegram.guards import own_press, private_only
from bot.telegram.keyboards import button, inline

AREA = "o"
NUMBERED = (
    OnboardingStep.CONSENT,
    OnboardingStep.ZONE,
    OnboardingStep.WAKE,
    OnboardingStep.SLEEP,
    OnboardingStep.SIT,
    OnboardingStep.HABITS,
)
WAKE_TIMES = tuple(time(h) for h in (5, 6, 7, 8, 9, 10))
SLEEP_TIMES = tuple(time(h) for h in (21, 22, 23, 0, 1, 2))
SIT_WINDOWS = (
    (time(8), time(16)),
    (time(9), time(17)),
    (time(10), time(18)),
    (time(13), time(21)),
)


def habit_lines(state: OnboardingState) -> list[str]:
    """Describe each habit's schedule, on or off."""
    lines = []
    for habit in NUDGED:
        rule = state.rule_of(habit.value)
        schedule = rule.describe() if rule is not None else "off"
        lines.append(texts.habit_line(CATALOG[habit].label, schedule, state.enabled(habit)))
    return lines


def render(state: OnboardingState) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the message for the person's current step."""
    person, step = state.person, state.step
    if step is OnboardingStep.DONE:
        return texts.onboarding_done(person.first_name, habit_lines(state)), None
    header = texts.step_header(NUMBERED.index(step) + 1, len(NUMBERED))
    if step is OnboardingStep.CONSENT:
        markup = inline(
            [[button(texts.BUTTON_AGREE, AREA, "yes")]],
            [[button(texts.BUTTON_PRIVACY, AREA, "privacy")]],
        )
        return texts.onboarding_welcome(person.first_name), markup
    if step is OnboardingStep.ZONE:
        return header + texts.ZONE_QUESTION, inline(keyboards.zone_buttons(AREA))
    if step is OnboardingStep.WAKE:
        return header + texts.WAKE_QUESTION, inline(
            keyboards.time_buttons(AREA, "wake", WAKE_TIMES)
        )
    if step is OnboardingStep.SLEEP:
        assert person.wake_time is not None
        return header + texts.sleep_question(person.wake_time), inline(
            keyboards.time_buttons(AREA, "sleep", SLEEP_TIMES)
        )
    if step is OnboardingStep.SIT:
        assert person.wake_time is not None and person.sleep_time is not None
        awake = Window(time.fromisoformat(person.wake_time), time.fromisoformat(person.sleep_time))
        fitting = [w for w in SIT_WINDOWS if within(Window(*w), awake)]
        return header + texts.sit_question(awake.describe()), inline(
            keyboards.window_buttons(AREA, "sit", fitting or [(awake.start, awake.end)])
        )
    toggles = [
        button(
            ("✅ " if state.enabled(h) else "⬜ ") + CATALOG[h].label,
            AREA,
            "off" if state.enabled(h) else "on",
            h.value,
        )
        for h in NUDGED
    ]
    markup = inline(keyboards.rows(toggles, 2), [[button(texts.BUTTON_DONE, AREA, "done")]])
    return header + texts.habits_question(habit_lines(state)), markup


async def start(update: Update, context: Context) -> None:
    """Greet the person and show the setup step they are at."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    if not await private_only(update):
        return
    state = await onboarding.begin(
        context.uow(), speaker(update), chat_id=chat.id, now=context.now()
    )
    if state.step is OnboardingStep.DONE:
        await message.reply_text(
            texts.welcome_back(state.person.first_name), parse_mode=ParseMode.HTML
        )
        return
    text, markup = render(state)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


# One setup button's answer: (context, person id, the button's arguments) -> the new state.
Answer = Callable[[Context, int, list[str]], Awaitable[OnboardingState]]


async def _consent(context: Context, person_id: int, args: list[str]) -> OnboardingState:
    return await onboarding.consent(context.uow(), person_id, context.now())


async def _zone(context: Context, person_id: int, args: list[str]) -> OnboardingState:
    zone = keyboards.zone_from_index(args)
    return await onboarding.set_zone(context.uow(), person_id, zone, context.now())


async def _wake(context: Context, person_id: int, args: list[str]) -> OnboardingState:
    wake = keyboards.from_compact(args[0])
    return await onboarding.set_wake(context.uow(), person_id, wake, context.now())


async def _sleep(context: Context, person_id: int, args: list[str]) -> OnboardingState:
    sleep = keyboards.from_compact(args[0])
    return await onboarding.set_sleep(context.uow(), person_id, sleep, context.now())


async def _sit(context: Context, person_id: int, args: list[str]) -> OnboardingState:
    sitting = Window(*keyboards.window_from_arg(args))
    return await onboarding.set_sitting(context.uow(), person_id, sitting, context.now())


async def _habit_on(context: Context, person_id: int, args: list[str]) -> OnboardingState:
    habit = _habit(args)
    return await onboarding.set_habit(context.uow(), person_id, habit, True, context.now())


async def _habit_off(context: Context, person_id: int, args: list[str]) -> OnboardingState:
    habit = _habit(args)
    return await onboarding.set_habit(context.uow(), person_id, habit, False, context.now())


async def _done(context: Context, person_id: int, args: list[str]) -> OnboardingState:
    return await onboarding.finish(context.uow(), person_id, context.now())


# Each setup button: its action, how many arguments it carries, and what it answers.
ANSWERS: dict[str, tuple[int, Answer]] = {
    "yes": (0, _consent),
    "z": (1, _zone),
    "wake": (1, _wake),
    "sleep": (1, _sleep),
    "sit": (1, _sit),
    "on": (1, _habit_on),
    "off": (1, _habit_off),
    "done": (0, _done),
}


def answer_button(answer: Answer) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Wrap a setup answer: check who pressed, explain refusals, show the next step."""

    async def on_press(update: Update, context: Context) -> None:
        query = await own_press(update)
        if query is None:
            return
        try:
            _, args = callbacks.decode(query.data, AREA)
            state = await answer(context, query.from_user.id, args)
        except callbacks.BadCallback:
            await query.answer(texts.STALE_BUTTON)
            return
        except onboarding.WrongStep as wrong:
            await query.answer(
                texts.ONB_FINISHED if wrong.state.step is OnboardingStep.DONE else texts.ONB_STALE
            )
            return
        except BadDay as bad:
            await query.answer(texts.bad_day(bad.minutes)[:200], show_alert=True)
            return
        except NotInDay as bad:
            await query.answer(texts.not_in_day(bad.awake.describe())[:200], show_alert=True)
            return
        text, markup = render(state)
        await keyboards.edit(query, text, markup)
        # Answered last: the spinner stops once the new step is on screen.
        await query.answer()

    return on_press


async def show_privacy(update: Update, context: Context) -> None:
    """Send the privacy note from the welcome's button."""
    query = await own_press(update)
    if query is None:
        return
    await context.bot.send_message(query.from_user.id, texts.PRIVACY, parse_mode=ParseMode.HTML)
    await query.answer()


async def ask_location(update: Update, context: Context) -> None:
    """Offer the share-location button for the zone step."""
    query = await own_press(update)
    if query is None:
        return
    await location.ask(query, context)


def _habit(args: list[str]) -> Habit:
    try:
        habit = Habit(args[0])
    except (IndexError, ValueError):
        raise callbacks.BadCallback("no such habit") from None
    if habit not in NUDGED:
        raise callbacks.BadCallback("not a nudged habit")
    return habit


# Typed answers, by the step that asked: (the person's text) -> the new state.
Typed = Callable[[Context, int, str], Awaitable[OnboardingState]]


async def _typed_wake(context: Context, person_id: int, text: str) -> OnboardingState:
    return await onboarding.set_wake(context.uow(), person_id, parse_time(text), context.now())


async def _typed_sleep(context: Context, person_id: int, text: str) -> OnboardingState:
    return await onboarding.set_sleep(context.uow(), person_id, parse_time(text), context.now())


async def _typed_sit(context: Context, person_id: int, text: str) -> OnboardingState:
    window = parse_window(text)
    return await onboarding.set_sitting(context.uow(), person_id, window, context.now())


TYPED: dict[str, Typed] = {
    OnboardingStep.WAKE: _typed_wake,
    OnboardingStep.SLEEP: _typed_sleep,
    OnboardingStep.SIT: _typed_sit,
}


async def on_text(update: Update, context: Context, pending: PendingInput) -> None:
    """Take a typed setup answer."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    text = message.text or ""
    if pending.step == OnboardingStep.ZONE:
        try:
            zone = resolve_zone(text).key
        except UnknownZone as exc:
            await message.reply_text(str(exc))
            return
        await take_zone(update, context, zone)
        return
    typed = TYPED.get(pending.step)
    if typed is None:
        await message.reply_text(texts.USE_BUTTONS)
        return
    try:
        state = await typed(context, user.id, text)
    except TimeParseError as exc:
        await message.reply_text(str(exc))
        return
    except BadDay as bad:
        await message.reply_text(texts.bad_day(bad.minutes))
        return
    except NotInDay as bad:
        await message.reply_text(texts.not_in_day(bad.awake.describe()))
        return
    except onboarding.WrongStep as wrong:
        state = wrong.state
    reply, markup = render(state)
    await message.reply_text(reply, parse_mode=ParseMode.HTML, reply_markup=markup)


async def take_zone(update: Update, context: Context, zone: str) -> None:
    """Store a typed or shared zone at the zone step and show the next step."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    try:
        state = await onboarding.set_zone(context.uow(), user.id, zone, context.now())
    except onboarding.WrongStep as wrong:
        state = wrong.state
    # Typing a zone may leave the share-location keyboard open: take it away.
    await message.reply_text(
        texts.zone_set(zone), parse_mode=ParseMode.HTML, reply_markup=keyboards.remove()
    )
    text, markup = render(state)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


def register(app: NudgeApp) -> None:
    """Add /start and one handler per setup button (typed answers come via bot/app.py)."""
    app.add_handler(CommandHandler("start", start))
    for action, (arity, answer) in ANSWERS.items():
        app.add_handler(
            CallbackQueryHandler(
                answer_button(answer), pattern=callbacks.pattern(AREA, action, arity)
            )
        )
    app.add_handler(CallbackQueryHandler(show_privacy, pattern=callbacks.pattern(AREA, "privacy")))
    app.add_handler(CallbackQueryHandler(ask_location, pattern=callbacks.pattern(AREA, "loc")))
