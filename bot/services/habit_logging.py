"""Log habits a person reports in their own words or from a hint's buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.habits import CATALOG, Habit
from bot.domain.quicklog import QuickLog
from bot.services.local_day import ready_person, today_of
from bot.storage.people import PersonRecord
from bot.storage.uow import UnitOfWork

# A glass is the unit of the hydration target; millilitres count as glasses of this size.
GLASS_ML = 250
# More glasses than this in one message are logged as this many (the rest is likely a typo).
MAX_GLASSES_AT_ONCE = 10
LOGGABLE: tuple[Habit, ...] = (Habit.WATER, Habit.MOVE, Habit.FOOD, Habit.BREATHE)


class AlreadyLogged(Exception):
    """This hint message already logged a habit."""


@dataclass(frozen=True)
class Logged:
    """What was logged and where the day stands for that habit."""

    habit: str
    label: str  # the habit's name with its emoji
    what: str  # what the person did, e.g. "2 glasses of water"
    done: int
    target: int


def completions(entry: QuickLog) -> int:
    """Return how many completions an entry is: each glass of water counts towards the target."""
    if entry.habit != Habit.WATER.value or entry.amount is None:
        return 1
    glasses = entry.amount if entry.unit in ("glass", "cup") else round(entry.amount / GLASS_ML)
    return min(max(glasses, 1), MAX_GLASSES_AT_ONCE)


async def log_entry(
    uow: UnitOfWork,
    person_id: int,
    entry: QuickLog,
    now: datetime,
    *,
    source: str = "text",
    person: PersonRecord | None = None,
) -> Logged:
    """Log what a person said they did (one row per completion) and return today's count.

    `person`, if the caller read them already in this update, saves reading them again.
    """
    async with uow:
        _, zone = await ready_person(uow, person_id, person)
        if source != "text" and await uow.habit_logs.has_source(person_id, source):
            raise AlreadyLogged
        today = today_of(zone, now)
        times = completions(entry)
        for _ in range(times):
            await uow.habit_logs.add(
                person_id,
                entry.habit,
                at=now,
                local_date=today,
                source=source[:16],
                amount=entry.amount if times == 1 else 1,
                unit=entry.unit if times == 1 else "glass",
                label=entry.label,
            )
        done = (await uow.habit_logs.counts_on(person_id, today)).get(entry.habit, 0)
        await uow.commit()
    info = CATALOG[Habit(entry.habit)]
    return Logged(entry.habit, info.label, entry.label, done, info.daily_target)


async def log_from_hint(
    uow: UnitOfWork, person_id: int, habit: str, message_id: int, now: datetime
) -> Logged:
    """Log a habit tapped on a hint; each hint message logs at most once."""
    if habit not in {h.value for h in LOGGABLE}:
        raise ValueError(f"not a loggable habit: {habit[:20]!r}")
    label = CATALOG[Habit(habit)].name.lower()
    entry = QuickLog(habit=habit, amount=None, unit=None, label=label)
    return await log_entry(uow, person_id, entry, now, source=f"hint:{message_id}")
