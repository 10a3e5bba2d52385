"""Migrations go up, down and up again, and agree with the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
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
