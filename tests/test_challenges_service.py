"""Group challenges as use cases, without Telegram: typed results, posts queued as intents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.intents import ChallengeBoard, decode
from bot.services import challenges
from bot.services.challenges import Joined
from bot.storage.uow import Database
from tests.factories import make_person

GROUP = -100
NOW = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


async def _start(db: Database, *, may_manage: bool = True) -> int:
    started = await challenges.start(
        db.uow(),
        GROUP,
        "water",
        starter_id=1,
        may_manage=may_manage,
        default_zone="Europe/Berlin",
        now=NOW,
    )
    return started.id


async def test_only_group_admins_start_and_one_runs_at_a_time(db: Database) -> None:
    await make_person(db, 1, now=NOW, habits=())
    with pytest.raises(challenges.NotGroupAdmin):
        await _start(db, may_manage=False)
    challenge_id = await _start(db)
    with pytest.raises(challenges.Running) as running:
        await _start(db)
    assert running.value.board.challenge.id == challenge_id
    assert running.value.board.day_number == 1


async def test_joining_says_what_happened(db: Database) -> None:
    await make_person(db, 1, now=NOW, habits=())
    assert (await challenges.join(db.uow(), GROUP, 1, None, NOW)).outcome is Joined.NONE
    challenge_id = await _start(db)
    # Someone who never talked to the bot privately must /start it first.
    stranger = await challenges.join(db.uow(), GROUP, 2, challenge_id, NOW)
    assert stranger.outcome is Joined.NEED_START
    joined = await challenges.join(db.uow(), GROUP, 1, challenge_id, NOW)
    assert (joined.outcome, joined.members) == (Joined.JOINED, 1)
    again = await challenges.join(db.uow(), GROUP, 1, None, NOW)
    assert again.outcome is Joined.ALREADY
    # A button naming another group's challenge is not this group's.
    other = await challenges.join(db.uow(), -200, 1, challenge_id, NOW)
    assert other.outcome is Joined.NONE


async def test_the_evening_post_is_queued_as_an_intent(db: Database) -> None:
    await make_person(db, 1, now=NOW, habits=(), first_name="Ana")
    challenge_id = await _start(db)
    await challenges.join(db.uow(), GROUP, 1, None, NOW)
    async with db.uow() as uow:
        await uow.habit_logs.add(1, "water", at=NOW, local_date=NOW.date(), source="text")
        await uow.commit()
    assert await challenges.post_due(db.uow(), NOW) == 0  # not evening yet
    evening = NOW + timedelta(hours=10)  # 20:00 in Berlin
    assert await challenges.post_due(db.uow(), evening) == 1
    async with db.uow() as uow:
        rows = await uow.deliveries.claim(
            owner="t", now=evening, lease_until=evening + timedelta(minutes=1), limit=10
        )
    [row] = rows
    assert (row.chat_id, row.kind) == (GROUP, "challenge")
    intent = decode(row.payload)
    post = ChallengeBoard.of(intent.params)
    assert (intent.v, post.challenge_id, post.final, post.day_number) == (
        1,
        challenge_id,
        False,
        1,
    )
    assert [(s.name, s.today) for s in post.ranked] == [("Ana", 1)]


async def test_stop_returns_the_standings_and_ends_it(db: Database) -> None:
    await make_person(db, 1, now=NOW, habits=())
    with pytest.raises(challenges.NoChallenge):
        await challenges.stop(db.uow(), GROUP, may_manage=True, now=NOW)
    challenge_id = await _start(db)
    with pytest.raises(challenges.NotGroupAdmin):
        await challenges.stop(db.uow(), GROUP, may_manage=False, now=NOW)
    board = await challenges.stop(db.uow(), GROUP, may_manage=True, now=NOW)
    assert board.challenge.id == challenge_id
    assert await challenges.running(db.uow(), GROUP, NOW) is None
    late = await challenges.join(db.uow(), GROUP, 1, challenge_id, NOW)
    assert late.outcome is Joined.OVER
