"""The outbox repository: exactly-once inserts, ownership, the first answer wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.storage.deliveries import CANCELLED, PENDING, SENT
from bot.storage.models import Delivery, Person
from bot.storage.uow import Database
from tests.factories import make_person

NOW = datetime(2026, 3, 27, 7, 0, tzinfo=UTC)
PAYLOAD = {"text": "Time for water", "parse_mode": None}


async def _reminder_id(db: Database, person_id: int) -> int:
    async with db.uow() as uow:
        return (await uow.reminders.for_person(person_id))[0].id


async def test_add_is_exactly_once_per_reminder_occurrence(db: Database) -> None:
    await make_person(db, 10, now=NOW)
    rid = await _reminder_id(db, 10)
    async with db.uow() as uow:
        first = await uow.deliveries.add(
            chat_id=10,
            person_id=10,
            kind="nudge",
            payload=PAYLOAD,
            due_at=NOW,
            reminder_id=rid,
            habit="water",
            now=NOW,
        )
        again = await uow.deliveries.add(
            chat_id=10,
            person_id=10,
            kind="nudge",
            payload=PAYLOAD,
            due_at=NOW,
            reminder_id=rid,
            habit="water",
            now=NOW,
        )
        # No reminder: never a conflict.
        free1 = await uow.deliveries.add(
            chat_id=10, person_id=10, kind="tip", payload=PAYLOAD, due_at=NOW, now=NOW
        )
        free2 = await uow.deliveries.add(
            chat_id=10, person_id=10, kind="tip", payload=PAYLOAD, due_at=NOW, now=NOW
        )
        await uow.commit()
    assert isinstance(first, int)
    assert again is None
    assert free1 is not None and free2 is not None and free1 != free2
    async with db.uow() as uow:
        row = await uow.deliveries.get(first)
    assert row is not None
    assert row.status == PENDING and row.send_after == NOW and row.attempts == 0
    assert row.payload == PAYLOAD and row.reminder_id == rid and row.habit == "water"


async def test_add_many_ignores_conflicts_and_counts_new_rows(db: Database) -> None:
    await make_person(db, 10, now=NOW)
    rid = await _reminder_id(db, 10)
    rows = [
        {
            "chat_id": 10,
            "person_id": 10,
            "kind": "nudge",
            "payload": PAYLOAD,
            "due_at": NOW + timedelta(minutes=i),
            "reminder_id": rid,
            "now": NOW,
        }
        for i in range(3)
    ]
    async with db.uow() as uow:
        assert await uow.deliveries.add_many(rows) == 3
        assert (
            await uow.deliveries.add_many([*rows, {**rows[0], "due_at": NOW + timedelta(hours=1)}])
            == 1
        )
        assert await uow.deliveries.add_many([]) == 0
        await uow.commit()
    async with db.uow() as uow:
        stored = await uow.deliveries.for_person(10)
    assert len(stored) == 4
    assert all(r.send_after == r.due_at for r in stored)


async def test_get_owned_respond_and_cancel(db: Database) -> None:
    await make_person(db, 10, now=NOW)
    await make_person(db, 11, now=NOW)
    async with db.uow() as uow:
        mine = await uow.deliveries.add(
            chat_id=10, person_id=10, kind="nudge", payload=PAYLOAD, due_at=NOW, now=NOW
        )
        sent = await uow.deliveries.add(
            chat_id=10, person_id=10, kind="nudge", payload=PAYLOAD, due_at=NOW, now=NOW
        )
        other = await uow.deliveries.add(
            chat_id=11, person_id=11, kind="nudge", payload=PAYLOAD, due_at=NOW, now=NOW
        )
        assert mine and sent and other
        row = await uow.session.get_one(Delivery, sent)
        row.status = SENT
        await uow.commit()
    async with db.uow() as uow:
        assert await uow.deliveries.get_owned(mine, 10) is not None
        assert await uow.deliveries.get_owned(mine, 11) is None
        assert await uow.deliveries.get_owned(999_999, 10) is None
        assert await uow.deliveries.respond(sent, "done") is True
        assert await uow.deliveries.respond(sent, "snoozed") is False
        assert await uow.deliveries.cancel_for_person(10) == 1
        await uow.commit()
    async with db.uow() as uow:
        assert (await uow.deliveries.get(sent)).response == "done"  # type: ignore[union-attr]
        assert (await uow.deliveries.get(mine)).status == CANCELLED  # type: ignore[union-attr]
        assert (await uow.deliveries.get(sent)).status == SENT  # type: ignore[union-attr]
        assert (await uow.deliveries.get(other)).status == PENDING  # type: ignore[union-attr]


async def test_a_claimed_row_carries_its_persons_language(db: Database) -> None:
    await make_person(db, 10, now=NOW)
    await make_person(db, 11, now=NOW, first_name="Hans")
    async with db.uow() as uow:
        await uow.session.execute(
            sa.update(Person).where(Person.id == 11).values(language_code="de")
        )
        for chat in (10, 11):
            await uow.deliveries.add(
                chat_id=chat, person_id=chat, kind="tip", payload=PAYLOAD, due_at=NOW, now=NOW
            )
        await uow.commit()
    async with db.uow() as uow:
        claimed = await uow.deliveries.claim(
            owner="a", now=NOW, lease_until=NOW + timedelta(minutes=5), limit=10
        )
        await uow.commit()
    assert {r.chat_id: r.language for r in claimed} == {10: None, 11: "de"}
