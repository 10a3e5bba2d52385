"""The weekly summary: adherence per habit, how pain moved, one honest insight."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.habits import CATALOG, Habit
from bot.domain.progress import CheckinPoint, WeekSummary, week_summary
from bot.domain.schedule import local_date
from bot.services.progress import HISTORY_DAYS, load_history
from bot.storage.uow import UnitOfWork
from bot.telegram import texts

# The insight compares pain after days that reached each habit's daily target with other days.
INSIGHT_HABITS: tuple[Habit, ...] = (Habit.MOVE, Habit.WATER, Habit.FOOD, Habit.BREATHE)
MIN_DAYS_EACH_SIDE = 7


async def weekly(uow: UnitOfWork, person_id: int, now: datetime) -> WeekSummary | None:
    """Summarise the person's last seven local days (None if they are gone or not set up)."""
    person = await uow.people.get(person_id)
    if person is None or person.timezone is None:
        return None
    history = await load_history(uow, person, ZoneInfo(person.timezone), now, HISTORY_DAYS)
    return week_summary(
        history.marks,
        [CheckinPoint(c.local_date, c.pain, c.stress) for c in history.checkins],
        history.today,
        thresholds={h.value: CATALOG[h].daily_target for h in INSIGHT_HABITS},
        labels=texts.INSIGHT_LABELS,
        since=history.since,
        min_days=MIN_DAYS_EACH_SIDE,
    )


def render(summary: WeekSummary) -> str:
    """Turn a week's summary into the message text."""
    adherence = [
        (CATALOG[Habit(habit)].label, share)
        for habit, share in summary.adherence.items()
        if habit in {h.value for h in Habit}
    ]
    return texts.weekly_summary(
        adherence, summary.pain_start, summary.pain_end, summary.trend, summary.insight.text
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
