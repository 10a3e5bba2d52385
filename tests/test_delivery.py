"""The outbox sender against the sandbox: order, limits, 429/403/migration, retries, crashes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from telegram import Bot

from bot.clock import FakeClock
from bot.delivery.http import AiohttpRequest
from bot.delivery.limits import SendLimits
from bot.delivery.sender import Sender
from bot.sandbox import BotApiSandbox
from bot.sandbox.limits import FloodLimits
from bot.sandbox.server import PATIENCE
from bot.storage.deliveries import CANCELLED, FAILED, MISSED, PENDING, SENT, DeliveryRecord
from bot.storage.models import Chat, Delivery, Person
from bot.storage.uow import Database
from tests.factories import make_person
from tests.harness import TOKEN, Harness

# Fast pacing for tests whose point is not the per-chat limit (the sandbox allows bursts of 3).
QUICK = SendLimits(per_second=200, private_interval=0.01, group_interval=0.01)
ROOT = Path(__file__).resolve().parent.parent


def new_sender(
    db: Database,
    sandbox: BotApiSandbox,
    clock: FakeClock,
    *,
    read_timeout: float = PATIENCE,
    **kw: Any,
) -> Sender:
    # The bulk sender runs on the aiohttp backend (bot.delivery.http), as in the bot.
    request = AiohttpRequest(40, read_timeout=read_timeout)
    bot = Bot(TOKEN, base_url=sandbox.base_url, request=request)
    kw.setdefault("limits", QUICK)
    return Sender(db, bot, clock, **kw)


async def queue(
    db: Database,
    clock: FakeClock,
    chat_id: int,
    text: str,
    *,
    person_id: int | None = None,
    send_after: datetime | None = None,
    **payload: Any,
) -> int:
    async with db.uow() as uow:
        new_id = await uow.deliveries.add(
            chat_id=chat_id,
            person_id=person_id,
            kind="nudge",
            payload={"text": text, "parse_mode": None, **payload},
            due_at=clock.now(),
            send_after=send_after,
            now=clock.now(),
        )
        await uow.commit()
    assert new_id is not None
    return new_id


async def rows(db: Database) -> list[DeliveryRecord]:
    async with db.uow() as uow:
        found = await uow.session.scalars(select(Delivery.id).order_by(Delivery.id))
        records = [await uow.deliveries.get(i) for i in list(found)]
    return [r for r in records if r is not None]


async def eventually(
    predicate: Callable[[], bool],
    timeout: float = PATIENCE,  # noqa: ASYNC109
) -> None:
    """Poll until the predicate holds (for state outside the sandbox, which has no event)."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - sender state has no event to wait on
            await asyncio.sleep(0.01)


def texts_in(sandbox: BotApiSandbox, chat_id: int) -> list[str]:
    return [m.text or "" for m in sandbox.bot_messages(chat_id)]


async def test_rows_are_sent_in_order_and_marked_with_message_ids(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    ana = sandbox.add_user("Ana")
    await make_person(db, ana.id, now=clock.now())
    buttons = [[{"text": "Done", "data": "n:done:{id}"}, {"text": "Later", "data": "n:snz:{id}"}]]
    ids = [
        await queue(db, clock, ana.id, f"nudge {i}", person_id=ana.id, buttons=buttons)
        for i in range(3)
    ]
    later = await queue(db, clock, ana.id, "not yet")
    async with db.uow() as uow:
        row = await uow.session.get_one(Delivery, later)
        row.send_after = clock.now() + timedelta(minutes=5)
        await uow.commit()

    sender = new_sender(db, sandbox, clock)
    sender.start()
    try:
        await sender.flush()
        assert texts_in(sandbox, ana.id) == ["nudge 0", "nudge 1", "nudge 2"]
        messages = sandbox.bot_messages(ana.id)
        stored = {r.id: r for r in await rows(db)}
        for delivery_id, message in zip(ids, messages, strict=True):
            assert stored[delivery_id].status == SENT
            assert stored[delivery_id].telegram_message_id == message.message_id
            assert stored[delivery_id].sent_at == clock.now()
            assert stored[delivery_id].attempts == 1
            data = [b.callback_data for row in message.buttons for b in row]
            assert data == [f"n:done:{delivery_id}", f"n:snz:{delivery_id}"]
        assert stored[later].status == PENDING

        clock.advance(timedelta(minutes=5))
        sender.wake()
        await sender.flush()
        assert texts_in(sandbox, ana.id)[-1] == "not yet"
    finally:
        await sender.stop()


async def test_default_pacing_keeps_one_message_per_second_per_chat(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    ana = sandbox.add_user("Ana")
    for i in range(4):
        await queue(db, clock, ana.id, f"tip {i}")
    sender = new_sender(db, sandbox, clock, limits=SendLimits())
    sender.start()
    try:
        await sender.flush()
    finally:
        await sender.stop()
    dates = [m.raw["date"] for m in sandbox.bot_messages(ana.id)]
    assert texts_in(sandbox, ana.id) == [f"tip {i}" for i in range(4)]
    # Four sends at 1/s span at least three seconds, and the sandbox never refused one.
    assert dates[-1] - dates[0] >= 2
    assert sandbox.stats.rejected_429 == 0


async def test_429_is_obeyed_and_nothing_is_lost(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    sandbox.limits = FloodLimits(global_per_second=2, global_burst=2)
    people = [sandbox.add_user(f"P{i}") for i in range(6)]
    for person in people:
        await queue(db, clock, person.id, f"hello {person.first_name}")
    # Our budget says 30/s; Telegram (the sandbox) only grants 2/s, so even a crawling machine
    # is refused. One send at a time: no refusal comes from requests already on their way.
    sender = new_sender(db, sandbox, clock, limits=SendLimits(per_second=30), max_in_flight=1)
    sender.start()
    try:
        await sender.flush()
    finally:
        await sender.stop()
    assert sandbox.stats.rejected_429 > 0, "the test did not provoke a 429"
    assert sender.stats.floods == sandbox.stats.rejected_429
    # Each refusal paused the sender for retry_after (1 s, which refills the sandbox's burst of
    # 2): at most two refusals per two sends, where an ignore-and-hammer loop at 30/s gets ~60.
    assert sandbox.stats.rejected_429 <= len(people)
    assert sender.stats.global_floods >= 1
    for person in people:
        assert texts_in(sandbox, person.id) == [f"hello {person.first_name}"]
    assert {r.status for r in await rows(db)} == {SENT}


async def test_a_429_for_one_chat_pauses_only_that_chat(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    ana, bo = sandbox.add_user("Ana"), sandbox.add_user("Bo")
    # Longer than any wait below, so ana's pause cannot run out while bo's message goes.
    sandbox.fail_next("sendMessage", 429, parameters={"retry_after": 3 * int(PATIENCE)})
    await queue(db, clock, ana.id, "to ana")
    sender = new_sender(db, sandbox, clock)
    sender.start()
    try:
        await eventually(lambda: sender.stats.floods == 1)
        await queue(db, clock, bo.id, "to bo")
        sender.wake()
        await sandbox.wait_for_bot_message(bo.id)
        assert texts_in(sandbox, ana.id) == [], "ana's chat should still be paused"
    finally:
        await sender.stop()
    assert sender.stats.global_floods == 0
    # Nothing was lost: the row waits in the outbox, and the next sender delivers it.
    successor = new_sender(db, sandbox, clock)
    successor.start()
    try:
        await successor.flush()
    finally:
        await successor.stop()
    assert texts_in(sandbox, ana.id) == ["to ana"]


async def test_403_marks_person_inactive_and_writing_again_reactivates(
    harness: Harness,
) -> None:
    assert harness.db is not None
    db, clock = harness.db, harness.clock
    ana = harness.sandbox.add_user("Ana")
    await make_person(db, ana.id, now=clock.now())
    async with db.uow() as uow:
        before = await uow.reminders.for_person(ana.id)
    assert any(r.next_fire_at is not None for r in before)
    harness.sandbox.block(ana.id)
    # Queued for later, then made due in one commit: the running sender must not send
    # `first` (and meet the 403) before `second` is in the outbox to be cancelled.
    later = clock.now() + timedelta(hours=1)
    first = await queue(db, clock, ana.id, "drink water", person_id=ana.id, send_after=later)
    second = await queue(db, clock, ana.id, "move", person_id=ana.id, send_after=later)
    future = await queue(db, clock, ana.id, "breathe", person_id=ana.id, send_after=later)
    async with db.uow() as uow:
        for due in (first, second):
            row = await uow.session.get_one(Delivery, due)
            row.send_after = clock.now()
        await uow.commit()

    sender: Sender = harness.runtime.sender
    sender.wake()
    await sender.flush()

    stored = {r.id: r for r in await rows(db)}
    assert stored[first].status == FAILED
    assert stored[first].last_error is not None and "forbidden" in stored[first].last_error
    assert stored[second].status == CANCELLED
    assert stored[future].status == CANCELLED
    assert harness.sandbox.stats.rejected_403 == 1
    async with db.uow() as uow:
        person = await uow.session.get_one(Person, ana.id, populate_existing=True)
        assert person.active is False and person.blocked_at == clock.now()
        assert all(r.next_fire_at is None for r in await uow.reminders.for_person(ana.id))

    harness.sandbox.unblock(ana.id)
    replies = await harness.say(ana, "/help")
    assert replies
    async with db.uow() as uow:
        person = await uow.session.get_one(Person, ana.id, populate_existing=True)
        assert person.active is True and person.blocked_at is None
        after = await uow.reminders.for_person(ana.id)
    assert [r.next_fire_at for r in after] == [r.next_fire_at for r in before]


async def test_a_group_that_removed_the_bot_gets_nothing_more(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    ana = sandbox.add_user("Ana")
    group = sandbox.add_group("Back care", members=[ana])
    await sandbox.add_bot_to_group(group.id, ana)
    async with db.uow() as uow:
        await uow.people.note_chat(
            group.id, type_="group", title="Back care", person_id=None, now=clock.now()
        )
        await uow.commit()
    await sandbox.remove_bot_from_group(group.id, ana)
    first = await queue(db, clock, group.id, "day 1")
    second = await queue(db, clock, group.id, "day 2")
    sender = new_sender(db, sandbox, clock)
    sender.start()
    try:
        await sender.flush()
    finally:
        await sender.stop()
    stored = {r.id: r for r in await rows(db)}
    assert stored[first].status == FAILED and "forbidden" in (stored[first].last_error or "")
    assert stored[second].status == CANCELLED
    assert sandbox.stats.calls["sendMessage"] == 1
    async with db.uow() as uow:
        chat = await uow.session.get_one(Chat, group.id, populate_existing=True)
        assert chat.active is False


async def test_a_migrated_group_gets_its_messages_at_the_new_id(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    ana = sandbox.add_user("Ana")
    group = sandbox.add_group("Back care", members=[ana])
    await sandbox.add_bot_to_group(group.id, ana)
    async with db.uow() as uow:
        await uow.people.note_chat(
            group.id, type_="group", title="Back care", person_id=None, now=clock.now()
        )
        await uow.commit()
    new_id = sandbox.migrate_group(group.id)
    first = await queue(db, clock, group.id, "challenge day 1")
    second = await queue(db, clock, group.id, "challenge day 2")

    sender = new_sender(db, sandbox, clock)
    sender.start()
    try:
        await sender.flush()
        assert texts_in(sandbox, new_id) == ["challenge day 1", "challenge day 2"]
        assert texts_in(sandbox, group.id) == []
        async with db.uow() as uow:
            old = await uow.session.get_one(Chat, group.id, populate_existing=True)
            assert old.migrated_to == new_id
            assert await uow.session.get(Chat, new_id) is not None
        assert {r.id: r.chat_id for r in await rows(db)} == {first: new_id, second: new_id}
        # A row queued later for the old id goes straight to the new one.
        await queue(db, clock, group.id, "challenge day 3")
        calls = sandbox.stats.calls["sendMessage"]
        sender.wake()
        await sender.flush()
        assert texts_in(sandbox, new_id)[-1] == "challenge day 3"
        assert sandbox.stats.calls["sendMessage"] == calls + 1
    finally:
        await sender.stop()
    assert sender.stats.migrated == 1


async def test_5xx_is_retried_with_backoff_then_missed(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    ana = sandbox.add_user("Ana")
    sandbox.fail_next("sendMessage", 500, count=10)
    delivery_id = await queue(db, clock, ana.id, "water")
    # Waits of 2 s and 4 s fit in 6 s of retrying; the third failure would need 8 s more.
    sender = new_sender(db, sandbox, clock, retry_span=timedelta(seconds=6), backoff_base=2)
    sender.start()
    try:
        await sender.flush()
        (row,) = await rows(db)
        assert (row.status, row.attempts) == (PENDING, 1)
        assert row.send_after == clock.now() + timedelta(seconds=2)
        assert row.last_error is not None and "Internal Server Error" in row.last_error

        clock.advance(timedelta(seconds=1))
        await sender.flush()
        assert (await rows(db))[0].attempts == 1, "retried before its backoff ran out"

        clock.advance(timedelta(seconds=1))
        await sender.flush()
        (row,) = await rows(db)
        assert (row.status, row.attempts) == (PENDING, 2)
        assert row.send_after == clock.now() + timedelta(seconds=4)

        clock.advance(timedelta(seconds=4))
        await sender.flush()
        (row,) = await rows(db)
        assert (row.status, row.attempts, row.id) == (MISSED, 3, delivery_id)
        assert row.last_error is not None and "after 3 attempts" in row.last_error
    finally:
        await sender.stop()
    assert texts_in(sandbox, ana.id) == []
    assert sandbox.stats.calls["sendMessage"] == 3
    assert sender.stats.missed == 1


async def _retry_through_outage(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock, outage: timedelta
) -> DeliveryRecord:
    """Queue a nudge, answer every send with 500 until `outage` has passed; return the row."""
    ana = sandbox.add_user("Ana")
    await make_person(db, ana.id, now=clock.now())
    ends = clock.now() + outage
    sandbox.fail_next("sendMessage", 500, count=10_000)
    await queue(db, clock, ana.id, "time for water", person_id=ana.id)
    sender = new_sender(db, sandbox, clock)  # the defaults: 30 minutes of retrying
    sender.start()
    try:
        await sender.flush()
        while (row := (await rows(db))[0]).status == PENDING:
            # Jump to the retry; Telegram is back once the outage is over.
            clock.set(max(clock.now(), row.send_after))
            if clock.now() >= ends:
                sandbox.clear_faults()
            await sender.flush()
    finally:
        await sender.stop()
    return row


async def test_a_nudge_survives_five_minutes_of_500s(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    started = clock.now()
    row = await _retry_through_outage(db, sandbox, clock, timedelta(minutes=5))
    assert row.status == SENT
    assert row.attempts > 5  # what used to be the limit
    # Sent within a minute (the longest pause between tries) of Telegram coming back.
    assert row.sent_at is not None
    assert timedelta(minutes=5) <= row.sent_at - started <= timedelta(minutes=6)
    assert [m.text for m in sandbox.bot_messages(row.chat_id)] == ["time for water"]


async def test_a_nudge_is_missed_after_the_retry_span(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    started = clock.now()
    row = await _retry_through_outage(db, sandbox, clock, timedelta(hours=1))
    assert row.status == MISSED
    assert row.last_error is not None and "Internal Server Error" in row.last_error
    assert timedelta(minutes=29) <= clock.now() - started <= timedelta(minutes=30)
    assert sandbox.bot_messages(row.chat_id) == []


async def test_an_error_naming_the_token_is_kept_redacted(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    ana = sandbox.add_user("Ana")
    # Whatever an error says ends up in the row (and /stats): never the token.
    sandbox.fail_next("sendMessage", 400, description=f"Bad Request: bot{TOKEN} is odd")
    await queue(db, clock, ana.id, "water")
    sender = new_sender(db, sandbox, clock)
    sender.start()
    try:
        await sender.flush()
    finally:
        await sender.stop()
    (row,) = await rows(db)
    assert row.status == FAILED
    assert row.last_error is not None and "is odd" in row.last_error
    # PTB lowercases the description: the token-shaped text goes all the same.
    assert "<redacted-token>" in row.last_error
    secret = TOKEN.split(":")[1].lower()
    assert secret not in row.last_error.lower()
    assert all(secret not in error.lower() for error in sender.stats.errors)


async def test_a_timeout_is_retried(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    ana = sandbox.add_user("Ana")
    # The client's 0.3 s timer always runs out before the sandbox's 1 s one (both start
    # with the request), however busy the machine.
    sandbox.slow_next("sendMessage", 1.0)
    await queue(db, clock, ana.id, "water")
    sender = new_sender(db, sandbox, clock, read_timeout=0.3)
    sender.start()
    try:
        await sender.flush()
        (row,) = await rows(db)
        assert row.status == PENDING and row.last_error is not None
        assert "TimedOut" in row.last_error
    finally:
        await sender.stop()
    # The retry goes over a healthy, patient connection (a busy machine is no timeout).
    clock.advance(timedelta(seconds=2))
    retrying = new_sender(db, sandbox, clock, read_timeout=PATIENCE)
    retrying.start()
    try:
        await retrying.flush()
    finally:
        await retrying.stop()
    (row,) = await rows(db)
    assert (row.status, row.attempts) == (SENT, 2)


async def test_a_bad_payload_fails_without_retrying(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    ana = sandbox.add_user("Ana")
    await queue(db, clock, ana.id, "<b>unclosed", parse_mode="HTML")
    await queue(db, clock, ana.id, "")
    sender = new_sender(db, sandbox, clock)
    sender.start()
    try:
        await sender.flush()
    finally:
        await sender.stop()
    bad_html, empty = await rows(db)
    assert bad_html.status == FAILED and "bad request" in (bad_html.last_error or "")
    assert empty.status == FAILED and "no text" in (empty.last_error or "")


async def test_a_crash_loses_nothing_and_duplicates_only_what_was_in_flight(
    db: Database, sandbox: BotApiSandbox, clock: FakeClock
) -> None:
    sandbox.delay = 0.05
    people = [sandbox.add_user(f"P{i}") for i in range(40)]
    for person in people:
        await queue(db, clock, person.id, f"hi {person.id}")
    crashing = new_sender(db, sandbox, clock, max_in_flight=6)
    crashing.start()
    await sandbox.wait_until(lambda: sandbox.stats.sent >= 12)
    await crashing.abandon()
    statuses = Counter(r.status for r in await rows(db))
    assert statuses["sending"] > 0, "the crash should leave claimed rows behind"

    # The leases of the dead sender run out; a new one takes over.
    clock.advance(timedelta(seconds=61))
    survivor = new_sender(db, sandbox, clock, max_in_flight=6)
    survivor.start()
    try:
        await survivor.flush()
    finally:
        await survivor.stop()
    copies = [len(texts_in(sandbox, p.id)) for p in people]
    assert min(copies) == 1
    assert sum(copies) - len(people) <= 6
    assert {r.status for r in await rows(db)} == {SENT}


async def test_sigkill_mid_send_loses_nothing(
    db_url: str, db: Database, sandbox: BotApiSandbox, clock: FakeClock, tmp_path: Path
) -> None:
    total, in_flight = 300, 8
    sandbox.delay = 0.05
    sandbox.limits = FloodLimits(global_per_second=1000, global_burst=1000)
    people = [sandbox.add_user(f"P{i}") for i in range(total)]
    async with db.uow() as uow:
        await uow.deliveries.add_many(
            [
                {
                    "chat_id": p.id,
                    "kind": "tip",
                    "payload": {"text": f"tip for {p.id}"},
                    # Far in the past: the subprocess uses the real clock.
                    "due_at": clock.now() - timedelta(days=3650),
                    "now": clock.now(),
                }
                for p in people
            ]
        )
        await uow.commit()

    def run_sender() -> subprocess.Popen[bytes]:
        args = [sys.executable, "-m", "tests.crash_sender", db_url, sandbox.base_url]
        args += ["--in-flight", str(in_flight), "--rate", "120", "--lease", "1"]
        return subprocess.Popen(args, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})

    first = run_sender()
    try:
        await sandbox.wait_until(lambda: sandbox.stats.sent >= 100)
        first.send_signal(signal.SIGKILL)
        await asyncio.to_thread(first.wait, PATIENCE)
    finally:
        if first.poll() is None:
            first.kill()
    killed_at = sandbox.stats.sent
    assert killed_at < total, "the sender finished before it was killed"

    second = run_sender()
    code = await asyncio.to_thread(second.wait, 2 * PATIENCE)
    assert code == 0
    copies = Counter(m.text for p in people for m in sandbox.bot_messages(p.id))
    missing = [p.id for p in people if copies[f"tip for {p.id}"] == 0]
    assert missing == []
    duplicates = sum(copies.values()) - total
    assert duplicates <= in_flight
    assert {r.status for r in await rows(db)} == {SENT}
