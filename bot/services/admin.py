"""Admin use cases: broadcast a message to everyone, see how the bot is doing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.broadcasts import AdminOverview, BroadcastProgress, BroadcastRecord
from bot.storage.uow import UnitOfWork

MAX_BROADCAST_CHARS = 4096


class NotAdmin(Exception):
    """The person is not in ADMIN_IDS."""


class TooLong(ValueError):
    """The broadcast would not fit one Telegram message."""


@dataclass(frozen=True)
class Draft:
    """A broadcast waiting for confirmation, and whom it would reach."""

    broadcast: BroadcastRecord
    audience: int


@dataclass(frozen=True)
class BroadcastQueued:
    """A confirmed broadcast, fanned out into the outbox."""

    broadcast_id: int
    recipients: int


def check_admin(person_id: int, admins: frozenset[int]) -> None:
    """Raise NotAdmin unless the person is an admin."""
    if person_id not in admins:
        raise NotAdmin


async def draft_broadcast(
    uow: UnitOfWork, admin_id: int, text: str, *, admins: frozenset[int], now: datetime
) -> Draft:
    """Store a broadcast draft for the admin to confirm."""
    check_admin(admin_id, admins)
    if len(text) > MAX_BROADCAST_CHARS:
        raise TooLong(str(len(text)))
    async with uow:
        broadcast = await uow.broadcasts.draft(admin_id, text, now)
        audience = await uow.broadcasts.audience(now)
        await uow.commit()
    return Draft(broadcast, audience)


async def send_broadcast(
    uow: UnitOfWork, admin_id: int, broadcast_id: int, *, admins: frozenset[int], now: datetime
) -> BroadcastQueued | None:
    """Queue a confirmed draft for everyone; None if it was already sent or dropped."""
    check_admin(admin_id, admins)
    async with uow:
        count = await uow.broadcasts.queue(broadcast_id, admin_id, now)
        await uow.commit()
    return None if count is None else BroadcastQueued(broadcast_id, count)


async def drop_broadcast(
    uow: UnitOfWork, admin_id: int, broadcast_id: int, *, admins: frozenset[int]
) -> bool:
    """Discard a draft."""
    check_admin(admin_id, admins)
    async with uow:
        dropped = await uow.broadcasts.discard(broadcast_id, admin_id)
        await uow.commit()
    return dropped


async def stats(
    uow: UnitOfWork, admin_id: int, *, admins: frozenset[int], now: datetime
) -> tuple[AdminOverview, BroadcastProgress | None]:
    """Return the overview and the latest broadcast's progress."""
    check_admin(admin_id, admins)
    async with uow:
        return await uow.broadcasts.overview(now), await uow.broadcasts.latest_progress()
