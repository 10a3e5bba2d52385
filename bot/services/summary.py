"""The weekly summary: adherence per habit, how pain moved, one honest insight."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import insights
from bot.domain.habits import Habit
from bot.domain.intents import WeeklySummaryDue, decode, encode
from bot.domain.peg import PegTrend
from bot.domain.progress import CheckinPoint, WeekSummary, week_summary
from bot.domain.schedule import local_date
from bot.services.peg import trend_of as peg_trend
from bot.services.progress import HISTORY_DAYS, load_history
from bot.storage.uow import Database, UnitOfWork

# The insight compares how a person felt on days they met a habit's goal with other days.
INSIGHT_HABITS: tuple[Habit, ...] = (Habit.MOVE, Habit.WATER, Habit.FOOD, Habit.BREATHE)
SLEEP_SCALE = {"poor": 1.0, "ok": 2.0, "good": 3.0}


@dataclass(frozen=True)
class CareNote:
    """A red-flag escalation of the week, and the person's latest answer to its follow-up."""

    day: date
    signs: tuple[str, ...]
    answer: str | None


@dataclass(frozen=True)
class WeeklyReport:
    """What the weekly summary says: the week (None if not set up), its finding, care notes."""

    week: WeekSummary | None
    finding: insights.Finding | None
    care: tuple[CareNote, ...]
    peg: PegTrend | None = None  # the weekly PEG-3 score over the last four weeks


async def weekly(
    uow: UnitOfWork, person_id: int, now: datetime
) -> tuple[WeekSummary, insights.Finding] | None:
    """Summarise the person's last seven local days (None if they are gone or not set up)."""
    person = await uow.people.get(person_id)
    if person is None or person.timezone is None:
        return None
    history = await load_history(uow, person, ZoneInfo(person.timezone), now, HISTORY_DAYS)
    measures: dict[str, dict[date, float]] = {"pain": {}, "mood": {}, "sleep": {}}
    for c in history.checkins:
        if c.pain is not None:
            measures["pain"][c.local_date] = float(c.pain)
        if c.mood is not None:
            measures["mood"][c.local_date] = float(c.mood)
        if c.sleep in SLEEP_SCALE:
            measures["sleep"][c.local_date] = SLEEP_SCALE[c.sleep]
    # Excused days and an unfinished today belong to neither side.
    met = {
        habit: {
            day: mark.is_done
            for day, mark in marks.items()
            if not mark.excused and day != history.today
        }
        for habit, marks in history.marks.items()
        if habit in {h.value for h in INSIGHT_HABITS}
    }
    finding = insights.find(measures, met, history.today)
    week = week_summary(
        history.marks,
        [CheckinPoint(c.local_date, c.pain, c.stress) for c in history.checkins],
        history.today,
        insight="",  # the Telegram layer says the finding in the person's words
        since=history.since,
    )
    return week, finding


async def report(uow: UnitOfWork, person_id: int, now: datetime) -> WeeklyReport:
    """Gather a person's weekly summary inside the caller's transaction."""
    found = await weekly(uow, person_id, now)
    care = await _care_notes(uow, person_id, now)
    peg = await peg_trend(uow, person_id)
    if found is None:
        return WeeklyReport(None, None, care, peg)
    return WeeklyReport(found[0], found[1], care, peg)


async def _care_notes(uow: UnitOfWork, person_id: int, now: datetime) -> tuple[CareNote, ...]:
    """Name the week's red-flag escalations again, with what the person said since."""
    person = await uow.people.get(person_id)
    if person is None or person.timezone is None:
        return ()
    today = local_date(now, ZoneInfo(person.timezone))
    escalations = await uow.checkins.escalations([person_id], today - timedelta(days=6))
    notes = []
    for e in escalations:
        answers = [
            f.detail for f in await uow.checkins.flags_of(e.checkin_id) if f.kind == "follow_up"
        ]
        notes.append(CareNote(e.local_date, e.signs, answers[-1] if answers else None))
    return tuple(notes)


def summary_intent(due: datetime) -> dict[str, Any]:
    """Return the outbox payload the tick queues: which summary to build, not its text."""
    return encode(WeeklySummaryDue(due))


def is_intent(payload: dict[str, Any]) -> bool:
    """Tell whether an outbox payload is a weekly summary still to be built."""
    return decode(payload).kind == WeeklySummaryDue.KIND


async def build(db: Database, person_id: int, as_of: datetime) -> WeeklyReport:
    """Build a queued summary from the person's data as of its due time (its own read)."""
    async with db.uow() as uow:
        return await report(uow, person_id, as_of)
