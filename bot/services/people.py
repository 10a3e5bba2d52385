"""Recording who talks to the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.pending import PendingInput
from bot.storage.people import PersonRecord
from bot.storage.uow import UnitOfWork


@dataclass(frozen=True)
class Speaker:
    """The sender of an update, as plain values."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None


async def register(
    uow: UnitOfWork, speaker: Speaker, *, chat_id: int, chat_type: str, now: datetime
) -> tuple[PersonRecord, bool]:
    """Record a person (and their private chat); return them and whether they are new."""
    async with uow:
        person, created = await uow.people.seen(
            speaker.id,
            first_name=speaker.first_name,
            username=speaker.username,
            language_code=speaker.language_code,
            now=now,
        )
        if chat_type == "private":
            await uow.people.note_chat(
                chat_id, type_="private", title=None, person_id=speaker.id, now=now
            )
        await uow.commit()
    return person, created


async def pending(uow: UnitOfWork, person_id: int) -> PendingInput | None:
    """Return what the person's next typed message answers (None when nothing is)."""
    person = await find(uow, person_id)
    return None if person is None else person.pending


async def find(uow: UnitOfWork, person_id: int) -> PersonRecord | None:
    """Return a person, or None if they never talked to the bot (one short read)."""
    async with uow:
        return await uow.people.get(person_id)
