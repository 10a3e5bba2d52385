"""The outbox: messages decided on, waiting to be sent, and the record of how each went."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Table,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.delivery_days import add_counts, tally
from bot.storage.models import Delivery, Person
from bot.storage.sql import insert_for, is_postgres

# Statuses a row moves through (see models.Delivery).
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
MISSED = "missed"
CANCELLED = "cancelled"
# Rows nothing will change any more: the retention job may forget them once they are old.
FINISHED = (SENT, FAILED, MISSED, "skipped", CANCELLED)

CHUNK = 500

_COLUMNS = (
    "chat_id",
    "person_id",
    "kind",
    "habit",
    "reminder_id",
    "payload",
    "due_at",
    "send_after",
    "status",
)


_table = cast(Table, Delivery.__table__)
# Built once: the sender runs it with every commit of "sent" marks.
_MARK_SENT = (
    update(_table)
    .where(_table.c.id == bindparam("b_id"))
    .values(
        status=SENT,
        telegram_message_id=bindparam("b_message_id"),
        sent_at=bindparam("b_sent_at"),
        attempts=_table.c.attempts + 1,
        claimed_until=None,
    )
)


@dataclass(frozen=True)
class DeliveryRecord:
    """One outbox row, as plain values."""

    id: int
    chat_id: int
    person_id: int | None
    kind: str
    habit: str | None
    reminder_id: int | None
    payload: dict[str, Any]
    due_at: datetime
    send_after: datetime
    status: str
    attempts: int
    last_error: str | None
    telegram_message_id: int | None
    sent_at: datetime | None
    response: str | None
    # The person's Telegram language, read when the row is claimed (the sender renders in it).
    language: str | None = None


def to_record(row: Delivery) -> DeliveryRecord:
    """Copy an ORM row into a plain record."""
    return DeliveryRecord(
        id=row.id,
        chat_id=row.chat_id,
        person_id=row.person_id,
        kind=row.kind,
        habit=row.habit,
        reminder_id=row.reminder_id,
        payload=dict(row.payload),
        due_at=row.due_at,
        send_after=row.send_after,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        telegram_message_id=row.telegram_message_id,
        sent_at=row.sent_at,
        response=row.response,
    )


def _from_mapping(row: Any, language: str | None = None) -> DeliveryRecord:
    """Copy a row returned by RETURNING into a plain record."""
    return DeliveryRecord(
        id=row["id"],
        chat_id=row["chat_id"],
        person_id=row["person_id"],
        kind=row["kind"],
        habit=row["habit"],
        reminder_id=row["reminder_id"],
        payload=dict(row["payload"]),
        due_at=row["due_at"],
        send_after=row["send_after"],
        status=row["status"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        telegram_message_id=row["telegram_message_id"],
        sent_at=row["sent_at"],
        response=row["response"],
        language=language,
    )


def _values(row: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Fill one row's defaults the way add() does."""
    unknown = set(row) - {*_COLUMNS, "now", "created_at"}
    if unknown:
        raise ValueError(f"unknown delivery columns: {sorted(unknown)}")
    created = row.get("created_at") or row.get("now") or now
    if created is None:
        raise ValueError("a delivery needs `now` (or created_at)")
    return {
        "chat_id": row["chat_id"],
        "person_id": row.get("person_id"),
        "kind": row["kind"],
        "habit": row.get("habit"),
        "reminder_id": row.get("reminder_id"),
        "payload": row["payload"],
        "due_at": row["due_at"],
        "send_after": row.get("send_after") or row["due_at"],
        "status": row.get("status", PENDING),
        "attempts": 0,
        "created_at": created,
    }


class Deliveries:
    """Repository of outbox rows."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        chat_id: int,
        person_id: int | None,
        kind: str,
        payload: dict[str, Any],
        due_at: datetime,
        send_after: datetime | None = None,
        habit: str | None = None,
        reminder_id: int | None = None,
        status: str = PENDING,
        now: datetime,
    ) -> int | None:
        """Queue one message; return its id, or None if that reminder occurrence is queued."""
        values = _values(
            {
                "chat_id": chat_id,
                "person_id": person_id,
                "kind": kind,
                "payload": payload,
                "due_at": due_at,
                "send_after": send_after,
                "habit": habit,
                "reminder_id": reminder_id,
                "status": status,
            },
            now,
        )
        stmt = (
            insert_for(self.session, Delivery.__table__)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["reminder_id", "due_at"])
            .returning(Delivery.__table__.c.id)
        )
        new_id = await self.session.scalar(stmt)
        return None if new_id is None else int(new_id)

    async def add_many(self, rows: Sequence[dict[str, Any]]) -> int:
        """Queue many messages at once (same keys as add()); return how many were new."""
        inserted = 0
        # Chunks keep each statement under SQLite's limit on bound parameters.
        for start in range(0, len(rows), CHUNK):
            stmt = (
                insert_for(self.session, Delivery.__table__)
                .values([_values(r) for r in rows[start : start + CHUNK]])
                .on_conflict_do_nothing(index_elements=["reminder_id", "due_at"])
            )
            result = cast(CursorResult[Any], await self.session.execute(stmt))
            inserted += int(result.rowcount or 0)
        return inserted

    async def get(self, delivery_id: int) -> DeliveryRecord | None:
        """Return one delivery or None."""
        row = await self.session.get(Delivery, delivery_id, populate_existing=True)
        return None if row is None else to_record(row)

    async def get_owned(self, delivery_id: int, person_id: int) -> DeliveryRecord | None:
        """Return a delivery only if it was meant for the person."""
        delivery = await self.get(delivery_id)
        if delivery is None or delivery.person_id != person_id:
            return None
        return delivery

    async def respond(self, delivery_id: int, response: str) -> bool:
        """Record what the person did with a delivery; the first answer wins."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.response.is_(None))
                .values(response=response[:12])
            ),
        )
        return bool(result.rowcount)

    async def drop_queued_ahead(
        self, person_id: int, now: datetime, *, habit: str | None = None
    ) -> int:
        """Forget reminder rows the tick queued ahead of their time (a schedule just changed).

        The tick writes rows a few seconds early; a pause, a skip or a new schedule made
        in those seconds must win. Deleting (not cancelling) lets the tick decide again for
        the same occurrence, which the (reminder_id, due_at) constraint would otherwise block.
        """
        conditions = [
            Delivery.person_id == person_id,
            Delivery.status == PENDING,
            Delivery.reminder_id.is_not(None),
            Delivery.send_after > now,
        ]
        if habit is not None:
            conditions.append(Delivery.habit == habit)
        result = cast(
            CursorResult[Any], await self.session.execute(delete(Delivery).where(*conditions))
        )
        return int(result.rowcount or 0)

    async def cancel_for_person(self, person_id: int) -> int:
        """Cancel a person's unsent rows (they left or blocked the bot); return how many."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Delivery)
                .where(Delivery.person_id == person_id, Delivery.status == PENDING)
                .values(status=CANCELLED)
            ),
        )
        return int(result.rowcount or 0)

    async def for_person(self, person_id: int) -> list[DeliveryRecord]:
        """Return a person's deliveries, oldest first (for tests and admin views)."""
        rows = await self.session.scalars(
            select(Delivery).where(Delivery.person_id == person_id).order_by(Delivery.id)
        )
        return [to_record(r) for r in rows]

    # ---------------------------------------------------------------- the sender's side

    def _claimable(self, owner: str, now: datetime) -> Any:
        """Rows due now, or held by someone else whose lease ran out (a crashed sender)."""
        return or_(
            and_(Delivery.status == PENDING, Delivery.send_after <= now),
            and_(
                Delivery.status == SENDING,
                Delivery.claimed_until < now,
                or_(Delivery.claimed_by.is_(None), Delivery.claimed_by != owner),
            ),
        )

    async def claim(
        self,
        *,
        owner: str,
        now: datetime,
        lease_until: datetime,
        limit: int,
        skip_chats: Sequence[int] = (),
    ) -> list[DeliveryRecord]:
        """Take up to `limit` due rows for sending, oldest first; commit before sending them."""
        table = _table
        pick = (
            select(Delivery.id)
            .where(self._claimable(owner, now))
            .order_by(Delivery.send_after, Delivery.id)
            .limit(limit)
        )
        if skip_chats:
            pick = pick.where(Delivery.chat_id.not_in(list(skip_chats)))
        if is_postgres(self.session):
            # Several instances may claim at once: each row goes to exactly one of them, and
            # the row locks last until commit. (Not a subquery of the UPDATE: PostgreSQL may
            # run such a subquery more than once and so claim more than `limit` rows.)
            pick = pick.with_for_update(skip_locked=True)
        # SQLite: a read first, because an UPDATE takes the write lock even when nothing is due.
        ids = list(await self.session.scalars(pick))
        if not ids:
            return []
        # On the table, not the mapped class: the ORM's handling of RETURNING rows is per row
        # work the sender does not need (it reads plain records).
        stmt = (
            update(table)
            .where(table.c.id.in_(ids), self._claimable(owner, now))
            .values(status=SENDING, claimed_by=owner, claimed_until=lease_until)
            .returning(*table.c)
        )
        rows = (await self.session.execute(stmt)).mappings().all()
        languages = await self._languages({r["person_id"] for r in rows} - {None})
        records = [_from_mapping(r, languages.get(r["person_id"])) for r in rows]
        records.sort(key=lambda r: (r.send_after, r.id))
        return records

    async def _languages(self, person_ids: set[int]) -> dict[int, str]:
        """Each person's Telegram language, in one read per claim."""
        if not person_ids:
            return {}
        found = await self.session.execute(
            select(Person.id, Person.language_code).where(
                Person.id.in_(list(person_ids)), Person.language_code.is_not(None)
            )
        )
        return {person_id: code for person_id, code in found.tuples() if code}

    async def renew(self, owner: str, lease_until: datetime) -> int:
        """Extend the lease of every row this sender still holds."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Delivery)
                .where(Delivery.claimed_by == owner, Delivery.status == SENDING)
                .values(claimed_until=lease_until)
            ),
        )
        return int(result.rowcount or 0)

    async def mark_sent(self, marks: Sequence[tuple[int, int, datetime]]) -> None:
        """Record rows Telegram accepted: (delivery id, message id, sent at)."""
        if not marks:
            return
        params = [
            {"b_id": delivery_id, "b_message_id": message_id, "b_sent_at": sent_at}
            for delivery_id, message_id, sent_at in marks
        ]
        await self.session.execute(_MARK_SENT, params)
        await add_counts(self.session, tally((sent_at, SENT) for _, _, sent_at in marks))

    async def retry_later(self, delivery_id: int, *, send_after: datetime, error: str) -> None:
        """Put a row back in the queue after a transient failure."""
        await self.session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(
                status=PENDING,
                send_after=send_after,
                attempts=Delivery.attempts + 1,
                last_error=error[:300],
                claimed_by=None,
                claimed_until=None,
            )
        )

    async def fail(
        self, delivery_id: int, error: str, *, now: datetime, status: str = FAILED
    ) -> None:
        """Give up on a row (failed, or missed when retrying ran out of time) and say why."""
        await add_counts(self.session, tally([(now, status)]))
        await self.session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(
                status=status,
                attempts=Delivery.attempts + 1,
                last_error=error[:300],
                claimed_until=None,
            )
        )

    async def release(self, owner: str) -> int:
        """Hand back the rows this sender holds but did not send (a clean stop)."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Delivery)
                .where(Delivery.claimed_by == owner, Delivery.status == SENDING)
                .values(status=PENDING, claimed_by=None, claimed_until=None)
            ),
        )
        return int(result.rowcount or 0)

    async def cancel_unsent(
        self, *, owner: str, chat_id: int | None = None, person_id: int | None = None
    ) -> int:
        """Cancel the unsent rows of a chat or a person, including those this sender holds."""
        unsent = or_(
            Delivery.status == PENDING,
            and_(Delivery.status == SENDING, Delivery.claimed_by == owner),
        )
        whom = (
            Delivery.chat_id == chat_id if person_id is None else Delivery.person_id == person_id
        )
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Delivery).where(whom, unsent).values(status=CANCELLED, claimed_until=None)
            ),
        )
        return int(result.rowcount or 0)

    async def redirect(self, old_chat_id: int, new_chat_id: int) -> int:
        """Point the unsent rows of a migrated group at its new id."""
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                update(Delivery)
                .where(
                    Delivery.chat_id == old_chat_id,
                    Delivery.status.in_([PENDING, SENDING]),
                )
                .values(chat_id=new_chat_id)
            ),
        )
        return int(result.rowcount or 0)

    async def count_due(self, owner: str, now: datetime) -> int:
        """Count rows that are due and not sent (claimable now, or held by this sender)."""
        held = and_(Delivery.status == SENDING, Delivery.claimed_by == owner)
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(or_(self._claimable(owner, now), held))
            )
            or 0
        )

    async def count_open(self) -> dict[str, int]:
        """Count rows waiting or being sent (an index range: few rows, however old the bot)."""
        rows = await self.session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.status.in_([PENDING, SENDING]))
            .group_by(Delivery.status)
        )
        return {status: int(n) for status, n in rows.tuples()}

    async def delete_finished(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` finished rows due before `before`; return how many went."""
        old = (
            select(Delivery.id)
            .where(Delivery.status.in_(FINISHED), Delivery.send_after < before)
            .limit(limit)
        )
        # Ids first, then a delete by primary key: the write (and SQLite's write lock) is short.
        ids = list(await self.session.scalars(old))
        if not ids:
            return 0
        result = cast(
            CursorResult[Any],
            await self.session.execute(
                delete(Delivery)
                .where(Delivery.id.in_(ids))
                .execution_options(synchronize_session=False)
            ),
        )
        return int(result.rowcount or 0)

    async def count_by_status(self) -> dict[str, int]:
        """Count rows per status (for tests, the bench and admin stats)."""
        rows = await self.session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        return {status: int(n) for status, n in rows.tuples()}
