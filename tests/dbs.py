"""Test databases: a migrated SQLite file per test, or a fresh PostgreSQL database per session."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.storage.migrate import upgrade

PG_ENV = "TEST_DATABASE_URL"
SKIP_PG = (
    "PostgreSQL tests need TEST_DATABASE_URL, e.g. "
    "postgresql+asyncpg://postgres@127.0.0.1:5432/test (CI sets it)"
)


def in_ci() -> bool:
    """Tell whether we run in CI, where a missing PostgreSQL is a failure, not a skip."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def postgres_admin_url() -> str | None:
    """Return the PostgreSQL URL tests may create databases with, if configured."""
    return os.environ.get(PG_ENV) or None


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _pg_admin(admin_url: str, sql: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(admin_url), timeout=60)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_postgres_database(admin_url: str) -> str:
    """Create a new empty database next to the admin one and return its URL."""
    name = f"nudgebot_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_pg_admin(admin_url, f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        message = f"PostgreSQL at {PG_ENV} is unreachable: {exc}"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, url: str) -> None:
    """Drop a database made by create_postgres_database."""
    name = make_url(url).database
    asyncio.run(_pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class SqliteTemplate:
    """A migrated SQLite file, copied for each test (much faster than migrating each time)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.template = folder / "template.db"
        upgrade(f"sqlite+aiosqlite:///{self.template}")

    def fresh(self) -> str:
        path = self.folder / f"{uuid.uuid4().hex[:10]}.db"
        shutil.copyfile(self.template, path)
        return f"sqlite+aiosqlite:///{path}"
