"""Quiet in groups (commands for other bots), helpful in private (stickers, photos, files)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.telegram import texts
from tests.factories import make_person
from tests.harness import BOT_USERNAME, Harness
from tests.talk import attach, quick_typist, say


async def new_bot_messages(harness: Harness, chat_id: int, send: Any) -> list[str]:
    """Run `send`, wait until the bot handled it and went quiet; return its new texts."""
    before = {m.message_id for m in harness.sandbox.bot_messages(chat_id)}
    await send
    await harness.settle()
    return [
        m.text or "" for m in harness.sandbox.bot_messages(chat_id) if m.message_id not in before
    ]


async def test_commands_for_other_bots_are_ignored_in_a_group(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    group = harness.sandbox.add_group("Back care", members=[ana], supergroup=True)
    await harness.sandbox.add_bot_to_group(group.id, by=ana, as_admin=True)
    await harness.settle()
    for command in ("/roll@dice_bot", "/help@dice_bot", "/start@OtherBot", "/join@x_bot now"):
        sent = harness.sandbox.send_text(ana, command, chat_id=group.id)
        assert await new_bot_messages(harness, group.id, sent) == [], command
    # Addressed to us, or to nobody in particular: answered as before.
    for command in (f"/roll@{BOT_USERNAME}", f"/roll@{BOT_USERNAME.upper()}", "/roll"):
        replies = await say(harness, ana, command, chat_id=group.id)
        assert [m.text for m in replies] == [texts.UNKNOWN_COMMAND], command
    replies = await say(harness, ana, f"/help@{BOT_USERNAME}", chat_id=group.id)
    assert replies and "What I can do" in (replies[0].text or "")


async def test_media_in_a_group_gets_no_answer(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    group = harness.sandbox.add_group("Back care", members=[ana], supergroup=True)
    await harness.sandbox.add_bot_to_group(group.id, by=ana, as_admin=True)
    await harness.settle()
    for kind in ("sticker", "photo", "voice"):
        sent = harness.sandbox.send_attachment(ana, kind, chat_id=group.id)
        assert await new_bot_messages(harness, group.id, sent) == [], kind


@pytest.mark.parametrize(
    ("kind", "named"),
    [
        ("sticker", "stickers"),
        ("photo", "photos"),
        ("voice", "voice notes"),
        ("video", "videos"),
        ("video_note", "video messages"),
        ("audio", "audio"),
        ("document", "files"),
        ("animation", "GIFs"),
        ("contact", "contacts"),
        ("dice", "that kind of message"),
    ],
)
async def test_a_private_attachment_gets_one_friendly_line(
    harness: Harness, kind: str, named: str
) -> None:
    quick_typist(harness)
    ana = harness.sandbox.add_user(first_name="Ana")
    assert harness.db is not None
    await make_person(harness.db, ana.id, now=harness.clock.now())
    replies = await attach(harness, ana, kind)
    assert len(replies) == 1
    line = replies[0].text or ""
    assert named in line and "“had kefir”" in line and "/help" in line
    assert "\n" not in line and len(line) < 100


async def test_a_captioned_photo_gets_the_line_and_logs_nothing(harness: Harness) -> None:
    quick_typist(harness)
    ana = harness.sandbox.add_user(first_name="Ana")
    assert harness.db is not None
    await make_person(harness.db, ana.id, now=harness.clock.now())
    replies = await attach(harness, ana, "photo", caption="had kefir")
    assert [m.text for m in replies] == [texts.cannot_read("photo", answering=False)]
    async with harness.db.uow() as uow:
        counts = await uow.habit_logs.counts_on(ana.id, harness.clock.now().date())
    assert sum(counts.values()) == 0
    # The words themselves still work.
    replies = await say(harness, ana, "had kefir")
    async with harness.db.uow() as uow:
        counts = await uow.habit_logs.counts_on(ana.id, harness.clock.now().date())
    assert counts.get("food") == 1, [m.text for m in replies]


async def test_a_sticker_mid_setup_asks_for_words_and_changes_nothing(harness: Harness) -> None:
    quick_typist(harness)
    cy = harness.sandbox.add_user(first_name="Cy")
    await say(harness, cy, "/start")
    assert harness.db is not None
    async with harness.db.uow() as uow:
        before = await uow.people.get(cy.id)
    assert before is not None and before.pending is not None
    replies = await attach(harness, cy, "sticker")
    assert [m.text for m in replies] == [texts.cannot_read("sticker", answering=True)]
    async with harness.db.uow() as uow:
        after = await uow.people.get(cy.id)
        assert after is not None and after.pending == before.pending


async def test_a_location_outside_a_prompt_gets_one_line_even_when_live(
    harness: Harness,
) -> None:
    quick_typist(harness)
    ana = harness.sandbox.add_user(first_name="Ana")
    assert harness.db is not None
    await make_person(harness.db, ana.id, now=harness.clock.now())
    shared = await harness.sandbox.send_location(ana, 52.52, 13.405)
    await harness.sandbox.wait_for_bot_message(ana.id, after_message_id=shared.message_id)
    await harness.settle()
    for step in range(3):
        moved = harness.sandbox.move_live_location(
            ana, shared.message_id, 52.52 + step / 1000, 13.405
        )
        assert await new_bot_messages(harness, ana.id, moved) == []
    replies = [m.text for m in harness.sandbox.bot_messages(ana.id)]
    assert replies == [texts.LOCATION_UNEXPECTED]
