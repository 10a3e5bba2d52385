"""Broadcasts: an admin's message to everyone, fanned out into the outbox in one statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    JSON,
    CursorResult,
    Integer,
    String,
    and_,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.intents import BroadcastMessage, encode
from bot.storage.deliveries import Deliveries
from bot.storage.delivery_days import DeliveryDays
from bot.storage.models import Broadcast, Delivery, Person, UtcDateTime

# /stats shows how the deliveries of this many days (today included) went.
WEEK_DAYS = 7


@dataclass(frozen=True)
class BroadcastRecord:
    """One broadcast and how far it got."""

    id: int
    admin_id: int
    text: str
    status: str
    recipients: int
    created_at: datetime


@dataclass(frozen=True)
class BroadcastProgress:
    """Outbox rows of a broadcast by status."""

    broadcast: BroadcastRecord
    by_status: dict[str, int]


def _record(row: Broadcast) -> BroadcastRecord:
    return BroadcastRecord(
        row.id, row.admin_id, row.text, row.status, row.recipients, row.created_at
    )


class Broadcasts:
    """Repository of broadcasts."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def draft(self, admin_id: int, text: str, now: datetime) -> BroadcastRecord:
        """Store a broadcast awaiting the admin's confirmation."""
        row = Broadcast(admin_id=admin_id, text=text, status="draft", recipients=0, created_at=now)
        self.session.add(row)
        await self.session.flush()
        return _record(row)

    async def audience(self, now: datetime) -> int:
        """Count the people a broadcast would reach now."""
        return int(await self.session.scalar(select(func.count()).where(*_reachable(now))) or 0)

    async def queue(self, broadcast_id: int, admin_id: int, now: datetime) -> int | None:
        """Turn a draft into outbox rows for everyone reachable; None if not a draft of theirs."""
        claimed = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Broadcast)
                .where(
                    Broadcast.id == broadcast_id,
                    Broadcast.admin_id == admin_id,
                    Broadcast.status == "draft",
                )
                .values(status="queued", queued_at=now)
            ),
        )
        if not claimed.rowcount:
            return None
        broadcast = await self.session.get_one(Broadcast, broadcast_id, populate_existing=True)
        payload = encode(BroadcastMessage(broadcast.text))
        # One INSERT ... SELECT: the fan-out costs one statement however many people there are.
        source = select(
            Person.id,
            Person.id,
            literal("broadcast", String),
            literal(payload, JSON),
            literal(now, UtcDateTime),
            literal(now, UtcDateTime),
            literal("pending", String),
            literal(0, Integer),
            literal(now, UtcDateTime),
            literal(broadcast_id, Integer),
        ).where(*_reachable(now))
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                insert(Delivery).from_select(
                    [
                        "chat_id",
                        "person_id",
                        "kind",
                        "payload",
                        "due_at",
                        "send_after",
                        "status",
                        "attempts",
                        "created_at",
                        "broadcast_id",
                    ],
                    source,
                )
            ),
        )
        count = int(result.rowcount or 0)
        broadcast.recipients = count
        return count

    async def discard(self, broadcast_id: int, admin_id: int) -> bool:
        """Drop a draft; return whether there was one."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Broadcast)
                .where(
                    Broadcast.id == broadcast_id,
                    Broadcast.admin_id == admin_id,
                    Broadcast.status == "draft",
                )
                .values(status="discarded")
            ),
        )
        return bool(result.rowcount)

    async def latest_progress(self) -> BroadcastProgress | None:
        """Return the newest queued broadcast and its outbox rows by status."""
        row = await self.session.scalar(
            select(Broadcast)
            .where(Broadcast.status == "queued")
            .order_by(Broadcast.id.desc())
            .limit(1)
        )
        if row is None:
            return None
        counts = await self.session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.broadcast_id == row.id)
            .group_by(Delivery.status)
        )
        return BroadcastProgress(_record(row), {status: int(n) for status, n in counts.tuples()})

    async def overview(self, now: datetime) -> AdminOverview:
        """Count people, the rows waiting to be sent, and how the last seven days' rows went."""
        return await overview(self.session, now)


def _reachable(now: datetime) -> list[Any]:
    """People who agreed to messages, finished set-up, have not blocked us and are not paused."""
    return [
        Person.active.is_(True),
        Person.consent_at.is_not(None),
        Person.onboarded_at.is_not(None),
        or_(Person.paused_until.is_(None), and_(Person.paused_until <= now)),
    ]


@dataclass(frozen=True)
class AdminOverview:
    """Numbers an admin wants at a glance."""

    people: int
    reachable: int
    inactive: int
    outbox: dict[str, int]
    week: dict[str, int]


async def overview(session: AsyncSession, now: datetime) -> AdminOverview:
    """Count people, the rows waiting to be sent, and how the last seven days' rows went."""
    people = int(await session.scalar(select(func.count()).select_from(Person)) or 0)
    reachable = int(await session.scalar(select(func.count()).where(*_reachable(now))) or 0)
    inactive = int(await session.scalar(select(func.count()).where(Person.active.is_(False))) or 0)
    # Daily counts, not a scan of the outbox: it forgets old rows and can be large.
    week = await DeliveryDays(session).totals(now.date() - timedelta(days=WEEK_DAYS - 1))
    outbox = await Deliveries(session).count_open()
    return AdminOverview(people, reachable, inactive, outbox, week)
