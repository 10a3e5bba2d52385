"""Admins broadcast through the outbox; everyone else is refused politely and nothing changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.services import admin as admin_service
from bot.storage.models import Broadcast, Delivery
from bot.telegram import texts
from tests.factories import make_person
from tests.harness import Harness


async def _rows(harness: Harness, model: type[Broadcast] | type[Delivery]) -> int:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def test_admin_broadcast_reaches_everyone_once(harness: Harness) -> None:
    admin = harness.sandbox.add_user(first_name="Admin")
    harness.make_admin(admin)
    people = [harness.sandbox.add_user(first_name=f"P{i}") for i in range(3)]
    assert harness.db is not None
    for person in people:
        await make_person(harness.db, person.id, now=harness.clock.now(), habits=())
    stranger = harness.sandbox.add_user(first_name="New")
    await harness.say(stranger, "/start")  # registered, but never finished set-up

    [preview] = await harness.say(admin, "/broadcast Stand up & stretch 🙆 <now>")
    assert "3 people" in preview.text
    assert "Stand up &amp; stretch" not in preview.text  # shown as the person will see it
    await harness.press(admin, preview, text=texts.BUTTON_SEND)
    assert "Queued for 3 people" in harness.sandbox.last_bot_message(admin.id).text
    await harness.drain()
    for person in people:
        texts_seen = [m.text for m in harness.sandbox.bot_messages(person.id)]
        assert texts_seen.count("Stand up & stretch 🙆 <now>") == 1
    assert not any("stretch" in m.text for m in harness.sandbox.bot_messages(stranger.id))
    assert await _rows(harness, Delivery) == 3


async def test_second_press_and_forged_press_send_nothing(harness: Harness) -> None:
    admin = harness.sandbox.add_user(first_name="Admin")
    harness.make_admin(admin)
    person = harness.sandbox.add_user(first_name="P")
    assert harness.db is not None
    await make_person(harness.db, person.id, now=harness.clock.now(), habits=())
    [preview] = await harness.say(admin, "/broadcast hello")
    await harness.press(admin, preview, text=texts.BUTTON_SEND)
    query_id = await harness.sandbox.press_callback(admin, preview.message_id, "a:send:1")
    await harness.settle()
    answer = harness.sandbox.callback_answer(query_id)
    assert answer is not None and answer.text == texts.BROADCAST_SENT_ALREADY
    forged = await harness.sandbox.press_callback(admin, preview.message_id, "a:send:999")
    junk = await harness.sandbox.press_callback(admin, preview.message_id, "a:send:x;DROP")
    await harness.settle()
    assert harness.sandbox.callback_answer(forged).text == texts.BROADCAST_SENT_ALREADY
    assert harness.sandbox.callback_answer(junk).text == texts.STALE_BUTTON
    assert await _rows(harness, Delivery) == 1


async def test_non_admin_and_wrong_chat_are_refused(harness: Harness) -> None:
    admin = harness.sandbox.add_user(first_name="Admin")
    harness.make_admin(admin)
    mallory = harness.sandbox.add_user(first_name="Mallory")
    [reply] = await harness.say(mallory, "/broadcast buy my stuff")
    assert reply.text == texts.NOT_ADMIN
    [reply] = await harness.say(mallory, "/stats")
    assert reply.text == texts.NOT_ADMIN
    # Mallory presses a forged admin button too.
    [preview] = await harness.say(admin, "/broadcast hi")
    query_id = await harness.sandbox.press_callback(
        mallory, preview.message_id, f"a:send:{1}", chat_id=admin.id
    )
    await harness.settle()
    assert harness.sandbox.callback_answer(query_id).text == texts.NOT_ADMIN
    group = harness.sandbox.add_group("Office", members=[admin, mallory])
    await harness.sandbox.add_bot_to_group(group, by=admin)
    [reply] = await harness.say(admin, "/broadcast@nudge_test_bot hi", chat_id=group.id)
    assert reply.text == texts.NOT_IN_GROUP
    assert await _rows(harness, Delivery) == 0
    assert await _rows(harness, Broadcast) == 1  # only the admin's draft


async def test_empty_and_longest_broadcasts(harness: Harness) -> None:
    admin = harness.sandbox.add_user(first_name="Admin")
    harness.make_admin(admin)
    [reply] = await harness.say(admin, "/broadcast")
    assert "Write the message" in reply.text
    assert await _rows(harness, Broadcast) == 0
    # The longest message Telegram lets a person send still gets a preview that fits.
    [reply] = await harness.say(admin, "/broadcast " + "x" * 4085)
    assert reply.text.startswith("Preview")
    assert len(reply.text) <= 4096
    assert harness.db is not None
    async with harness.db.uow() as uow:
        stored = await uow.session.scalar(select(Broadcast.text))
    assert stored == "x" * 4085  # stored whole, never cut


async def test_service_refuses_over_the_limit(harness: Harness) -> None:
    assert harness.db is not None
    with pytest.raises(admin_service.TooLong):
        await admin_service.draft_broadcast(
            harness.db.uow(), 5, "x" * 4097, admins=frozenset({5}), now=harness.clock.now()
        )
    with pytest.raises(admin_service.NotAdmin):
        await admin_service.draft_broadcast(
            harness.db.uow(), 6, "hi", admins=frozenset({5}), now=harness.clock.now()
        )
    assert await _rows(harness, Broadcast) == 0


async def test_stats_shows_people_and_outbox(harness: Harness) -> None:
    admin = harness.sandbox.add_user(first_name="Admin")
    harness.make_admin(admin)
    assert harness.db is not None
    await make_person(harness.db, admin.id, now=harness.clock.now(), habits=())
    [reply] = await harness.say(admin, "/stats")
    assert "People: 1 (1 reachable, 0 blocked the bot)" in reply.text
    assert "Waiting to go out: nothing" in reply.text
    assert "Last 7 days: nothing yet" in reply.text
    async with harness.db.uow() as uow:
        # Held for an hour, so it is certainly still waiting when /stats looks.
        await uow.deliveries.add(
            chat_id=admin.id,
            person_id=admin.id,
            kind="broadcast",
            payload={"text": "Hi"},
            due_at=harness.clock.now(),
            send_after=harness.clock.now() + timedelta(hours=1),
            now=harness.clock.now(),
        )
        await uow.commit()
    [reply] = await harness.say(admin, "/stats")
    assert "Waiting to go out: pending 1" in reply.text
    harness.clock.advance(timedelta(hours=1))
    await harness.drain()
    [reply] = await harness.say(admin, "/stats")
    assert "Waiting to go out: nothing" in reply.text
    assert "Last 7 days: sent 1" in reply.text


async def test_admins_get_their_own_command_menu(harness: Harness) -> None:
    # The harness's settings name user 1 as the admin; menus are per scope.
    admin_menu = dict(harness.sandbox.commands("chat", chat_id=1))
    assert "broadcast" in admin_menu and "stats" in admin_menu
    assert "start" in admin_menu  # the private commands too
    assert "broadcast" not in dict(harness.sandbox.commands("all_private_chats"))
    assert "broadcast" not in dict(harness.sandbox.commands("all_group_chats"))
