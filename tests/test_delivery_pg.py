"""Several instances on PostgreSQL: one sender at a time, rows claimed once, quick takeover."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.clock import FakeClock
from bot.delivery.lock import LOCK_KEY
from bot.delivery.sender import Sender
from bot.sandbox import BotApiSandbox
from bot.sandbox.server import PATIENCE
from bot.storage.uow import Database
from tests.test_delivery import eventually, new_sender, queue

pytestmark = pytest.mark.usefixtures("pg_only")

LOCK_HOLDERS = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND classid = :high AND objid = :low"
    # Advisory locks belong to a database: other test runs on the same server hold their own.
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)
KEY = {"high": LOCK_KEY >> 32, "low": LOCK_KEY & 0xFFFFFFFF}


@pytest.fixture
async def two_dbs(db_url: str) -> AsyncIterator[tuple[Database, Database]]:
    first, second = Database(db_url), Database(db_url)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


def copies(sandbox: BotApiSandbox, chat_ids: list[int]) -> Counter[int]:
    return Counter({c: len(sandbox.bot_messages(c)) for c in chat_ids})


async def test_claims_skip_rows_another_instance_locked(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    for i in range(6):
        await queue(db, clock, 100 + i, f"row {i}")
    now = clock.now()
    async with db.uow() as one, db.uow() as two:
        first = await one.deliveries.claim(
            owner="a", now=now, lease_until=now + timedelta(minutes=1), limit=4
        )
        # `one` has not committed: its rows are locked, and `two` skips instead of waiting.
        second = await asyncio.wait_for(
            two.deliveries.claim(
                owner="b", now=now, lease_until=now + timedelta(minutes=1), limit=4
            ),
            timeout=PATIENCE,  # waiting for the lock would hang until `one` commits
        )
        await one.commit()
        await two.commit()
    assert len(first) == 4 and len(second) == 2
    assert not {r.id for r in first} & {r.id for r in second}


async def test_one_sender_at_a_time_and_the_other_takes_over(
    two_dbs: tuple[Database, Database], sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    db1, db2 = two_dbs
    holder = new_sender(db1, sandbox, clock, lock_retry_seconds=0.2)
    standby = new_sender(db2, sandbox, clock, lock_retry_seconds=0.2)
    holder.start()
    await eventually(lambda: holder.active)
    standby.start()
    people = [sandbox.add_user(f"P{i}") for i in range(30)]
    try:
        for person in people[:20]:
            await queue(db1, clock, person.id, f"first for {person.id}")
        holder.wake()
        standby.wake()
        await holder.flush()
        assert not standby.active
        assert standby.stats.claims == 0, "the standby must not touch the outbox"
        assert copies(sandbox, [p.id for p in people[:20]]) == Counter(
            {p.id: 1 for p in people[:20]}
        )

        await holder.stop()
        await eventually(lambda: standby.active)

        for person in people[20:]:
            await queue(db2, clock, person.id, f"second for {person.id}")
        standby.wake()
        await standby.flush()
    finally:
        await holder.stop()
        await standby.stop()
    assert copies(sandbox, [p.id for p in people]) == Counter({p.id: 1 for p in people})
    assert sandbox.stats.sent == 30


async def test_a_dead_holders_connection_frees_the_lock(
    two_dbs: tuple[Database, Database], sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    db1, db2 = two_dbs
    holder = new_sender(db1, sandbox, clock, lock_retry_seconds=0.2)
    standby = new_sender(db2, sandbox, clock, lock_retry_seconds=0.2)
    holder.start()
    await eventually(lambda: holder.active)
    standby.start()
    sandbox.delay = 0.05
    people = [sandbox.add_user(f"P{i}") for i in range(40)]
    try:
        for person in people:
            await queue(db1, clock, person.id, f"hello {person.id}")
        holder.wake()
        await sandbox.wait_until(lambda: sandbox.stats.sent >= 10)
        # The holder's process dies: its session ends (killed here), which frees the lock.
        async with db2.engine.connect() as conn:
            killed = await conn.scalar(
                text(LOCK_HOLDERS.replace("count(*)", "count(pg_terminate_backend(pid))")), KEY
            )
            await conn.commit()
        await holder.abandon()
        assert killed == 1
        # pg_terminate_backend only signals the backend, and the standby may take the lock the
        # moment it is free, so a holder count read here races both: the standby becoming
        # active is the proof that the dead holder's lock was freed.
        await eventually(lambda: standby.active)
        clock.advance(timedelta(seconds=61))  # the dead holder's leases run out
        standby.wake()
        await standby.flush()
    finally:
        await standby.stop()
    sent = copies(sandbox, [p.id for p in people])
    assert min(sent.values()) == 1
    assert sum(sent.values()) - len(people) <= holder.max_in_flight


async def test_only_one_of_two_starting_senders_gets_the_lock(
    two_dbs: tuple[Database, Database],
    sandbox: BotApiSandbox,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    senders: list[Sender] = [
        new_sender(db, sandbox, clock, lock_retry_seconds=0.2) for db in two_dbs
    ]
    # Count the pauses between lock attempts, to watch the loser try again (not a clock).
    pauses: Counter[str] = Counter()
    pause = Sender._pause

    async def counted(self: Sender, seconds: float) -> None:
        pauses[self.owner] += 1
        await pause(self, seconds)

    monkeypatch.setattr(Sender, "_pause", counted)
    for sender in senders:
        sender.start()
    try:
        await eventually(lambda: any(s.active for s in senders))
        [loser] = [s for s in senders if not s.active]
        await eventually(lambda: pauses[loser.owner] >= 3)
        assert sum(s.active for s in senders) == 1
    finally:
        for sender in senders:
            await sender.stop()
