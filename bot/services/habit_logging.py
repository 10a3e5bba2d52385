"""Log habits a person reports in their own words or from a hint's buttons, and undo them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.domain.habits import CATALOG, Habit
from bot.domain.progress import milestone
from bot.domain.quicklog import NotLogged, QuickLog, completions, log_day, read_log
from bot.services.goals import goals_of
from bot.services.local_day import ready_person, today_of
from bot.services.progress import habit_streak
from bot.storage.people import PersonRecord
from bot.storage.uow import UnitOfWork

LOGGABLE: tuple[Habit, ...] = (Habit.WATER, Habit.MOVE, Habit.FOOD, Habit.BREATHE)
# An Undo button works this long after the log; later the entry is history.
UNDO_WINDOW = timedelta(hours=24)


class AlreadyLogged(Exception):
    """This hint message already logged a habit."""


@dataclass(frozen=True)
class Logged:
    """What was logged, on which day, and where that day stands for the habit."""

    habit: str
    label: str  # the habit's name with its emoji
    what: str  # what the person did, e.g. "2 glasses of water"
    done: int
    target: int
    log_id: int = 0  # the entry's first row: what Undo removes
    day: date | None = None
    today: date | None = None
    amount: int | None = None
    unit: str | None = None
    large: bool = False  # above the sane limit: say so, and point at Undo
    milestone: int | None = None  # a streak of 3, 7, 14, 30 or 100 days reached just now


async def read_message(
    uow: UnitOfWork, person_id: int, text: str, person: PersonRecord | None = None
) -> QuickLog | NotLogged:
    """Read a message with the person's own choices (tea and coffee as water or not)."""
    # `person`, if the caller read them already in this update, saves reading them again.
    if person is not None and person.id == person_id:
        return read_log(text, hot_drinks_count=person.hot_drinks_count)
    async with uow:
        hot = await uow.habit_logs.hot_drinks_count(person_id)
    return read_log(text, hot_drinks_count=hot)


async def set_hot_drinks(uow: UnitOfWork, person_id: int, on: bool) -> None:
    """Choose whether tea and coffee count toward water."""
    async with uow:
        await uow.habit_logs.set_hot_drinks_count(person_id, on)
        await uow.commit()


async def log_entry(
    uow: UnitOfWork,
    person_id: int,
    entry: QuickLog,
    now: datetime,
    *,
    source: str = "text",
    said: str | None = None,
    person: PersonRecord | None = None,
) -> Logged:
    """Log what a person said they did (one row per completion) on the day they meant."""
    # `person`, if the caller read them already in this update, saves reading them again.
    async with uow:
        _, zone = await ready_person(uow, person_id, person)
        if source != "text" and await uow.habit_logs.has_source(person_id, source):
            raise AlreadyLogged
        today = today_of(zone, now)
        day = log_day(entry, today)
        times = completions(entry)
        # An entry of several glasses is that many completions of one glass each.
        amount, unit = (entry.amount, entry.unit) if times == 1 else (1, "glass")
        first = await uow.habit_logs.add(
            person_id,
            entry.habit,
            at=now,
            local_date=day,
            source=source[:16],
            rows=times,
            amount=amount,
            unit=unit,
            label=entry.label,
            said=said.strip() if said else None,
        )
        done = (await uow.habit_logs.counts_on(person_id, day)).get(entry.habit, 0)
        goal = (await goals_of(uow, person_id))[entry.habit]
        await uow.commit()
    info = CATALOG[Habit(entry.habit)]
    reached = None
    if day == today and done - times < goal <= done:
        # Today's goal was reached just now: a streak milestone gets one warm line.
        reached = milestone(await habit_streak(uow, person_id, entry.habit, now))
    return Logged(
        entry.habit,
        info.label,
        entry.label,
        done,
        goal,
        log_id=first or 0,
        day=day,
        today=today,
        amount=entry.amount,
        unit=entry.unit,
        large=entry.large,
        milestone=reached,
    )


async def log_from_hint(
    uow: UnitOfWork, person_id: int, habit: str, message_id: int, now: datetime
) -> Logged:
    """Log a habit tapped on a hint; each hint message logs at most once."""
    if habit not in {h.value for h in LOGGABLE}:
        raise ValueError(f"not a loggable habit: {habit[:20]!r}")
    label = CATALOG[Habit(habit)].name.lower()
    entry = QuickLog(habit=habit, amount=None, unit=None, label=label)
    return await log_entry(uow, person_id, entry, now, source=f"hint:{message_id}")


class UndoOutcome(StrEnum):
    """How an Undo press went."""

    UNDONE = "undone"
    GONE = "gone"  # undone before (or never there): nothing changes
    NOT_YOURS = "not_yours"
    TOO_LATE = "too_late"  # older than a day: kept


@dataclass(frozen=True)
class Undone:
    """What an Undo did, for the handler to render."""

    outcome: UndoOutcome
    label: str = ""
    what: str = ""
    day: date | None = None
    today: date | None = None
    done: int = 0
    target: int = 0


async def undo(uow: UnitOfWork, person_id: int, log_id: int, now: datetime) -> Undone:
    """Remove exactly one entry a person logged within the last day."""
    async with uow:
        row = await uow.habit_logs.get(log_id)
        if row is None:
            return Undone(UndoOutcome.GONE)
        if row.person_id != person_id:
            return Undone(UndoOutcome.NOT_YOURS)
        if now - row.at > UNDO_WINDOW:
            return Undone(UndoOutcome.TOO_LATE)
        await uow.habit_logs.remove_entry(person_id, log_id)
        done = (await uow.habit_logs.counts_on(person_id, row.local_date)).get(row.habit, 0)
        goal = (await goals_of(uow, person_id))[row.habit]
        _, zone = await ready_person(uow, person_id)
        await uow.commit()
    info = CATALOG[Habit(row.habit)]
    return Undone(
        UndoOutcome.UNDONE,
        label=info.label,
        what=row.label or info.name.lower(),
        day=row.local_date,
        today=today_of(zone, now),
        done=done,
        target=goal,
    )
