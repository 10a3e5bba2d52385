"""/settings, /pause, /resume and /privacy: change anything onboarding set up.

The menu is one message edited in place. A question that wants typing (a city, a range,
times) stores `awaiting = "set:..."`, so the answer still lands here after a restart.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.domain.habits import CATALOG, NUDGED, Habit
from bot.domain.nudging import BUDGETS, DEFAULT_BUDGET
from bot.domain.schedule import ALL_DAYS, Window
from bot.domain.timeparse import (
    TimeParseError,
    parse_duration,
    parse_time,
    parse_weekdays,
    parse_window,
)
from bot.domain.zones import UnknownZone, resolve_zone
from bot.services import goals, onboarding, settings
from bot.services.goals import goals_for
from bot.services.schedules import zone_of
from bot.services.settings import INTERVAL_HABITS, Overview
from bot.telegram import callbacks, keyboards, text_router, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.guards import private_only
from bot.telegram.keyboards import button, inline

AREA = "s"
# Each button's action and how many arguments it carries.
SHAPES = {
    **dict.fromkeys(
        ("menu", "close", "zone", "day", "sit", "loc", "pause", "resume", "budget"), 0
    ),
    **dict.fromkeys(
        ("z", "dw", "sw", "p", "h", "on", "off", "t", "d", "r", "b", "pin", "g", "stool"), 1
    ),
    **dict.fromkeys(("iv", "tm", "dd", "gs"), 2),
}
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


def _local(overview: Overview, when: datetime) -> str:
    zone = zone_of(overview.person)
    return f"{when.astimezone(zone):%a %d %b %H:%M}"


def _schedule(overview: Overview, habit: Habit) -> str:
    rule = overview.rule_of(habit.value)
    return rule.describe() if rule is not None else "off"


def _windows(overview: Overview) -> tuple[Window, Window]:
    windows = onboarding.windows_of(overview.person)
    assert windows is not None
    return windows


def menu(overview: Overview, now: datetime) -> tuple[str, InlineKeyboardMarkup]:
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


def habit_menu(overview: Overview, habit: Habit) -> tuple[str, InlineKeyboardMarkup]:
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


def _arg(args: list[str], index: int = 0) -> str:
    if index >= len(args):
        raise callbacks.BadCallback("missing argument")
    return args[index]


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


async def on_button(update: Update, context: Context) -> None:
    """Change a setting from the menu's buttons."""
    query = update.callback_query
    assert query is not None
    if not keyboards.owned(query):
        await query.answer(texts.NOT_YOURS)
        return
    now = context.now()
    try:
        action, args = callbacks.decode(query.data, AREA, SHAPES)
        view = await _act(update, context, action, args)
        if view is None:
            return
        overview, screen = view
    except callbacks.BadCallback:
        await query.answer(texts.STALE_BUTTON)
        return
    except settings.NotOnboarded:
        await query.answer(texts.NEED_START)
        return
    except settings.Unchanged:
        await query.answer(texts.SETTINGS_ALREADY)
        return
    except (onboarding.BadDay, onboarding.NotInDay, settings.OutsideDay) as bad:
        await query.answer(_problem(bad)[:200], show_alert=True)
        return
    if screen == "closed":
        await keyboards.edit(query, texts.SETTINGS_CLOSED, None)
    else:
        text, markup = _screen(overview, screen, now)
        await keyboards.edit(query, text, markup)
    # Answered last: the spinner stops once the new screen is shown.
    await query.answer()


def _screen(overview: Overview, screen: str, now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    """Render a named screen of the menu."""
    kind, _, arg = screen.partition(":")
    if kind == "habit":
        return habit_menu(overview, Habit(arg))
    if kind == "times":
        return times_menu(Habit(arg))
    if kind == "days":
        return days_menu(Habit(arg))
    if kind == "goal":
        return goal_menu(Habit(arg))
    if kind == "zone":
        return texts.ZONE_QUESTION, inline(keyboards.zone_buttons(AREA), [[_back()]])
    if kind == "day":
        return texts.DAY_QUESTION, inline(
            keyboards.window_buttons(AREA, "dw", DAY_WINDOWS), [[_back()]]
        )
    if kind == "sit":
        awake = _windows(overview)[0]
        fitting = [w for w in SIT_WINDOWS if onboarding.within(Window(*w), awake)]
        return texts.SIT_QUESTION, inline(
            keyboards.window_buttons(AREA, "sw", fitting or [(awake.start, awake.end)]),
            [[_back()]],
        )
    if kind == "budget":
        picks = [button(texts.budget_label(k, n), AREA, "b", k) for k, n in BUDGETS.items()]
        return texts.BUDGET_QUESTION, inline([[p] for p in picks], [[_back()]])
    if kind == "pause":
        picks = [button(label, AREA, "p", label) for label in PAUSES]
        return texts.PAUSE_MENU, inline(
            [[*picks, button("Until /resume", AREA, "p", "0")]], [[_back()]]
        )
    return menu(overview, now)


async def _act(
    update: Update, context: Context, action: str, args: list[str]
) -> tuple[Overview, str] | None:
    """Do what a settings button asks; return the overview and the screen to show."""
    query = update.callback_query
    assert query is not None
    uow, pid, now = context.uow(), query.from_user.id, context.now()
    if action == "menu":
        return await settings.overview(uow, pid, now), "menu"
    if action == "close":
        return await settings.overview(uow, pid, now), "closed"
    if action in ("zone", "day", "sit"):
        return await settings.expect(uow, pid, action, now), action
    if action == "loc":
        await settings.expect(uow, pid, "zone", now)
        from bot.telegram.onboarding import ask_location

        await ask_location(update, context)
        return None
    if action == "z":
        return await settings.set_zone(uow, pid, keyboards.zone_from_index(args), now), "menu"
    if action == "dw":
        window = Window(*keyboards.window_from_arg(args))
        return await settings.set_day(uow, pid, window, now), "menu"
    if action == "sw":
        window = Window(*keyboards.window_from_arg(args))
        return await settings.set_sitting(uow, pid, window, now), "menu"
    if action == "pause":
        return await settings.overview(uow, pid, now), "pause"
    if action == "budget":
        return await settings.overview(uow, pid, now), "budget"
    if action == "b":
        key = _arg(args)
        if key not in BUDGETS:
            raise callbacks.BadCallback("no such budget")
        return await settings.set_budget(uow, pid, key, now), "menu"
    if action == "p":
        key = _arg(args)
        if key != "0" and key not in PAUSES:
            raise callbacks.BadCallback("no such pause")
        return await settings.pause(uow, pid, PAUSES.get(key), now), "menu"
    if action == "resume":
        return await settings.resume(uow, pid, now), "menu"
    if action == "stool":
        on = _arg(args) == "on"
        return await settings.set_ask_stool(uow, pid, on, now), f"habit:{Habit.CHECKIN.value}"
    habit = _habit(_arg(args))
    if action == "h":
        return await settings.overview(uow, pid, now), f"habit:{habit.value}"
    if action in ("on", "off"):
        overview = await settings.set_enabled(uow, pid, habit, action == "on", now)
        return overview, f"habit:{habit.value}"
    if action == "t":
        return await settings.expect(uow, pid, f"t:{habit.value}", now), f"times:{habit.value}"
    if action == "d":
        return await settings.expect(uow, pid, f"d:{habit.value}", now), f"days:{habit.value}"
    if action == "r":
        return await settings.reset_habit(uow, pid, habit, now), f"habit:{habit.value}"
    if action == "pin":
        return await settings.pin_time(uow, pid, habit, now), f"habit:{habit.value}"
    if action == "g":
        return await settings.overview(uow, pid, now), f"goal:{habit.value}"
    if action == "gs":
        number = callbacks.int_arg(args, 1)
        if number != 0 and number not in GOAL_CHOICES:
            raise callbacks.BadCallback("no such goal")
        try:
            await goals.set_goal(uow, pid, habit.value, number or None)
        except goals.BadGoal:
            raise callbacks.BadCallback("no such goal") from None
        return await settings.overview(uow, pid, now), f"habit:{habit.value}"
    if action == "iv":
        minutes = callbacks.int_arg(args, 1)
        if minutes not in INTERVALS.get(habit, ()):
            raise callbacks.BadCallback("no such interval")
        overview = await settings.set_interval(uow, pid, habit, minutes, now)
        return overview, f"habit:{habit.value}"
    if action == "tm":
        if habit in INTERVAL_HABITS:
            raise callbacks.BadCallback("an interval habit has no clock times")
        at = keyboards.from_compact(_arg(args, 1))
        overview = await settings.set_times(uow, pid, habit, (at,), now)
        return overview, f"habit:{habit.value}"
    if action == "dd":
        days = DAY_SETS.get(_arg(args, 1))
        if days is None:
            raise callbacks.BadCallback("no such days")
        return await settings.set_weekdays(uow, pid, habit, days, now), f"habit:{habit.value}"
    raise callbacks.BadCallback(action)


def _problem(exc: Exception) -> str:
    """Explain a refused value."""
    if isinstance(exc, onboarding.BadDay):
        return texts.bad_day(exc.minutes)
    if isinstance(exc, onboarding.NotInDay):
        return texts.not_in_day(exc.awake.describe())
    if isinstance(exc, settings.OutsideDay):
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
    if len(joined) > settings.MAX_TIMES:
        raise TimeParseError(texts.TIMES_FORMAT)
    return tuple(parse_time(p) for p in joined)


async def on_text(update: Update, context: Context, awaiting: str) -> None:
    """Take a typed settings answer."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    text = message.text or ""
    uow, now = context.uow(), context.now()
    what = awaiting.removeprefix(settings.AWAITING_PREFIX)
    kind, _, arg = what.partition(":")
    try:
        if kind == "zone":
            await change_zone(update, context, resolve_zone(text).key)
            return
        if kind == "day":
            overview = await settings.set_day(uow, user.id, parse_window(text), now)
        elif kind == "sit":
            overview = await settings.set_sitting(uow, user.id, parse_window(text), now)
        elif kind == "t" and arg in {h.value for h in NUDGED}:
            habit = Habit(arg)
            if habit in INTERVAL_HABITS:
                span = parse_duration(text)
                minutes = int(span.total_seconds() // 60)
                if not settings.MIN_INTERVAL <= minutes <= settings.MAX_INTERVAL:
                    await _reply(message, texts.INTERVAL_FORMAT)
                    return
                overview = await settings.set_interval(uow, user.id, habit, minutes, now)
            else:
                overview = await settings.set_times(uow, user.id, habit, _times(text), now)
        elif kind == "d" and arg in {h.value for h in NUDGED}:
            overview = await settings.set_weekdays(
                uow, user.id, Habit(arg), parse_weekdays(text), now
            )
        else:
            overview = await settings.overview(uow, user.id, now)
    except (TimeParseError, UnknownZone) as exc:
        await message.reply_text(str(exc))
        return
    except settings.NotOnboarded:
        await message.reply_text(texts.NEED_START)
        return
    except settings.Unchanged:
        overview = await settings.overview(uow, user.id, now)
        await _reply_menu(message, overview, now, texts.SETTINGS_ALREADY)
        return
    except (onboarding.BadDay, onboarding.NotInDay, settings.OutsideDay) as bad:
        await message.reply_text(_problem(bad))
        return
    if kind in ("t", "d"):
        # A habit's answer returns to that habit's screen, where the next change likely is.
        text, markup = habit_menu(overview, Habit(arg))
        await message.reply_text(
            f"{texts.SETTINGS_SAVED}\n\n{text}", parse_mode=ParseMode.HTML, reply_markup=markup
        )
        return
    await _reply_menu(message, overview, now, texts.SETTINGS_SAVED)


async def _reply(message: Message, text: str) -> None:
    await message.reply_text(text, parse_mode=ParseMode.HTML)


async def _reply_menu(message: Message, overview: Overview, now: datetime, note: str) -> None:
    text, markup = menu(overview, now)
    await message.reply_text(f"{note}\n\n{text}", parse_mode=ParseMode.HTML, reply_markup=markup)


async def change_zone(update: Update, context: Context, zone: str) -> None:
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
    """Add /settings, /pause, /resume, /privacy and the settings buttons and answers."""
    app.add_handler(CommandHandler("settings", show))
    app.add_handler(CommandHandler("pause", pause))
    app.add_handler(CommandHandler("resume", resume))
    app.add_handler(CommandHandler("privacy", privacy))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^s:"))
    text_router.route(settings.AWAITING_PREFIX, on_text)
