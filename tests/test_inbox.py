"""The inbox: stored before acknowledged, a redelivery changes nothing, replayed after a crash."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from telegram import Update

from bot.sandbox import User
from bot.storage.models import InboxUpdate
from bot.storage.uow import Database
from tests.factories import make_person
from tests.harness import TOKEN, Harness

# Far above the sandbox's own update ids, which start at 1.
FIRST_ID = 900_000


def _text_update(update_id: int, user: User, text: str) -> dict[str, Any]:
    """Return a Telegram-shaped update: `user` sends `text` in their private chat."""
    update: dict[str, Any] = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": user.to_dict(),
            "text": text,
        },
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return update


async def _rows(db: Database) -> list[Any]:
    async with db.uow() as uow:
        stmt = select(*InboxUpdate.__table__.c).order_by(InboxUpdate.update_id)
        return list((await uow.session.execute(stmt)).all())


async def _store_unhandled(db: Database, updates: list[dict[str, Any]], owner: str) -> None:
    """Put updates in the inbox as a process that died before handling them would leave them."""
    now = datetime.now(UTC)
    # SQLite has one instance: a new one takes over every claim at once. On PostgreSQL another
    # instance may still be alive, so a claim is taken over only once its lease has run out.
    lease = timedelta(hours=1) if db.dialect == "sqlite" else timedelta(0)
    async with db.uow() as uow:
        for u in updates:
            message = u["message"] if "message" in u else u["callback_query"]["message"]
            chat = message["chat"]["id"]
            await uow.inbox.add(
                u["update_id"], chat, u, owner=owner, now=now, lease_until=now + lease
            )
        await uow.commit()


async def test_every_update_is_stored_and_marked_handled(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    await harness.say(ana, "/start")
    await harness.say(ana, "/help")
    assert harness.db is not None
    rows = await _rows(harness.db)
    assert [r.update_id for r in rows] == [1, 2]
    assert all(r.handled_at is not None and r.claimed_by is None for r in rows)
    assert rows[0].chat_id == ana.id
    assert rows[0].payload["message"]["text"] == "/start"


async def test_a_redelivered_update_changes_nothing(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    await harness.say(ana, "/start")
    assert harness.app is not None and harness.db is not None
    before = harness.sandbox.bot_messages(ana.id)
    [row] = await _rows(harness.db)
    # Telegram sends the same update again (a webhook retry, a lost offset): same update_id.
    await harness.app.update_queue.put(Update.de_json(row.payload, harness.app.bot))
    await harness.runtime.inbox.processor.wait_idle()
    await harness.sandbox.settle(quiet=0.2)
    assert harness.sandbox.bot_messages(ana.id) == before
    assert [r.update_id for r in await _rows(harness.db)] == [row.update_id]


async def test_unhandled_updates_are_handled_first_on_start_in_order_per_chat(
    harness: Harness,
) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    bea = harness.sandbox.add_user(first_name="Bea")
    await harness.stop_bot()
    # A process died with these stored but not handled.
    texts = ["/start", "/help", "/privacy"]
    updates = [_text_update(FIRST_ID + i, ana, t) for i, t in enumerate(texts)]
    updates += [_text_update(FIRST_ID + 10 + i, bea, t) for i, t in enumerate(texts)]
    db = Database(harness.db_url)
    try:
        await _store_unhandled(db, updates, owner="nudgebot-dead")
    finally:
        await db.close()

    await harness.start_bot()
    ana_replies = await harness.sandbox.wait_for_bot_message(
        ana.id, count=3, timeout=15, after_message_id=0
    )
    bea_replies = await harness.sandbox.wait_for_bot_message(
        bea.id, count=3, timeout=15, after_message_id=0
    )
    await harness.runtime.inbox.processor.wait_idle()
    for replies, name in ((ana_replies, "Ana"), (bea_replies, "Bea")):
        # Each chat's replies in the order its updates came: welcome, help, privacy.
        assert name in replies[0].text
        assert "/checkin" in replies[1].text
        assert "stor" in replies[2].text.lower()
    assert harness.db is not None
    rows = await _rows(harness.db)
    assert all(r.handled_at is not None for r in rows)

    # A new start finds nothing left to replay.
    await harness.restart()
    assert await harness.runtime.inbox.replay(harness.app, steal=True) == 0  # type: ignore[arg-type]


async def test_old_handled_rows_are_pruned(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    assert harness.db is not None
    long_ago = datetime.now(UTC) - timedelta(days=3)
    async with harness.db.uow() as uow:
        for i in range(3):
            await uow.inbox.add(
                FIRST_ID + i, ana.id, {}, owner="x", now=long_ago, lease_until=long_ago
            )
        await uow.inbox.mark_handled([FIRST_ID, FIRST_ID + 1], long_ago)
        await uow.commit()
    await harness.say(ana, "/start")  # handled just now: kept
    assert await harness.runtime.inbox.prune() == 2
    assert [r.update_id for r in await _rows(harness.db)] == [1, FIRST_ID + 2]


async def test_instances_claim_each_unhandled_update_once(db: Database) -> None:
    now = datetime.now(UTC)
    async with db.uow() as uow:
        for i in range(300):
            await uow.inbox.add(i + 1, i % 7, {}, owner="dead", now=now, lease_until=now)
        await uow.commit()

    async def claim(owner: str) -> list[int]:
        taken: list[int] = []
        while True:
            async with db.uow() as uow:
                batch = await uow.inbox.claim_unhandled(
                    owner=owner,
                    now=now + timedelta(seconds=1),
                    lease_until=now + timedelta(minutes=1),
                    limit=20,
                    steal=False,
                )
                await uow.commit()
            if not batch:
                return taken
            assert [u.update_id for u in batch] == sorted(u.update_id for u in batch)
            taken += [u.update_id for u in batch]

    results = await asyncio.gather(*(claim(f"i{n}") for n in range(4)))
    every = [i for taken in results for i in taken]
    assert sorted(every) == list(range(1, 301))  # all taken, none twice

    # A live claim is not taken over; a lapsed one is.
    async with db.uow() as uow:
        assert (
            await uow.inbox.claim_unhandled(
                owner="late", now=now, lease_until=now, limit=10, steal=False
            )
            == []
        )
        later = now + timedelta(minutes=2)
        taken = await uow.inbox.claim_unhandled(
            owner="late", now=later, lease_until=later, limit=10, steal=False
        )
        assert [u.update_id for u in taken] == list(range(1, 11))


async def test_a_replayed_press_is_answered_once_and_not_handled_twice(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    await make_person(harness.db, ana.id, now=harness.clock.now())  # type: ignore[arg-type]
    [question] = await harness.say(ana, "/checkin")
    data = next(
        b["callback_data"]
        for row in question.raw["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("c:a:")
    )
    await harness.stop_bot()
    # The crash: the press was fetched, stored and its query answered, then the process died
    # before the question moved on. Telegram still holds it (the offset never moved).
    query_id = await harness.sandbox.press_button(ana, question.message_id, data=data)
    [pending] = [u for u in harness.sandbox._updates if "callback_query" in u]
    async with aiohttp.ClientSession() as session:
        url = f"{harness.sandbox.base_url}{TOKEN}/answerCallbackQuery"
        async with session.post(url, json={"callback_query_id": query_id}) as response:
            assert response.status == 200
    db = Database(harness.db_url)
    try:
        await _store_unhandled(db, [pending], owner="nudgebot-dead")
    finally:
        await db.close()

    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="bot.telegram.inbox")
    await harness.start_bot()
    await harness.settle()
    # The offset moves past the press only after getUpdates brought it again and it was put.
    await harness.sandbox.wait_until(lambda: harness.sandbox.pending_updates() == 0, 10)
    [moved] = [
        m for m in harness.sandbox.bot_messages(ana.id) if m.message_id == question.message_id
    ]
    assert moved.text != question.text  # the next question replaced the answered one
    assert harness.db is not None
    rows = await _rows(harness.db)
    assert [r.update_id for r in rows if r.update_id == pending["update_id"]] == [
        pending["update_id"]
    ]
    assert all(r.handled_at is not None for r in rows)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    # Handled once: replayed from the inbox; getUpdates' copy was recognised and dropped.
    assert caplog.text.count("replaying 1 update") == 1
    assert f"update {pending['update_id']} was delivered again" in caplog.text
