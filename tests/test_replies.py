"""Replies to a person's action: retried briefly on 429, 5xx and dropped connections."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.app import POLL_MARGIN_SECONDS
from bot.sandbox import BotApiSandbox
from bot.telegram.transport import ReplyRequest, creates
from tests.harness import TOKEN, Harness
from tests.talk import say

FAULTS: dict[str, Callable[[BotApiSandbox], None]] = {
    "502 from the proxy (a page, not JSON)": lambda sb: sb.fail_next_page("sendMessage", 502),
    "502 as JSON": lambda sb: sb.fail_next("sendMessage", 502, description="Bad Gateway"),
    "500": lambda sb: sb.fail_next("sendMessage", 500),
    "dropped connection": lambda sb: sb.drop_next("sendMessage"),
    "429": lambda sb: sb.fail_next("sendMessage", 429, parameters={"retry_after": 1}),
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_a_reply_survives_one_failed_call(
    harness: Harness, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    ana = harness.sandbox.add_user("Ana")
    FAULTS[fault](harness.sandbox)
    replies = await say(harness, ana, "/help")
    assert len(replies) == 1, "lost or sent twice"
    assert harness.sandbox.stats.injected_failures == 1
    assert harness.sandbox.stats.calls["sendMessage"] == 2
    assert [r.getMessage() for r in caplog.records if r.levelno > logging.INFO] == []
    assert any("trying again" in r.getMessage() for r in caplog.records)


async def test_a_reply_survives_one_of_each_in_a_row(harness: Harness) -> None:
    ana = harness.sandbox.add_user("Ana")
    harness.sandbox.fail_next_page("sendMessage", 502)
    harness.sandbox.drop_next("sendMessage")
    harness.sandbox.fail_next("sendMessage", 500)
    replies = await say(harness, ana, "/help")
    assert len(replies) == 1
    assert harness.sandbox.stats.calls["sendMessage"] == 4


async def test_the_trade_off_a_lost_answer_means_a_duplicate(harness: Harness) -> None:
    # Telegram sent the reply but the connection closed before its answer came back: the bot
    # cannot tell this from a stale connection, sends again, and the person sees it twice.
    ana = harness.sandbox.add_user("Ana")
    harness.sandbox.drop_next("sendMessage", after=True)
    replies = await say(harness, ana, "/help", replies=2)
    assert len(replies) == 2 and replies[0].text == replies[1].text


async def test_a_hung_get_updates_costs_seconds(harness: Harness) -> None:
    ana = harness.sandbox.add_user("Ana")
    # The next long poll hangs for ten minutes; the bot gives up on it after the poll and
    # a few seconds, asks again and answers.
    harness.sandbox.slow_next("getUpdates", 600)
    await harness.sandbox.wait_until(lambda: harness.sandbox.stats.calls["getUpdates"] >= 1)
    calls = harness.sandbox.stats.calls["getUpdates"]
    await harness.sandbox.send_text(ana, "/help")
    await harness.sandbox.wait_for_bot_message(ana.id, timeout=POLL_MARGIN_SECONDS + 20)
    assert harness.sandbox.stats.calls["getUpdates"] > calls


# ---------------------------------------------------------------- the request class alone


async def _bot(sandbox: BotApiSandbox, **kw: float) -> Bot:
    bot = Bot(TOKEN, base_url=sandbox.base_url, request=ReplyRequest(**kw))
    await bot.initialize()
    return bot


async def test_retries_stop_within_the_budget(sandbox: BotApiSandbox) -> None:
    ana = sandbox.add_user("Ana")
    bot = await _bot(sandbox, retry_seconds=1.0, first_wait=0.25)
    sandbox.fail_next("sendMessage", 500, count=10)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(ana.id, "hi")
    # Waits of 0.25 s and 0.5 s fit in one second; a third (1 s) would not.
    assert sandbox.stats.calls["sendMessage"] == 3
    await bot.shutdown()


async def test_a_long_429_is_not_waited_out(sandbox: BotApiSandbox) -> None:
    ana = sandbox.add_user("Ana")
    bot = await _bot(sandbox, flood_wait_cap=30)
    sandbox.fail_next("sendMessage", 429, parameters={"retry_after": 300})
    with pytest.raises(RetryAfter):
        await bot.send_message(ana.id, "hi")
    assert sandbox.stats.calls["sendMessage"] == 1
    await bot.shutdown()


async def test_a_slow_send_is_not_sent_twice_but_a_slow_edit_is_retried(
    sandbox: BotApiSandbox,
) -> None:
    ana = sandbox.add_user("Ana")
    bot = await _bot(sandbox, read_timeout=0.3)
    sandbox.slow_next("sendMessage", 1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(ana.id, "hi")
    await sandbox.wait_for_bot_message(ana.id)
    assert [m.text for m in sandbox.bot_messages(ana.id)] == ["hi"]
    assert sandbox.stats.calls["sendMessage"] == 1

    [sent] = sandbox.bot_messages(ana.id)
    sandbox.slow_next("editMessageText", 1.0)
    edited = await bot.edit_message_text("hello", chat_id=ana.id, message_id=sent.message_id)
    assert edited is True or edited.text == "hello"
    assert sandbox.stats.calls["editMessageText"] == 2
    assert [m.text for m in sandbox.bot_messages(ana.id)] == ["hello"]
    await bot.shutdown()


async def test_a_no_op_edit_is_a_success(sandbox: BotApiSandbox) -> None:
    ana = sandbox.add_user("Ana")
    bot = await _bot(sandbox)
    sent = await bot.send_message(ana.id, "same")
    assert await bot.edit_message_text("same", chat_id=ana.id, message_id=sent.message_id)
    assert sandbox.stats.calls["editMessageText"] == 1
    await bot.shutdown()


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("sendMessage", True),
        ("sendPhoto", True),
        ("forwardMessage", True),
        ("copyMessage", True),
        ("editMessageText", False),
        ("answerCallbackQuery", False),
        ("deleteMessage", False),
        ("getUpdates", False),
        ("setMyCommands", False),
    ],
)
def test_which_calls_create_something(method: str, expected: bool) -> None:
    assert creates(method) is expected
