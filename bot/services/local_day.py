"""Find an onboarded person and the local day they are living in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.schedule import local_date
from bot.storage.people import PersonRecord
from bot.storage.uow import UnitOfWork


class NotReady(Exception):
    """The person has not finished /start yet (no time zone), so days mean nothing yet."""


async def ready_person(
    uow: UnitOfWork, person_id: int, known: PersonRecord | None = None
) -> tuple[PersonRecord, ZoneInfo]:
    """Return the person (`known` if the caller read them already) and their zone."""
    # Raise NotReady if they have no time zone yet.
    person = known if known is not None and known.id == person_id else None
    if person is None:
        person = await uow.people.get(person_id)
    if person is None or person.timezone is None:
        raise NotReady
    return person, ZoneInfo(person.timezone)


def today_of(zone: ZoneInfo, now: datetime) -> date:
    """Return the person's local date at `now`."""
    return local_date(now, zone)


async def is_ready(uow: UnitOfWork, person_id: int) -> bool:
    """Tell whether the person has a time zone, so that logs and check-ins can be dated."""
    async with uow:
        try:
            await ready_person(uow, person_id)
        except NotReady:
            return False
    return True
