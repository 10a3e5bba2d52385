"""What the tick needs to know about red-flag escalations: quiet days and follow-ups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.domain.intents import FollowUp
from bot.domain.safety import FOLLOW_UP_DAYS
from bot.storage.checkins import Escalation
from bot.storage.uow import UnitOfWork


@dataclass(frozen=True)
class CareFacts:
    """The escalations of a batch of people over the last few days."""

    escalations: Sequence[Escalation] = field(default_factory=tuple)

    def escalated_on(self, person_id: int, day: date) -> bool:
        """Tell whether a red-flag answer asked this person to seek care on this local day."""
        return any(e.person_id == person_id and e.local_date == day for e in self.escalations)

    def follow_up(self, person_id: int, today: date) -> Escalation | None:
        """Return the latest escalation before today still waiting for its follow-up."""
        since = today - timedelta(days=FOLLOW_UP_DAYS)
        waiting = [
            e
            for e in self.escalations
            if e.person_id == person_id and since <= e.local_date < today and not e.followed_up
        ]
        return waiting[-1] if waiting else None


async def care_facts(uow: UnitOfWork, person_ids: Sequence[int], since: date) -> CareFacts:
    """Read the escalations of these people from `since` (minus the follow-up window)."""
    if not person_ids:
        return CareFacts()
    first = since - timedelta(days=FOLLOW_UP_DAYS)
    return CareFacts(tuple(await uow.checkins.escalations(person_ids, first)))


def follow_up(escalation: Escalation, today: date) -> FollowUp:
    """The check-in reminder of a day after an escalation: "Did you get it checked?"."""
    return FollowUp(escalation.local_date, today, escalation.signs)
