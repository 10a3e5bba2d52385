"""The typed pending input: its checks, its columns, and migration 0011 from the old strings."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.domain.habits import Habit
from bot.domain.pending import BadPendingInput, Feature, PendingInput
from bot.storage.engine import create_engine
from bot.storage.migrate import downgrade, upgrade
from bot.storage.uow import Database
from bot.telegram.text_router import TextRouter
from tests import dbs

NOW = datetime(2026, 3, 27, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("step", "asked_at"),
    [
        ("", NOW),
        ("x" * 17, NOW),
        ("Zone", NOW),
        ("set:zone", NOW),
        ("zone", datetime(2026, 3, 27, 7, 0)),  # noqa: DTZ001 - naive on purpose
    ],
)
def test_a_pending_input_no_feature_could_ask_is_refused(step: str, asked_at: datetime) -> None:
    with pytest.raises(BadPendingInput):
        PendingInput(Feature.SETTINGS, step, asked_at=asked_at)


def test_the_router_needs_every_feature() -> None:
    async def answer(*_: object) -> None: ...

    with pytest.raises(ValueError, match="checkin"):
        TextRouter({Feature.ONBOARDING: answer, Feature.SETTINGS: answer}, plain=answer)


@pytest.mark.parametrize(
    "pending",
    [
        PendingInput(Feature.ONBOARDING, "wake", asked_at=NOW),
        PendingInput(Feature.SETTINGS, "times", asked_at=NOW, habit=Habit.BREATHE),
        PendingInput(Feature.CHECKIN, "note", asked_at=NOW, day=date(2026, 3, 26)),
        None,
    ],
)
async def test_a_pending_input_is_stored_whole(db: Database, pending: PendingInput | None) -> None:
    async with db.uow() as uow:
        await uow.people.seen(42, first_name="Ana", username=None, language_code=None, now=NOW)
        await uow.people.set_pending(42, PendingInput(Feature.CHECKIN, "pain", NOW), NOW)
        stored = await uow.people.set_pending(42, pending, NOW)
        await uow.commit()
    assert stored is not None and stored.pending == pending
    async with db.uow() as uow:
        person = await uow.people.get(42)
    assert person is not None and person.pending == pending


async def test_clearing_releases_only_the_features_own_question(db: Database) -> None:
    note = PendingInput(Feature.CHECKIN, "note", asked_at=NOW, day=NOW.date())
    async with db.uow() as uow:
        await uow.people.seen(42, first_name="Ana", username=None, language_code=None, now=NOW)
        await uow.people.set_pending(42, note, NOW)
        assert not await uow.people.clear_pending(42, Feature.SETTINGS)
        assert (await uow.people.get(42)) is not None
        person = await uow.people.get(42)
        assert person is not None and person.pending == note
        assert await uow.people.clear_pending(42, Feature.CHECKIN)
        person = await uow.people.get(42)
        assert person is not None and person.pending is None


MINUTE = int(NOW.timestamp() // 60)
UPDATED = "2026-03-27 06:00:00.000000"
# Every kind of value the old protocol wrote, and a few it could not have.
OLD = {
    1: ("onb:zone", ("onboarding", "zone", None, None, UPDATED)),
    2: ("onb:habits", ("onboarding", "habits", None, None, UPDATED)),
    3: ("set:zone", ("settings", "zone", None, None, UPDATED)),
    4: ("set:t:water", ("settings", "times", None, "water", UPDATED)),
    5: ("set:d:breathe", ("settings", "days", None, "breathe", UPDATED)),
    6: (
        f"checkin:note:20260326:{MINUTE}",
        ("checkin", "note", "2026-03-26", None, "2026-03-27 07:00:00.000000"),
    ),
    7: (f"checkin:q:pain:{MINUTE}", ("checkin", "pain", None, None, "2026-03-27 07:00:00.000000")),
    8: ("set:t:tea", (None, None, None, None, None)),
    9: ("checkin:note:junk:1", (None, None, None, None, None)),
    10: ("nonsense", (None, None, None, None, None)),
    11: (None, (None, None, None, None, None)),
}


def test_0011_turns_old_awaiting_strings_into_typed_columns_and_back(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url, "0007")
    conn = sqlite3.connect(path)
    for person_id, (awaiting, _) in OLD.items():
        conn.execute(
            "INSERT INTO people (id, first_name, awaiting, active, created_at, updated_at,"
            " recent_tips) VALUES (?, 'Ana', ?, 1, ?, ?, '[]')",
            (person_id, awaiting, UPDATED, UPDATED),
        )
    conn.commit()
    conn.close()

    upgrade(url, "0011")
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT id, pending_feature, pending_step, pending_day, pending_habit, pending_asked_at"
        " FROM people ORDER BY id"
    ).fetchall()
    conn.close()
    assert {r[0]: tuple(r[1:]) for r in rows} == {pid: cols for pid, (_, cols) in OLD.items()}

    downgrade(url, "0007")
    conn = sqlite3.connect(path)
    back = dict(conn.execute("SELECT id, awaiting FROM people").fetchall())
    conn.close()
    converted = {pid: old for pid, (old, cols) in OLD.items() if cols[0] is not None}
    assert {pid: a for pid, a in back.items() if a is not None} == converted


async def test_0011_rows_read_back_as_pending_inputs(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite+aiosqlite:///{path}"
    # upgrade() runs its own event loop: off this one.
    await asyncio.to_thread(upgrade, url, "0007")
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO people (id, first_name, awaiting, active, created_at, updated_at,"
        " recent_tips) VALUES (7, 'Ana', ?, 1, ?, ?, '[]')",
        (f"checkin:note:20260326:{MINUTE}", UPDATED, UPDATED),
    )
    conn.commit()
    conn.close()
    # To the head, not 0011: people.get reads today's models, whose later columns only later
    # revisions add (0011's conversion is the same either way).
    await asyncio.to_thread(upgrade, url, "head")
    db = Database(url)
    try:
        async with db.uow() as uow:
            person = await uow.people.get(7)
    finally:
        await db.close()
    assert person is not None
    assert person.pending == PendingInput(
        Feature.CHECKIN, "note", asked_at=NOW, day=date(2026, 3, 26)
    )


async def _execute(url: str, sql: str, *params: dict[str, object]) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            if params:
                await conn.execute(text(sql), list(params))
                return []
            return [tuple(r) for r in (await conn.execute(text(sql))).all()]
    finally:
        await engine.dispose()


def test_0011_converts_on_postgres() -> None:
    admin = dbs.postgres_admin_url()
    if admin is None:
        pytest.skip(dbs.SKIP_PG)
    url = dbs.create_postgres_database(admin)
    try:
        upgrade(url, "0007")
        updated = datetime(2026, 3, 27, 6, 0, tzinfo=UTC)
        rows = [
            {"id": pid, "awaiting": awaiting, "at": updated} for pid, (awaiting, _) in OLD.items()
        ]
        asyncio.run(
            _execute(
                url,
                "INSERT INTO people (id, first_name, awaiting, active, created_at, updated_at,"
                " recent_tips) VALUES (:id, 'Ana', :awaiting, true, :at, :at, '[]')",
                *rows,
            )
        )
        upgrade(url, "0011")
        got = asyncio.run(
            _execute(
                url,
                "SELECT id, pending_feature, pending_step, pending_day, pending_habit,"
                " pending_asked_at FROM people ORDER BY id",
            )
        )
        assert got[5] == (6, "checkin", "note", date(2026, 3, 26), None, NOW)
        assert got[3][1:5] == ("settings", "times", None, "water")
        assert got[0][1:] == ("onboarding", "zone", None, None, updated)
        assert [r[1] for r in got[7:]] == [None] * 4
        downgrade(url, "0007")
        back = dict(asyncio.run(_execute(url, "SELECT id, awaiting FROM people")))
        converted = {pid: old for pid, (old, cols) in OLD.items() if cols[0] is not None}
        assert {pid: a for pid, a in back.items() if a is not None} == converted
    finally:
        dbs.drop_postgres_database(admin, url)
