"""Group challenges: start, join, standings, stop, the daily post and following the group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import challenges as domain
from bot.domain.challenges import Standing
from bot.domain.intents import ChallengeBoard, encode
from bot.domain.schedule import local_date
from bot.storage.challenges import FINISHED, STOPPED, ChallengeRecord
from bot.storage.uow import UnitOfWork

KIND = "challenge"
# Challenges posted per tick transaction; the rest wait for the next tick (a second later).
POST_BATCH = 100
# A post lists this many members; a bigger group sees "and N more" instead of a wall of names.
MAX_LINES = 30


class NotGroupAdmin(Exception):
    """Only the group's admins may start or stop a challenge."""


class NoChallenge(Exception):
    """The group has no running challenge."""


class Running(Exception):
    """The group already runs a challenge; carries its standings."""

    def __init__(self, board: Board) -> None:
        super().__init__(board.challenge.title)
        self.board = board


class UnknownKind(ValueError):
    """A start button for a challenge this version does not offer."""


class Joined(StrEnum):
    """How a request to join ended."""

    JOINED = "joined"
    ALREADY = "already"
    NEED_START = "need_start"
    NONE = "none"
    OVER = "over"


@dataclass(frozen=True)
class Board:
    """A challenge with its members ranked on a local day."""

    challenge: ChallengeRecord
    day: date
    ranked: list[Standing]

    @property
    def day_number(self) -> int:
        c = self.challenge
        return min(max(domain.day_number(self.day, c.starts_on), 1), c.days)


@dataclass(frozen=True)
class JoinResult:
    """The outcome of joining, with the challenge and its size when there is one."""

    outcome: Joined
    challenge: ChallengeRecord | None = None
    members: int = 0


def today_in(challenge: ChallengeRecord, now: datetime) -> date:
    """Return the challenge's local date at `now`."""
    return local_date(now, ZoneInfo(challenge.zone))


async def _board(uow: UnitOfWork, challenge: ChallengeRecord, day: date) -> Board:
    """Rank a challenge's members on a local day."""
    members = await uow.challenges.members(challenge.id)
    counts = await uow.challenges.counts(
        challenge.id, challenge.habit, challenge.starts_on, challenge.ends_on
    )
    ranked = domain.standings(
        members,
        counts,
        starts_on=challenge.starts_on,
        last_day=challenge.ends_on,
        target=challenge.daily_target,
        today=day,
    )
    return Board(challenge, day, ranked)


async def start(
    uow: UnitOfWork,
    chat_id: int,
    key: str,
    *,
    starter_id: int,
    may_manage: bool,
    default_zone: str,
    now: datetime,
) -> ChallengeRecord:
    """Start a challenge in a group, in the starter's time zone (or the default one)."""
    kind = domain.kind_of(key)
    if kind is None:
        raise UnknownKind(key[:20])
    async with uow:
        running = await uow.challenges.active_in(chat_id)
        if running is not None:
            raise Running(await _board(uow, running, today_in(running, now)))
        if not may_manage:
            raise NotGroupAdmin
        starter = await uow.people.get(starter_id)
        zone_name = starter.timezone if starter and starter.timezone else default_zone
        zone = ZoneInfo(zone_name)
        starts_on = local_date(now, zone)
        last_day = domain.ends_on(starts_on, kind.days)
        started = await uow.challenges.add(
            chat_id=chat_id,
            habit=kind.habit.value,
            title=kind.title,
            days=kind.days,
            daily_target=kind.daily_target,
            starts_on=starts_on,
            ends_on=last_day,
            zone=zone_name,
            created_by=starter_id,
            next_post_at=domain.first_post(now, starts_on, last_day, zone),
            now=now,
        )
        if started is None:
            # Another admin started one a moment ago (the unique index said so).
            running = await uow.challenges.active_in(chat_id)
            assert running is not None
            raise Running(await _board(uow, running, today_in(running, now)))
        await uow.commit()
    return started


async def _named(
    uow: UnitOfWork, chat_id: int, challenge_id: int | None
) -> ChallengeRecord | None:
    """The group's running challenge, or the one a button names if it is this group's."""
    if challenge_id is None:
        return await uow.challenges.active_in(chat_id)
    challenge = await uow.challenges.get(challenge_id)
    return challenge if challenge is not None and challenge.chat_id == chat_id else None


async def join(
    uow: UnitOfWork, chat_id: int, person_id: int, challenge_id: int | None, now: datetime
) -> JoinResult:
    """Join the group's running challenge (or the one a button names, if it is this group's)."""
    async with uow:
        challenge = await _named(uow, chat_id, challenge_id)
        if challenge is None:
            return JoinResult(Joined.NONE)
        if not challenge.active:
            return JoinResult(Joined.OVER, challenge)
        person = await uow.people.get(person_id)
        if person is None or not person.consented:
            return JoinResult(Joined.NEED_START, challenge)
        new = await uow.challenges.join(challenge.id, person_id, now)
        members = len(await uow.challenges.members(challenge.id))
        await uow.commit()
    return JoinResult(Joined.JOINED if new else Joined.ALREADY, challenge, members)


async def standings(
    uow: UnitOfWork, chat_id: int, challenge_id: int | None, now: datetime
) -> Board:
    """Return the standings of the group's running challenge (or the one a button names)."""
    async with uow:
        challenge = await _named(uow, chat_id, challenge_id)
        if challenge is None:
            raise NoChallenge
        day = min(today_in(challenge, now), challenge.ends_on)
        return await _board(uow, challenge, day)


async def running(uow: UnitOfWork, chat_id: int, now: datetime) -> Board | None:
    """Return the group's running challenge with its standings, or None."""
    try:
        return await standings(uow, chat_id, None, now)
    except NoChallenge:
        return None


async def stop(uow: UnitOfWork, chat_id: int, *, may_manage: bool, now: datetime) -> Board:
    """Stop the group's running challenge; return its standings as they were."""
    async with uow:
        challenge = await uow.challenges.active_in(chat_id)
        if challenge is None:
            raise NoChallenge
        if not may_manage:
            raise NotGroupAdmin
        board = await _board(uow, challenge, min(today_in(challenge, now), challenge.ends_on))
        await uow.challenges.end(challenge.id, STOPPED)
        await uow.commit()
    return board


async def bot_left(uow: UnitOfWork, chat_id: int, now: datetime) -> bool:
    """Stop the challenge of a group the bot was removed from; return whether one ran."""
    async with uow:
        challenge = await uow.challenges.active_in(chat_id)
        stopped = challenge is not None and await uow.challenges.end(challenge.id, STOPPED)
        await uow.people.chat_gone(chat_id, now)
        await uow.commit()
    return stopped


async def follow_migration(
    uow: UnitOfWork, old_chat_id: int, new_chat_id: int, now: datetime
) -> int:
    """Point a group's challenges (and its unsent posts) at the supergroup it became."""
    async with uow:
        await uow.people.chat_migrated(old_chat_id, new_chat_id, now)
        moved = await uow.challenges.move_chat(old_chat_id, new_chat_id)
        await uow.deliveries.redirect(old_chat_id, new_chat_id)
        await uow.commit()
    return moved


# -------------------------------------------------------------------- what a post shows


def post_of(board: Board, *, final: bool = False) -> ChallengeBoard:
    """Return what a board post shows: the first members, how many more, the finishers."""
    c = board.challenge
    winners = [s.name for s in domain.finishers(board.ranked, c.days)] if final else []
    return ChallengeBoard(
        challenge_id=c.id,
        title=c.title,
        day_number=board.day_number,
        days=c.days,
        daily_target=c.daily_target,
        final=final,
        ranked=tuple(board.ranked[:MAX_LINES]),
        hidden=max(len(board.ranked) - MAX_LINES, 0),
        winners=tuple(winners),
    )


# -------------------------------------------------------------------- the tick


async def post_due(uow: UnitOfWork, now: datetime, limit: int = POST_BATCH) -> int:
    """Queue the group posts that are due and move each challenge on; return how many queued."""
    async with uow:
        due = await uow.challenges.claim_due(now, limit)
        if not due:
            return 0
        rows: list[dict[str, Any]] = []
        for challenge in due:
            assert challenge.next_post_at is not None
            plan = domain.plan_post(
                challenge.next_post_at, now, challenge.ends_on, ZoneInfo(challenge.zone)
            )
            if plan.send:
                day = min(plan.day, challenge.ends_on)
                board = await _board(uow, challenge, day)
                payload = encode(post_of(board, final=plan.final))
                rows.append(
                    {
                        "chat_id": challenge.chat_id,
                        "person_id": None,
                        "kind": KIND,
                        "payload": payload,
                        "due_at": challenge.next_post_at,
                        "send_after": challenge.next_post_at,
                        "created_at": now,
                    }
                )
            if plan.final:
                await uow.challenges.end(challenge.id, FINISHED)
            else:
                await uow.challenges.advance(challenge.id, plan.next_at)
        await uow.deliveries.add_many(rows)
        await uow.commit()
    return len(rows)
