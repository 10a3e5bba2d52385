"""/today and /progress end to end, including the chart as a real PNG."""

from __future__ import annotations

import struct
import zlib
from datetime import date, datetime, timedelta
from typing import Any

from bot.storage.models import CheckIn
from bot.telegram import texts
from tests.factories import make_person
from tests.harness import Harness
from tests.talk import quick_typist, say

TODAY = date(2026, 3, 27)  # a Friday; the clock fixture is 08:00 in Berlin


async def onboarded(harness: Harness, name: str = "Ana") -> Any:
    quick_typist(harness)
    user = harness.sandbox.add_user(first_name=name)
    assert harness.db is not None
    await make_person(harness.db, user.id, now=harness.clock.now(), first_name=name)
    return user


async def seed_logs(
    harness: Harness, person_id: int, habit: str, per_day: dict[date, int]
) -> None:
    assert harness.db is not None
    at = harness.clock.now()
    async with harness.db.uow() as uow:
        for day, count in per_day.items():
            for _ in range(count):
                await uow.habit_logs.add(person_id, habit, at=at, local_date=day, source="test")
        await uow.commit()


async def seed_checkins(
    harness: Harness, person_id: int, values: dict[date, tuple[int | None, int | None]]
) -> None:
    assert harness.db is not None
    now = harness.clock.now()
    async with harness.db.uow() as uow:
        for day, (pain, stress) in values.items():
            uow.session.add(
                CheckIn(
                    person_id=person_id,
                    local_date=day,
                    pain=pain,
                    stress=stress,
                    skipped=[],
                    red_flags_asked=False,
                    started_at=now,
                    updated_at=now,
                    completed_at=now,
                )
            )
        await uow.commit()


def png_size(data: bytes) -> tuple[int, int]:
    """Check the PNG signature and the IHDR chunk's CRC, and return (width, height)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    ihdr = data[16 : 16 + length]
    (crc,) = struct.unpack(">I", data[16 + length : 20 + length])
    assert zlib.crc32(kind + ihdr) == crc, "IHDR checksum mismatch"
    assert data.endswith(b"IEND\xaeB`\x82"), "PNG is truncated"
    width, height = struct.unpack(">II", ihdr[:8])
    return int(width), int(height)


def assert_sensible_chart(message: Any, days: int) -> None:
    assert message.photo is not None, "no photo sent"
    width, height = png_size(message.photo)
    # Made for a phone: at least 1080 wide, as tall or taller, not huge.
    assert width >= 1080 and height >= width and height <= 2000, (width, height)
    assert len(message.photo) < 1_000_000
    assert message.text == texts.chart_caption(days)


async def test_today_shows_done_per_habit_and_what_is_next(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "drank 2 glasses")
    await say(harness, ana, "walked 10 min")
    replies = await say(harness, ana, "/today")
    text = replies[0].text or ""
    assert "Today, Fri 27 Mar" in text
    assert "💧 Hydration: 2/6 · next 09:00" in text
    assert "🚶 Movement break: 1/5 · next 09:00" in text
    assert "🥗 Gut-friendly food: 0/2 · next 12:30" in text
    assert "🌬️ Breathing: 0/1 · next 15:30" in text
    assert "📝 Daily check-in: 0/1 · next 20:30" in text
    assert "Next: 💧 Hydration at 09:00" in text

    # Late at night the next nudges are tomorrow's; a finished check-in reads "done".
    harness.clock.set(datetime.fromisoformat("2026-03-27T21:30:00+00:00"))  # 22:30 Berlin
    assert harness.db is not None
    async with harness.db.uow() as uow:
        from bot.services.schedules import reschedule

        await reschedule(uow, ana.id, harness.clock.now())
        await uow.habit_logs.add(
            ana.id, "checkin", at=harness.clock.now(), local_date=TODAY, source="checkin"
        )
        await uow.commit()
    text = (await say(harness, ana, "/today"))[0].text or ""
    assert "📝 Daily check-in: 1/1 · done" in text
    assert "💧 Hydration: 2/6 · next tomorrow 09:00" in text  # none in the last two hours awake
    assert "🥗 Gut-friendly food: 0/2 · next tomorrow 12:30" in text
    assert "🚶 Movement break: 1/5 · next Mon 09:00" in text  # weekdays only


async def test_progress_streaks_strength_adherence_and_chart(harness: Harness) -> None:
    ana = await onboarded(harness)
    d = {n: TODAY - timedelta(days=n) for n in range(10)}
    # Water: 6 a day from Fri 20 Mar, only 3 on Tue 24, Wed 25 skipped on purpose.
    water = {d[n]: 6 for n in (7, 6, 5, 4, 1, 0)} | {d[3]: 3}
    await seed_logs(harness, ana.id, "water", water)
    assert harness.db is not None
    async with harness.db.uow() as uow:
        await uow.habit_logs.skip_day(ana.id, "water", d[2], harness.clock.now())
        await uow.commit()
    # Movement breaks are Mon-Fri: the weekend of 21/22 Mar does not break the streak.
    await seed_logs(harness, ana.id, "move", {d[n]: 5 for n in (7, 4, 3, 2, 1, 0)})
    await seed_checkins(harness, ana.id, {d[6]: (6, 7), d[3]: (5, None), d[0]: (3, 4)})

    replies = await say(harness, ana, "/progress", replies=2)
    assert len(replies) == 2
    text = replies[0].text or ""
    # The half day (3 of 6) ends the goal-met run but keeps the flexible one going.
    assert (
        "💧 Hydration · goal 6 a day\n🔥 goal met 2 days in a row (best 4) · 🌱 flexible 7 days"
        in text
    )
    assert "7 days 83%" in text  # 5 of 6 countable days (the skipped one is left out)
    assert "🚶 Movement break · goal 5 a day\n🔥 goal met 6 days in a row (best 6)\n" in text
    assert "7 days 100%" in text
    assert "🥗 Gut-friendly food · goal 2 a day\n🔥 meet today's goal to start a run\n" in text
    assert "habit strength: building · 7 days 0%" in text
    # Six good days dented by one miss: not strong yet, not zeroed either.
    water_strength = text.split("💧 Hydration")[1].split("habit strength: ")[1].split(" ")[0]
    assert water_strength in ("building", "steady")
    assert "🧊 1 freeze left" in text  # seven active days earned one
    assert_sensible_chart(replies[1], 8)  # the span fits the data: 8 days


async def test_progress_with_a_single_day_of_data(harness: Harness) -> None:
    ana = await onboarded(harness)
    await seed_checkins(harness, ana.id, {TODAY: (4, None)})
    replies = await say(harness, ana, "/progress", replies=2)
    assert "🔥 meet today's goal to start a run" in (replies[0].text or "")
    assert "0 days in a row" not in (replies[0].text or "")
    assert "A few more check-ins" in (replies[0].text or "")
    assert_sensible_chart(replies[1], 7)  # one day of data still gets a week


async def test_progress_with_gaps_and_only_logs(harness: Harness) -> None:
    ana = await onboarded(harness)
    await seed_logs(harness, ana.id, "breathe", {TODAY - timedelta(days=25): 2, TODAY: 1})
    await seed_checkins(
        harness,
        ana.id,
        {TODAY - timedelta(days=29): (2, 2), TODAY - timedelta(days=12): (None, 5)},
    )
    replies = await say(harness, ana, "/progress", replies=2)
    assert "🌬️ Breathing" in (replies[0].text or "")
    assert_sensible_chart(replies[1], 30)  # data from 29 days ago: at most 30 days

    replies = await say(harness, ana, "/progress 90", replies=2)
    assert_sensible_chart(replies[1], 90)
    for junk in ("/progress abc", "/progress 3", "/progress 9999", "/progress 1 2"):
        [reply] = await say(harness, ana, junk)
        assert reply.text == texts.PROGRESS_USAGE.replace("<code>", "").replace("</code>", "")


async def test_progress_and_today_without_data_or_setup(harness: Harness) -> None:
    ana = await onboarded(harness)
    replies = await say(harness, ana, "/progress")
    assert len(replies) == 1 and replies[0].text == texts.PROGRESS_EMPTY.replace(
        "<i>", ""
    ).replace("</i>", "")
    newbie = harness.sandbox.add_user(first_name="Cy")
    for command in ("/today", "/progress"):
        replies = await say(harness, newbie, command)
        assert replies[-1].text == texts.FINISH_START_FIRST
    group = harness.sandbox.add_group("Desk crew", members=[ana])
    await harness.sandbox.add_bot_to_group(group, by=ana)
    await harness.settle()
    replies = await say(harness, ana, "/progress", chat_id=group.id)
    assert replies[-1].text == texts.NOT_IN_GROUP


async def test_a_daily_walk_meets_a_goal_that_follows_the_schedule(harness: Harness) -> None:
    quick_typist(harness)
    ana = harness.sandbox.add_user(first_name="Ana")
    assert harness.db is not None
    once_a_day = {"times": ["12:00"], "every_minutes": None, "window": None}
    await make_person(
        harness.db, ana.id, now=harness.clock.now(), habits=("move",), rules={"move": once_a_day}
    )
    await seed_logs(harness, ana.id, "move", {TODAY - timedelta(days=n): 1 for n in (1, 2)})
    [reply] = await say(harness, ana, "walked 10 min")
    assert "1/1 today. Goal reached!" in (reply.text or "")
    assert texts.MILESTONE_LINES[3] in (reply.text or "")  # three days in a row, said once
    replies = await say(harness, ana, "/progress", replies=2)
    assert "🚶 Movement break · goal 1 a day\n🔥 goal met 3 days in a row" in (
        replies[0].text or ""
    )
    [reply] = await say(harness, ana, "/today")
    assert "Movement break: 1/1" in (reply.text or "")
