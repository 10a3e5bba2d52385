"""/export and /delete end to end: exactly the person's rows out, then none of them left."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table, or_, select

from bot.storage.models import Base, CheckIn, Person, SafetyFlag
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
        for status, due in (("sent", now - timedelta(hours=1)), ("pending", now)):
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


async def rows_about(harness: Harness, person_id: int) -> dict[str, list[dict[str, Any]]]:
    """Query every table in the schema for rows that point at the person."""
    assert harness.db is not None
    found: dict[str, list[dict[str, Any]]] = {}
    async with harness.db.uow() as uow:
        for table in Base.metadata.sorted_tables:
            condition = owner_condition(table, person_id)
            if condition is None:
                continue
            result = await uow.session.execute(select(table).where(condition))
            rows = [dict(r) for r in result.mappings()]
            if rows:
                found[table.name] = rows
    return found


async def test_export_contains_exactly_the_persons_rows(harness: Harness) -> None:
    ana = await onboarded(harness, "Ana")
    bo = await onboarded(harness, "Bo")
    await give_data(harness, ana.id)
    await give_data(harness, bo.id)
    expected = await rows_about(harness, ana.id)
    assert {"people", "chats", "reminders", "habit_logs", "day_skips", "deliveries"} <= set(
        expected
    )
    assert {"checkins", "safety_flags"} <= set(expected)

    replies = await say(harness, ana, "/export", replies=2)
    assert len(replies) == 2
    zipped, as_json = replies
    assert zipped.filename.endswith(".zip") and as_json.filename.endswith(".json")
    assert zipped.text == texts.EXPORT_CAPTION_ZIP

    archive = zipfile.ZipFile(io.BytesIO(zipped.document))
    assert archive.testzip() is None
    from_csv: dict[str, list[dict[str, str]]] = {}
    for name in archive.namelist():
        assert name.endswith(".csv")
        reader = csv.DictReader(io.StringIO(archive.read(name).decode()))
        from_csv[name.removesuffix(".csv")] = list(reader)
    document = json.loads(as_json.document)
    assert document["person_id"] == ana.id
    for table, rows in expected.items():
        ids = sorted(str(r["id"]) for r in rows)
        assert sorted(r["id"] for r in from_csv[table]) == ids, table
        assert sorted(str(r["id"]) for r in document["tables"][table]) == ids, table
    for table, rows in from_csv.items():
        assert len(rows) == len(expected.get(table, [])), f"{table} holds someone else's rows"
    # Values survive: text with commas, quotes and newlines, JSON lists, numbers.
    checkin = from_csv["checkins"][0]
    assert checkin["note"] == 'a, "quoted"\nnote' and json.loads(checkin["skipped"]) == ["stool"]
    assert document["tables"]["checkins"][0]["pain"] == 8
    assert document["tables"]["people"][0]["first_name"] == "Ana"
    assert all(r["person_id"] == ana.id for r in document["tables"]["habit_logs"])


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

    assert await rows_about(harness, ana.id) == {}
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
