"""Statements built once are compiled once; one derived from them is not mistaken for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.engine import Connection

from bot.clock import FakeClock
from bot.storage.inbox import _ADD_MANY, NewUpdate
from bot.storage.models import Chat
from bot.storage.people import _BY_ID
from bot.storage.sql import run
from bot.storage.uow import Database
from tests.factories import make_person

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _record_cache_use(db: Database) -> list[str]:
    """Return a list that gets, for each statement run, whether its compiled form was reused."""
    seen: list[str] = []

    def after(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        context = args[-2]
        if statement.startswith("INSERT INTO inbox"):
            seen.append(str(context.cache_hit))

    event.listen(db.engine.sync_engine, "after_cursor_execute", after)
    return seen


async def _store(db: Database, update_id: int) -> set[int]:
    async with db.uow() as uow:
        added = await uow.inbox.add_many(
            [NewUpdate(update_id, 7, 7, {"update_id": update_id})],
            owner="test",
            now=NOW,
            lease_until=NOW + timedelta(seconds=30),
        )
        await uow.commit()
    return added


async def test_a_prebuilt_dialect_insert_is_compiled_once(db: Database) -> None:
    seen = _record_cache_use(db)
    assert await _store(db, 1) == {1}
    assert await _store(db, 2) == {2}
    assert await _store(db, 1) == set()  # ON CONFLICT DO NOTHING still applies
    # SQLAlchemy gives dialect INSERTs no cache key; the prebuilt one has its own.
    assert seen[0] in ("CacheStats.CACHE_MISS", "CacheStats.CACHE_HIT")
    assert seen[1:] == ["CacheStats.CACHE_HIT", "CacheStats.CACHE_HIT"]


async def test_a_statement_derived_from_a_prebuilt_one_has_no_borrowed_key(db: Database) -> None:
    async with db.uow() as uow:
        prebuilt = _ADD_MANY(uow.session)
    derived = prebuilt.values(update_id=5)
    assert prebuilt._generate_cache_key() is not None
    # A copy carries the prebuilt one's attributes, not its identity: no key (compiled anew).
    assert derived._generate_cache_key() is None
    assert str(derived) != str(prebuilt)


async def test_a_prebuilt_statement_sees_the_orm_changes_made_before_it(
    db: Database, clock: FakeClock
) -> None:
    await make_person(db, 21, now=clock.now())
    async with db.uow() as uow:
        row = await uow.people.row(21)
        assert row is not None
        row.first_name = "Changed"  # dirty, not flushed yet
        assert (await run(uow.session, _BY_ID, {"person_id": 21})).one().first_name == "Changed"
        now = clock.now()
        chat = Chat(id=-5, type="group", title="New", created_at=now, updated_at=now)
        uow.session.add(chat)  # new, not flushed yet
        found = await run(uow.session, select(Chat.id).where(Chat.id == -5))
        assert found.scalar() == -5
