"""Tips on demand, never the same one twice in a row (the history lives on the person's row)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.domain import content
from bot.storage.uow import UnitOfWork


@dataclass(frozen=True)
class Tip:
    """One tip and its topic ("water", ..., "general")."""

    index: int
    topic: str
    text: str


async def next_tip(uow: UnitOfWork, person_id: int | None, rng: random.Random) -> Tip:
    """Pick a tip the person has not seen lately and remember it.

    Without consent (or in a group, person_id None) nothing is stored, so repeats are possible.
    """
    tips = content.all_tips()
    async with uow:
        recent = await uow.people.recent_tips(person_id) if person_id is not None else None
        if person_id is None or recent is None:
            index = rng.randrange(len(tips))
        else:
            index = content.choose(len(tips), recent, rng)
            await uow.people.set_recent_tips(person_id, content.remember(recent, index, len(tips)))
            await uow.commit()
    topic, text = tips[index]
    return Tip(index, topic, text)
