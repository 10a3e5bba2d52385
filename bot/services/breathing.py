"""Recording a finished breathing exercise."""

from __future__ import annotations

from datetime import datetime

from bot.domain.habits import Habit
from bot.domain.schedule import local_date
from bot.services.schedules import zone_of
from bot.storage.uow import UnitOfWork


async def log_exercise(uow: UnitOfWork, person_id: int, now: datetime) -> bool:
    """Log the breathing habit once; return False (storing nothing) without consent."""
    async with uow:
        person = await uow.people.get(person_id)
        if person is None or not person.consented:
            return False
        await uow.habit_logs.add(
            person_id,
            Habit.BREATHE.value,
            at=now,
            local_date=local_date(now, zone_of(person)),
            source="breathe",
        )
        await uow.commit()
    return True
