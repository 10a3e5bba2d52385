"""Chats are handled concurrently; one chat's updates strictly in order."""

from __future__ import annotations

import asyncio
import random

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.telegram.concurrency import ChatOrderedProcessor, chat_key
from tests.harness import Harness


async def test_a_slow_chat_does_not_hold_up_another(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    bea = harness.sandbox.add_user(first_name="Bea")
    release = asyncio.Event()
    entered = asyncio.Event()

    async def slow(update: Update, context: object) -> None:
        # Stands in for a 5-second handler: it waits until the test lets it go.
        entered.set()
        await release.wait()
        assert update.effective_message is not None
        await update.effective_message.reply_text("slow work done")
        raise ApplicationHandlerStop

    assert harness.app is not None
    harness.app.add_handler(
        MessageHandler(filters.Chat(ana.id) & filters.Regex("^slow$"), slow), group=-10
    )
    await harness.sandbox.send_text(ana, "slow")
    await asyncio.wait_for(entered.wait(), timeout=10)
    # Ana's next message must wait for her slow one; Bea's must not.
    await harness.sandbox.send_text(ana, "/help")
    sent = await harness.sandbox.send_text(bea, "/help")
    [reply] = await harness.sandbox.wait_for_bot_message(
        bea.id, timeout=5, after_message_id=sent.message_id
    )
    assert "/checkin" in reply.text
    assert not release.is_set()  # Bea was answered while Ana's handler was still running
    assert harness.sandbox.bot_messages(ana.id) == []  # and Ana's /help still waits its turn

    release.set()
    replies = await harness.sandbox.wait_for_bot_message(ana.id, count=2, timeout=10)
    assert replies[0].text == "slow work done"
    assert "/checkin" in replies[1].text
    await harness.settle()


async def test_one_chats_updates_stay_in_order(harness: Harness) -> None:
    people = [harness.sandbox.add_user(first_name=f"P{i}") for i in range(4)]
    seen: dict[int, list[str]] = {p.id: [] for p in people}
    rng = random.Random(7)

    async def record(update: Update, context: object) -> None:
        # A random await in every handler: without per-chat ordering they would overtake.
        assert update.effective_chat is not None and update.effective_message is not None
        await asyncio.sleep(rng.random() / 50)
        seen[update.effective_chat.id].append(update.effective_message.text or "")
        raise ApplicationHandlerStop

    assert harness.app is not None
    harness.app.add_handler(MessageHandler(filters.Regex(r"^m\d+$"), record), group=-10)
    for i in range(15):
        for person in people:
            await harness.sandbox.send_text(person, f"m{i}")
    # Stopped before the harness's own last handler, so wait for them here.
    await harness.sandbox.wait_until(lambda: all(len(s) == 15 for s in seen.values()), 15)
    await harness.runtime.inbox.processor.wait_idle()
    expected = [f"m{i}" for i in range(15)]
    assert all(seen[p.id] == expected for p in people), seen


async def test_in_flight_handlers_are_bounded() -> None:
    processor = ChatOrderedProcessor(max_in_flight=3)
    running = 0
    most = 0
    gate = asyncio.Event()

    async def work() -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await gate.wait()
        running -= 1

    def update(chat: int, update_id: int) -> Update:
        return Update.de_json(
            {
                "update_id": update_id,
                "message": {
                    "message_id": update_id,
                    "date": 0,
                    "chat": {"id": chat, "type": "private"},
                    "text": "x",
                },
            },
            None,
        )

    tasks = [
        asyncio.create_task(processor.process_update(update(chat, i), work()))
        for i, chat in enumerate([1, 2, 3, 4, 5, 6, 1, 2])
    ]
    await asyncio.sleep(0.05)
    assert (running, processor.pending) == (3, 8)
    gate.set()
    await asyncio.gather(*tasks)
    await processor.wait_idle()
    assert most == 3 and processor.pending == 0


def test_updates_are_ordered_by_chat_then_sender() -> None:
    in_chat = Update.de_json(
        {
            "update_id": 1,
            "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "group"}},
        },
        None,
    )
    assert chat_key(in_chat) == ("chat", 5)
    assert chat_key(Update(update_id=9)) == ("update", 9)
