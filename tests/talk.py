"""Robust conversation helpers for end-to-end tests that must not race the bot.

`Harness.say` returns once the bot made no call for 0.15 s, which a slow database commit on a
busy machine can outlast before the reply goes out. These wait for what must happen instead.
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
