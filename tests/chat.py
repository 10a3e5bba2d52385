"""Play one person in a chat and wait for the bot's reaction itself, not for a quiet spell.

`Harness.say` returns once the sandbox has been quiet for 0.15 s, which a busy machine can
outlast; these helpers wait for the replies or the answer to a press they expect.
"""

from __future__ import annotations

from typing import Any

from tests.harness import Harness


async def ask(
    harness: Harness, user: Any, text: str, *, count: int = 1, chat_id: int | None = None
) -> list[Any]:
    """Send text and return the bot's replies once `count` have arrived (and it went quiet)."""
    chat = user.id if chat_id is None else chat_id
    sent = await harness.sandbox.send_text(user, text, chat_id=chat_id)
    await harness.sandbox.wait_for_bot_message(
        chat, count=count, timeout=10, after_message_id=sent.message_id
    )
    await harness.settle()
    return [m for m in harness.sandbox.bot_messages(chat) if m.message_id > sent.message_id]


def last(harness: Harness, user: Any) -> Any:
    """Return the bot's latest message to a person."""
    message = harness.sandbox.last_bot_message(user.id)
    assert message is not None
    return message


async def tap(harness: Harness, user: Any, label: str, message: Any = None) -> Any:
    """Press a button (on the latest message by default); return the bot's answer to it."""
    target = message if message is not None else last(harness, user)
    query_id = await harness.sandbox.press_button(user, target.message_id, text=label)
    answer = await harness.sandbox.wait_for_callback_answer(query_id, timeout=10)
    await harness.settle()
    return answer


async def forge(harness: Harness, user: Any, message: Any, data: str) -> Any:
    """Send callback data as if from a button (stale, repeated or forged); return the answer."""
    query_id = await harness.sandbox.press_callback(user, message.message_id, data)
    answer = await harness.sandbox.wait_for_callback_answer(query_id, timeout=10)
    await harness.settle()
    return answer
