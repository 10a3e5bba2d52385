"""The challenge repository: one running challenge per group, and a claim two ticks never share."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.services import challenges
from bot.storage.challenges import STOPPED, ChallengeRecord
from bot.storage.uow import Database, UnitOfWork

NOW = datetime(2026, 3, 27, 7, tzinfo=UTC)
GROUP = -100


async def _add(uow: UnitOfWork, chat_id: int = GROUP) -> ChallengeRecord | None:
    return await uow.challenges.add(
        chat_id=chat_id,
        habit="water",
        title="💧 7-day hydration",
        days=7,
        daily_target=6,
        starts_on=date(2026, 3, 27),
        ends_on=date(2026, 4, 2),
        zone="Europe/Berlin",
        created_by=1,
        next_post_at=NOW + timedelta(hours=12),
        now=NOW,
    )


async def test_one_running_challenge_per_group(db: Database) -> None:
    async with db.uow() as uow:
        first = await _add(uow)
        assert first is not None
        assert await _add(uow) is None  # the partial unique index refuses a second one
        assert await _add(uow, chat_id=-200) is not None  # another group is fine
        assert await uow.challenges.end(first.id, STOPPED)
        assert not await uow.challenges.end(first.id, STOPPED)  # ending twice changes nothing
        assert await _add(uow) is not None  # once stopped, a new one may start
        await uow.commit()


async def test_nothing_due_queues_nothing(db: Database) -> None:
    async with db.uow() as uow:
        await _add(uow)
        await uow.commit()
    assert await challenges.post_due(db.uow(), NOW) == 0
    assert await challenges.post_due(db.uow(), NOW + timedelta(hours=12)) == 1
    assert await challenges.post_due(db.uow(), NOW + timedelta(hours=12)) == 0  # moved on
    async with db.uow() as uow:
        assert (await uow.deliveries.count_by_status()) == {"pending": 1}


@pytest.mark.usefixtures("pg_only")
async def test_two_ticks_never_claim_the_same_challenge(db: Database) -> None:
    async with db.uow() as uow:
        await _add(uow)
        await uow.commit()
    due = NOW + timedelta(hours=12)
    async with db.uow() as first, db.uow() as second:
        assert len(await first.challenges.claim_due(due, 10)) == 1
        # The first tick holds the row until it commits: the second skips it, never waits.
        assert await second.challenges.claim_due(due, 10) == []
