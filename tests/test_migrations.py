"""Migrations go up, down and up again, and agree with the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.storage.engine import create_engine
from bot.storage.migrate import downgrade, upgrade
from bot.storage.models import Base
from tests import dbs


@pytest.fixture
def empty_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _inspect(url: str) -> tuple[list[object], set[str]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_diff), await conn.run_sync(_tables)
    finally:
        await engine.dispose()


def _round_trip(url: str) -> None:
    upgrade(url)
    diff, tables = asyncio.run(_inspect(url))
    assert diff == [], f"models and migrations disagree: {diff}"
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    downgrade(url, "base")
    _, tables = asyncio.run(_inspect(url))
    assert tables <= {"alembic_version"}
    upgrade(url)
    diff, _ = asyncio.run(_inspect(url))
    assert diff == []


def test_sqlite_upgrade_downgrade_upgrade(empty_url: str) -> None:
    _round_trip(empty_url)


def test_postgres_upgrade_downgrade_upgrade() -> None:
    admin = dbs.postgres_admin_url()
    if admin is None:
        pytest.skip(dbs.SKIP_PG)
    url = dbs.create_postgres_database(admin)
    try:
        _round_trip(url)
    finally:
        dbs.drop_postgres_database(admin, url)


def test_0005_spreads_existing_summaries_and_counts_the_outbox(tmp_path: Path) -> None:
    import json
    import sqlite3

    from bot.services.onboarding import summary_rule

    path = tmp_path / "old.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url, "0004")
    at = "2026-03-29 17:00:00.000000"
    rule = {"times": ["19:00"], "weekdays": [6], "offset_minutes": 0}
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO people (id, first_name, timezone, active, created_at, updated_at,"
        " recent_tips) VALUES (7, 'Ana', 'Europe/Berlin', 1, ?, ?, '[]')",
        (at, at),
    )
    conn.execute(
        "INSERT INTO reminders (id, person_id, habit, rule, enabled, next_fire_at,"
        " ignored_in_row, recent_texts, updated_at) VALUES (1, 7, 'summary', ?, 1, ?, 0, '[]', ?)",
        (json.dumps(rule), at, at),
    )
    for n, status in enumerate(("sent", "sent", "failed", "pending")):
        conn.execute(
            "INSERT INTO deliveries (chat_id, person_id, kind, payload, due_at, send_after,"
            " status, attempts, created_at, sent_at) VALUES (7, 7, 'tip', '{}', ?, ?, ?, 0, ?, ?)",
            (at.replace("17:00", f"17:0{n}"), at, status, at, at if status == "sent" else None),
        )
    conn.commit()
    conn.close()

    upgrade(url)
    conn = sqlite3.connect(path)
    stored, next_fire = conn.execute("SELECT rule, next_fire_at FROM reminders").fetchone()
    counts = dict(conn.execute("SELECT status, count FROM delivery_days").fetchall())
    days = {d for (d,) in conn.execute("SELECT day FROM delivery_days")}
    conn.close()
    offset = summary_rule(7).offset_minutes
    assert offset != 0
    assert json.loads(stored)["offset_minutes"] == offset
    expected = datetime(2026, 3, 29, 17, tzinfo=UTC) + timedelta(minutes=offset)
    assert datetime.fromisoformat(next_fire).replace(tzinfo=UTC) == expected
    assert counts == {"sent": 2, "failed": 1}
    assert days == {"2026-03-29"}
