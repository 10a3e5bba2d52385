"""Noticing that a person who blocked the bot is back."""

from __future__ import annotations

from datetime import datetime

from bot.services.schedules import reschedule
from bot.storage.uow import UnitOfWork


async def reactivate(uow: UnitOfWork, person_id: int, now: datetime) -> bool:
    """Make a blocked person reachable again and schedule their reminders; return if it changed."""
    async with uow:
        changed = await uow.people.reactivate(person_id, now)
        if changed:
            await reschedule(uow, person_id, now)
        await uow.commit()
    return changed
