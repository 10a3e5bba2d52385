"""Shared fixtures: a fresh database, a controllable clock, the sandbox and a running bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from hypothesis import HealthCheck, settings

from bot.clock import FakeClock
from bot.logs import protect
from bot.sandbox import BotApiSandbox
from bot.storage.migrate import upgrade
from bot.storage.models import Base
from bot.storage.uow import Database
from tests import dbs
from tests.harness import TOKEN, Harness

protect(TOKEN)

# A busy machine is no bug: no per-example deadline, no "generating data is too slow" failure.
settings.register_profile("patient", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("patient")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> dbs.SqliteTemplate:
    return dbs.SqliteTemplate(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A migrated PostgreSQL database for the whole session, when TEST_DATABASE_URL is set."""
    admin = dbs.postgres_admin_url()
    if admin is None:
        yield None
        return
    url = dbs.create_postgres_database(admin)
    upgrade(url)
    yield url
    dbs.drop_postgres_database(admin, url)


async def _truncate_all(url: str) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    conn = await asyncpg.connect(dbs._asyncpg_dsn(url))
    try:
        await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


@pytest.fixture
async def db_url(sqlite_template: dbs.SqliteTemplate, postgres_url: str | None) -> str:
    """A migrated, empty database: PostgreSQL when TEST_DATABASE_URL is set, else SQLite."""
    if postgres_url is not None:
        await _truncate_all(postgres_url)
        return postgres_url
    return sqlite_template.fresh()


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    yield database
    await database.close()


@pytest.fixture
def pg_only() -> None:
    """Skip (or, in CI, fail) a PostgreSQL-only test when PostgreSQL is not configured."""
    if dbs.postgres_admin_url() is None:
        pytest.skip(dbs.SKIP_PG)


@pytest.fixture
def clock() -> FakeClock:
    # A Friday morning in Berlin, two days before the spring DST change.
    return FakeClock(datetime(2026, 3, 27, 7, 0, tzinfo=UTC))


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    """A Bot API sandbox on a free port, without a bot (tests drive a Bot or the sender)."""
    sb = BotApiSandbox(token=TOKEN)
    await sb.start()
    try:
        yield sb
    finally:
        await sb.stop()


@pytest.fixture
async def harness(db_url: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Harness]:
    """The sandbox plus the real bot polling it, on a fresh database."""
    h = Harness(db_url=db_url, clock=clock)
    await h.open()
    try:
        yield h
    finally:
        await h.close()
