"""/export and /delete end to end: exactly the person's rows out, then none of them left."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table, or_, select

from bot.storage.models import Base, CheckIn, PegScore, Person, PhqAnswer, SafetyFlag
from bot.storage.person_data import TRANSPORT_TABLES
from bot.telegram import texts
from tests.factories import make_person
from tests.harness import Harness
from tests.talk import quick_typist, say, tap

TODAY = date(2026, 3, 27)


async def onboarded(harness: Harness, name: str) -> Any:
    quick_typist(harness)
    user = harness.sandbox.add_user(first_name=name)
    assert harness.db is not None
    await make_person(harness.db, user.id, now=harness.clock.now(), first_name=name)
    return user


async def give_data(harness: Harness, person_id: int) -> None:
    """Write a row into every table a person's data lives in."""
    assert harness.db is not None
    now = harness.clock.now()
    async with harness.db.uow() as uow:
        await uow.habit_logs.add(person_id, "water", at=now, local_date=TODAY, source="text")
        await uow.habit_logs.skip_day(person_id, "move", TODAY, now)
        checkin = CheckIn(
            person_id=person_id,
            local_date=TODAY,
            pain=8,
            note='a, "quoted"\nnote',
            skipped=["stool"],
            red_flags_asked=True,
            started_at=now,
            updated_at=now,
        )
        uow.session.add(checkin)
        await uow.session.flush()
        uow.session.add(
            SafetyFlag(
                person_id=person_id,
                checkin_id=checkin.id,
                kind="high_pain",
                detail="pain 8",
                created_at=now,
            )
        )
        reminder = (await uow.reminders.for_person(person_id))[0]
        # The pending one is due tomorrow, so the sender leaves it alone during the test.
        for status, due in (
            ("sent", now - timedelta(hours=1)),
            ("pending", now + timedelta(days=1)),
        ):
            await uow.deliveries.add(
                chat_id=person_id,
                person_id=person_id,
                kind="nudge",
                habit=reminder.habit,
                reminder_id=reminder.id,
                payload={"text": "Drink some water"},
                due_at=due,
                status=status,
                now=now,
            )
        await uow.commit()


def owner_condition(table: Table, person_id: int) -> Any:
    """Any person_id, chat_id or (people/chats) id column equal to the person's id."""
    columns = [table.c[name] for name in ("person_id", "chat_id") if name in table.c]
    if table.name in ("people", "chats"):
        columns.append(table.c.id)
    return or_(*(c == person_id for c in columns)) if columns else None


async def rows_about(
    harness: Harness, person_id: int, *, transport: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """Query every table in the schema for rows that point at the person.

    The inbox (every update for two days) is left out unless `transport`: each message the
    person sends after /delete lands there again.
    """
    assert harness.db is not None
    found: dict[str, list[dict[str, Any]]] = {}
    async with harness.db.uow() as uow:
        for table in Base.metadata.sorted_tables:
            if table.name in TRANSPORT_TABLES and not transport:
                continue
            condition = owner_condition(table, person_id)
            if condition is None:
                continue
            result = await uow.session.execute(select(table).where(condition))
            rows = [dict(r) for r in result.mappings()]
            if rows:
                found[table.name] = rows
    return found


async def test_export_is_made_for_people(harness: Harness) -> None:
    ana = await onboarded(harness, "Ana")
    bo = await onboarded(harness, "Bo")
    await give_data(harness, ana.id)
    await give_data(harness, bo.id)
    await say(harness, ana, 'drank 2 glasses of water, "merci" Zoë ☕')
    await say(harness, ana, "had kefir yesterday")
    await say(harness, ana, "/pause 2h")
    assert harness.db is not None
    async with harness.db.uow() as uow:
        await uow.checkins.change(
            (await uow.checkins.between(ana.id, TODAY, TODAY))[0].id,
            harness.clock.now(),
            mood=4,
            sleep="good",
            pain_where="lower_back",
        )
        now = harness.clock.now()
        uow.session.add_all(
            [
                PegScore(
                    person_id=ana.id,
                    week="2026-W13",
                    local_date=TODAY,
                    pain=6,
                    enjoyment=4,
                    activity=5,
                    score=5.0,
                    updated_at=now,
                ),
                PegScore(
                    person_id=ana.id,
                    week="2026-W12",
                    local_date=TODAY - timedelta(7),
                    pain=7,
                    updated_at=now - timedelta(7),
                ),
                PhqAnswer(
                    person_id=ana.id,
                    local_date=TODAY,
                    interest=1,
                    down=0,
                    nervous=2,
                    worry=2,
                    phq2=1,
                    gad2=4,
                    started_at=now,
                    completed_at=now,
                ),
            ]
        )
        await uow.commit()

    replies = await say(harness, ana, "/export")
    [zipped] = [r for r in replies if r.filename]  # the seeded pending nudge may go out too
    assert zipped.filename == "nudgebot-2026-03-27.zip"
    assert zipped.text == texts.EXPORT_CAPTION_ZIP
    archive = zipfile.ZipFile(io.BytesIO(zipped.document))
    assert archive.testzip() is None
    assert archive.namelist() == [
        "README.txt",
        "habits.csv",
        "checkins.csv",
        "pauses.csv",
        "safety.csv",
        "settings.csv",
        "weekly_pain.csv",
        "mood_and_worry.csv",
        "nudgebot.json",
    ]
    readme = archive.read("README.txt").decode("utf-8-sig")
    tables: dict[str, list[dict[str, str]]] = {}
    for name in archive.namelist():
        raw = archive.read(name)
        if not name.endswith(".csv"):
            continue
        assert raw.startswith(codecs.BOM_UTF8), name  # spreadsheets then read accents right
        text = raw.decode("utf-8-sig")
        assert "\r\n" in text  # RFC 4180 line ends
        reader = csv.DictReader(io.StringIO(text, newline=""))
        for column in reader.fieldnames or []:
            assert column in readme, f"{name}: {column} is not explained in README.txt"
        tables[name.removesuffix(".csv")] = list(reader)
    everything = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8", "replace")
    for internal in ("claimed_by", "awaiting", "offset_minutes", "payload", "Drink some water"):
        assert internal not in everything, internal
    assert "True" not in everything and "False" not in everything
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d", everything)  # no microseconds

    habits = tables["habits"]
    # The seeded log, the two glasses (one entry), yesterday's kefir, and the skipped day.
    assert [(h["date"], h["habit"], h["entry"]) for h in habits] == [
        ("2026-03-26", "Gut-friendly food", "done"),
        ("2026-03-27", "Hydration", "done"),
        ("2026-03-27", "Hydration", "done"),
        ("2026-03-27", "Movement break", "skipped the day"),
    ]
    glasses = habits[2]
    assert glasses["your_words"] == 'drank 2 glasses of water, "merci" Zoë ☕'
    assert (glasses["what"], glasses["counts_toward_goal"]) == ("2 glasses of water", "2")
    assert (glasses["time"], glasses["recorded_utc"]) == ("08:00", "2026-03-27T07:00:00Z")
    assert glasses["how"] == "you wrote it" and habits[0]["your_words"] == "had kefir yesterday"

    [checkin] = tables["checkins"]
    assert checkin["note"] == 'a, "quoted"\nnote'  # survives the round trip
    assert (checkin["pain_0_to_10"], checkin["where_it_hurts"]) == ("8", "Lower back")
    assert (checkin["mood_1_to_5"], checkin["mood_in_words"], checkin["sleep"]) == (
        "4",
        "good",
        "Well",
    )
    assert (checkin["questions_skipped"], checkin["safety_questions_asked"]) == (
        "stool form",
        "yes",
    )
    assert checkin["finished"] == "no"
    [flag] = tables["safety"]
    assert (flag["what"], flag["detail"], flag["time"]) == ("high pain", "pain 8", "08:00")
    [pause] = tables["pauses"]
    assert (pause["from_time"], pause["until_time"]) == ("08:00", "10:00")
    assert {s["habit"] for s in tables["settings"]} >= {"Hydration", "Movement break"}
    # Oldest week first; a week left unfinished has no score yet.
    assert [
        (w["week"], w["pain_0_to_10"], w["activity_0_to_10"], w["score_0_to_10"])
        for w in tables["weekly_pain"]
    ] == [("2026-W12", "7", "", ""), ("2026-W13", "6", "5", "5.0")]
    [phq] = tables["mood_and_worry"]
    assert (phq["date"], phq["worrying_0_to_3"], phq["worry_pair_0_to_6"], phq["finished"]) == (
        "2026-03-27",
        "2",
        "4",
        "yes",
    )

    document = json.loads(archive.read("nudgebot.json"))
    assert document["profile"]["name"] == "Ana"
    assert document["profile"]["time_zone"] == "Europe/Berlin"
    for name, rows in tables.items():  # the same data for programs
        assert [{k: str(v) for k, v in r.items()} for r in document[name]] == rows, name


async def test_delete_erases_every_row_and_stops_messages(harness: Harness) -> None:
    ana = await onboarded(harness, "Ana")
    bo = await onboarded(harness, "Bo")
    await give_data(harness, ana.id)
    await give_data(harness, bo.id)
    # Send what is due now, so no nudge is on its way while she deletes (the background tick
    # runs in real time: on a busy machine it may land in the middle of the test).
    await harness.tick()
    bo_before = await rows_about(harness, bo.id)

    ask = (await say(harness, ana, "/delete"))[0]
    assert "Delete everything?" in (ask.text or "")
    assert await rows_about(harness, ana.id)  # asking changes nothing
    await tap(harness, ana, ask, text=texts.BUTTON_DELETE)
    assert harness.sandbox.bot_messages(ana.id)[-1].text == texts.DELETE_DONE

    # The updates she sent went too, the /delete press among them.
    assert await rows_about(harness, ana.id, transport=True) == {}
    assert await rows_about(harness, bo.id) == bo_before
    assert harness.db is not None
    async with harness.db.uow() as uow:
        pending = await uow.deliveries.for_person(ana.id)
    assert pending == []

    # A double press, /delete again and /export now find nothing.
    query_id = await harness.sandbox.press_callback(
        ana, ask.message_id, ask.buttons[0][0].callback_data
    )
    await harness.sandbox.wait_for_callback_answer(query_id)
    await harness.settle()
    assert harness.sandbox.bot_messages(ana.id)[-1].text == texts.DELETE_NOTHING
    assert (await say(harness, ana, "/delete"))[0].text == texts.DELETE_NOTHING
    assert (await say(harness, ana, "/export"))[0].text == texts.EXPORT_NOTHING
    assert await rows_about(harness, ana.id) == {}

    # A later /start begins from nothing.
    await say(harness, ana, "/start")
    async with harness.db.uow() as uow:
        person = await uow.session.get(Person, ana.id)
        assert person is not None
        assert person.timezone is None and person.onboarded_at is None
    again = await rows_about(harness, ana.id)
    assert set(again) <= {"people", "chats"}


async def test_delete_can_be_declined_and_old_confirmations_expire(harness: Harness) -> None:
    ana = await onboarded(harness, "Ana")
    ask = (await say(harness, ana, "/delete"))[0]
    await tap(harness, ana, ask, text=texts.BUTTON_KEEP_DATA)
    assert harness.sandbox.bot_messages(ana.id)[-1].text == texts.DELETE_KEPT
    assert "people" in await rows_about(harness, ana.id)

    ask = (await say(harness, ana, "/delete"))[0]
    harness.clock.advance(timedelta(hours=2))
    answer = await tap(harness, ana, ask, text=texts.BUTTON_DELETE)
    assert answer.text == texts.STALE_BUTTON
    for forged in ("x:del:abc", "x:del", "x:nuke:1"):
        query_id = await harness.sandbox.press_callback(ana, ask.message_id, forged)
        assert (await harness.sandbox.wait_for_callback_answer(query_id)).text == (
            texts.STALE_BUTTON
        )
    assert "people" in await rows_about(harness, ana.id)


async def test_export_and_delete_for_strangers_and_in_groups(harness: Harness) -> None:
    stranger = harness.sandbox.add_user(first_name="Cy")
    assert (await say(harness, stranger, "/export"))[0].text == texts.EXPORT_NOTHING
    assert (await say(harness, stranger, "/delete"))[0].text == texts.DELETE_NOTHING
    ana = await onboarded(harness, "Ana")
    group = harness.sandbox.add_group("Desk crew", members=[ana])
    await harness.sandbox.add_bot_to_group(group, by=ana)
    await harness.settle()
    for command in ("/export", "/delete"):
        replies = await say(harness, ana, command, chat_id=group.id)
        assert replies[-1].text == texts.NOT_IN_GROUP
    assert "people" in await rows_about(harness, ana.id)
