"""PHQ-4 rounds, the person's opt-in and the one-time offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.phq import ITEMS, Item, Scores
from bot.storage.models import CheckIn, Person, PhqAnswer
from bot.storage.sql import insert_for


@dataclass(frozen=True)
class PhqRound:
    """One PHQ-4 round as plain values; `answers` follow ITEMS (None: not answered yet)."""

    id: int
    person_id: int
    local_date: date
    answers: tuple[int | None, ...]
    phq2: int | None
    gad2: int | None
    completed_at: datetime | None


@dataclass(frozen=True)
class PhqChoice:
    """Whether the person opted in, and whether the PHQ-4 was offered already."""

    on: bool
    offered: bool


def _record(row: PhqAnswer) -> PhqRound:
    return PhqRound(
        id=row.id,
        person_id=row.person_id,
        local_date=row.local_date,
        answers=tuple(getattr(row, item.value) for item in ITEMS),
        phq2=row.phq2,
        gad2=row.gad2,
        completed_at=row.completed_at,
    )


class PhqRounds:
    """Repository of PHQ-4 rounds and the PHQ columns of a person."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def choice(self, person_id: int) -> PhqChoice:
        """Return the person's opt-in and whether they were offered it."""
        row = (
            await self.session.execute(
                select(Person.phq_on, Person.phq_offered_at).where(Person.id == person_id)
            )
        ).first()
        if row is None:
            return PhqChoice(on=False, offered=False)
        return PhqChoice(on=bool(row[0]), offered=row[1] is not None)

    async def set_on(self, person_id: int, on: bool, now: datetime) -> None:
        """Turn the PHQ-4 on or off (answering the offer counts as having been offered)."""
        await self.session.execute(
            update(Person)
            .where(Person.id == person_id)
            .values(phq_on=on, phq_offered_at=func.coalesce(Person.phq_offered_at, now))
        )

    async def mark_offered(self, person_id: int, now: datetime) -> None:
        """Note that the one-time offer was shown."""
        await self.session.execute(
            update(Person).where(Person.id == person_id).values(phq_offered_at=now)
        )

    async def completed_days(self, person_id: int) -> int:
        """Count the person's completed check-in days."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(CheckIn)
            .where(CheckIn.person_id == person_id, CheckIn.completed_at.is_not(None))
        )
        return int(count or 0)

    async def latest(self, person_id: int) -> PhqRound | None:
        """Return the person's most recent round, or None."""
        row = await self.session.scalar(
            select(PhqAnswer)
            .where(PhqAnswer.person_id == person_id)
            .order_by(PhqAnswer.local_date.desc())
            .limit(1)
            .execution_options(populate_existing=True)
        )
        return None if row is None else _record(row)

    async def get(self, person_id: int, day: date) -> PhqRound | None:
        """Return the person's round of one local day, or None."""
        row = await self.session.scalar(
            select(PhqAnswer)
            .where(PhqAnswer.person_id == person_id, PhqAnswer.local_date == day)
            .execution_options(populate_existing=True)
        )
        return None if row is None else _record(row)

    async def ensure(self, person_id: int, day: date, now: datetime) -> PhqRound:
        """Return the day's round, starting an empty one first if needed. Safe to repeat."""
        stmt = (
            insert_for(self.session, PhqAnswer.__table__)
            .values(person_id=person_id, local_date=day, started_at=now)
            .on_conflict_do_nothing(index_elements=["person_id", "local_date"])
        )
        await self.session.execute(stmt)
        found = await self.get(person_id, day)
        assert found is not None
        return found

    async def answer(self, round_id: int, item: Item, value: int) -> None:
        """Store one item's answer."""
        await self.session.execute(
            update(PhqAnswer).where(PhqAnswer.id == round_id).values({item.value: value})
        )

    async def complete(self, round_id: int, scores: Scores, now: datetime) -> None:
        """Store the pair sums of a finished round."""
        await self.session.execute(
            update(PhqAnswer)
            .where(PhqAnswer.id == round_id)
            .values(phq2=scores.phq2, gad2=scores.gad2, completed_at=now)
        )
