"""A person's change made while the tick is between its reads and its writes wins, on both engines.

The tick is stopped between reading a batch and writing it (its `before_write` hook); the
person's change (/pause, Skip today, a new time, turning a habit off) starts there on its own
connection and goes as far as the database lets it. Then the tick writes, the change finishes
and is confirmed, and the sender runs: the reminder holds what the person chose, and no nudge
follows a confirmed pause.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, select, update
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.clock import FakeClock
from bot.config import Settings
from bot.delivery.limits import SendLimits
from bot.delivery.sender import Sender
from bot.domain.habits import Habit
from bot.runtime import Runtime
from bot.sandbox import BotApiSandbox
from bot.scheduler.dispatcher import Dispatcher
from bot.services import nudges, settings
from bot.storage.due import DueReminder
from bot.storage.models import Delivery, Person, Reminder
from bot.storage.reminders import ReminderRecord
from bot.storage.uow import Database, UnitOfWork
from tests import dbs
from tests.factories import make_person
from tests.harness import TOKEN

# 12:30 in Berlin (CET) on Friday 27 March 2026: the default lunch-time food nudge.
DUE = datetime(2026, 3, 27, 11, 30, tzinfo=UTC)
EARLIER = datetime(2026, 3, 27, 7, 0, tzinfo=UTC)
QUICK = SendLimits(per_second=200, private_interval=0.01, group_interval=0.01)

Change = Callable[[Database, int, int, datetime], Awaitable[Any]]


async def _pause(db: Database, person_id: int, _nudge: int, now: datetime) -> Any:
    return await settings.pause(db.uow(), person_id, None, now)


async def _skip(db: Database, person_id: int, nudge: int, now: datetime) -> Any:
    pressed = await nudges.skip_today(db.uow(), person_id, nudge, now=now)
    assert pressed.outcome is nudges.Outcome.OK
    return pressed


async def _new_time(db: Database, person_id: int, _nudge: int, now: datetime) -> Any:
    return await settings.set_times(db.uow(), person_id, Habit.FOOD, (time(13, 15),), now)


async def _off(db: Database, person_id: int, _nudge: int, now: datetime) -> Any:
    return await settings.set_enabled(db.uow(), person_id, Habit.FOOD, False, now)


CHANGES: dict[str, Change] = {
    "pause": _pause,
    "skip today": _skip,
    "new time": _new_time,
    "habit off": _off,
}


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(
    request: pytest.FixtureRequest,
    sqlite_template: dbs.SqliteTemplate,
    postgres_url: str | None,
) -> str:
    """The same tests on both engines (PostgreSQL when TEST_DATABASE_URL is set)."""
    if request.param == "sqlite":
        return sqlite_template.fresh()
    if postgres_url is None:
        pytest.skip(dbs.SKIP_PG)
    await _truncate(postgres_url)
    return postgres_url


async def _truncate(url: str) -> None:
    from tests.conftest import _truncate_all

    await _truncate_all(url)


@pytest.fixture
async def tick_db(url: str) -> AsyncIterator[Database]:
    database = Database(url)
    yield database
    await database.close()


@pytest.fixture
async def person_db(url: str) -> AsyncIterator[Database]:
    """The person's side: its own engine, so its transactions are truly concurrent."""
    database = Database(url)
    yield database
    await database.close()


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    sb = BotApiSandbox(token=TOKEN)
    await sb.start()
    try:
        yield sb
    finally:
        await sb.stop()


def _dispatcher(db: Database, clock: FakeClock) -> Dispatcher:
    values: dict[str, Any] = {"database_url": db.url}
    runtime = Runtime(settings=Settings(_env_file=None, **values), db=db, clock=clock)  # type: ignore[call-arg]
    return Dispatcher(runtime, rng=random.Random(3))


async def _reminder(db: Database, person_id: int, habit: str) -> ReminderRecord:
    async with db.uow() as uow:
        [found] = [r for r in await uow.reminders.for_person(person_id) if r.habit == habit]
        return found


async def _food_rows(db: Database, person_id: int) -> list[tuple[datetime, str, str | None]]:
    async with db.uow() as uow:
        rows = await uow.session.execute(
            select(Delivery.due_at, Delivery.status, Delivery.last_error)
            .where(Delivery.person_id == person_id, Delivery.habit == "food")
            .order_by(Delivery.due_at)
        )
        return [(d, s, e) for d, s, e in rows.tuples()]


async def _earlier_nudge(db: Database, person_id: int, reminder_id: int) -> int:
    """A food nudge the person got this morning (Skip today is pressed on it)."""
    async with db.uow() as uow:
        row = Delivery(
            chat_id=person_id,
            person_id=person_id,
            kind="nudge",
            habit="food",
            reminder_id=reminder_id,
            payload={"text": "Food?"},
            due_at=EARLIER,
            send_after=EARLIER,
            status="sent",
            attempts=1,
            created_at=EARLIER,
            sent_at=EARLIER,
        )
        uow.session.add(row)
        await uow.commit()
        return row.id


async def _lock_waiters(url: str) -> int:
    conn = await asyncpg.connect(dbs._asyncpg_dsn(url))
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    finally:
        await conn.close()


async def _until_in_the_database(
    db: Database, began: asyncio.Event, task: asyncio.Task[Any]
) -> None:
    """Wait until the change is done, or has reached the database and is held there.

    SQLite: its transaction has begun (BEGIN IMMEDIATE waits for the tick's write lock).
    PostgreSQL: it waits for a row lock the tick holds.
    """
    async with asyncio.timeout(20):
        while not task.done():
            if db.dialect == "sqlite" and began.is_set():
                return
            if db.dialect == "postgresql" and await _lock_waiters(db.url) > 0:
                return
            await asyncio.sleep(0.01)


def _watch_begins(db: Database) -> asyncio.Event:
    began = asyncio.Event()

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("BEGIN"):
            began.set()

    # Before the statement runs: on SQLite, BEGIN IMMEDIATE then waits for the tick's lock.
    event.listen(db.engine.sync_engine, "before_cursor_execute", note)
    return began


async def _send_everything(db: Database, sandbox: BotApiSandbox, clock: FakeClock) -> Sender:
    bot = Bot(TOKEN, base_url=sandbox.base_url, request=HTTPXRequest(connection_pool_size=8))
    sender = Sender(db, bot, clock, limits=QUICK)
    sender.start()
    try:
        await sender.flush()
    finally:
        await sender.stop()
    return sender


@pytest.mark.parametrize("lead", [timedelta(0), timedelta(seconds=5)], ids=["due", "ahead"])
@pytest.mark.parametrize("kind", list(CHANGES))
async def test_a_change_during_the_tick_wins(
    tick_db: Database,
    person_db: Database,
    sandbox: BotApiSandbox,
    kind: str,
    lead: timedelta,
) -> None:
    ana = sandbox.add_user("Ana")
    clock = FakeClock(EARLIER)
    await make_person(tick_db, ana.id, now=clock.now(), habits=("food",))
    food = await _reminder(tick_db, ana.id, "food")
    assert food.next_fire_at == DUE
    nudge = await _earlier_nudge(tick_db, ana.id, food.id)

    # The tick runs at 12:30 sharp ("due") or 5 s before, queuing the nudge ahead ("ahead").
    clock.set(DUE - lead)
    dispatcher = _dispatcher(tick_db, clock)
    began = _watch_begins(person_db)
    change: list[asyncio.Task[Any]] = []

    async def between(_uow: UnitOfWork, claimed: list[DueReminder]) -> None:
        assert food.id in {d.id for d in claimed}
        task = asyncio.create_task(CHANGES[kind](person_db, ana.id, nudge, clock.now()))
        change.append(task)
        await _until_in_the_database(person_db, began, task)

    dispatcher.before_write = between
    await dispatcher.tick()
    await change[0]  # the person's change is confirmed

    after = await _reminder(tick_db, ana.id, "food")
    async with tick_db.uow() as uow:
        person = await uow.people.get(ana.id)
    assert person is not None
    if kind == "pause":
        assert person.paused_until is not None and person.paused_until > DUE + timedelta(days=366)
        assert after.next_fire_at is None  # until /resume, not re-armed for later
    elif kind == "habit off":
        assert (after.enabled, after.next_fire_at) == (False, None)
    elif kind == "new time":
        assert after.rule["times"] == ["13:15"]
        assert after.next_fire_at == datetime(2026, 3, 27, 12, 15, tzinfo=UTC)
    else:
        # 18:30, or still 12:30 if the skip came first: the next tick skips that one.
        assert after.next_fire_at in {DUE, datetime(2026, 3, 27, 17, 30, tzinfo=UTC)}

    queued = [r for r in await _food_rows(tick_db, ana.id) if r[0] == DUE]
    if lead:
        # Queued ahead of its time: the change dropped it (after the tick had committed it).
        assert queued == []

    # The next tick (12:30 sharp) and the sender, as the running bot would go on.
    clock.set(DUE)
    dispatcher.before_write = None
    await dispatcher.tick()
    sender = await _send_everything(tick_db, sandbox, clock)
    food_sent = sandbox.bot_messages(ana.id)
    if kind == "new time" and not lead:
        # The old 12:30 nudge was due before the change; sending it is fine, once at most.
        assert len(food_sent) <= 1
        return
    assert food_sent == [], f"a nudge went out after the person's {kind}"
    if not lead:
        [(_, status, reason)] = [r for r in await _food_rows(tick_db, ana.id) if r[0] == DUE]
        assert status == "cancelled" and reason in {"paused", "habit off", "skipped today"}
        assert sender.stats.withdrawn == 1


@pytest.mark.parametrize("what", ["reminder", "person"])
async def test_the_tick_writes_nothing_over_a_change_it_did_not_read(
    tick_db: Database, what: str
) -> None:
    """The compare-and-set: a change that got past the tick's isolation is kept, not undone."""
    clock = FakeClock(EARLIER)
    await make_person(tick_db, 1, now=clock.now(), habits=("food",))
    food = await _reminder(tick_db, 1, "food")
    later = DUE + timedelta(hours=2)

    async def sneak_in(uow: UnitOfWork, _claimed: list[DueReminder]) -> None:
        # Written inside the tick's own transaction: no lock or snapshot can stop it.
        if what == "reminder":
            await uow.session.execute(
                update(Reminder).where(Reminder.id == food.id).values(next_fire_at=later)
            )
        else:
            await uow.session.execute(
                update(Person).where(Person.id == 1).values(paused_until=later)
            )

    clock.set(DUE)
    dispatcher = _dispatcher(tick_db, clock)
    dispatcher.before_write = sneak_in
    await dispatcher.tick()

    assert await _food_rows(tick_db, 1) == []
    after = await _reminder(tick_db, 1, "food")
    assert after.next_fire_at == (later if what == "reminder" else DUE)


async def test_the_sender_looks_once_for_all_nudges_it_starts_together(
    tick_db: Database, sandbox: BotApiSandbox
) -> None:
    """Rows claimed before a pause are held back; one query serves every send of a round."""
    clock = FakeClock(EARLIER)
    people = [sandbox.add_user(name).id for name in ("Ana", "Bo", "Cy")]
    for pid in people:
        await make_person(tick_db, pid, now=clock.now(), habits=("food",))
    clock.set(DUE)
    await _dispatcher(tick_db, clock).tick()
    bot = Bot(TOKEN, base_url=sandbox.base_url)
    sender = Sender(tick_db, bot, clock, limits=QUICK)
    async with tick_db.uow() as uow:
        held = await uow.deliveries.claim(
            owner=sender.owner, now=clock.now(), lease_until=DUE + timedelta(minutes=1), limit=10
        )
        await uow.commit()
    assert sorted(r.person_id for r in held) == people
    # After the claim, Ana pauses and Bo turns the habit off; Cy changes nothing.
    await settings.pause(tick_db.uow(), people[0], None, clock.now())
    await settings.set_enabled(tick_db.uow(), people[1], Habit.FOOD, False, clock.now())

    reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().startswith("SELECT") and "deliveries" in statement:
            reads.append(statement)

    event.listen(tick_db.engine.sync_engine, "before_cursor_execute", count)
    try:
        looks = await asyncio.gather(*(sender._withdrawn(r) for r in held))
    finally:
        event.remove(tick_db.engine.sync_engine, "before_cursor_execute", count)
    assert {r.person_id: w for r, w in zip(held, looks, strict=True)} == {
        people[0]: True,
        people[1]: True,
        people[2]: False,
    }
    assert len(reads) == 1
    async with tick_db.uow() as uow:
        rows = {r.person_id: r for p in people for r in await uow.deliveries.for_person(p)}
    assert (rows[people[0]].status, rows[people[0]].last_error) == ("cancelled", "paused")
    assert (rows[people[1]].status, rows[people[1]].last_error) == ("cancelled", "habit off")
    assert rows[people[2]].status == "sending"
    await bot.shutdown()
