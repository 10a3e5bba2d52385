"""The inbox: updates stored before they are acknowledged, claimed, marked handled, pruned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.storage.models import InboxUpdate
from bot.storage.sql import insert_for, is_postgres, per_dialect, run

# Every update is written here and marked handled: built once (see storage.sql.run).
_i = cast(Table, InboxUpdate.__table__)
# Run with a list of rows: SQLAlchemy sends them as one INSERT (its "insertmanyvalues").
_ADD_MANY = per_dialect(
    lambda insert: (
        insert(_i).on_conflict_do_nothing(index_elements=["update_id"]).returning(_i.c.update_id)
    )
)
_MARK_HANDLED = (
    update(_i)
    .where(_i.c.update_id.in_(bindparam("ids", expanding=True)), _i.c.handled_at.is_(None))
    .values(handled_at=bindparam("now"), claimed_by=None, claimed_until=None)
)


@dataclass(frozen=True)
class NewUpdate:
    """An update as it arrives, before it is stored."""

    update_id: int
    chat_id: int | None
    person_id: int | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class StoredUpdate:
    """An update as Telegram sent it, waiting in the inbox."""

    update_id: int
    chat_id: int | None
    payload: dict[str, Any]


class Inbox:
    """Rows of the `inbox` table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        update_id: int,
        chat_id: int | None,
        payload: dict[str, Any],
        *,
        person_id: int | None = None,
        owner: str,
        now: datetime,
        lease_until: datetime,
    ) -> bool:
        """Store a new update claimed by `owner`; False if this update_id is already stored."""
        stmt = (
            insert_for(self.session, InboxUpdate)
            .values(
                update_id=update_id,
                chat_id=chat_id,
                person_id=person_id,
                payload=payload,
                received_at=now,
                claimed_by=owner,
                claimed_until=lease_until,
            )
            .on_conflict_do_nothing(index_elements=["update_id"])
        )
        result = cast(CursorResult[Any], await self.session.execute(stmt))
        return bool(result.rowcount)

    async def add_many(
        self, updates: Sequence[NewUpdate], *, owner: str, now: datetime, lease_until: datetime
    ) -> set[int]:
        """Store new updates claimed by `owner` in one statement; return the ids that are new."""
        if not updates:
            return set()
        rows = [
            {
                "update_id": u.update_id,
                "chat_id": u.chat_id,
                "person_id": u.person_id,
                "payload": u.payload,
                "received_at": now,
                "claimed_by": owner,
                "claimed_until": lease_until,
            }
            for u in updates
        ]
        return {int(i) for i in (await run(self.session, _ADD_MANY(self.session), rows)).scalars()}

    async def claim_unhandled(
        self, *, owner: str, now: datetime, lease_until: datetime, limit: int, steal: bool
    ) -> list[StoredUpdate]:
        """Take unhandled updates whose claim has lapsed (all of them if `steal`), oldest first."""
        claimable: ColumnElement[bool] = InboxUpdate.handled_at.is_(None)
        if not steal:
            claimable = claimable & or_(
                InboxUpdate.claimed_until.is_(None), InboxUpdate.claimed_until < now
            )
        pick = select(InboxUpdate.update_id).where(claimable).order_by(InboxUpdate.update_id)
        pick = pick.limit(limit)
        if is_postgres(self.session):
            # Several instances sweep at once: each row goes to exactly one of them.
            pick = pick.with_for_update(skip_locked=True)
        ids = list(await self.session.scalars(pick))
        if not ids:
            return []
        stmt = (
            update(InboxUpdate)
            .where(InboxUpdate.update_id.in_(ids), claimable)
            .values(claimed_by=owner, claimed_until=lease_until)
            .returning(InboxUpdate.update_id, InboxUpdate.chat_id, InboxUpdate.payload)
            .execution_options(synchronize_session=False)
        )
        rows = (await self.session.execute(stmt)).all()
        return sorted(
            (StoredUpdate(int(r.update_id), r.chat_id, dict(r.payload)) for r in rows),
            key=lambda u: u.update_id,
        )

    async def renew(self, owner: str, lease_until: datetime) -> int:
        """Extend the claim on every update this instance still holds."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(InboxUpdate)
                .where(InboxUpdate.claimed_by == owner, InboxUpdate.handled_at.is_(None))
                .values(claimed_until=lease_until)
            ),
        )
        return int(result.rowcount or 0)

    async def mark_handled(self, update_ids: Sequence[int], now: datetime) -> None:
        """Record that these updates were handled; a replay skips them."""
        await run(self.session, _MARK_HANDLED, {"ids": list(update_ids), "now": now})

    async def prune(self, handled_before: datetime) -> int:
        """Delete updates handled before the given time; return how many."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                delete(InboxUpdate).where(InboxUpdate.handled_at < handled_before)
            ),
        )
        return int(result.rowcount or 0)

    async def unhandled_count(self) -> int:
        """Count the updates not handled yet."""
        stmt = (
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.handled_at.is_(None))
        )
        return int(await self.session.scalar(stmt) or 0)
