"""Group challenges end to end: start, join, log, daily posts, the end, and every wrong turn."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.delivery.limits import SendLimits
from bot.sandbox.models import ChatMessage
from bot.storage.challenges import ChallengeRecord
from bot.storage.models import Challenge, ChallengeMember, Chat
from bot.telegram import texts
from tests.factories import make_person
from tests.harness import Harness
from tests.talk import quick_typist, say, tap

WATER = "💧 7-day hydration · 6/day"
BOT = "@nudge_test_bot"
FRIDAY = date(2026, 3, 27)


@pytest.fixture(autouse=True)
def _quick(harness: Harness) -> None:
    """Send group posts without Telegram's real-time spacing (this is no flood test)."""
    quick_typist(harness)
    harness.sandbox.limits = replace(
        harness.sandbox.limits, group_per_minute=6000.0, group_burst=1000
    )
    harness.runtime.sender.limits = SendLimits(
        per_second=200, private_interval=0.01, group_interval=0.01
    )


async def _person(harness: Harness, name: str, *, onboarded: bool = True) -> Any:
    user = harness.sandbox.add_user(first_name=name)
    if onboarded:
        assert harness.db is not None
        await make_person(harness.db, user.id, now=harness.clock.now(), first_name=name, habits=())
    return user


async def _group(harness: Harness, admin: Any, *others: Any, title: str = "Back-care crew") -> Any:
    group = harness.sandbox.add_group(title, members=[admin, *others], creator=admin)
    await harness.sandbox.add_bot_to_group(group.id, by=admin)
    await harness.settle()
    return group


def _now(harness: Harness, message: ChatMessage) -> ChatMessage:
    """Return a message as it reads now (after edits)."""
    [current] = [
        m
        for m in harness.sandbox.bot_messages(message.chat_id)
        if m.message_id == message.message_id
    ]
    return current


async def _challenges(harness: Harness) -> list[ChallengeRecord]:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        ids = list(await uow.session.scalars(select(Challenge.id).order_by(Challenge.id)))
        found = [await uow.challenges.get(i) for i in ids]
    return [c for c in found if c is not None]


async def _members(harness: Harness) -> list[int]:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        rows = await uow.session.scalars(
            select(ChallengeMember.person_id).order_by(ChallengeMember.id)
        )
        return list(rows)


async def _start(harness: Harness, admin: Any, group: Any, label: str = WATER) -> ChatMessage:
    """Open the menu as the admin and start a challenge; return the announcement."""
    [menu] = await say(harness, admin, f"/challenge{BOT}", chat_id=group.id)
    answer = await tap(harness, admin, menu, text=label, chat_id=group.id)
    assert answer.text is None
    return _now(harness, menu)


async def _log(harness: Harness, person_id: int, day: date, times: int) -> None:
    """Log water for a person straight into the database (as a nudge's Done would)."""
    assert harness.db is not None
    async with harness.db.uow() as uow:
        at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
        for _ in range(times):
            await uow.habit_logs.add(person_id, "water", at=at, local_date=day, source="test")
        await uow.commit()


async def _tick_at(harness: Harness, when: datetime, chat_id: int) -> list[ChatMessage]:
    before = {m.message_id for m in harness.sandbox.bot_messages(chat_id)}
    harness.clock.set(when)
    await harness.tick()
    return [m for m in harness.sandbox.bot_messages(chat_id) if m.message_id not in before]


async def test_admin_starts_people_join_log_and_see_the_evening_post(harness: Harness) -> None:
    ana = await _person(harness, "Ana")
    ben = await _person(harness, "Ben <b>")
    cleo = await _person(harness, "Cleo", onboarded=False)
    group = await _group(harness, ana, ben, cleo)

    [menu] = await say(harness, ben, f"/challenge{BOT}", chat_id=group.id)
    labels = [b.text for row in menu.buttons for b in row]
    assert labels == [
        WATER,
        "🚶 5-day movement breaks · 5/day",
        "🌬️ 7-day breathing · 2/day",
        "🥗 7-day gut-friendly food · 2/day",
    ]
    # Ben is no admin: his press starts nothing.
    answer = await tap(harness, ben, menu, text=WATER, chat_id=group.id)
    assert answer.text == texts.NOT_GROUP_ADMIN
    assert await _challenges(harness) == []

    announcement = await _start(harness, ana, group)
    assert "💧 7-day hydration starts today!" in announcement.text
    [challenge] = await _challenges(harness)
    assert (challenge.chat_id, challenge.habit, challenge.days, challenge.daily_target) == (
        group.id,
        "water",
        7,
        6,
    )
    assert (challenge.zone, challenge.starts_on, challenge.ends_on) == (
        "Europe/Berlin",
        FRIDAY,
        date(2026, 4, 2),
    )
    assert challenge.next_post_at == datetime(2026, 3, 27, 19, tzinfo=UTC)  # 20:00 in Berlin

    # Ben joins by button (twice), Ana by /join; Cleo never started the bot.
    assert (await tap(harness, ben, announcement, text="🙋 Join", chat_id=group.id)).text is None
    joined = harness.sandbox.last_bot_message(group.id)
    assert joined is not None and joined.text == "🙌 Ben <b> joined 💧 7-day hydration."
    again = await tap(harness, ben, announcement, text="🙋 Join", chat_id=group.id)
    assert again.text == texts.JOIN_ALREADY
    [reply] = await say(harness, ana, f"/join{BOT}", chat_id=group.id)
    assert reply.text == "🙌 Ana joined 💧 7-day hydration with 1 other."
    link = "https://t.me/nudge_test_bot?start=challenge"
    refused = await tap(harness, cleo, announcement, text="🙋 Join", chat_id=group.id)
    assert (refused.text, refused.url) == (texts.JOIN_NEED_START_SHORT, link)
    [reply] = await say(harness, cleo, "/join", chat_id=group.id)
    assert "Cleo, to join" in reply.text
    assert await _members(harness) == [ben.id, ana.id]

    # Ben drinks six glasses (plain words in private), Ana three (a nudge's Done, say).
    [logged] = await say(harness, ben, "drank 6 glasses of water")
    assert "6/6" in logged.text
    await _log(harness, ana.id, FRIDAY, 3)
    [board] = await say(harness, cleo, f"/standings{BOT}", chat_id=group.id)
    assert board.text == (
        "💧 7-day hydration – day 1 of 7 (goal 6/day)\n"
        "1. Ben <b> – 1 day · today 6/6 ✅\n"
        "2. Ana – 0 days · today 3/6"
    )

    # Nothing before 20:00 Berlin; at 20:00 exactly one post in the group, with buttons.
    assert await _tick_at(harness, datetime(2026, 3, 27, 18, 59, tzinfo=UTC), group.id) == []
    [post] = await _tick_at(harness, datetime(2026, 3, 27, 19, tzinfo=UTC), group.id)
    assert post.text == board.text
    assert [b.text for row in post.buttons for b in row] == ["🙋 Join", "📊 Standings"]
    assert await _tick_at(harness, datetime(2026, 3, 27, 19, 5, tzinfo=UTC), group.id) == []
    [challenge] = await _challenges(harness)
    assert challenge.next_post_at == datetime(2026, 3, 28, 19, tzinfo=UTC)
    # The post's Standings button shows them again.
    await tap(harness, cleo, post, text="📊 Standings", chat_id=group.id)
    last = harness.sandbox.last_bot_message(group.id)
    assert last is not None and last.text == board.text


async def test_the_challenge_ends_with_congratulations_for_most_days(harness: Harness) -> None:
    ana = await _person(harness, "Ana")
    ben = await _person(harness, "Ben")
    group = await _group(harness, ana, ben)
    announcement = await _start(harness, ana, group)
    for person in (ana, ben):
        await tap(harness, person, announcement, text="🙋 Join", chat_id=group.id)
    for offset in range(4):  # Ana: four of seven days; Ben: three
        day = FRIDAY + timedelta(days=offset)
        await _log(harness, ana.id, day, 6)
        await _log(harness, ben.id, day, 6 if offset < 3 else 5)

    posts: list[ChatMessage] = []
    times: list[str] = []
    while (challenge := (await _challenges(harness))[0]).next_post_at is not None:
        posts += await _tick_at(harness, challenge.next_post_at, group.id)
        times.append(f"{harness.clock.now():%d %H:%M}")
    assert len(posts) == 8
    # Across the DST change the posts stay at 20:00 local: 18:00 UTC from Sunday on.
    assert times == [
        "27 19:00",
        "28 19:00",
        "29 18:00",
        "30 18:00",
        "31 18:00",
        "01 18:00",
        "02 18:00",
        "03 07:00",
    ]
    assert [p.text.split("\n")[0] for p in posts[:7]] == [
        f"💧 7-day hydration – day {n} of 7 (goal 6/day)" for n in range(1, 8)
    ]
    final = posts[-1].text
    assert final.startswith("🏆 💧 7-day hydration is over!\n🎉 Congratulations to Ana for")
    assert "Ben" not in final.split("\n")[1]
    assert final.endswith("\n\n1. Ana – 4 days\n2. Ben – 3 days")
    assert [b.text for row in posts[-1].buttons for b in row] == ["📊 Standings"]
    assert challenge.status == "finished"
    assert harness.clock.now() == datetime(2026, 4, 3, 7, tzinfo=UTC)  # 09:00 after the last day

    # Over: joining, /standings and /join say so; /challenge offers a new one.
    late = await tap(harness, ben, announcement, text="🙋 Join", chat_id=group.id)
    assert late.text == texts.CHALLENGE_OVER
    [reply] = await say(harness, ben, "/standings", chat_id=group.id)
    assert reply.text == texts.NO_CHALLENGE
    [menu] = await say(harness, ana, "/challenge", chat_id=group.id)
    assert menu.text.startswith("Pick a challenge")


async def test_wrong_chat_wrong_person_and_forged_buttons_change_nothing(
    harness: Harness,
) -> None:
    ana = await _person(harness, "Ana")
    ben = await _person(harness, "Ben")
    for command in ("/challenge", "/join", "/standings", "/stopchallenge"):
        [reply] = await say(harness, ana, command)
        assert reply.text == texts.CHALLENGE_IN_GROUPS, command
    group = await _group(harness, ana, ben)
    for command in ("/join", "/standings", "/stopchallenge"):
        [reply] = await say(harness, ben, command, chat_id=group.id)
        assert reply.text == texts.NO_CHALLENGE, command

    announcement = await _start(harness, ana, group)
    [challenge] = await _challenges(harness)
    # A second start, from the menu or an old menu, gets the running one.
    [status] = await say(harness, ana, "/challenge", chat_id=group.id)
    assert status.text.startswith("One challenge at a time")
    [menu] = [
        m
        for m in harness.sandbox.bot_messages(group.id)
        if m.message_id == announcement.message_id
    ]
    old = await harness.sandbox.press_callback(ana, menu.message_id, "g:start:food", group.id)
    await harness.settle()
    answer = harness.sandbox.callback_answer(old)
    assert answer is not None and answer.text is not None and "running already" in answer.text
    # Ben may not stop it.
    [reply] = await say(harness, ben, "/stopchallenge", chat_id=group.id)
    assert reply.text == texts.NOT_GROUP_ADMIN

    # Forged and junk button data; a challenge of another group.
    other = await _group(harness, ben, title="Other")
    [other_menu] = await say(harness, ben, "/challenge", chat_id=other.id)
    forged = {
        f"g:join:{challenge.id}": texts.CHALLENGE_GONE,  # pressed in the other group
        "g:stand:999": texts.CHALLENGE_GONE,
        "g:start:beer": texts.STALE_BUTTON,
        "g:join:x": texts.STALE_BUTTON,
        "g:drop:1": texts.STALE_BUTTON,
        "g:": texts.STALE_BUTTON,
    }
    for data, expected in forged.items():
        query = await harness.sandbox.press_callback(ben, other_menu.message_id, data, other.id)
        await harness.settle()
        answer = harness.sandbox.callback_answer(query)
        assert answer is not None and answer.text == expected, data
    private = await say(harness, ben, "/help")
    query = await harness.sandbox.press_callback(
        ben, private[0].message_id, f"g:join:{challenge.id}"
    )
    await harness.settle()
    assert harness.sandbox.callback_answer(query).text == texts.CHALLENGE_IN_GROUPS
    assert await _members(harness) == []
    assert [c.status for c in await _challenges(harness)] == ["active"]

    [reply] = await say(harness, ana, "/stopchallenge", chat_id=group.id)
    assert (
        reply.text
        == "⏹ 💧 7-day hydration is stopped. Thanks for taking part! /challenge starts a new one."
    )
    [stopped] = await _challenges(harness)
    assert (stopped.status, stopped.next_post_at) == ("stopped", None)
    late = await tap(harness, ben, announcement, text="🙋 Join", chat_id=group.id)
    assert late.text == texts.CHALLENGE_OVER
    assert await _tick_at(harness, datetime(2026, 3, 27, 19, tzinfo=UTC), group.id) == []


async def test_a_group_without_admins_lets_anyone_start(harness: Harness) -> None:
    ana = await _person(harness, "Ana")
    ben = await _person(harness, "Ben")
    group = await _group(harness, ana, ben)
    group.creator_id = None  # the creator left: nobody is an admin any more
    await _start(harness, ben, group, label="🚶 5-day movement breaks · 5/day")
    [challenge] = await _challenges(harness)
    assert (challenge.habit, challenge.created_by) == ("move", ben.id)


async def test_removing_the_bot_stops_the_challenge(harness: Harness) -> None:
    ana = await _person(harness, "Ana")
    group = await _group(harness, ana)
    await _start(harness, ana, group)
    await harness.sandbox.remove_bot_from_group(group.id, by=ana)
    await harness.settle()
    [challenge] = await _challenges(harness)
    assert (challenge.status, challenge.next_post_at) == ("stopped", None)
    assert await _tick_at(harness, datetime(2026, 3, 27, 19, tzinfo=UTC), group.id) == []


@pytest.mark.parametrize("bot_saw_the_move", [True, False])
async def test_a_migrated_group_keeps_getting_its_posts(
    harness: Harness, bot_saw_the_move: bool
) -> None:
    ana = await _person(harness, "Ana")
    group = await _group(harness, ana)
    await _start(harness, ana, group)
    new_id = harness.sandbox.migrate_group(group.id)
    await harness.settle()
    assert harness.db is not None
    if not bot_saw_the_move:
        # As if the service message was lost: only the sender's 400 tells the bot.
        async with harness.db.uow() as uow:
            await uow.session.execute(update(Challenge).values(chat_id=group.id))
            await uow.session.execute(update(Chat).values(migrated_to=None))
            await uow.commit()
    else:
        [challenge] = await _challenges(harness)
        assert challenge.chat_id == new_id
    [post] = await _tick_at(harness, datetime(2026, 3, 27, 19, tzinfo=UTC), new_id)
    assert post.text.startswith("💧 7-day hydration – day 1 of 7")
    [challenge] = await _challenges(harness)
    assert challenge.chat_id == new_id
    [reply] = await say(harness, ana, "/standings", chat_id=new_id)
    assert reply.text.startswith("💧 7-day hydration – day 1 of 7")


async def test_delete_removes_membership_but_keeps_the_group_challenge(harness: Harness) -> None:
    ana = await _person(harness, "Ana")
    ben = await _person(harness, "Ben")
    group = await _group(harness, ana, ben)
    announcement = await _start(harness, ana, group)
    for person in (ana, ben):
        await tap(harness, person, announcement, text="🙋 Join", chat_id=group.id)
    assert await _members(harness) == [ana.id, ben.id]
    ask = (await say(harness, ana, "/delete"))[0]
    await tap(harness, ana, ask, text=texts.BUTTON_DELETE)
    assert await _members(harness) == [ben.id]
    [challenge] = await _challenges(harness)
    assert (challenge.status, challenge.created_by) == ("active", ana.id)
    [board] = await say(harness, ben, "/standings", chat_id=group.id)
    assert "Ana" not in board.text and "1. Ben" in board.text
    assert harness.db is not None
    async with harness.db.uow() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(ChallengeMember))
    assert count == 1
