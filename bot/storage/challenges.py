"""Group challenges and their members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Challenge, ChallengeMember, HabitLog, Person
from bot.storage.sql import insert_for, is_postgres

ACTIVE = "active"
FINISHED = "finished"
STOPPED = "stopped"


@dataclass(frozen=True)
class ChallengeRecord:
    """One challenge, as plain values."""

    id: int
    chat_id: int
    habit: str
    title: str
    days: int
    daily_target: int
    starts_on: date
    ends_on: date
    zone: str
    created_by: int
    status: str
    next_post_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


def to_record(row: Challenge) -> ChallengeRecord:
    """Copy an ORM row into a plain record."""
    return ChallengeRecord(
        id=row.id,
        chat_id=row.chat_id,
        habit=row.habit,
        title=row.title,
        days=row.days,
        daily_target=row.daily_target,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        zone=row.zone,
        created_by=row.created_by,
        status=row.status,
        next_post_at=row.next_post_at,
    )


class Challenges:
    """Repository of group challenges."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, challenge_id: int) -> ChallengeRecord | None:
        """Return one challenge or None."""
        row = await self.session.get(Challenge, challenge_id, populate_existing=True)
        return None if row is None else to_record(row)

    async def active_in(self, chat_id: int) -> ChallengeRecord | None:
        """Return the group's running challenge, if any."""
        row = await self.session.scalar(
            select(Challenge)
            .where(Challenge.chat_id == chat_id, Challenge.status == ACTIVE)
            .order_by(Challenge.id.desc())
            .limit(1)
        )
        return None if row is None else to_record(row)

    async def add(
        self,
        *,
        chat_id: int,
        habit: str,
        title: str,
        days: int,
        daily_target: int,
        starts_on: date,
        ends_on: date,
        zone: str,
        created_by: int,
        next_post_at: datetime,
        now: datetime,
    ) -> ChallengeRecord | None:
        """Start a challenge; return None if the group has a running one already."""
        stmt = (
            insert_for(self.session, Challenge.__table__)
            .values(
                chat_id=chat_id,
                habit=habit,
                title=title[:64],
                days=days,
                daily_target=daily_target,
                starts_on=starts_on,
                ends_on=ends_on,
                zone=zone,
                created_by=created_by,
                status=ACTIVE,
                next_post_at=next_post_at,
                created_at=now,
            )
            .on_conflict_do_nothing()
            .returning(Challenge.__table__.c.id)
        )
        new_id = await self.session.scalar(stmt)
        return None if new_id is None else await self.get(int(new_id))

    async def end(self, challenge_id: int, status: str) -> bool:
        """Mark a running challenge finished or stopped; return whether it was running."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Challenge)
                .where(Challenge.id == challenge_id, Challenge.status == ACTIVE)
                .values(status=status, next_post_at=None)
            ),
        )
        return bool(result.rowcount)

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Follow a group that became a supergroup; return how many challenges moved."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Challenge)
                .where(Challenge.chat_id == old_chat_id)
                .values(chat_id=new_chat_id)
            ),
        )
        return int(result.rowcount or 0)

    # ---------------------------------------------------------------- members

    async def join(self, challenge_id: int, person_id: int, now: datetime) -> bool:
        """Add a member; return whether they are new. Safe to repeat."""
        stmt = (
            insert_for(self.session, ChallengeMember.__table__)
            .values(challenge_id=challenge_id, person_id=person_id, joined_at=now)
            .on_conflict_do_nothing(index_elements=["challenge_id", "person_id"])
        )
        result = cast(CursorResult[Any], await self.session.execute(stmt))
        return bool(result.rowcount)

    async def members(self, challenge_id: int) -> list[tuple[int, str]]:
        """Return (person id, first name) of every member, in the order they joined."""
        rows = await self.session.execute(
            select(Person.id, Person.first_name)
            .join(ChallengeMember, ChallengeMember.person_id == Person.id)
            .where(ChallengeMember.challenge_id == challenge_id)
            .order_by(ChallengeMember.id)
        )
        return [(int(pid), name) for pid, name in rows.tuples()]

    async def counts(
        self, challenge_id: int, habit: str, since: date, until: date
    ) -> dict[int, dict[date, int]]:
        """Count each member's logs of the habit per local day between two days (inclusive)."""
        rows = await self.session.execute(
            select(HabitLog.person_id, HabitLog.local_date, func.count())
            .join(ChallengeMember, ChallengeMember.person_id == HabitLog.person_id)
            .where(
                ChallengeMember.challenge_id == challenge_id,
                HabitLog.habit == habit,
                HabitLog.local_date >= since,
                HabitLog.local_date <= until,
            )
            .group_by(HabitLog.person_id, HabitLog.local_date)
        )
        out: dict[int, dict[date, int]] = {}
        for person_id, day, n in rows.tuples():
            out.setdefault(int(person_id), {})[day] = int(n)
        return out

    # ---------------------------------------------------------------- the tick's side

    async def claim_due(self, now: datetime, limit: int) -> list[ChallengeRecord]:
        """Return up to `limit` running challenges whose post is due, locked for this tick.

        One indexed read when nothing is due; on PostgreSQL the rows are locked
        FOR UPDATE SKIP LOCKED, so two instances never post the same day twice.
        """
        stmt = (
            select(Challenge)
            .where(Challenge.next_post_at <= now)
            .order_by(Challenge.next_post_at)
            .limit(limit)
        )
        if is_postgres(self.session):
            stmt = stmt.with_for_update(skip_locked=True)
        rows = await self.session.scalars(stmt.execution_options(populate_existing=True))
        return [to_record(r) for r in rows]

    async def advance(self, challenge_id: int, next_post_at: datetime | None) -> None:
        """Store when a challenge posts next."""
        await self.session.execute(
            update(Challenge).where(Challenge.id == challenge_id).values(next_post_at=next_post_at)
        )
