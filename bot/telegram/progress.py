"""/today and /progress: the day so far, and streaks, strength and a chart."""

from __future__ import annotations

from typing import Literal

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot.services import progress as service
from bot.services.local_day import NotReady
from bot.telegram import charts, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.guards import private_message


def render_today(view: service.TodayView) -> str:
    """Turn the day's view into the /today message."""
    lines = []
    for habit in view.habits:
        if not habit.enabled:
            state = "off"
        elif habit.habit == "checkin" and habit.done:
            state = "done"
        elif habit.next_at is not None:
            state = f"next {texts.local_when(habit.next_at, view.day)}"
        else:
            state = ""
        lines.append(texts.today_line(habit.label, habit.done, habit.target, state))
    upcoming = None
    if view.upcoming is not None and view.upcoming.next_at is not None:
        when = texts.local_when(view.upcoming.next_at, view.day)
        upcoming = f"{view.upcoming.label} at {when}"
    paused = texts.local_when(view.paused_until, view.day) if view.paused_until else None
    return texts.today_view(view.day, lines or [texts.NOTHING_YET], upcoming, paused)


async def show_today(update: Update, context: Context) -> None:
    """Show what was done today per habit and what comes next."""
    if (private := await private_message(update)) is None:
        return
    message, person_id = private
    try:
        person = await context.person(person_id)
        # A read: on SQLite it need not queue behind the writers.
        uow = context.db.uow(read_only=True)
        view = await service.today_view(uow, person_id, context.now(), person=person)
    except NotReady:
        await message.reply_text(texts.FINISH_START_FIRST)
        return
    await message.reply_text(render_today(view), parse_mode=ParseMode.HTML)


async def show_progress(update: Update, context: Context) -> None:
    """Show goals, streaks and habit strength, then the chart (/progress 90 for 90 days)."""
    if (private := await private_message(update)) is None:
        return
    message, person_id = private
    days = _chart_days(context.args or [])
    if days is False:
        await message.reply_text(texts.PROGRESS_USAGE, parse_mode=ParseMode.HTML)
        return
    try:
        view = await service.progress_view(context.uow(), person_id, context.now(), days=days)
    except NotReady:
        await message.reply_text(texts.FINISH_START_FIRST)
        return
    if view.chart is None:
        await message.reply_text(texts.PROGRESS_EMPTY, parse_mode=ParseMode.HTML)
        return
    lines = [
        texts.progress_line(
            h.label,
            h.streak,
            h.best,
            h.strength_word,
            h.week,
            h.month,
            goal=h.goal,
            flexible=h.flexible,
        )
        for h in view.habits
    ]
    freezes = texts.freezes_line(list(view.freezes_spent), view.freezes_left)
    text = texts.progress_view(lines, view.trend, freezes)
    if view.peg is not None:
        text += "\n" + texts.peg_progress_line(view.peg.first, view.peg.last, view.peg.weeks)
    await message.reply_text(text, parse_mode=ParseMode.HTML)
    png = await charts.progress_png(view.chart)
    await message.reply_photo(
        InputFile(png, filename="progress.png"), caption=texts.chart_caption(len(view.chart.days))
    )


def _chart_days(args: list[str]) -> int | Literal[False] | None:
    """Read "/progress 90": a number of days in range, None for the default, False if junk."""
    if not args:
        return None
    if len(args) == 1 and args[0].isdigit() and len(args[0]) <= 3:
        days = int(args[0])
        if service.CHART_MIN_DAYS <= days <= service.HISTORY_DAYS:
            return days
    return False


def register(app: NudgeApp) -> None:
    """Add /today and /progress."""
    app.add_handler(CommandHandler("today", show_today))
    app.add_handler(CommandHandler("progress", show_progress))
