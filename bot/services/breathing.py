"""Recording a finished breathing exercise."""

from __future__ import annotations

from datetime import datetime

from bot.domain.habits import Habit
from bot.domain.schedule import local_date
from bot.services.schedules import zone_of
from bot.storage.uow import UnitOfWork


async def log_exercise(
    uow: UnitOfWork, person_id: int, now: datetime, *, delivery_id: int | None = None
) -> int | None:
    """Log the breathing habit once; return the entry's id (for Undo), None without consent."""
    # 0 means the session was already logged (its nudge's Done was pressed first).
    #
    # An exercise started from a nudge answers that nudge and logs against it, so the nudge's
    # own Done button (pressed before or after) cannot log the same session twice.
    async with uow:
        person = await uow.people.get(person_id)
        if person is None or not person.consented:
            return None
        if delivery_id is not None:
            if await uow.deliveries.get_owned(delivery_id, person_id) is None:
                delivery_id = None
            else:
                await uow.deliveries.respond(delivery_id, "done")
        log_id = await uow.habit_logs.add(
            person_id,
            Habit.BREATHE.value,
            at=now,
            local_date=local_date(now, zone_of(person)),
            source="breathe",
            delivery_id=delivery_id,
        )
        await uow.commit()
    return log_id or 0
