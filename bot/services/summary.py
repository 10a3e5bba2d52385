"""The weekly summary: adherence per habit, how pain moved, one honest insight."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import insights
from bot.domain.habits import CATALOG, Habit
from bot.domain.progress import CheckinPoint, WeekSummary, week_summary
from bot.domain.schedule import local_date
from bot.services.progress import HISTORY_DAYS, load_history
from bot.storage.uow import Database, UnitOfWork
from bot.telegram import texts

# The insight compares how a person felt on days they met a habit's goal with other days.
INSIGHT_HABITS: tuple[Habit, ...] = (Habit.MOVE, Habit.WATER, Habit.FOOD, Habit.BREATHE)
# The key of a queued summary's payload that says what to build when it is sent.
INTENT = "build"
WEEKLY = "weekly_summary"
SLEEP_SCALE = {"poor": 1.0, "ok": 2.0, "good": 3.0}


async def weekly(uow: UnitOfWork, person_id: int, now: datetime) -> WeekSummary | None:
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
    return week_summary(
        history.marks,
        [CheckinPoint(c.local_date, c.pain, c.stress) for c in history.checkins],
        history.today,
        insight=insights.say(finding, texts.INSIGHT_LABELS),
        since=history.since,
    )


def render(summary: WeekSummary) -> str:
    """Turn a week's summary into the message text."""
    adherence = [
        (CATALOG[Habit(habit)].label, share)
        for habit, share in summary.adherence.items()
        if habit in {h.value for h in Habit}
    ]
    return texts.weekly_summary(
        adherence, summary.pain_start, summary.pain_end, summary.trend, summary.insight
    )


async def weekly_payload(uow: UnitOfWork, person_id: int, now: datetime) -> dict[str, Any]:
    """Build the outbox payload of a person's weekly summary inside the caller's transaction."""
    summary = await weekly(uow, person_id, now)
    text = texts.WEEKLY_UNAVAILABLE if summary is None else render(summary)
    care = await _care_lines(uow, person_id, now)
    return {"text": "\n\n".join([text, *care]), "parse_mode": "HTML"}


async def _care_lines(uow: UnitOfWork, person_id: int, now: datetime) -> list[str]:
    """Name the week's red-flag escalations again, with what the person said since."""
    person = await uow.people.get(person_id)
    if person is None or person.timezone is None:
        return []
    today = local_date(now, ZoneInfo(person.timezone))
    escalations = await uow.checkins.escalations([person_id], today - timedelta(days=6))
    lines = []
    for e in escalations:
        answers = [
            f.detail for f in await uow.checkins.flags_of(e.checkin_id) if f.kind == "follow_up"
        ]
        lines.append(
            texts.weekly_care_line(e.local_date, e.signs, answers[-1] if answers else None)
        )
    return lines


def summary_intent(due: datetime) -> dict[str, Any]:
    """Return the outbox payload the tick queues: which summary to build, not its text."""
    return {INTENT: WEEKLY, "as_of": due.isoformat()}


def is_intent(payload: dict[str, Any]) -> bool:
    """Tell whether an outbox payload still has to be built before it is sent."""
    return payload.get(INTENT) == WEEKLY


async def build(db: Database, person_id: int | None, payload: dict[str, Any]) -> dict[str, Any]:
    """Build a queued summary from the person's data as of its due time (its own read)."""
    if person_id is None:
        raise ValueError("a weekly summary needs a person")
    as_of = datetime.fromisoformat(str(payload["as_of"]))
    async with db.uow() as uow:
        return await weekly_payload(uow, person_id, as_of)
