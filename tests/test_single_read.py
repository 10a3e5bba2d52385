"""A single read runs without a transaction around it: no BEGIN, no COMMIT."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection

from bot.clock import FakeClock
from bot.services import people
from bot.storage.uow import Database
from tests.factories import make_person


async def test_a_single_read_finds_the_person(db: Database, clock: FakeClock) -> None:
    await make_person(db, 11, now=clock.now())
    found = await people.find(db.single_read(), 11)
    assert found is not None and found.id == 11
    assert await people.find(db.single_read(), 12) is None


async def test_a_single_read_sends_no_begin(db: Database, clock: FakeClock) -> None:
    await make_person(db, 11, now=clock.now())
    if db.dialect == "sqlite":
        sent: list[str] = []

        def before(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
            sent.append(statement.split()[0])

        event.listen(db.engine.sync_engine, "before_cursor_execute", before)
        await people.find(db.single_read(), 11)
        await people.find(db.uow(read_only=True), 11)
        # The read-only unit of work begins a transaction; the single read does not.
        assert sent == ["SELECT", "BEGIN", "SELECT"]
        return
    # PostgreSQL: in a transaction both statements share one id; without, each has its own.
    query = text("SELECT txid_current()")
    async with db.single_read() as uow:
        first, second = [(await uow.session.execute(query)).scalar() for _ in range(2)]
        assert first != second
    async with db.uow(read_only=True) as uow:
        first, second = [(await uow.session.execute(query)).scalar() for _ in range(2)]
        assert first == second
