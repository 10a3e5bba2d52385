"""/settings, /pause, /resume and /privacy: change anything onboarding set up.

The menu is one message edited in place; each button has its own handler. A question that
wants typing (a city, a range, times) stores a settings PendingInput, so the answer still
lands here after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import Enum
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.domain.day import MAX_TIMES, BadDay, BadSpacing, NotInDay, OutsideDay, within
from bot.domain.habits import CATALOG, NUDGED, Habit
from bot.domain.nudging import BUDGETS, DEFAULT_BUDGET
from bot.domain.pending import PendingInput
from bot.domain.schedule import ALL_DAYS, Window
from bot.domain.timeparse import (
    TimeParseError,
    parse_duration,
    parse_time,
    parse_weekdays,
    parse_window,
)
from bot.domain.zones import UnknownZone, resolve_zone
from bot.services import goals, onboarding, phq, settings
from bot.services.goals import goals_for
from bot.services.schedules import zone_of
from bot.services.settings import INTERVAL_HABITS, SettingsOverview, SettingsQuestion
from bot.telegram import callbacks, keyboards, location, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.guards import own_press, private_only
from bot.telegram.keyboards import button, inline

AREA = "s"
DAY_WINDOWS = (
    (time(6), time(22)),
    (time(7), time(23)),
    (time(8), time(0)),
    (time(20), time(12)),
)
SIT_WINDOWS = (
    (time(8), time(16)),
    (time(9), time(17)),
    (time(10), time(18)),
    (time(13), time(21)),
)
INTERVALS = {Habit.WATER: (60, 90, 120, 180, 240), Habit.MOVE: (30, 45, 50, 60, 90)}
CHECKIN_TIMES = tuple(time(h, m) for h, m in ((19, 0), (20, 0), (20, 30), (21, 0), (22, 0)))
GOAL_CHOICES = (1, 2, 3, 4, 5, 6, 8, 10)
DAY_SETS = {"all": ALL_DAYS, "wk": frozenset(range(5)), "we": frozenset({5, 6})}
DAY_SET_LABELS = {"all": "Every day", "wk": "Mon–Fri", "we": "Sat–Sun"}
PAUSES = {"1d": timedelta(days=1), "3d": timedelta(days=3), "7d": timedelta(days=7)}
_TIME_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\s)\s*")


QUESTIONS = {q.value: q for q in SettingsQuestion}


class Screen(Enum):
    """A screen of the settings message."""

    MENU = "menu"
    CLOSED = "closed"
    ZONE = "zone"
    DAY = "day"
    SIT = "sit"
    BUDGET = "budget"
    PAUSE = "pause"
    HABIT = "habit"  # the screens from here on are about one habit
    TIMES = "times"
    DAYS = "days"
    GOAL = "goal"


@dataclass(frozen=True)
class View:
    """What to show after a button: the settings, a screen, and the habit it is about."""

    overview: SettingsOverview
    screen: Screen
    habit: Habit | None = None


def _local(overview: SettingsOverview, when: datetime) -> str:
    zone = zone_of(overview.person)
    return f"{when.astimezone(zone):%a %d %b %H:%M}"


def _schedule(overview: SettingsOverview, habit: Habit) -> str:
    rule = overview.rule_of(habit.value)
    return rule.describe() if rule is not None else "off"


def _windows(overview: SettingsOverview) -> tuple[Window, Window]:
    windows = onboarding.windows_of(overview.person)
    assert windows is not None
    return windows


def menu(overview: SettingsOverview, now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    """Render the settings overview."""
    awake, sitting = _windows(overview)
    lines = [
        texts.habit_line(CATALOG[h].label, _schedule(overview, h), overview.enabled(h.value))
        for h in NUDGED
    ]
    pause = None
    if overview.paused(now):
        until = overview.person.paused_until
        assert until is not None
        pause = texts.pause_line(
            None if overview.paused_indefinitely(now) else _local(overview, until)
        )
    budget = overview.person.nudge_budget or DEFAULT_BUDGET
    text = texts.settings_menu(
        overview.person.timezone or "UTC",
        awake.describe(),
        sitting.describe(),
        lines,
        pause,
        texts.budget_label(budget, BUDGETS[budget]),
    )
    habit_buttons = [button(CATALOG[h].label, AREA, "h", h.value) for h in NUDGED]
    pausing = (
        button("▶️ Resume", AREA, "resume")
        if overview.paused(now)
        else button("⏸ Pause", AREA, "pause")
    )
    markup = inline(
        [[button("🌍 Time zone", AREA, "zone"), button("☀️ Day", AREA, "day")]],
        [[button("🪑 Sitting hours", AREA, "sit"), button("📬 Messages a day", AREA, "budget")]],
        keyboards.rows(habit_buttons, 2),
        [[pausing, button(texts.BUTTON_CLOSE, AREA, "close")]],
    )
    return text, markup


def habit_menu(overview: SettingsOverview, habit: Habit) -> tuple[str, InlineKeyboardMarkup]:
    """Render one habit's settings."""
    on = overview.enabled(habit.value)
    label = CATALOG[habit].label
    toggle = button("Turn off" if on else "Turn on", AREA, "off" if on else "on", habit.value)
    goal = goals_for(overview.reminders.values())[habit.value]
    reminder = overview.reminders.get(habit.value)
    own_goal = reminder is not None and reminder.goal is not None
    own_rule = reminder.own_rule if reminder is not None else None
    hint = texts.goal_hint(goal, own_goal)
    pin: list[list[InlineKeyboardButton]] = []
    if own_rule is not None:
        hint += "\n" + texts.learned_hint(", ".join(own_rule.get("times") or []))
        pin = [[button(texts.BUTTON_PIN_TIME, AREA, "pin", habit.value)]]
    text = texts.habit_settings(label, _schedule(overview, habit), on, hint)
    extra: list[list[InlineKeyboardButton]] = []
    if habit is Habit.CHECKIN:
        # The stool form is an optional extra question of the check-in (off by default).
        stool = overview.person.ask_stool
        text += texts.stool_setting(stool)
        extra = [[button(texts.stool_toggle(stool), AREA, "stool", "off" if stool else "on")]]
        if overview.person.consented:
            # The PHQ-4 every two weeks (off by default; see bot/telegram/phq.py).
            phq_on = overview.person.phq_on
            text += texts.phq_setting(phq_on)
            extra.append(
                [button(texts.phq_toggle(phq_on), AREA, "phq", "off" if phq_on else "on")]
            )
    markup = inline(
        [[toggle, button("🎯 Goal", AREA, "g", habit.value)]],
        extra,
        [[button("⏰ Times", AREA, "t", habit.value), button("📅 Days", AREA, "d", habit.value)]],
        pin,
        [[button("↺ Default", AREA, "r", habit.value), _back()]],
    )
    return text, markup


def _back(action: str = "menu", *args: object) -> InlineKeyboardButton:
    return button(texts.BUTTON_BACK, AREA, action, *args)


def times_menu(habit: Habit) -> tuple[str, InlineKeyboardMarkup]:
    """Ask for a habit's times (or spacing)."""
    label = CATALOG[habit].label
    if habit in INTERVAL_HABITS:
        picks = [
            button(f"every {m // 60} h" if m % 60 == 0 else f"every {m} min", AREA, "iv", habit, m)
            for m in INTERVALS[habit]
        ]
        return texts.interval_question(label), inline(
            keyboards.rows(picks, 2), [[_back("h", habit.value)]]
        )
    presets = []
    if habit is Habit.CHECKIN:
        picks = [
            button(f"{t:%H:%M}", AREA, "tm", habit.value, keyboards.compact(t))
            for t in CHECKIN_TIMES
        ]
        presets = keyboards.rows(picks, 3)
    return texts.times_question(label), inline(presets, [[_back("h", habit.value)]])


def goal_menu(habit: Habit) -> tuple[str, InlineKeyboardMarkup]:
    """Offer a daily goal of one's own, or the goal that follows the schedule."""
    picks = [button(str(n), AREA, "gs", habit.value, n) for n in GOAL_CHOICES]
    follow = button(texts.BUTTON_GOAL_FROM_SCHEDULE, AREA, "gs", habit.value, 0)
    return texts.goal_question(CATALOG[habit].label), inline(
        keyboards.rows(picks, 4), [[follow], [_back("h", habit.value)]]
    )


def days_menu(habit: Habit) -> tuple[str, InlineKeyboardMarkup]:
    """Ask for a habit's weekdays."""
    picks = [button(DAY_SET_LABELS[k], AREA, "dd", habit.value, k) for k in DAY_SETS]
    return texts.days_question(CATALOG[habit].label), inline([picks], [[_back("h", habit.value)]])


def _habit(value: str) -> Habit:
    try:
        habit = Habit(value)
    except ValueError:
        raise callbacks.BadCallback("no such habit") from None
    if habit not in NUDGED:
        raise callbacks.BadCallback("not a nudged habit")
    return habit


async def show(update: Update, context: Context) -> None:
    """Open the settings menu."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    assert chat is not None and message is not None and user is not None
    if not await private_only(update):
        return
    try:
        overview = await settings.overview(context.uow(), user.id, context.now())
    except settings.NotOnboarded:
        await message.reply_text(texts.NEED_START)
        return
    text, markup = menu(overview, context.now())
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


@dataclass(frozen=True)
class Press:
    """A settings button pressed by its owner: who, when, and the button's arguments."""

    context: Context
    person_id: int
    now: datetime
    args: list[str]

    def habit(self) -> Habit:
        """Return the nudged habit the button is about (its first argument)."""
        return _habit(self.args[0])

    async def overview(self) -> SettingsOverview:
        """Return the settings, forgetting a half-asked question."""
        return await settings.overview(self.context.uow(), self.person_id, self.now)


# One settings button: what it changes, and which screen shows next.
Action = Callable[[Press], Awaitable[View]]


async def _menu(press: Press) -> View:
    return View(await press.overview(), Screen.MENU)


async def _close(press: Press) -> View:
    return View(await press.overview(), Screen.CLOSED)


async def _budget_menu(press: Press) -> View:
    return View(await press.overview(), Screen.BUDGET)


async def _pause_menu(press: Press) -> View:
    return View(await press.overview(), Screen.PAUSE)


async def _habit_menu(press: Press) -> View:
    return View(await press.overview(), Screen.HABIT, press.habit())


async def _goal_menu(press: Press) -> View:
    return View(await press.overview(), Screen.GOAL, press.habit())


def _asking(question: SettingsQuestion, screen: Screen, *, about_habit: bool = False) -> Action:
    """Make an action that asks a typed question and shows its screen."""

    async def ask(press: Press) -> View:
        habit = press.habit() if about_habit else None
        uow = press.context.uow()
        overview = await settings.ask(uow, press.person_id, question, press.now, habit)
        return View(overview, screen, habit)

    return ask


async def _zone(press: Press) -> View:
    zone = keyboards.zone_from_index(press.args)
    return View(
        await settings.set_zone(press.context.uow(), press.person_id, zone, press.now), Screen.MENU
    )


async def _day(press: Press) -> View:
    awake = Window(*keyboards.window_from_arg(press.args))
    return View(
        await settings.set_day(press.context.uow(), press.person_id, awake, press.now), Screen.MENU
    )


async def _sitting(press: Press) -> View:
    sitting = Window(*keyboards.window_from_arg(press.args))
    overview = await settings.set_sitting(press.context.uow(), press.person_id, sitting, press.now)
    return View(overview, Screen.MENU)


async def _budget(press: Press) -> View:
    budget = press.args[0]
    if budget not in BUDGETS:
        raise callbacks.BadCallback("no such budget")
    overview = await settings.set_budget(press.context.uow(), press.person_id, budget, press.now)
    return View(overview, Screen.MENU)


async def _pause(press: Press) -> View:
    key = press.args[0]
    if key != "0" and key not in PAUSES:
        raise callbacks.BadCallback("no such pause")
    span = PAUSES.get(key)
    return View(
        await settings.pause(press.context.uow(), press.person_id, span, press.now), Screen.MENU
    )


async def _resume(press: Press) -> View:
    return View(
        await settings.resume(press.context.uow(), press.person_id, press.now), Screen.MENU
    )


async def _stool(press: Press) -> View:
    on = press.args[0] == "on"
    overview = await settings.set_ask_stool(press.context.uow(), press.person_id, on, press.now)
    return View(overview, Screen.HABIT, Habit.CHECKIN)


async def _phq(press: Press) -> View:
    try:
        await phq.choose(press.context.uow(), press.person_id, press.args[0] == "on", press.now)
    except phq.NoConsent:
        raise callbacks.BadCallback("no consent: the toggle is never shown") from None
    return View(await press.overview(), Screen.HABIT, Habit.CHECKIN)


async def _turn_on(press: Press) -> View:
    habit = press.habit()
    overview = await settings.set_enabled(
        press.context.uow(), press.person_id, habit, True, press.now
    )
    return View(overview, Screen.HABIT, habit)


async def _turn_off(press: Press) -> View:
    habit = press.habit()
    overview = await settings.set_enabled(
        press.context.uow(), press.person_id, habit, False, press.now
    )
    return View(overview, Screen.HABIT, habit)


async def _reset(press: Press) -> View:
    habit = press.habit()
    overview = await settings.reset_habit(press.context.uow(), press.person_id, habit, press.now)
    return View(overview, Screen.HABIT, habit)


async def _pin(press: Press) -> View:
    habit = press.habit()
    overview = await settings.pin_time(press.context.uow(), press.person_id, habit, press.now)
    return View(overview, Screen.HABIT, habit)


async def _goal(press: Press) -> View:
    habit = press.habit()
    number = callbacks.int_arg(press.args, 1)
    if number != 0 and number not in GOAL_CHOICES:
        raise callbacks.BadCallback("no such goal")
    try:
        await goals.set_goal(press.context.uow(), press.person_id, habit.value, number or None)
    except goals.BadGoal:
        raise callbacks.BadCallback("no such goal") from None
    return View(await press.overview(), Screen.HABIT, habit)


async def _interval(press: Press) -> View:
    habit = press.habit()
    minutes = callbacks.int_arg(press.args, 1)
    if minutes not in INTERVALS.get(habit, ()):
        raise callbacks.BadCallback("no such interval")
    uow = press.context.uow()
    overview = await settings.set_interval(uow, press.person_id, habit, minutes, press.now)
    return View(overview, Screen.HABIT, habit)


async def _time(press: Press) -> View:
    habit = press.habit()
    if habit in INTERVAL_HABITS:
        raise callbacks.BadCallback("an interval habit has no clock times")
    at = keyboards.from_compact(press.args[1])
    overview = await settings.set_times(
        press.context.uow(), press.person_id, habit, (at,), press.now
    )
    return View(overview, Screen.HABIT, habit)


async def _weekdays(press: Press) -> View:
    habit = press.habit()
    days = DAY_SETS.get(press.args[1])
    if days is None:
        raise callbacks.BadCallback("no such days")
    uow = press.context.uow()
    overview = await settings.set_weekdays(uow, press.person_id, habit, days, press.now)
    return View(overview, Screen.HABIT, habit)


# Each settings button: its action, how many arguments it carries, and what it does.
ACTIONS: dict[str, tuple[int, Action]] = {
    "menu": (0, _menu),
    "close": (0, _close),
    "zone": (0, _asking(SettingsQuestion.ZONE, Screen.ZONE)),
    "day": (0, _asking(SettingsQuestion.DAY, Screen.DAY)),
    "sit": (0, _asking(SettingsQuestion.SIT, Screen.SIT)),
    "z": (1, _zone),
    "dw": (1, _day),
    "sw": (1, _sitting),
    "pause": (0, _pause_menu),
    "budget": (0, _budget_menu),
    "b": (1, _budget),
    "p": (1, _pause),
    "resume": (0, _resume),
    "stool": (1, _stool),
    "phq": (1, _phq),
    "h": (1, _habit_menu),
    "on": (1, _turn_on),
    "off": (1, _turn_off),
    "t": (1, _asking(SettingsQuestion.TIMES, Screen.TIMES, about_habit=True)),
    "d": (1, _asking(SettingsQuestion.DAYS, Screen.DAYS, about_habit=True)),
    "r": (1, _reset),
    "pin": (1, _pin),
    "g": (1, _goal_menu),
    "gs": (2, _goal),
    "iv": (2, _interval),
    "tm": (2, _time),
    "dd": (2, _weekdays),
}


def settings_button(action: Action) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Wrap a settings action: check who pressed, explain refusals, show the next screen."""

    async def on_press(update: Update, context: Context) -> None:
        query = await own_press(update)
        if query is None:
            return
        now = context.now()
        try:
            _, args = callbacks.decode(query.data, AREA)
            view = await action(Press(context, query.from_user.id, now, args))
        except callbacks.BadCallback:
            await query.answer(texts.STALE_BUTTON)
            return
        except settings.NotOnboarded:
            await query.answer(texts.NEED_START)
            return
        except settings.Unchanged:
            await query.answer(texts.SETTINGS_ALREADY)
            return
        except (BadDay, NotInDay, OutsideDay) as bad:
            await query.answer(_problem(bad)[:200], show_alert=True)
            return
        if view.screen is Screen.CLOSED:
            await keyboards.edit(query, texts.SETTINGS_CLOSED, None)
        else:
            text, markup = _screen(view, now)
            await keyboards.edit(query, text, markup)
        # Answered last: the spinner stops once the new screen is shown.
        await query.answer()

    return on_press


async def ask_location(update: Update, context: Context) -> None:
    """Offer the share-location button for a new time zone."""
    query = await own_press(update)
    if query is None:
        return
    try:
        await settings.ask(context.uow(), query.from_user.id, SettingsQuestion.ZONE, context.now())
    except settings.NotOnboarded:
        await query.answer(texts.NEED_START)
        return
    await location.ask(query, context)


def _screen(view: View, now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    """Render a screen of the menu."""
    overview, habit = view.overview, view.habit
    match view.screen:
        case Screen.HABIT if habit is not None:
            return habit_menu(overview, habit)
        case Screen.TIMES if habit is not None:
            return times_menu(habit)
        case Screen.DAYS if habit is not None:
            return days_menu(habit)
        case Screen.GOAL if habit is not None:
            return goal_menu(habit)
        case Screen.ZONE:
            return texts.ZONE_QUESTION, inline(keyboards.zone_buttons(AREA), [[_back()]])
        case Screen.DAY:
            return texts.DAY_QUESTION, inline(
                keyboards.window_buttons(AREA, "dw", DAY_WINDOWS), [[_back()]]
            )
        case Screen.SIT:
            awake = _windows(overview)[0]
            fitting = [w for w in SIT_WINDOWS if within(Window(*w), awake)]
            return texts.SIT_QUESTION, inline(
                keyboards.window_buttons(AREA, "sw", fitting or [(awake.start, awake.end)]),
                [[_back()]],
            )
        case Screen.BUDGET:
            picks = [button(texts.budget_label(k, n), AREA, "b", k) for k, n in BUDGETS.items()]
            return texts.BUDGET_QUESTION, inline([[p] for p in picks], [[_back()]])
        case Screen.PAUSE:
            picks = [button(label, AREA, "p", label) for label in PAUSES]
            return texts.PAUSE_MENU, inline(
                [[*picks, button("Until /resume", AREA, "p", "0")]], [[_back()]]
            )
    return menu(overview, now)


def _problem(exc: Exception) -> str:
    """Explain a refused value."""
    if isinstance(exc, BadDay):
        return texts.bad_day(exc.minutes)
    if isinstance(exc, NotInDay):
        return texts.not_in_day(exc.awake.describe())
    if isinstance(exc, OutsideDay):
        return texts.outside_day(exc.awake.describe())
    return texts.SETTINGS_ALREADY


def _times(text: str) -> tuple[time, ...]:
    """Parse "12:30, 18:30" (or "12:30 and 18:30") into times."""
    parts = [p for p in _TIME_SPLIT.split(text.strip()) if p] if len(text) <= 100 else []
    if not parts:
        raise TimeParseError(texts.TIMES_FORMAT)
    # "7 pm" splits into two tokens; join an am/pm back to its number.
    joined: list[str] = []
    for part in parts:
        if joined and re.fullmatch(r"[ap]\.?m\.?", part, re.IGNORECASE):
            joined[-1] += part
        else:
            joined.append(part)
    if len(joined) > MAX_TIMES:
        raise TimeParseError(texts.TIMES_FORMAT)
    return tuple(parse_time(p) for p in joined)


async def _typed_habit_change(
    context: Context, person_id: int, question: SettingsQuestion, habit: Habit, text: str
) -> SettingsOverview:
    """Change a habit's times, spacing or weekdays from a typed answer."""
    uow, now = context.uow(), context.now()
    if question is SettingsQuestion.DAYS:
        return await settings.set_weekdays(uow, person_id, habit, parse_weekdays(text), now)
    if habit in INTERVAL_HABITS:
        minutes = int(parse_duration(text).total_seconds() // 60)
        return await settings.set_interval(uow, person_id, habit, minutes, now)
    return await settings.set_times(uow, person_id, habit, _times(text), now)


async def on_text(update: Update, context: Context, pending: PendingInput) -> None:
    """Take a typed settings answer."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    uow, now = context.uow(), context.now()
    text = message.text or ""
    question = QUESTIONS.get(pending.step)
    habit = pending.habit if pending.habit in NUDGED else None
    try:
        if question is SettingsQuestion.ZONE:
            await take_zone(update, context, resolve_zone(text).key)
            return
        if question is SettingsQuestion.DAY:
            overview = await settings.set_day(uow, user.id, parse_window(text), now)
        elif question is SettingsQuestion.SIT:
            overview = await settings.set_sitting(uow, user.id, parse_window(text), now)
        elif question is not None and habit is not None:
            overview = await _typed_habit_change(context, user.id, question, habit, text)
        else:
            overview = await settings.overview(uow, user.id, now)
    except (TimeParseError, UnknownZone) as exc:
        await message.reply_text(str(exc))
        return
    except BadSpacing:
        await _reply(message, texts.INTERVAL_FORMAT)
        return
    except settings.NotOnboarded:
        await message.reply_text(texts.NEED_START)
        return
    except settings.Unchanged:
        overview = await settings.overview(uow, user.id, now)
        await _reply_menu(message, overview, now, texts.SETTINGS_ALREADY)
        return
    except (BadDay, NotInDay, OutsideDay) as bad:
        await message.reply_text(_problem(bad))
        return
    if habit is not None and question in (SettingsQuestion.TIMES, SettingsQuestion.DAYS):
        # A habit's answer returns to that habit's screen, where the next change likely is.
        text, markup = habit_menu(overview, habit)
        await message.reply_text(
            f"{texts.SETTINGS_SAVED}\n\n{text}", parse_mode=ParseMode.HTML, reply_markup=markup
        )
        return
    await _reply_menu(message, overview, now, texts.SETTINGS_SAVED)


async def _reply(message: Message, text: str) -> None:
    await message.reply_text(text, parse_mode=ParseMode.HTML)


async def _reply_menu(
    message: Message, overview: SettingsOverview, now: datetime, note: str
) -> None:
    text, markup = menu(overview, now)
    await message.reply_text(f"{note}\n\n{text}", parse_mode=ParseMode.HTML, reply_markup=markup)


async def take_zone(update: Update, context: Context, zone: str) -> None:
    """Store a typed or shared zone from the settings and show the menu."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    now = context.now()
    try:
        overview = await settings.set_zone(context.uow(), user.id, zone, now)
        note = texts.SETTINGS_SAVED
    except settings.NotOnboarded:
        await message.reply_text(texts.NEED_START, reply_markup=keyboards.remove())
        return
    except settings.Unchanged:
        overview = await settings.overview(context.uow(), user.id, now)
        note = texts.SETTINGS_ALREADY
    # The share-location keyboard may still be open; this message takes it away.
    await message.reply_text(
        texts.zone_set(zone), parse_mode=ParseMode.HTML, reply_markup=keyboards.remove()
    )
    await _reply_menu(message, overview, now, note)


async def pause(update: Update, context: Context) -> None:
    """Pause every nudge for a while (/pause 3d) or until /resume."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    assert chat is not None and message is not None and user is not None
    if not await private_only(update):
        return
    words = " ".join(context.args or [])
    try:
        span = parse_duration(words) if words else None
        overview = await settings.pause(context.uow(), user.id, span, context.now())
    except TimeParseError as exc:
        await message.reply_text(str(exc))
        return
    except settings.NotOnboarded:
        await message.reply_text(texts.NEED_START)
        return
    until = overview.person.paused_until
    if span is None or until is None:
        await message.reply_text(texts.PAUSED_FOREVER)
    else:
        await message.reply_text(texts.paused_until(_local(overview, until)))


async def resume(update: Update, context: Context) -> None:
    """End a pause."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    assert chat is not None and message is not None and user is not None
    if not await private_only(update):
        return
    try:
        await settings.resume(context.uow(), user.id, context.now())
    except settings.NotOnboarded:
        await message.reply_text(texts.NEED_START)
        return
    except settings.Unchanged:
        await message.reply_text(texts.NOT_PAUSED)
        return
    await message.reply_text(texts.RESUMED)


async def privacy(update: Update, context: Context) -> None:
    """Say what is stored, why, and how to export or delete it."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(texts.PRIVACY, parse_mode=ParseMode.HTML)


def register(app: NudgeApp) -> None:
    """Add /settings, /pause, /resume, /privacy and one handler per settings button."""
    app.add_handler(CommandHandler("settings", show))
    app.add_handler(CommandHandler("pause", pause))
    app.add_handler(CommandHandler("resume", resume))
    app.add_handler(CommandHandler("privacy", privacy))
    for action, (arity, act) in ACTIONS.items():
        handler = settings_button(act)
        app.add_handler(
            CallbackQueryHandler(handler, pattern=callbacks.pattern(AREA, action, arity))
        )
    app.add_handler(CallbackQueryHandler(ask_location, pattern=callbacks.pattern(AREA, "loc")))
