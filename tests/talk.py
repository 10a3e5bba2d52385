"""Conversation helpers for end-to-end tests: each waits for the bot's reaction it expects.

`Harness.settle` already waits until the bot has processed the newest update; these helpers also
wait for the replies or callback answers a step must produce, and fail with the transcript if
they never come.
"""

from __future__ import annotations

from typing import Any

from tests.harness import Harness


async def say(
    harness: Harness, user: Any, text: str, *, chat_id: int | None = None, replies: int = 1
) -> list[Any]:
    """Send text as a person, wait for at least `replies` bot messages, return all new ones."""
    chat = user.id if chat_id is None else chat_id
    last = max((m.message_id for m in harness.sandbox.transcript(chat)), default=0)
    await harness.sandbox.send_text(user, text, chat_id=chat_id)
    if replies:
        await harness.sandbox.wait_for_bot_message(chat, replies, after_message_id=last + 1)
    await harness.settle()
    return [m for m in harness.sandbox.bot_messages(chat) if m.message_id > last]


async def attach(
    harness: Harness,
    user: Any,
    kind: str,
    *,
    chat_id: int | None = None,
    caption: str | None = None,
    replies: int = 1,
) -> list[Any]:
    """Send a sticker, photo, voice note, file... and return the bot's new messages (see say)."""
    chat = user.id if chat_id is None else chat_id
    sent = await harness.sandbox.send_attachment(user, kind, chat_id=chat_id, caption=caption)
    if replies:
        await harness.sandbox.wait_for_bot_message(chat, replies, after_message_id=sent.message_id)
    await harness.settle()
    return [m for m in harness.sandbox.bot_messages(chat) if m.message_id > sent.message_id]


async def tap(
    harness: Harness,
    user: Any,
    message: Any,
    *,
    data: str | None = None,
    text: str | None = None,
    chat_id: int | None = None,
) -> Any:
    """Press a button, wait until the bot answered the query and went quiet; return the answer."""
    query_id = await harness.sandbox.press_button(
        user, message.message_id, chat_id=chat_id, text=text, data=data
    )
    answer = await harness.sandbox.wait_for_callback_answer(query_id)
    await harness.settle()
    return answer


def quick_typist(harness: Harness) -> None:
    """Let a test person type faster than Telegram's 1 message/s per chat (not a flood test)."""
    from dataclasses import replace

    harness.sandbox.limits = replace(
        harness.sandbox.limits, private_per_second=1000.0, private_burst=1000
    )


async def ask(
    harness: Harness, user: Any, text: str, *, count: int = 1, chat_id: int | None = None
) -> list[Any]:
    """Send text and return the bot's replies once `count` have arrived (and it went quiet)."""
    chat = user.id if chat_id is None else chat_id
    sent = await harness.sandbox.send_text(user, text, chat_id=chat_id)
    await harness.sandbox.wait_for_bot_message(chat, count=count, after_message_id=sent.message_id)
    await harness.settle()
    return [m for m in harness.sandbox.bot_messages(chat) if m.message_id > sent.message_id]


def last(harness: Harness, user: Any) -> Any:
    """Return the bot's latest message to a person."""
    message = harness.sandbox.last_bot_message(user.id)
    assert message is not None
    return message


async def press(harness: Harness, user: Any, label: str, message: Any = None) -> Any:
    """Press a button (on the latest message by default); return the bot's answer to it."""
    target = message if message is not None else last(harness, user)
    query_id = await harness.sandbox.press_button(user, target.message_id, text=label)
    answer = await harness.sandbox.wait_for_callback_answer(query_id)
    await harness.settle()
    return answer


async def forge(harness: Harness, user: Any, message: Any, data: str) -> Any:
    """Send callback data as if from a button (stale, repeated or forged); return the answer."""
    query_id = await harness.sandbox.press_callback(user, message.message_id, data)
    answer = await harness.sandbox.wait_for_callback_answer(query_id)
    await harness.settle()
    return answer
