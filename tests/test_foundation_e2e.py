"""The foundation end to end: /start over real HTTP, errors as PTB exceptions, no token in logs."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select
from telegram import Bot
from telegram.error import Forbidden, RetryAfter

from bot.storage.models import Chat, Person
from tests.harness import TOKEN, Harness


async def _count(harness: Harness, model: type[Person] | type[Chat]) -> int:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def test_start_records_person_once(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    replies = await harness.say(ana, "/start")
    assert replies, "the bot did not answer /start"
    assert "Ana" in replies[0].text
    assert await _count(harness, Person) == 1
    assert await _count(harness, Chat) == 1

    await harness.say(ana, "/start")
    assert await _count(harness, Person) == 1
    assert await _count(harness, Chat) == 1


async def test_command_menus_are_published(harness: Harness) -> None:
    private = harness.sandbox.commands(scope_type="all_private_chats")
    assert ("start", "Set up your habits") in private
    assert harness.sandbox.commands(scope_type="all_group_chats")


async def test_flood_limit_surfaces_as_retry_after(harness: Harness) -> None:
    harness.sandbox.freeze_flood_clock()
    ana = harness.sandbox.add_user(first_name="Ana")
    async with Bot(TOKEN, base_url=harness.sandbox.base_url) as bot:
        with pytest.raises(RetryAfter) as caught:
            for i in range(10):
                await bot.send_message(ana.id, f"message {i}")
    assert caught.value.retry_after.total_seconds() >= 1


async def test_blocked_person_surfaces_as_forbidden(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    harness.sandbox.block(ana.id)
    async with Bot(TOKEN, base_url=harness.sandbox.base_url) as bot:
        with pytest.raises(Forbidden):
            await bot.send_message(ana.id, "hello")


async def test_no_log_line_contains_the_token(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram", "telegram.ext"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    ana = harness.sandbox.add_user(first_name="Ana")
    await harness.say(ana, "/start")
    harness.sandbox.block(ana.id)
    await harness.say(ana, "/help")  # the reply fails with 403 and is logged
    bo = harness.sandbox.add_user(first_name="Bo")
    harness.sandbox.block(bo.id)
    async with Bot(TOKEN, base_url=harness.sandbox.base_url) as bot:
        with pytest.raises(Forbidden):
            await bot.send_message(bo.id, "x")
    logging.getLogger("test").error("oops with %s", f"{harness.sandbox.base_url}{TOKEN}/getMe")
    text = "\n".join(
        [r.getMessage() for r in caplog.records] + [r.exc_text or "" for r in caplog.records]
    )
    assert "httpx" in {r.name for r in caplog.records} or "telegram" in text.lower()
    assert len(caplog.records) > 10
    assert TOKEN not in text
    assert TOKEN.split(":")[1] not in text
    assert caplog.text.count("<redacted-token>") >= 1
