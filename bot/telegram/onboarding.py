"""/start: a few taps (or typed answers) from hello to scheduled habits; resumable any time.

Button answers edit the setup message in place; typed answers get the next question as a
reply. Either way the step comes from the stored row, so stale or repeated buttons are
recognised and change nothing.
"""

from __future__ import annotations

import asyncio
from datetime import time

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain.habits import CATALOG, NUDGED, Habit
from bot.domain.schedule import Window
from bot.domain.timeparse import TimeParseError, parse_time, parse_window
from bot.domain.zones import UnknownZone, resolve_zone, zone_from_location
from bot.services import onboarding, people
from bot.services.onboarding import Progress, Step
from bot.telegram import callbacks, keyboards, text_router, texts
from bot.telegram import settings as settings_ui
from bot.telegram.basics import speaker
from bot.telegram.context import Context, NudgeApp
from bot.telegram.guards import private_only
from bot.telegram.keyboards import button, inline

AREA = "o"
# Each button's action and how many arguments it carries.
SHAPES = {
    **dict.fromkeys(("yes", "privacy", "loc", "done"), 0),
    **dict.fromkeys(("z", "wake", "sleep", "sit", "on", "off"), 1),
}
NUMBERED = (Step.CONSENT, Step.ZONE, Step.WAKE, Step.SLEEP, Step.SIT, Step.HABITS)
WAKE_TIMES = tuple(time(h) for h in (5, 6, 7, 8, 9, 10))
SLEEP_TIMES = tuple(time(h) for h in (21, 22, 23, 0, 1, 2))
SIT_WINDOWS = (
    (time(8), time(16)),
    (time(9), time(17)),
    (time(10), time(18)),
    (time(13), time(21)),
)


def habit_lines(progress: Progress) -> list[str]:
    """Describe each habit's schedule, on or off."""
    lines = []
    for habit in NUDGED:
        rule = progress.rule_of(habit.value)
        schedule = rule.describe() if rule is not None else "off"
        lines.append(texts.habit_line(CATALOG[habit].label, schedule, progress.enabled(habit)))
    return lines


def render(progress: Progress) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the message for the person's current step."""
    person, step = progress.person, progress.step
    if step is Step.DONE:
        return texts.onboarding_done(person.first_name, habit_lines(progress)), None
    header = texts.step_header(NUMBERED.index(step) + 1, len(NUMBERED))
    if step is Step.CONSENT:
        markup = inline(
            [[button(texts.BUTTON_AGREE, AREA, "yes")]],
            [[button(texts.BUTTON_PRIVACY, AREA, "privacy")]],
        )
        return texts.onboarding_welcome(person.first_name), markup
    if step is Step.ZONE:
        return header + texts.ZONE_QUESTION, inline(keyboards.zone_buttons(AREA))
    if step is Step.WAKE:
        return header + texts.WAKE_QUESTION, inline(
            keyboards.time_buttons(AREA, "wake", WAKE_TIMES)
        )
    if step is Step.SLEEP:
        assert person.wake_time is not None
        return header + texts.sleep_question(person.wake_time), inline(
            keyboards.time_buttons(AREA, "sleep", SLEEP_TIMES)
        )
    if step is Step.SIT:
        assert person.wake_time is not None and person.sleep_time is not None
        awake = Window(time.fromisoformat(person.wake_time), time.fromisoformat(person.sleep_time))
        fitting = [w for w in SIT_WINDOWS if onboarding.within(Window(*w), awake)]
        return header + texts.sit_question(awake.describe()), inline(
            keyboards.window_buttons(AREA, "sit", fitting or [(awake.start, awake.end)])
        )
    toggles = [
        button(
            ("✅ " if progress.enabled(h) else "⬜ ") + CATALOG[h].label,
            AREA,
            "off" if progress.enabled(h) else "on",
            h.value,
        )
        for h in NUDGED
    ]
    markup = inline(keyboards.rows(toggles, 2), [[button(texts.BUTTON_DONE, AREA, "done")]])
    return header + texts.habits_question(habit_lines(progress)), markup


async def start(update: Update, context: Context) -> None:
    """Greet the person and show the setup step they are at."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    if not await private_only(update):
        return
    progress = await onboarding.begin(
        context.uow(), speaker(update), chat_id=chat.id, now=context.now()
    )
    if progress.step is Step.DONE:
        await message.reply_text(
            texts.welcome_back(progress.person.first_name), parse_mode=ParseMode.HTML
        )
        return
    text, markup = render(progress)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def on_button(update: Update, context: Context) -> None:
    """Take a setup answer given by button."""
    query = update.callback_query
    assert query is not None
    if not keyboards.owned(query):
        await query.answer(texts.NOT_YOURS)
        return
    uow, person_id, now = context.uow(), query.from_user.id, context.now()
    try:
        action, args = callbacks.decode(query.data, AREA, SHAPES)
        if action == "yes":
            progress = await onboarding.consent(uow, person_id, now)
        elif action == "privacy":
            await context.bot.send_message(person_id, texts.PRIVACY, parse_mode=ParseMode.HTML)
            await query.answer()
            return
        elif action == "loc":
            await ask_location(update, context)
            return
        elif action == "z":
            progress = await onboarding.set_zone(
                uow, person_id, keyboards.zone_from_index(args), now
            )
        elif action == "wake":
            progress = await onboarding.set_wake(
                uow, person_id, keyboards.from_compact(args[0] if args else ""), now
            )
        elif action == "sleep":
            progress = await onboarding.set_sleep(
                uow, person_id, keyboards.from_compact(args[0] if args else ""), now
            )
        elif action == "sit":
            start, end = keyboards.window_from_arg(args)
            progress = await onboarding.set_sitting(uow, person_id, Window(start, end), now)
        elif action in ("on", "off"):
            habit = _habit(args)
            progress = await onboarding.set_habit(uow, person_id, habit, action == "on", now)
        elif action == "done":
            progress = await onboarding.finish(uow, person_id, now)
        else:
            raise callbacks.BadCallback(action)
    except callbacks.BadCallback:
        await query.answer(texts.STALE_BUTTON)
        return
    except onboarding.WrongStep as wrong:
        await query.answer(
            texts.ONB_FINISHED if wrong.progress.step is Step.DONE else texts.ONB_STALE
        )
        return
    except onboarding.BadDay as bad:
        await query.answer(texts.bad_day(bad.minutes)[:200], show_alert=True)
        return
    except onboarding.NotInDay as bad:
        await query.answer(texts.not_in_day(bad.awake.describe())[:200], show_alert=True)
        return
    text, markup = render(progress)
    await keyboards.edit(query, text, markup)
    # Answered last: the spinner stops once the new step is on screen.
    await query.answer()


def _habit(args: list[str]) -> Habit:
    try:
        habit = Habit(args[0])
    except (IndexError, ValueError):
        raise callbacks.BadCallback("no such habit") from None
    if habit not in NUDGED:
        raise callbacks.BadCallback("not a nudged habit")
    return habit


async def ask_location(update: Update, context: Context) -> None:
    """Offer the reply keyboard button that shares a location."""
    query = update.callback_query
    assert query is not None
    await context.bot.send_message(
        query.from_user.id, texts.LOCATION_ASK, reply_markup=keyboards.location_request()
    )
    await query.answer()


async def on_text(update: Update, context: Context, awaiting: str) -> None:
    """Take a typed setup answer."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    text = message.text or ""
    uow, now = context.uow(), context.now()
    step = awaiting.removeprefix(onboarding.AWAITING_PREFIX)
    try:
        if step == Step.ZONE:
            zone = resolve_zone(text).key
            progress = await onboarding.set_zone(uow, user.id, zone, now)
            # Typing a zone may leave the share-location keyboard open: take it away.
            await message.reply_text(
                texts.zone_set(zone), parse_mode=ParseMode.HTML, reply_markup=keyboards.remove()
            )
        elif step == Step.WAKE:
            progress = await onboarding.set_wake(uow, user.id, parse_time(text), now)
        elif step == Step.SLEEP:
            progress = await onboarding.set_sleep(uow, user.id, parse_time(text), now)
        elif step == Step.SIT:
            progress = await onboarding.set_sitting(uow, user.id, parse_window(text), now)
        else:
            await message.reply_text(texts.USE_BUTTONS)
            return
    except (TimeParseError, UnknownZone) as exc:
        await message.reply_text(str(exc))
        return
    except onboarding.BadDay as bad:
        await message.reply_text(texts.bad_day(bad.minutes))
        return
    except onboarding.NotInDay as bad:
        await message.reply_text(texts.not_in_day(bad.awake.describe()))
        return
    except onboarding.WrongStep as wrong:
        progress = wrong.progress
    reply, markup = render(progress)
    await message.reply_text(reply, parse_mode=ParseMode.HTML, reply_markup=markup)


async def on_location(update: Update, context: Context) -> None:
    """Set the time zone from a shared location (setup or settings)."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and message.location is not None
    awaiting = await people.awaiting(context.uow(), user.id)
    if awaiting not in (onboarding.awaiting_for(Step.ZONE), "set:zone"):
        await message.reply_text(texts.LOCATION_UNEXPECTED, reply_markup=keyboards.remove())
        return
    # The first lookup loads timezonefinder's polygons (about 0.3 s): keep the loop free.
    found = await asyncio.to_thread(
        zone_from_location, message.location.latitude, message.location.longitude
    )
    if found is None:
        await message.reply_text(texts.LOCATION_UNKNOWN, reply_markup=keyboards.remove())
        return
    if awaiting == "set:zone":
        await settings_ui.change_zone(update, context, found.key)
        return
    try:
        progress = await onboarding.set_zone(context.uow(), user.id, found.key, context.now())
    except onboarding.WrongStep as wrong:
        progress = wrong.progress
    await message.reply_text(
        texts.zone_set(found.key), parse_mode=ParseMode.HTML, reply_markup=keyboards.remove()
    )
    text, markup = render(progress)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


def register(app: NudgeApp) -> None:
    """Add /start, the setup buttons, typed answers and shared locations."""
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^o:"))
    # New messages only: a live location sends an edit every few seconds, one answer is enough.
    shared = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.LOCATION
    app.add_handler(MessageHandler(shared, on_location))
    text_router.route(onboarding.AWAITING_PREFIX, on_text)
