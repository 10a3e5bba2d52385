"""One read per update: the sender is read once, and written only if they had blocked the bot."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from bot.storage.uow import Database
from tests.factories import make_person
from tests.harness import Harness


@contextmanager
def statements_on(db: Database, table: str) -> Iterator[list[str]]:
    """Collect the statements that read or write `table` while the block runs."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        text = " ".join(sql.split())
        # Only statements about this table itself (the tick's claim joins people: not this).
        if text.startswith((f"UPDATE {table} ", f"INSERT INTO {table} ")) or (
            text.startswith("SELECT") and f" FROM {table} " in f"{text} "
        ):
            seen.append(text)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def test_an_active_person_is_read_once_and_never_written(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    assert harness.db is not None
    await make_person(harness.db, ana.id, now=harness.clock.now(), habits=("food",))

    for text in ("had kefir", "/today"):
        with statements_on(harness.db, "people") as seen:
            [reply] = await harness.say(ana, text)
        assert reply.text
        assert [s.split()[0] for s in seen] == ["SELECT"], (text, seen)


async def test_a_person_who_had_blocked_the_bot_is_back_on_their_next_message(
    harness: Harness,
) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    assert harness.db is not None
    now = harness.clock.now()
    await make_person(harness.db, ana.id, now=now, habits=("food",))
    async with harness.db.uow() as uow:
        await uow.people.deactivate(ana.id, now)
        await uow.reminders.park_all(ana.id)
        await uow.commit()

    with statements_on(harness.db, "people") as seen:
        [reply] = await harness.say(ana, "had kefir")
    assert "kefir" in (reply.text or "").lower()
    assert any(s.startswith("UPDATE people") for s in seen)
    async with harness.db.uow() as uow:
        person = await uow.people.get(ana.id)
        reminders = await uow.reminders.for_person(ana.id)
    assert person is not None and person.active
    assert any(r.next_fire_at is not None for r in reminders if r.enabled)

    # Back to normal: the next update reads and writes nothing about the person again.
    with statements_on(harness.db, "people") as seen:
        await harness.say(ana, "/today")
    assert [s.split()[0] for s in seen] == ["SELECT"]
